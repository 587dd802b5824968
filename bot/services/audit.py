"""The audit trail: every act, appended in the same transaction as the act itself.

The application only ever adds to it. Details are IDs, agency keys and reasons for failure: never the
content of a record, so the trail can be shown to those who may not see the record itself.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import AuditEvent, Record

SYSTEM = "system"


class Act(StrEnum):
    CREATED = "created"
    POSTED = "posted"
    DELIVERY_FAILED = "delivery failed"
    VIEWED = "viewed"
    ACKNOWLEDGED = "acknowledged"
    REMINDED = "reminded"
    OUTCOME_REQUESTED = "outcome requested"
    OUTCOME_REPORTED = "outcome reported"
    CHALLENGED = "challenged"
    RESPONDED = "responded"
    RESOLVED = "challenge resolved"
    ESCALATED = "challenge escalated"
    REVISED = "risk level revised"
    AMENDED = "amended"
    EXPORTED = "exported"
    PURGED = "purged"
    LINK_REVOKED = "email link revoked"
    LINK_RENEWED = "new email link requested"
    EMAILED = "emailed"
    COPY_EMAILED = "copy emailed"


class Surface(StrEnum):
    FORM = "form"
    BUTTON = "button"
    COMMAND = "slash command"
    APP_HOME = "App Home"
    SWEEP = "sweep"
    DELIVERY = "delivery"
    CLI = "command line"
    EMAIL_LINK = "email link"


# What people do with a record keeps it for the retention period; the system's reminders and reading it do not.
ACTIVITY = frozenset({Act.CREATED, Act.ACKNOWLEDGED, Act.OUTCOME_REPORTED, Act.CHALLENGED, Act.RESPONDED, Act.RESOLVED,
                      Act.ESCALATED, Act.REVISED, Act.AMENDED})


def audit(session: Session | Connection, *, at: datetime, actor: str, act: Act, surface: Surface,
          record_id: int | None = None, detail: str = "") -> None:
    append(session, [entry(at=at, actor=actor, act=act, surface=surface, record_id=record_id, detail=detail)])


def entry(*, at: datetime, actor: str, act: Act, surface: Surface, record_id: int | None = None,
          detail: str = "") -> dict[str, Any]:
    """One act, to be appended with others in one statement."""
    return {"at": at, "actor": actor, "action": act, "record_id": record_id, "surface": surface, "detail": detail[:300]}


def append(session: Session | Connection, entries: list[dict[str, Any]]) -> None:
    if not entries:
        return
    session.execute(_APPEND, entries)
    active = [{"record": e["record_id"], "at": e["at"]} for e in entries
              # a record is created with its last activity
              if e["action"] in ACTIVITY and e["action"] != Act.CREATED and e["record_id"] is not None]
    if active:
        session.execute(_ACTIVE, active)


# Built once: statements are the same every time; only the parameters change.
_APPEND = insert(AuditEvent.__table__)
_ACTIVE = sql_update(Record.__table__).where(Record.__table__.c.id == bindparam("record"),
                                             Record.__table__.c.purged_at.is_(None)).values(last_activity_at=bindparam("at"))


def trail(db: Database, record_id: int) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.record_id == record_id)
                                    .order_by(AuditEvent.at, AuditEvent.id)))
