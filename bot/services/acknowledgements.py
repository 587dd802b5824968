"""Acknowledging receipt, once per agency, by a member of that agency; with a note, the note reaches the sharer."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from bot.blocks.ids import Field
from bot.blocks.limits import too_long
from bot.domain.clock import Clock
from bot.services.audit import Act, Surface, audit
from bot.services.content import AGENCY_POST, NOTE_TO_SHARER, SHARER_STATUS
from bot.services.directory import Directory
from bot.services.outbox import Outbox
from bot.services.records import calendar_for
from bot.reports.workingtime import working_seconds
from storage.db import Database
from storage.models import Outcome as OutcomeRow, Record, Share, SlackMessage, format_reference

_shares = Share.__table__.c
_records = Record.__table__.c
_SHARE = (select(_shares.record_id, _shares.agency_key, _shares.acknowledged_at, _shares.acknowledged_by,
                 _records.created_at.label("shared_at"),
                 ((_records.requested_action != "") & _records.purged_at.is_(None)).label("asks"))
          .join(Record.__table__, _records.id == _shares.record_id).where(_shares.id == bindparam("share")))
_TOLD = select(OutcomeRow.__table__.c.id).where(OutcomeRow.__table__.c.record_id == bindparam("record"),
                                               OutcomeRow.__table__.c.agency_key == bindparam("agency"))


class Outcome(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    ALREADY = "already"
    NOT_MEMBER = "not_member"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Acknowledgement:
    outcome: Outcome
    reference: str = ""
    agency_key: str = ""
    by: str | None = None
    at: datetime | None = None
    message_ids: list[int] = field(default_factory=list)


class AcknowledgementService:
    def __init__(self, *, db: Database, directory: Directory, clock: Clock, outbox: Outbox) -> None:
        self.db = db
        self.directory = directory
        self.clock = clock
        self.outbox = outbox

    def share(self, share_id: int) -> tuple[Share, Record] | None:
        with self.db.read() as session:
            share = session.get(Share, share_id)
            return (share, share.record) if share else None

    def note_problems(self, note: str) -> dict[str, str]:
        """A note to go with an acknowledgement is checked like any form's text, before anything is saved."""
        return dict(too_long({Field.NOTE: note.strip()}))

    def acknowledge(self, share_id: int, user_id: str, note: str = "", *,
                    surface: Surface = Surface.BUTTON) -> Acknowledgement:
        share = self.db.first(_SHARE, {"share": share_id})
        if share is None:
            return Acknowledgement(Outcome.NOT_FOUND)
        reference = format_reference(share.record_id)
        # Membership first: who acknowledged, and when, is told only to those who may acknowledge.
        if not self.directory.is_member(user_id, share.agency_key):
            return Acknowledgement(Outcome.NOT_MEMBER, reference, share.agency_key)
        if share.acknowledged_at is not None:  # the usual answer to a burst of clicks: no write needed
            return Acknowledgement(Outcome.ALREADY, reference, share.agency_key, share.acknowledged_by,
                                   share.acknowledged_at)
        now = self.clock.now()
        with self.db.write() as session:
            # The condition is the guard: of any number of clicks, one changes the row.
            won = session.execute(
                update(Share).where(Share.id == share_id, Share.acknowledged_at.is_(None))
                .values(acknowledged_by=user_id, acknowledged_at=now, acknowledgement_note=note.strip() or None,
                        working_seconds_to_acknowledge=self._working_seconds(share.shared_at, now),
                        result_due_since=now if self._result_due(session, share) else None)
            ).rowcount == 1  # type: ignore[attr-defined]
            if won:
                audit(session, at=now, actor=user_id, act=Act.ACKNOWLEDGED, surface=surface, record_id=share.record_id,
                      detail=f"for {share.agency_key}" + (" with a note" if note.strip() else ""))
                ids = self.outbox.touch(
                    session, SlackMessage.record_id == share.record_id,
                    ((SlackMessage.kind == AGENCY_POST) & (SlackMessage.agency_key == share.agency_key))
                    | (SlackMessage.kind == SHARER_STATUS))
                if note.strip():
                    ids.append(self._note_to_sharer(session, share_id, share.record_id, share.agency_key))
                return Acknowledgement(Outcome.ACKNOWLEDGED, reference, share.agency_key, user_id, now, ids)
            first = session.scalar(select(Share).where(Share.id == share_id))
            assert first is not None
            return Acknowledgement(Outcome.ALREADY, reference, share.agency_key,
                                   first.acknowledged_by, first.acknowledged_at)

    @staticmethod
    def _result_due(session: Session, share: Any) -> bool:
        """A record that asked the agency to act owes the sharer its result from the acknowledgement, unless the
        agency told it already; kept on the post so App Home reads only the posts owing one."""
        return bool(share.asks) and session.execute(
            _TOLD, {"record": share.record_id, "agency": share.agency_key}).first() is None

    def _working_seconds(self, shared_at: datetime, now: datetime) -> int:
        """Kept with the acknowledgement, so the partnership figures read it rather than work it out."""
        partnership = self.directory.partnership
        return working_seconds(shared_at, now, calendar_for(partnership), partnership.zone)

    def _note_to_sharer(self, session: Session, share_id: int, record_id: int, agency_key: str) -> int:
        """The note, owed to the sharer with the acknowledgement that carries it: a reply under their status
        message (or, if that never reached them, a message of its own)."""
        sharer = session.execute(_SHARER, {"record": record_id}).one()
        return self.outbox.add(session, kind=NOTE_TO_SHARER, key=f"note-to-sharer:{share_id}", target=sharer.sharer_id,
                               record_id=record_id, agency_key=agency_key,
                               parent_id=sharer.status_id if sharer.status_failed_at is None else None)


_messages = SlackMessage.__table__.c
# The record's sharer, and their status message (every shared record has one, owed when it was saved).
_SHARER = (select(_records.sharer_id, _messages.id.label("status_id"), _messages.failed_at.label("status_failed_at"))
           .outerjoin(SlackMessage.__table__, (_messages.record_id == _records.id) & (_messages.kind == SHARER_STATUS))
           .where(_records.id == bindparam("record")))
