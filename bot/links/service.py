"""Personal links: one per recipient and share, a long random token of which only the SHA-256 hash is kept.

A link stands for its holder when they act: the actor is `link:<id>` (no Slack ID has a colon), shown wherever
people are named as "<address> (by email link)". Logs carry the link's id only: never a token or an address.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.clock import Clock
from bot.domain.config import Partnership
from bot.services.audit import SYSTEM, Act, Surface, audit
from storage.db import Database
from storage.models import EmailLink, Record, Share

log = logging.getLogger(__name__)

ACTOR_PREFIX = "link:"
# secrets.token_urlsafe(32) gives 43 characters; anything far from that is not one of ours and is not looked up.
TOKEN_LENGTHS = range(40, 60)
RENEW_EVERY = timedelta(minutes=10)  # how often another browser may have a new link emailed


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def actor_for(link_id: int) -> str:
    return f"{ACTOR_PREFIX}{link_id}"


def link_id_of(actor: str) -> int | None:
    if not actor.startswith(ACTOR_PREFIX):
        return None
    rest = actor[len(ACTOR_PREFIX):]
    return int(rest) if rest.isascii() and rest.isdigit() else None


@dataclass(frozen=True)
class Holder:
    """The holder of a link that works: who they are, and the share they may act on."""
    link_id: int
    share_id: int
    record_id: int
    agency_key: str
    address: str
    token_hash: str
    expires_at: datetime
    device_hash: str | None = None  # the hash of the secret of the one browser it works on, once one has opened it
    renewed_at: datetime | None = None  # when another browser last asked for a new link

    def on(self, device_hash: str | None) -> bool:
        """Whether a browser whose device secret has this hash is the one the link is bound to."""
        return self.device_hash is not None and device_hash is not None and \
            hmac.compare_digest(self.device_hash, device_hash)

    @property
    def actor(self) -> str:
        return actor_for(self.link_id)


class LinkService:
    def __init__(self, *, db: Database, clock: Clock, partnership: Partnership) -> None:
        self.db = db
        self.clock = clock
        self.partnership = partnership

    @property
    def days(self) -> int:
        return self.partnership.email.link_days if self.partnership.email else 30

    def issue(self, session: Session, *, share_id: int, address: str) -> str:
        """A fresh link for this address and share, in the caller's transaction. Issuing again for the same pair
        replaces the hash and the expiry (and lifts a revocation, and forgets the browser the old link was bound to):
        the old link stops working, and the new one works on the first browser that presses "Open the record"."""
        if self.partnership.email is None:
            raise ValueError("no [email] section in the configuration: there is no address for links to lead to")
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        values = {"token_hash": hash_token(token), "created_at": now, "expires_at": now + timedelta(days=self.days),
                  "revoked_at": None, "device_hash": None, "bound_at": None}
        existing = session.scalar(select(EmailLink.id).where(EmailLink.share_id == share_id,
                                                             EmailLink.address == address))
        if existing is None:
            link = EmailLink(share_id=share_id, address=address, **values)
            session.add(link)
            session.flush()
            link_id = link.id
        else:
            session.execute(update(EmailLink).where(EmailLink.id == existing).values(**values))
            link_id = existing
        log.info("email link %s issued for share %s", link_id, share_id)
        return f"{self.partnership.email.link_base_url}/link/{token}"

    def holder(self, token: str) -> Holder | None:
        """The holder of a link that works now, or None: unknown, expired, revoked, or its record purged or
        no longer shared. One answer for all of them, so nobody learns which links or references exist."""
        if len(token) not in TOKEN_LENGTHS:
            return None
        with self.db.read() as session:
            row = session.execute(
                select(EmailLink.id, EmailLink.share_id, EmailLink.address, EmailLink.token_hash,
                       EmailLink.expires_at, EmailLink.revoked_at, EmailLink.device_hash, EmailLink.renewed_at,
                       Share.record_id, Share.agency_key,
                       Record.purged_at, Record.not_shared_reason)
                .join(Share, Share.id == EmailLink.share_id).join(Record, Record.id == Share.record_id)
                .where(EmailLink.token_hash == hash_token(token))).first()
        if row is None or row.revoked_at is not None or row.expires_at <= self.clock.now() \
                or row.purged_at is not None or row.not_shared_reason is not None:
            return None
        return Holder(link_id=row.id, share_id=row.share_id, record_id=row.record_id, agency_key=row.agency_key,
                      address=row.address, token_hash=row.token_hash, expires_at=row.expires_at,
                      device_hash=row.device_hash, renewed_at=row.renewed_at)

    def bind(self, holder: Holder, device_hash: str) -> bool:
        """Bind a link no browser has opened yet to this one; False if another got there first (or the link was
        replaced meanwhile). One conditional write, so two browsers racing cannot both win. Called only for the POST
        of the first page's "Open the record" button, never for a GET: mail scanners that fetch links bind nothing."""
        with self.db.write() as session:
            won = session.execute(update(EmailLink).where(
                EmailLink.id == holder.link_id, EmailLink.token_hash == holder.token_hash,
                EmailLink.device_hash.is_(None)).values(device_hash=device_hash, bound_at=self.clock.now())
            ).rowcount == 1  # type: ignore[attr-defined]
        log.info("email link %s %s", holder.link_id, "bound to the browser that opened the record first" if won
                 else "was bound to another browser meanwhile")
        return won

    def next_renewal(self, holder: Holder) -> datetime | None:
        """When a new link may next be asked for from another browser, if not now."""
        if holder.renewed_at is None or holder.renewed_at + RENEW_EVERY <= self.clock.now():
            return None
        return holder.renewed_at + RENEW_EVERY

    def renew(self, holder: Holder, owe: Callable[[Session, dict[str, Any]], list[int]]) -> list[int] | None:
        """Another browser asked for a new link: in one transaction, claim the turn (one per RENEW_EVERY), replace
        the token (so the old link, and its binding, stop working), owe the email to the link's registered address
        and audit it. The emails owed, or None if it was not this link's turn (or the link was replaced meanwhile)."""
        now = self.clock.now()
        with self.db.write() as session:
            won = session.execute(update(EmailLink).where(
                EmailLink.id == holder.link_id, EmailLink.token_hash == holder.token_hash,
                or_(EmailLink.renewed_at.is_(None), EmailLink.renewed_at <= now - RENEW_EVERY))
                .values(renewed_at=now)).rowcount == 1  # type: ignore[attr-defined]
            if not won:
                log.info("email link %s: a new link was refused, one was asked for recently", holder.link_id)
                return None
            self.issue(session, share_id=holder.share_id, address=holder.address)
            owed = owe(session, {"kind": "link", "key": f"email-link:{holder.link_id}:{now.isoformat()}",
                                 "record_id": holder.record_id, "agency_key": holder.agency_key,
                                 "address": holder.address})
            audit(session, at=now, actor=holder.actor, act=Act.LINK_RENEWED, surface=Surface.EMAIL_LINK,
                  record_id=holder.record_id, detail=f"email link {holder.link_id}, opened on another device")
        log.info("email link %s replaced at another browser's request: email %s owed", holder.link_id, owed)
        return owed

    def revoke(self, *, share_id: int | None = None, address: str | None = None, record_id: int | None = None,
               actor: str = SYSTEM, surface: Surface = Surface.CLI) -> int:
        """Stop the links for a share, a record, an address, or those together (e.g. a record's links to one
        address): how many stopped. Each is audited against its record."""
        if share_id is None and address is None and record_id is None:
            raise ValueError("revoke needs a share, a record or an address")
        now = self.clock.now()
        conditions = [EmailLink.revoked_at.is_(None)]
        if share_id is not None:
            conditions.append(EmailLink.share_id == share_id)
        if record_id is not None:
            conditions.append(Share.record_id == record_id)
        if address is not None:
            conditions.append(func.lower(EmailLink.address) == address.strip().lower())
        with self.db.write() as session:
            rows = session.execute(select(EmailLink.id, Share.record_id).join(Share, Share.id == EmailLink.share_id)
                                   .where(*conditions)).all()
            if rows:
                session.execute(update(EmailLink).where(EmailLink.id.in_([r.id for r in rows]))
                                .values(revoked_at=now))
            for row in rows:
                audit(session, at=now, actor=actor, act=Act.LINK_REVOKED, surface=surface, record_id=row.record_id,
                      detail=f"email link {row.id}")
        log.info("email links revoked: %s", ", ".join(str(r.id) for r in rows) or "none")
        return len(rows)

    def address_of(self, actor: str) -> str | None:
        """The address a link actor stands for, or None for anyone else."""
        link_id = link_id_of(actor)
        if link_id is None:
            return None
        row = self.db.first(select(EmailLink.address).where(EmailLink.id == link_id), {})
        return row.address if row else None
