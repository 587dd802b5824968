"""App Home's partnership part: this week's figures and what is overdue now, for the partnership's admins.

Anyone else gets None without a query, so App Home costs them nothing more. Agencies' leads are not shown it
either: their agency's line would cost the same whole report (every figure, each agency) on every App Home
they open, and `/joinedup report` already shows them their agency beside the partnership. A report that fails
is logged in one line naming only the error's type and where it was raised, never its message (which could
carry something typed), and App Home shows the person's own work without the figures.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.domain.config import Partnership
from bot.edge.payloads import where
from bot.reports.period import parse_period
from bot.reports.service import PartnershipFigures, Report
from bot.services.directory import Directory
from bot.services.records import calendar_for
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HomeFigures:
    report: Report | None  # None: the figures could not be counted just now


def home_figures(user_id: str, *, db: Database, partnership: Partnership, directory: Directory,
                 clock: Clock) -> HomeFigures | None:
    """This week's report for an admin; None, without touching the database, for anyone else."""
    if not directory.is_admin(user_id):
        return None
    now = clock.now()
    try:
        period = parse_period("this week", now, partnership.zone)
        figures = PartnershipFigures(db=db, partnership=partnership, calendar=calendar_for(partnership))
        return HomeFigures(figures.report(period, now))
    except Exception as error:  # noqa: BLE001 - whatever went wrong, App Home still shows the person's own work
        log.error("App Home's partnership figures were not counted: %s at %s", type(error).__name__, where(error))
        return HomeFigures(None)
