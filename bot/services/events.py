"""Each Events API delivery is handled once, however often Slack retries it."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.domain.clock import Clock
from storage.db import Database
from storage.models import SeenEvent

REMEMBER_FOR = timedelta(days=2)  # Slack retries for up to a day with delayed events switched on


class EventLog:
    def __init__(self, *, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def first_time(self, event_id: str) -> bool:
        try:
            with self.db.write() as session:
                session.add(SeenEvent(event_id=event_id[:64], received_at=self.clock.now()))
            return True
        except IntegrityError:
            return False

    def forget_old(self) -> int:
        with self.db.write() as session:
            result = session.execute(delete(SeenEvent).where(SeenEvent.received_at < self.clock.now() - REMEMBER_FOR))
            return result.rowcount  # type: ignore[attr-defined,no-any-return]
