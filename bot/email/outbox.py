"""Every email Joined Up owes is a row first, written in the transaction of the change that causes it, then sent.

An email is claimed before it is sent, so two threads, two processes or a sweep racing a request never send it
twice. Its personal link is issued in the same write as the claim, so a retried email carries a fresh link and the
earlier one stops working. The relay's answer is then recorded: sent; a temporary refusal (4xx, a dropped
connection, a timeout), tried again with backoff; a permanent one (5xx), failed, and the sharer and the admins told.
An email can be doubled only where the relay took it but its answer was lost (README, Delivery).
"""
from __future__ import annotations

import logging
import random
import threading
from concurrent.futures import Executor
from datetime import timedelta
from email.message import EmailMessage as Mail
from typing import Any, Callable, Iterable

from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.domain.clock import Clock
from bot.domain.config import Partnership
from bot.email.compose import AMENDMENT, COPY, RECORD, REMINDER, compose
from bot.email.relay import Relay, Sent
from bot.i18n import using
from bot.links.service import LinkService
from bot.services.audit import SYSTEM, Act, Surface, append, entry
from bot.services.content import EMAIL_PROBLEM, SHARER_STATUS
from bot.services.languages import PersonLanguages, voice_for
from bot.services.outbox import Outbox
from bot.services.outbox.lease import THIS_PROCESS, Claimant
from storage.db import Database
from storage.models import EmailMessage, Record, Share, SlackMessage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a claim outlasts any send: each step of one has a 20-second timeout
FIRST_BACKOFF = timedelta(seconds=30)
LONGEST_BACKOFF = timedelta(hours=1)
MOST_ATTEMPTS = 20  # about 15 hours of temporary refusals, then it is reported as failed
DUE_LIMIT = 100

_INSERT = insert(EmailMessage.__table__).returning(EmailMessage.__table__.c.id)


def backoff(attempts: int) -> timedelta:
    base = min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), LONGEST_BACKOFF)
    return base * random.uniform(0.8, 1.2)


class EmailOutbox:
    def __init__(self, *, db: Database, clock: Clock, partnership: Partnership, relay: Relay, links: LinkService,
                 slack: Outbox, executor: Executor, deliver_elsewhere: Callable[[], None] | None = None,
                 claimant: Claimant = THIS_PROCESS, languages: PersonLanguages | None = None) -> None:
        self.db = db
        self.clock = clock
        self.partnership = partnership
        self.relay = relay
        self.links = links
        self.slack = slack
        self.executor = executor
        self.deliver_elsewhere = deliver_elsewhere
        self.claimant = claimant
        # Whose language each email is written in: the agency's for its inbox, the asker's for a copy.
        self.languages = languages or PersonLanguages(db=db, partnership=partnership, clock=clock)
        self._busy = threading.Lock()

    # --- owing ----------------------------------------------------------------------------------------

    def owe(self, connection: Connection, emails: list[dict[str, Any]]) -> list[int]:
        """Owe new emails whose keys cannot exist yet (they name a row made, or a claim won, in this transaction),
        on the caller's connection. Each dict has kind, key, record_id, address and optionally agency_key and
        requested_by."""
        if not emails:
            return []
        now = self.clock.now()
        rows = [{"agency_key": None, "requested_by": None, **email, "pending": True, "attempts": 0,
                 "next_attempt_at": now, "created_at": now} for email in emails]
        return list(connection.scalars(_INSERT, rows))

    def owe_for_record(self, connection: Connection, record_id: int, agency_keys: Iterable[str]) -> list[int]:
        """The record, to every agency it is shared with that has a team inbox."""
        return self.owe(connection, [
            {"kind": RECORD, "key": f"email:{record_id}:{agency.key}", "record_id": record_id,
             "agency_key": agency.key, "address": agency.email}
            for key in agency_keys if (agency := self.partnership.agency(key)) and agency.email])

    def owe_amendment(self, session: Session, record_id: int, revision_id: int) -> list[int]:
        """The sharer amended the record: every agency it was emailed to is told, as every channel is."""
        keys = session.scalars(select(EmailMessage.agency_key).where(
            EmailMessage.record_id == record_id, EmailMessage.kind == RECORD, EmailMessage.failed_at.is_(None),
            EmailMessage.cancelled_at.is_(None)))
        return self.owe(session.connection(), [
            {"kind": AMENDMENT, "key": f"email-amendment:{revision_id}:{agency.key}", "record_id": record_id,
             "agency_key": agency.key, "address": agency.email}
            for key in keys if (agency := self.partnership.agency(key or "")) and agency.email])

    def owe_copy(self, session: Session, *, record_id: int, address: str, user_id: str, key: str) -> int:
        """A copy of the written record to someone's own work address; the same key (a click Slack sent twice)
        owes it once."""
        existing = session.scalar(select(EmailMessage.id).where(EmailMessage.key == key))
        if existing is not None:
            return existing
        return self.owe(session.connection(), [{"kind": COPY, "key": key, "record_id": record_id,
                                                "address": address, "requested_by": user_id}])[0]

    # --- delivering -----------------------------------------------------------------------------------

    def deliver_soon(self, email_ids: Iterable[int]) -> None:
        ids = list(email_ids)
        if ids and self.deliver_elsewhere is not None:
            self.deliver_elsewhere()
        elif ids:
            self.executor.submit(self._deliver_logged, ids)

    def deliver_due(self, *, limit: int = DUE_LIMIT) -> int:
        """Send what is due now (the sweep and the delivery process). One pass at a time in a process: a pass
        already running sends whatever this one would have."""
        if not self._busy.acquire(blocking=False):
            return 0
        try:
            now = self.clock.now()
            with self.db.read() as session:
                due = list(session.scalars(
                    select(EmailMessage.id).where(
                        EmailMessage.pending.is_(True), EmailMessage.next_attempt_at <= now,
                        or_(EmailMessage.claimed_until.is_(None), EmailMessage.claimed_until < now))
                    .order_by(EmailMessage.next_attempt_at, EmailMessage.id).limit(limit)))
            self.deliver(due)
            return len(due)
        finally:
            self._busy.release()

    def _deliver_logged(self, email_ids: list[int]) -> None:
        try:
            self.deliver(email_ids)
        except Exception as error:  # the rows stay owed and the sweep tries again
            log.error("sending emails %s failed unexpectedly: %s", email_ids, type(error).__name__)

    def deliver(self, email_ids: Iterable[int]) -> None:
        follow: list[int] = []
        for email_id in dict.fromkeys(email_ids):
            mail = self._claim(email_id)
            if mail is None:
                continue
            sent = self.relay.send(mail)
            follow += self._record(email_id, sent)
            if sent.unreachable:
                break  # the rest wait for the next pass rather than each for its own timeout
        self.slack.deliver_soon(follow)

    def _claim(self, email_id: int) -> Mail | None:
        """Take the email for one lease and write it, with a fresh link, in one transaction; None if another
        process holds it, it is not due, or it is no longer wanted (cancelled here)."""
        now = self.clock.now()
        with self.db.write() as session:
            won = session.execute(update(EmailMessage).where(
                EmailMessage.id == email_id, EmailMessage.pending.is_(True), EmailMessage.next_attempt_at <= now,
                or_(EmailMessage.claimed_until.is_(None), EmailMessage.claimed_until < now))
                .values(claimed_until=now + LEASE, claimed_by=self.claimant.name)).rowcount == 1  # type: ignore[attr-defined]
            if not won:
                return None
            email = session.get(EmailMessage, email_id)
            record = session.get(Record, email.record_id) if email else None
            assert email is not None
            share = session.scalar(select(Share).where(Share.record_id == email.record_id,
                                                       Share.agency_key == email.agency_key)) \
                if email.agency_key else None
            if record is None or record.purged_at is not None or self.partnership.email is None or \
                    (email.kind != COPY and share is None) or \
                    (email.kind == REMINDER and share is not None and share.acknowledged_at is not None):
                email.pending, email.cancelled_at, email.claimed_until = False, now, None
                log.info("email %s (%s) no longer wanted: cancelled", email.id, email.kind)
                return None
            link = self.links.issue(session, share_id=share.id, address=email.address) if share is not None else None
            reminder = int(email.key.rsplit(":", 1)[-1]) if email.kind == REMINDER else 0
            with using(voice_for(self.partnership, self._language(email))):
                return compose(kind=email.kind, key=email.key, record=record, partnership=self.partnership,
                               to=email.address, at=now, agency_key=email.agency_key, link=link, reminder=reminder)

    def _language(self, email: EmailMessage) -> str:
        """A copy is in the language of the person who asked for it; anything else in its agency's."""
        if email.kind == COPY:
            return self.languages.of(email.requested_by)
        agency = self.partnership.agency(email.agency_key or "")
        return agency.language if agency else self.partnership.languages.channel_default

    def _record(self, email_id: int, sent: Sent) -> list[int]:
        """What the relay said, in one write; returns the Slack messages that now have something to say."""
        now = self.clock.now()
        follow: list[int] = []
        with self.db.write() as session:
            email = session.get(EmailMessage, email_id)
            assert email is not None
            email.claimed_until = None
            about = email.agency_key or "the requester"
            if sent.ok:
                email.pending, email.sent_at, email.last_error = False, now, None
                act = Act.COPY_EMAILED if email.kind == COPY else Act.EMAILED
                detail = (f"a copy to {email.requested_by}'s work address" if email.kind == COPY
                          else f"{email.kind} to {about} by email")
                append(session, [entry(at=now, actor=email.requested_by or SYSTEM, act=act, surface=Surface.DELIVERY,
                                       record_id=email.record_id, detail=detail)])
                log.info("sent %s email %s (%s)", email.kind, email.id, about)
            else:
                email.attempts += 1
                email.last_error = sent.error[:200]
                if sent.permanent or email.attempts >= MOST_ATTEMPTS:
                    email.pending, email.failed_at = False, now
                    append(session, [entry(at=now, actor=SYSTEM, act=Act.DELIVERY_FAILED, surface=Surface.DELIVERY,
                                           record_id=email.record_id,
                                           detail=f"{email.kind} email to {about}: {email.last_error}")])
                    follow += self._tell_of_failure(session, email)
                else:
                    email.next_attempt_at = now + backoff(email.attempts)
                log.warning("could not send %s email %s (%s): %s%s", email.kind, email.id, about, email.last_error,
                            "" if email.pending else "; not retried")
            if email.kind == RECORD and (sent.ok or email.attempts == 1 or not email.pending):
                follow += self.slack.touch(session, SlackMessage.record_id == email.record_id,
                                           SlackMessage.kind == SHARER_STATUS)
        return follow

    def _tell_of_failure(self, session: Session, email: EmailMessage) -> list[int]:
        """A DM to whoever must know: the person who asked for a copy; else the sharer and every admin."""
        record = session.get(Record, email.record_id)
        assert record is not None
        told = [email.requested_by] if email.kind == COPY and email.requested_by else \
            list(dict.fromkeys([record.sharer_id, *self.partnership.admins]))
        return [self.slack.add(session, kind=EMAIL_PROBLEM, key=f"email-problem:{email.id}:{person}", target=person,
                               record_id=email.record_id, agency_key=email.agency_key, subject_id=email.id)
                for person in told]
