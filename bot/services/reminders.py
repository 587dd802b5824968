"""Chasing what is overdue, at sensible hours, exactly once.

What is due lives in columns (`shares.next_reminder_at`, `records.outcome_request_at`); the sweep reads only
rows whose time has come, and claims each with a conditional update, so racing sweeps in any number of
processes send each reminder once. The words themselves go through the outbox.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.engine import Connection

from bot.blocks.outcome import sharer_outcomes
from bot.domain.clock import Clock
from bot.services.audit import SYSTEM, Act, Surface, append, audit, entry
from bot.domain.config import Partnership
from bot.services.content import ACK_REMINDER, AGENCY_POST, LEAD_ESCALATION, OUTCOME_REQUEST, SHARER_ESCALATION
from bot.services.directory import Directory
from bot.services.outbox import Outbox
from bot.domain.workcalendar import WorkingCalendar
from storage.db import Database
from storage.models import EmailMessage, Record, Share, SlackMessage

log = logging.getLogger(__name__)

BATCH = 500
CLAIMS = 100  # reminders claimed and owed per write: on SQLite, other writers wait while one is open
POST_NOT_OUT_YET = timedelta(minutes=15)


@dataclass
class ReminderReport:
    acknowledgement_reminders: int = 0
    outcome_requests: int = 0
    deferred: int = 0
    message_ids: list[int] = field(default_factory=list)
    email_ids: list[int] = field(default_factory=list)


def first_reminder_at(shared_at: datetime, partnership: Partnership, calendar: WorkingCalendar) -> datetime:
    return calendar.add_working_hours(shared_at, partnership.reminders.acknowledge_within_working_hours,
                                      partnership.zone)


def start_of_working_day(day: date, partnership: Partnership, calendar: WorkingCalendar,
                         tz: ZoneInfo | None = None) -> datetime:
    zone = tz or partnership.zone
    return calendar.next_working_time(datetime.combine(day, calendar.start, zone), zone)


class Emails(Protocol):
    """The email outbox (bot/email/outbox.py), as reminders owe it."""

    def owe(self, connection: Connection, emails: list[dict[str, Any]]) -> list[int]: ...


class ReminderService:
    def __init__(self, *, db: Database, partnership: Partnership, clock: Clock, outbox: Outbox,
                 directory: Directory, calendar: WorkingCalendar, email: Emails | None = None) -> None:
        self.db = db
        self.partnership = partnership
        self.clock = clock
        self.outbox = outbox
        self.directory = directory
        self.calendar = calendar
        self.email = email  # the email outbox: an agency emailed the record is reminded by email

    def run(self) -> ReminderReport:
        report = ReminderReport()
        now = self.clock.now()
        with self.db.read() as session:
            shares = session.execute(select(Share.id, Share.reminders_sent).where(Share.next_reminder_at <= now)
                                     .order_by(Share.next_reminder_at).limit(BATCH)).all()
            records = session.execute(select(Record.id, Record.outcome_requests_sent)
                                      .where(Record.outcome_request_at <= now)
                                      .order_by(Record.outcome_request_at).limit(BATCH)).all()
        if shares:
            self._remind_agencies([(share_id, seen) for share_id, seen in shares], now, report)
        for record_id, seen in records:
            self._ask_for_outcome(record_id, seen, now, report)
        return report

    def zone_of(self, user_id: str) -> ZoneInfo:
        name = self.directory.person(user_id).tz
        try:
            return ZoneInfo(name) if name else self.partnership.zone
        except (ZoneInfoNotFoundError, ValueError):
            return self.partnership.zone

    def _postpone(self, model: type[Share] | type[Record], row_ids: list[int], column: str, until: datetime,
                  report: ReminderReport) -> None:
        if not row_ids:
            return
        with self.db.write() as session:
            session.execute(update(model).where(model.id.in_(row_ids)).values({column: until}))
        report.deferred += len(row_ids)

    def _remind_agencies(self, due: list[tuple[int, int]], now: datetime, report: ReminderReport) -> None:
        """Chase these unacknowledged shares: read together, then claimed and owed in writes of CLAIMS."""
        zone = self.partnership.zone
        if not self.calendar.is_working_time(now, zone):
            self._postpone(Share, [share_id for share_id, _ in due], "next_reminder_at",
                           self.calendar.next_working_time(now, zone), report)
            return
        seen_by_share = dict(due)
        with self.db.read() as session:
            found = session.connection().execute(_DUE_SHARES, {"shares": list(seen_by_share)}).all()
        ready = [row for row in found if (agency := self.partnership.agency(row.agency_key)) is not None
                 and (row.post_ts is not None if agency.channel else row.emailed_at is not None)]
        ready_ids = {row.id for row in ready}
        # Nothing to thread under yet (the post, or for an agency not in Slack the email, is still owed): look
        # again shortly.
        self._postpone(Share, [row.id for row in found if row.id not in ready_ids], "next_reminder_at",
                       now + POST_NOT_OUT_YET, report)
        for start in range(0, len(ready), CLAIMS):
            self._claim_reminders(ready[start:start + CLAIMS], seen_by_share, now, report)

    def _claim_reminders(self, rows: list[Any], seen_by_share: dict[int, int], now: datetime,
                         report: ReminderReport) -> None:
        """Each share is claimed with a conditional update on the count it was read with, so that any number of
        racing sweeps remind it once; what the claim wins is owed in the same transaction."""
        by_number: dict[int, list[Any]] = {}
        for row in rows:
            by_number.setdefault(seen_by_share[row.id] + 1, []).append(row)
        zones = self._zones_of_those_told(by_number)
        acts: list[dict[str, Any]] = []
        owed: list[dict[str, Any]] = []
        emails: list[dict[str, Any]] = []
        with self.db.write() as session:
            connection = session.connection()
            for number, group in by_number.items():
                last = number >= self.partnership.reminders.max_reminders
                following = None if last else self.calendar.add_working_hours(
                    now, self.partnership.reminders.escalate_after_working_hours, self.partnership.zone)
                claimed = set(connection.scalars(_CLAIM_REMINDER, {
                    "shares": [row.id for row in group], "seen": number - 1, "now": now, "number": number,
                    "following": following}))
                for row in group:
                    if row.id in claimed:
                        self._owe_reminder(row, number, now, zones, acts, owed, emails)
            append(connection, acts)
            ids = self.outbox.add_new(connection, owed)
            report.email_ids += self.email.owe(connection, emails) if self.email and emails else []
        report.acknowledgement_reminders += len(acts)
        report.message_ids += ids
        if acts:
            log.info("%s reminder(s) among shares %s", len(acts), ", ".join(str(row.id) for row in rows)[:200])

    def _zones_of_those_told(self, by_number: dict[int, list[Any]]) -> dict[str, ZoneInfo]:
        """The time zones of the leads told from the second reminder on, and of the sharer told at the second.
        They come from Slack (cached), so they are asked before the write, never while it holds the database."""
        people: set[str] = set()
        for number, group in by_number.items():
            for row in group if number >= 2 else ():
                people.update(self.partnership.agency(row.agency_key).leads)  # type: ignore[union-attr]
                if number == 2:
                    people.add(row.sharer_id)
        return {person: self.zone_of(person) for person in people}

    def _owe_reminder(self, row: Any, number: int, now: datetime, zones: dict[str, ZoneInfo],
                      acts: list[dict[str, Any]], owed: list[dict[str, Any]], emails: list[dict[str, Any]]) -> None:
        """The reminder in the agency's channel (by email to its team inbox, where the record was emailed), and from
        the second on, word to its leads and the sharer."""
        agency = self.partnership.agency(row.agency_key)
        assert agency is not None
        escalating = number >= 2
        acts.append(entry(at=now, actor=SYSTEM, act=Act.REMINDED, surface=Surface.SWEEP, record_id=row.record_id,
                          detail=f"{agency.key}, reminder {number}" + (", leads told" if escalating else "")))
        about = {"record_id": row.record_id, "agency_key": agency.key}
        if agency.channel and row.post_ts is not None:
            owed.append({"kind": ACK_REMINDER, "key": f"ack-reminder:{row.id}:{number}", "target": agency.channel,
                         "parent_id": row.post_id, "not_before": None, **about})
        if agency.email and row.emailed_at is not None:
            emails.append({"kind": "reminder", "key": f"email-reminder:{row.id}:{number}", "address": agency.email,
                           **about})
        for lead in agency.leads if escalating else ():
            owed.append({"kind": LEAD_ESCALATION, "key": f"escalation:{row.id}:{number}:{lead}", "target": lead,
                         "parent_id": None, "not_before": self.calendar.next_working_time(now, zones[lead]),
                         **about})
        if number == 2:
            owed.append({"kind": SHARER_ESCALATION, "key": f"sharer-escalation:{row.id}", "target": row.sharer_id,
                         "parent_id": None,
                         "not_before": self.calendar.next_working_time(now, zones[row.sharer_id]), **about})

    def _ask_for_outcome(self, record_id: int, seen: int, now: datetime, report: ReminderReport) -> None:
        with self.db.read() as session:
            record = session.get(Record, record_id)
            if record is None:
                return
            sharer = record.sharer_id
        zone = self.zone_of(sharer)
        if not self.calendar.is_working_time(now, zone):
            self._postpone(Record, [record_id], "outcome_request_at", self.calendar.next_working_time(now, zone), report)
            return
        number = seen + 1
        last = number >= self.partnership.reminders.max_reminders
        today = now.astimezone(zone).date()
        following = None if last else start_of_working_day(self.calendar.add_working_days(today, 3),
                                                            self.partnership, self.calendar, zone)
        with self.db.write() as session:
            claimed = session.execute(
                update(Record).where(Record.id == record_id, Record.outcome_requests_sent == seen,
                                     Record.outcome_request_at <= now)
                .values(outcome_requests_sent=number, outcome_request_at=following)).rowcount == 1  # type: ignore[attr-defined]
            if not claimed:
                return
            audit(session, at=now, actor=SYSTEM, act=Act.OUTCOME_REQUESTED, surface=Surface.SWEEP,
                  record_id=record_id, detail=f"request {number}")
            report.message_ids.append(self.outbox.add(
                session, kind=OUTCOME_REQUEST, key=f"outcome-request:{record_id}:{number}", target=sharer,
                record_id=record_id))
        report.outcome_requests += 1

    def remind_later(self, record_id: int, user_id: str, working_days: int) -> date | None:
        """The sharer asked to be asked again; returns the day, or None if it is not theirs to snooze."""
        zone = self.zone_of(user_id)
        day = self.calendar.add_working_days(self.clock.now().astimezone(zone).date(), working_days)
        with self.db.write() as session:
            record = session.get(Record, record_id)
            if record is None or record.sharer_id != user_id or sharer_outcomes(record):
                return None  # not theirs, or the outcome for the child is in (agencies' results leave it owed)
            record.outcome_request_at = start_of_working_day(day, self.partnership, self.calendar, zone)
            if record.outcome_requests_sent >= self.partnership.reminders.max_reminders:
                record.outcome_requests_sent = self.partnership.reminders.max_reminders - 1
        return day


_shares, _records, _messages = Share.__table__.c, Record.__table__.c, SlackMessage.__table__.c
_emails = EmailMessage.__table__.c
# Each due share with its record's sharer, its agency post (NULL where the post is not out yet) and when the record
# was emailed to the agency (NULL where it was not, or not yet).
_DUE_SHARES = (
    select(_shares.id, _shares.record_id, _shares.agency_key, _records.sharer_id,
           _messages.id.label("post_id"), _messages.ts.label("post_ts"), _emails.sent_at.label("emailed_at"))
    .join(Record.__table__, _records.id == _shares.record_id)
    .outerjoin(SlackMessage.__table__, and_(_messages.record_id == _shares.record_id, _messages.kind == AGENCY_POST,
                                            _messages.agency_key == _shares.agency_key))
    .outerjoin(EmailMessage.__table__, and_(_emails.record_id == _shares.record_id, _emails.kind == "record",
                                            _emails.agency_key == _shares.agency_key))
    .where(_shares.id.in_(bindparam("shares", expanding=True))))
_CLAIM_REMINDER = (
    update(Share.__table__)
    .where(_shares.id.in_(bindparam("shares", expanding=True)), _shares.reminders_sent == bindparam("seen"),
           _shares.acknowledged_at.is_(None), _shares.next_reminder_at <= bindparam("now"))
    .values(reminders_sent=bindparam("number"), next_reminder_at=bindparam("following"))
    .returning(_shares.id))
