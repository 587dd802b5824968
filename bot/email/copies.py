""""Email me a copy": the written record at someone's own work address, for their agency's own case file.

The sharer, and members of the agencies a record was shared with, may ask. The address is the one Slack holds for
them (users.info's profile.email, with the users:read.email scope), never one typed, and it must be on the
partnership's allow-list. The copy is owed and sent like every email, and audited when sent, in the asker's name.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from bot.blocks.text import escape
from bot.domain.config import Partnership
from bot.email.outbox import EmailOutbox
from bot.i18n import N_, _
from bot.services.directory import Directory
from storage.db import Database
from storage.models import Record, format_reference

log = logging.getLogger(__name__)

REFUSED = N_("Only the person who shared a record, and members of the agencies it was shared with, can have a copy "
           "emailed to them, and Joined Up doesn't count you as one of them. If it was yours to have, the record "
           "may no longer be in Joined Up.")


class Copy(StrEnum):
    OWED = "owed"
    REFUSED = "refused"
    NO_ADDRESS = "no address"
    NOT_ALLOWED = "not on the allow-list"
    NO_EMAIL = "no email"


@dataclass(frozen=True)
class CopyResult:
    copy: Copy
    reference: str = ""
    address: str = ""
    email_ids: tuple[int, ...] = ()

    @property
    def words(self) -> str:
        address = escape(self.address)
        if self.copy == Copy.OWED:
            return _(":email: A copy of *{reference}* is on its way to {address}. File it as your agency keeps case "
                     "records.", reference=self.reference, address=address)
        if self.copy == Copy.REFUSED:
            return _(REFUSED)
        if self.copy == Copy.NO_ADDRESS:
            return _("Slack holds no email address for you that Joined Up may read, so nothing was sent. Ask an "
                     "admin: Joined Up needs the users:read.email scope (reinstall it from app_manifest.yml), and "
                     "your Slack profile an email address.")
        if self.copy == Copy.NOT_ALLOWED:
            return _("Your Slack address ({address}) is not in a domain the partnership emails records to, so "
                     "nothing was sent. Ask an admin if your agency's domain should be added.", address=address)
        return _("Email is not set up for this partnership, so nothing was sent.")


class CopyService:
    def __init__(self, *, db: Database, partnership: Partnership, directory: Directory, email: EmailOutbox) -> None:
        self.db = db
        self.partnership = partnership
        self.directory = directory
        self.email = email

    def request(self, record_id: int, user_id: str, *, key: str) -> CopyResult:
        """Owe a copy of this record to this person's own work address, if they may have one. `key` names the
        click, so a click Slack sends twice owes one copy."""
        settings = self.partnership.email
        if settings is None:
            return CopyResult(Copy.NO_EMAIL)
        with self.db.read() as session:
            record = session.get(Record, record_id)
            agencies = [share.agency_key for share in record.shares] if record is not None else []
            allowed = record is not None and record.purged_at is None and (
                record.sharer_id == user_id or any(self.directory.is_member(user_id, key) for key in agencies))
        if not allowed:
            return CopyResult(Copy.REFUSED)
        reference = format_reference(record_id)
        address = self.directory.person(user_id).email or ""
        if not address:
            return CopyResult(Copy.NO_ADDRESS, reference)
        if not settings.allows(address):
            log.info("a copy of %s was not emailed to %s: their address is not on the allow-list", reference, user_id)
            return CopyResult(Copy.NOT_ALLOWED, reference, address)
        with self.db.write() as session:
            email_id = self.email.owe_copy(session, record_id=record_id, address=address, user_id=user_id, key=key)
        log.info("a copy of %s owed to %s (email %s)", reference, user_id, email_id)
        return CopyResult(Copy.OWED, reference, address, (email_id,))
