"""Chasing what is overdue, at sensible hours, exactly once.

What is due lives in columns (`shares.next_reminder_at`, `records.outcome_request_at`); the sweep reads only
rows whose time has come, and claims each with a conditional update, so racing sweeps in any number of
processes send each reminder once. The words themselves go through the outbox.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update

from bot.clock import Clock
from bot.services.audit import SYSTEM, Act, Surface, audit
from bot.config import Partnership
from bot.services.content import ACK_REMINDER, AGENCY_POST, LEAD_ESCALATION, OUTCOME_REQUEST, SHARER_ESCALATION
from bot.services.directory import Directory
from bot.services.outbox import Outbox
from bot.workcalendar import WorkingCalendar
from storage.db import Database
from storage.models import Record, Share, SlackMessage

log = logging.getLogger(__name__)

BATCH = 500
POST_NOT_OUT_YET = timedelta(minutes=15)


@dataclass
class ReminderReport:
    acknowledgement_reminders: int = 0
    outcome_requests: int = 0
    deferred: int = 0
    message_ids: list[int] = field(default_factory=list)


def first_reminder_at(shared_at: datetime, partnership: Partnership, calendar: WorkingCalendar) -> datetime:
    return calendar.add_working_hours(shared_at, partnership.reminders.acknowledge_within_working_hours,
                                      partnership.zone)


def start_of_working_day(day: date, partnership: Partnership, calendar: WorkingCalendar,
                         tz: ZoneInfo | None = None) -> datetime:
    zone = tz or partnership.zone
    return calendar.next_working_time(datetime.combine(day, calendar.start, zone), zone)


class ReminderService:
    def __init__(self, *, db: Database, partnership: Partnership, clock: Clock, outbox: Outbox,
                 directory: Directory, calendar: WorkingCalendar) -> None:
        self.db = db
        self.partnership = partnership
        self.clock = clock
        self.outbox = outbox
        self.directory = directory
        self.calendar = calendar

    def run(self) -> ReminderReport:
        report = ReminderReport()
        now = self.clock.now()
        with self.db.read() as session:
            shares = session.execute(select(Share.id, Share.reminders_sent).where(Share.next_reminder_at <= now)
                                     .order_by(Share.next_reminder_at).limit(BATCH)).all()
            records = session.execute(select(Record.id, Record.outcome_requests_sent)
                                      .where(Record.outcome_request_at <= now)
                                      .order_by(Record.outcome_request_at).limit(BATCH)).all()
        for share_id, seen in shares:
            self._remind_agency(share_id, seen, now, report)
        for record_id, seen in records:
            self._ask_for_outcome(record_id, seen, now, report)
        return report

    def zone_of(self, user_id: str) -> ZoneInfo:
        name = self.directory.person(user_id).tz
        try:
            return ZoneInfo(name) if name else self.partnership.zone
        except (ZoneInfoNotFoundError, ValueError):
            return self.partnership.zone

    def _postpone(self, model: type[Share] | type[Record], row_id: int, column: str, until: datetime,
                  report: ReminderReport) -> None:
        with self.db.write() as session:
            session.execute(update(model).where(model.id == row_id).values({column: until}))
        report.deferred += 1

    def _remind_agency(self, share_id: int, seen: int, now: datetime, report: ReminderReport) -> None:
        zone = self.partnership.zone
        if not self.calendar.is_working_time(now, zone):
            self._postpone(Share, share_id, "next_reminder_at", self.calendar.next_working_time(now, zone), report)
            return
        with self.db.read() as session:
            share = session.get(Share, share_id)
            if share is None:
                return
            post = session.scalar(select(SlackMessage).where(SlackMessage.record_id == share.record_id,
                                                             SlackMessage.kind == AGENCY_POST,
                                                             SlackMessage.agency_key == share.agency_key))
            sharer = share.record.sharer_id
        agency = self.partnership.agency(share.agency_key)
        if post is None or post.ts is None or agency is None:
            # Nothing to thread under yet (the post itself is still owed): look again shortly.
            self._postpone(Share, share_id, "next_reminder_at", now + POST_NOT_OUT_YET, report)
            return
        number = seen + 1
        escalating = number >= 2
        lead_zones = {lead: self.zone_of(lead) for lead in agency.leads} if escalating else {}
        sharer_zone = self.zone_of(sharer) if number == 2 else None
        last = number >= self.partnership.reminders.max_reminders
        following = None if last else self.calendar.add_working_hours(
            now, self.partnership.reminders.escalate_after_working_hours, zone)
        with self.db.write() as session:
            claimed = session.execute(
                update(Share).where(Share.id == share_id, Share.reminders_sent == seen,
                                    Share.acknowledged_at.is_(None), Share.next_reminder_at <= now)
                .values(reminders_sent=number, next_reminder_at=following)).rowcount == 1  # type: ignore[attr-defined]
            if not claimed:
                return
            audit(session, at=now, actor=SYSTEM, act=Act.REMINDED, surface=Surface.SWEEP, record_id=share.record_id,
                  detail=f"{agency.key}, reminder {number}" + (", leads told" if escalating else ""))
            ids = [self.outbox.add(session, kind=ACK_REMINDER, key=f"ack-reminder:{share_id}:{number}",
                                   target=agency.channel, record_id=share.record_id, agency_key=agency.key,
                                   parent_id=post.id)]
            for lead, lead_zone in lead_zones.items():
                ids.append(self.outbox.add(session, kind=LEAD_ESCALATION, key=f"escalation:{share_id}:{number}:{lead}",
                                           target=lead, record_id=share.record_id, agency_key=agency.key,
                                           not_before=self.calendar.next_working_time(now, lead_zone)))
            if sharer_zone is not None:
                ids.append(self.outbox.add(session, kind=SHARER_ESCALATION, key=f"sharer-escalation:{share_id}",
                                           target=sharer, record_id=share.record_id, agency_key=agency.key,
                                           not_before=self.calendar.next_working_time(now, sharer_zone)))
        report.acknowledgement_reminders += 1
        report.message_ids += ids
        log.info("reminder %s for share %s (%s)", number, share_id, "escalated" if escalating else "channel")

    def _ask_for_outcome(self, record_id: int, seen: int, now: datetime, report: ReminderReport) -> None:
        with self.db.read() as session:
            record = session.get(Record, record_id)
            if record is None:
                return
            sharer = record.sharer_id
        zone = self.zone_of(sharer)
        if not self.calendar.is_working_time(now, zone):
            self._postpone(Record, record_id, "outcome_request_at", self.calendar.next_working_time(now, zone), report)
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
            if record is None or record.sharer_id != user_id or record.outcomes:
                return None
            record.outcome_request_at = start_of_working_day(day, self.partnership, self.calendar, zone)
            if record.outcome_requests_sent >= self.partnership.reminders.max_reminders:
                record.outcome_requests_sent = self.partnership.reminders.max_reminders - 1
        return day

