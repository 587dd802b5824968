"""Retention: a record's personal content is removed once the partnership's period has passed since its
last activity. Its reference and audit trail remain; every Slack copy is replaced by a tombstone."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from bot.domain.clock import Clock
from bot.services.audit import SYSTEM, Act, Surface, audit
from bot.services.outbox import Outbox
from storage.db import Database
from storage.models import Challenge, ChallengeResponse, Outcome, Record, Revision, Share, SlackMessage, \
    format_reference

BATCH = 200
@dataclass(frozen=True)
class Expired:
    record_id: int
    reference: str
    last_activity: datetime


class RetentionService:
    def __init__(self, *, db: Database, clock: Clock, outbox: Outbox | None, keep_for: timedelta) -> None:
        self.db = db
        self.clock = clock
        self.outbox = outbox
        self.keep_for = keep_for

    def expired(self, *, limit: int = BATCH) -> list[Expired]:
        """Records whose last activity is older than the period: an index range, however long the history."""
        cutoff = self.clock.now() - self.keep_for
        with self.db.read() as session:
            rows = session.execute(select(Record.id, Record.last_activity_at)
                                   .where(Record.last_activity_at < cutoff)
                                   .order_by(Record.last_activity_at, Record.id).limit(limit)).all()
        return [Expired(record_id, format_reference(record_id), _aware(at)) for record_id, at in rows]

    def run(self) -> list[Expired]:
        expired = self.expired()
        for item in expired:
            self.purge(item.record_id)
        return expired

    def purge(self, record_id: int, *, actor: str = SYSTEM, surface: Surface = Surface.SWEEP) -> list[int]:
        now = self.clock.now()
        with self.db.write() as session:
            record = session.get(Record, record_id)
            if record is None or record.purged_at is not None:
                return []
            for name in ("case_reference", "others_present", "purpose_detail", "requested_action", "summary", "actions"):
                setattr(record, name, "")
            record.participants, record.purposes, record.identifiers_reason = [], [], None
            record.not_shared_reason = "" if record.not_shared_reason is not None else None
            record.outcome_request_at, record.purged_at, record.last_activity_at = None, now, None
            session.execute(update(Share).where(Share.record_id == record_id)
                            .values(acknowledgement_note=None, next_reminder_at=None, result_due_since=None))
            session.execute(update(Outcome).where(Outcome.record_id == record_id)
                            .values(what_happened="", what_changed="", identifiers_reason=None))
            challenge_ids = select(Challenge.id).where(Challenge.record_id == record_id).scalar_subquery()
            session.execute(update(ChallengeResponse).where(ChallengeResponse.challenge_id.in_(challenge_ids))
                            .values(text=""))
            session.execute(update(Challenge).where(Challenge.record_id == record_id)
                            .values(text="", identifiers_reason=None, next_reminder_at=None))
            session.execute(update(Revision).where(Revision.record_id == record_id)
                            .values(previous={}, current={}, reason=""))
            # What was never sent is not sent now; what is in Slack becomes a tombstone.
            session.execute(update(SlackMessage).where(SlackMessage.record_id == record_id, SlackMessage.ts.is_(None))
                            .values(pending=False, cancelled_at=now))
            assert self.outbox is not None, "purging needs the outbox, to replace what is in Slack"
            ids = self.outbox.touch(session, SlackMessage.record_id == record_id, SlackMessage.ts.is_not(None))
            audit(session, at=now, actor=actor, act=Act.PURGED, surface=surface, record_id=record_id,
                  detail=f"content removed; {len(ids)} Slack message(s) replaced")
        return ids


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
