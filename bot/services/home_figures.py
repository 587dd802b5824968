"""App Home's partnership part: this week's figures and what is overdue now, for the partnership's admins.

Counting them reads the whole history (the figures now), so a scheduled job of their own counts them each minute
and keeps them (keep_home_figures, beside the sweep in bot/processes/scheduling.py: the sweep stays as quick as
what is due); an admin's App Home reads what was kept, if it was counted within two minutes of now and for the same
week, and otherwise counts them there and then without keeping them (opening App Home writes nothing but
the note that Slack's event was handled). Web workers and the process that sweeps are separate processes, so the
figures are kept in the database (table counted_figures), the last count replacing the one before: two processes
counting at once each write a whole, correct report.

Anyone else gets None without a query, so App Home costs them nothing more. Agencies' leads are not shown it
either: their agency's line would cost the same whole report (every figure, each agency) on every App Home
they open, and `/joinedup report` already shows them their agency beside the partnership. A report that fails
is logged in one line naming only the error's type and where it was raised, never its message (which could
carry something typed), and App Home shows the person's own work without the figures.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import bindparam, select

from bot.domain.clock import Clock
from bot.domain.config import Partnership
from bot.edge.payloads import where
from bot.reports.period import Period, parse_period
from bot.reports.service import PartnershipFigures, Report
from bot.reports.stored import report_from_json, report_json
from bot.services.directory import Directory
from bot.services.records import calendar_for
from storage.db import Database, upserts
from storage.models import CountedFigures

if TYPE_CHECKING:
    from bot.services.wiring import Services

log = logging.getLogger(__name__)

KEY = "app-home"
FIGURES_SECONDS = 60  # how often the scheduled job counts them
FRESH_FOR = timedelta(seconds=2 * FIGURES_SECONDS)  # one count may be late; after two, App Home counts for itself
KEPT_JUST_NOW = timedelta(seconds=FIGURES_SECONDS / 2)  # another process's count, this recent, is this minute's
_TABLE = CountedFigures.__table__
_KEPT = select(_TABLE).where(_TABLE.c.key == bindparam("key"))
_KEEP = upserts(_TABLE)  # the last count replaces the one before


@dataclass(frozen=True)
class HomeFigures:
    report: Report | None  # None: the figures could not be counted just now
    kept: bool = False  # counted by the scheduled job (and so counted again each minute), not by this App Home


def home_figures(user_id: str, *, db: Database, partnership: Partnership, directory: Directory,
                 clock: Clock) -> HomeFigures | None:
    """This week's report for an admin; None, without touching the database, for anyone else."""
    if not directory.is_admin(user_id):
        return None
    now = clock.now()
    try:
        kept = kept_figures(db, partnership, now)
    except Exception as error:  # noqa: BLE001 - what was kept cannot be read: count them afresh instead
        log.error("App Home's kept partnership figures could not be read: %s at %s", type(error).__name__,
                  where(error))
        kept = None
    if kept is not None:
        return HomeFigures(kept, kept=True)
    try:
        return HomeFigures(this_week(db, partnership, now))
    except Exception as error:  # noqa: BLE001 - whatever went wrong, App Home still shows the person's own work
        log.error("App Home's partnership figures were not counted: %s at %s", type(error).__name__, where(error))
        return HomeFigures(None)


def this_week(db: Database, partnership: Partnership, now: datetime) -> Report:
    period = parse_period("this week", now, partnership.zone)
    return PartnershipFigures(db=db, partnership=partnership, calendar=calendar_for(partnership)).report(period, now)


def keep_home_figures(*, db: Database, partnership: Partnership, clock: Clock) -> bool:
    """The scheduled job: count and keep this week's figures where the partnership has admins, unless another
    process kept this week's in the last half minute. A failure is one line naming the error's type and where it
    was raised, never its message; App Home counts for itself until a count succeeds. Whether it counted."""
    if not partnership.admins:
        return False
    now = clock.now()
    try:
        row = db.first(_KEPT, {"key": KEY})
        just_now = row is not None and timedelta(0) <= now - row.counted_at < KEPT_JUST_NOW
        if just_now and _of_this_week(row, partnership, now):
            return False
        count_home_figures(db=db, partnership=partnership, now=now)
        return True
    except Exception as error:  # noqa: BLE001 - the next minute tries again
        log.error("App Home's partnership figures were not counted for keeping: %s at %s", type(error).__name__,
                  where(error))
        return False


def keeper_for(services: Services) -> Callable[[], bool]:
    """The scheduled job, for the processes that run a schedule (bot/cli.py, bot/processes/delivery.py)."""
    return functools.partial(keep_home_figures, db=services.db, partnership=services.partnership,
                             clock=services.clock)


def count_home_figures(*, db: Database, partnership: Partnership, now: datetime) -> Report:
    """This week's report at `now`, counted and kept for App Home."""
    report = this_week(db, partnership, now)
    period = report.period
    with db.write_core() as connection:
        connection.execute(_KEEP[connection.dialect.name], {
            "key": KEY, "counted_at": now, "period_start": period.start, "period_end": period.end,
            "period_first": period.first, "period_last": period.last, "period_kind": period.kind,
            "report": report_json(report)})
    return report


def kept_figures(db: Database, partnership: Partnership, now: datetime) -> Report | None:
    """The report kept for App Home, if it was counted within FRESH_FOR of now and is of now's week; else None."""
    row = db.first(_KEPT, {"key": KEY})
    if row is None or abs(now - row.counted_at) > FRESH_FOR or not _of_this_week(row, partnership, now):
        return None  # e.g. counted on Sunday evening, read on Monday morning
    period = Period(row.period_start, row.period_end, row.period_first, row.period_last, row.period_kind)
    return report_from_json(row.report, period, row.counted_at)


def _of_this_week(row: Any, partnership: Partnership, now: datetime) -> bool:
    week = parse_period("this week", now, partnership.zone)
    return (row.period_start, row.period_end, row.period_kind) == (week.start, week.end, week.kind)
