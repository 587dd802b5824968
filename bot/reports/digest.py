"""The weekly digest: when it is due, owing it in the outbox once, and what it says.

The digest for a week is due at `[digest]`'s day and time in the partnership's zone (Monday 09:00 unless set);
when that day is not a working day (Easter Monday, say), on the next working day at that time. It covers the
whole week, Monday to Sunday, before the week of that day. The sweep (every 60 s, in every process) asks
`DigestService.run`; the first to see it due owes two messages in the outbox, keyed by the week: the digest's
text, then its chart. The keys are unique, so processes racing owe it once, and a restart finds it owed. After
weeks without a sweep only the latest week's digest is owed: earlier ones are not caught up.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.blocks.digest import WEEKS_BEFORE, DigestFigures, Row, average, digest_blocks
from bot.domain.clock import Clock
from bot.domain.config import Partnership
from bot.domain.digest_config import DigestSettings
from bot.domain.workcalendar import WorkingCalendar
from bot.reports.chart import AgencyWeeks, Chart, digest_comment, digest_title, weekly_chart
from bot.reports.period import days
from bot.reports.service import TOTAL, PartnershipFigures, Report
from bot.services.outbox import Outbox
from bot.services.outbox.sending import FileShare, Rendered
from storage.db import Database
from storage.models import SlackMessage

log = logging.getLogger(__name__)

DIGEST = "digest"  # the digest's text, posted to the coordination channel
DIGEST_CHART = "digest_chart"  # its chart, shared as a file after it
KEY_PREFIX, CHART_KEY_PREFIX = "digest:", "digest-chart:"
LONGEST_HOLIDAY = 14  # days searched for a working day after the configured one
CACHED_WEEKS = 4


@dataclass(frozen=True)
class DigestWeek:
    first: date  # the Monday of the week the digest covers
    moment: datetime  # when its digest is due (aware, UTC)

    @property
    def name(self) -> str:
        year, week, _ = self.first.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def key(self) -> str:
        return KEY_PREFIX + self.name

    @property
    def chart_key(self) -> str:
        return CHART_KEY_PREFIX + self.name

    @property
    def file_name(self) -> str:
        """The chart's file name, from its key: a later attempt finds an earlier share by it."""
        return f"joinedup-digest-{self.name}.png"

    @property
    def last(self) -> date:
        return self.first + timedelta(days=6)


def moment_in(monday: date, settings: DigestSettings, calendar: WorkingCalendar, partnership: Partnership) -> datetime:
    """When the digest posted in the week beginning `monday` is due: the configured day, or the first working day
    after it, at the configured time in the partnership's zone."""
    day = monday + timedelta(days=settings.weekday)
    for _ in range(LONGEST_HOLIDAY):
        if calendar.is_working_day(day):
            break
        day += timedelta(days=1)
    return datetime.combine(day, settings.at, partnership.zone).astimezone(timezone.utc)


def week_of(key: str, settings: DigestSettings, calendar: WorkingCalendar, partnership: Partnership) -> DigestWeek:
    """The week a digest's key names ("digest:2026-W48" or "digest-chart:2026-W48")."""
    name = key.split(":", 1)[1]
    first = date.fromisocalendar(int(name[:4]), int(name[6:]), 1)
    return DigestWeek(first, moment_in(first + timedelta(days=7), settings, calendar, partnership))


def latest_due(now: datetime, settings: DigestSettings, calendar: WorkingCalendar,
               partnership: Partnership) -> DigestWeek | None:
    """The latest week whose digest is due by `now`; None before the first moment this method can see."""
    today = now.astimezone(partnership.zone).date()
    monday = today - timedelta(days=today.weekday())
    due = []
    for back in range(3):  # this week's moment, or a week or two back if holidays pushed one late
        posting = monday - timedelta(weeks=back)
        moment = moment_in(posting, settings, calendar, partnership)
        if moment <= now:
            due.append(DigestWeek(posting - timedelta(weeks=1), moment))
    return max(due, key=lambda week: week.moment) if due else None


class DigestService:
    """Owes each week's digest once, from the sweep."""

    def __init__(self, *, db: Database, partnership: Partnership, calendar: WorkingCalendar, clock: Clock,
                 outbox: Outbox) -> None:
        self.db, self.partnership, self.calendar, self.clock, self.outbox = db, partnership, calendar, clock, outbox
        self._owed: str | None = None  # the last key this process saw owed: no query until the next week

    def due(self, now: datetime) -> DigestWeek | None:
        settings = self.partnership.digest
        return None if settings is None else latest_due(now, settings, self.calendar, self.partnership)

    def run(self) -> list[int]:
        """Owe the latest due week's digest and chart unless they are owed already; the messages owed now."""
        settings, week = self.partnership.digest, self.due(self.clock.now())
        if settings is None or week is None or week.key == self._owed:
            return []
        try:
            with self.db.write() as session:
                if session.scalar(select(SlackMessage.id).where(SlackMessage.key == week.key)) is not None:
                    self._owed = week.key
                    return []
                # Inserted outright, not by add's look first: a process that looked before another's commit fails
                # on the unique key here, rather than taking the other's rows for its own.
                [digest] = self.outbox.add_new(session.connection(), [
                    dict(kind=DIGEST, key=week.key, target=settings.channel)])
                [chart] = self.outbox.add_new(session.connection(), [
                    dict(kind=DIGEST_CHART, key=week.chart_key, target=settings.channel, subject_id=digest)])
        except IntegrityError:  # another process owed it between our look and our insert: it is owed once
            log.info("the digest %s was owed by another process", week.key)
            self._owed = week.key
            return []
        self._owed = week.key
        log.info("owed the digest %s (messages %s and %s)", week.key, digest, chart)
        return [digest, chart]


class DigestContent:
    """What the digest and its chart say, from the partnership figures of the week and the WEEKS_BEFORE before.
    Worked out once a week and kept: the outbox renders a message at each attempt."""

    def __init__(self, *, db: Database, partnership: Partnership, calendar: WorkingCalendar) -> None:
        self.partnership, self.calendar = partnership, calendar
        self.figures = PartnershipFigures(db=db, partnership=partnership, calendar=calendar)
        self._reports: OrderedDict[str, list[Report]] = OrderedDict()
        self._lock = threading.Lock()

    def week(self, key: str) -> DigestWeek:
        settings = self.partnership.digest or DigestSettings(channel="")
        return week_of(key, settings, self.calendar, self.partnership)

    def reports(self, week: DigestWeek) -> list[Report]:
        """The WEEKS_BEFORE weeks before and the week itself, oldest first, each as at the digest's moment."""
        with self._lock:
            if week.name in self._reports:
                return self._reports[week.name]
        firsts = [week.first - timedelta(weeks=back) for back in range(WEEKS_BEFORE, -1, -1)]
        # One transaction: the figures now (the same for every week, all as at the digest's moment) counted once.
        reports = self.figures.reports([days(first, first + timedelta(days=6), self.partnership.zone)
                                        for first in firsts], week.moment)
        with self._lock:
            self._reports[week.name] = reports
            while len(self._reports) > CACHED_WEEKS:
                self._reports.popitem(last=False)
        return reports

    def digest_figures(self, week: DigestWeek) -> DigestFigures:
        reports = self.reports(week)
        *before, this = reports
        agencies = tuple((row(this, a.key, a.name), average([row(r, a.key, a.name) for r in before], a.name))
                         for a in self.partnership.agencies)
        return DigestFigures(
            partnership=self.partnership.name, first=week.first, last=week.last, moment=week.moment,
            target_hours=this.target_hours, total=row(this, TOTAL, self.partnership.name),
            total_before=average([row(r, TOTAL, self.partnership.name) for r in before], self.partnership.name),
            agencies=agencies)

    def chart(self, week: DigestWeek) -> Chart:
        reports = self.reports(week)
        agencies = [AgencyWeeks(a.name, [row(r, a.key, a.name).median_hours for r in reports],
                                [row(r, a.key, a.name).outcome_rate for r in reports])
                    for a in self.partnership.agencies]
        return weekly_chart([r.period.start.astimezone(self.partnership.zone).date() for r in reports], agencies,
                            target_hours=reports[-1].target_hours)

    def render(self, message: SlackMessage) -> Rendered:
        week = self.week(message.key)
        if message.kind == DIGEST:
            return Rendered(*digest_blocks(self.digest_figures(week)))
        chart = self.chart(week)
        weeks = WEEKS_BEFORE + 1
        comment = digest_comment(weeks, week.last)
        return Rendered(comment, file=FileShare(name=week.file_name, title=digest_title(week.name),
                                                data=chart.png, alt_text=chart.alt_text, comment=comment))


def row(report: Report, agency: str | None, name: str) -> Row:
    """One agency's (or the partnership's, for TOTAL) figures in a report, as the digest shows them."""
    shared = report.get("records_shared", agency) or 0
    with_outcome = report.get("records_with_outcome", agency) or 0
    return Row(name=name, shared=shared, acknowledged=report.get("posts_acknowledged", agency) or 0,
               within_target=report.get("posts_acknowledged_within_target", agency) or 0,
               median_hours=report.get("working_hours_to_acknowledge_median", agency),
               p90_hours=report.get("working_hours_to_acknowledge_p90", agency),
               outcome_rate=with_outcome / shared if shared else None,
               overdue_now=report.get("overdue_acknowledgements_now", agency) or 0,
               challenges=report.get("challenges_raised", agency) or 0)
