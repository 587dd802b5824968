"""Compute every figure for a period in the database: one aggregate query per figure, each agency and the total.

Percentiles are worked out in SQL the way PostgreSQL's percentile_cont does (linear interpolation between
the two nearest ranks), from ROW_NUMBER and COUNT windows, which SQLite has too.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text

from bot.domain.config import Partnership
from bot.domain.workcalendar import WorkingCalendar
from bot.reports.figures import BY_NAME, COUNT, FIGURES, MEDIAN, P90, Figure
from bot.reports.period import Period
from bot.reports.workingtime import days_clause, for_dialect
from storage.db import Database
from storage.models import UTCDateTime

TOTAL = None  # the agency of a partnership total
# (numerator, denominator) of each percentile, so that ranks are whole-number arithmetic in either database.
FRACTIONS = {MEDIAN: (1, 2), P90: (9, 10)}


@dataclass(frozen=True)
class Value:
    figure: Figure
    item: str
    agency: str | None  # None: the whole partnership
    value: float | None  # None: nothing to measure (a median of no times)


@dataclass(frozen=True)
class Report:
    period: Period
    now: datetime
    target_hours: float
    values: tuple[Value, ...]

    @cached_property
    def _index(self) -> dict[tuple[str, str | None, str], float | None]:
        return {(v.figure.name, v.agency, v.item): v.value for v in self.values}

    def get(self, name: str, agency: str | None = TOTAL, item: str = "") -> float | None:
        """The value, or what no rows mean: 0 things counted, no median."""
        if (name, agency, item) in self._index:
            return self._index[(name, agency, item)]
        return 0 if BY_NAME[name].measure == COUNT else None

    def items(self, name: str) -> list[str]:
        return sorted({v.item for v in self.values if v.figure.name == name and v.item})


def aggregate(figure: Figure, by_agency: bool) -> str:
    """The figure's rows reduced to one value for each (agency, item), or each item for the total."""
    keys = "agency, item" if by_agency else "item"
    if figure.measure == COUNT:
        return f"SELECT {keys}, COUNT(*) AS value FROM ({figure.query}) q GROUP BY {keys}"
    num, den = FRACTIONS[figure.measure]
    # Rank `lo` is the one at or below the percentile's place; `rest`/den of the way on to the next one.
    ranked = (f"SELECT {keys}, value, ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY value) AS rn, "
              f"COUNT(*) OVER (PARTITION BY {keys}) - 1 AS n FROM ({figure.query}) q")
    placed = f"SELECT {keys}, value, rn, (n * {num}) / {den} + 1 AS lo, (n * {num}) % {den} AS rest FROM ({ranked}) r"
    at_lo = "MAX(CASE WHEN rn = lo THEN value END)"
    return (f"SELECT {keys}, {at_lo} + (COALESCE(MAX(CASE WHEN rn = lo + 1 THEN value END), {at_lo}) - {at_lo}) "
            f"* MAX(rest) / {float(den)} AS value "
            f"FROM ({placed}) p WHERE rn = lo OR (rn = lo + 1 AND rest > 0) GROUP BY {keys}")


class PartnershipFigures:
    def __init__(self, *, db: Database, partnership: Partnership, calendar: WorkingCalendar) -> None:
        self.db = db
        self.partnership = partnership
        self.calendar = calendar

    def report(self, period: Period, now: datetime) -> Report:
        zone = self.partnership.zone
        days = days_clause(min(period.start, now), max(period.end, now), self.calendar, zone)
        dialect = "sqlite" if self.db.is_sqlite else "postgresql"
        target = self.partnership.reminders.acknowledge_within_working_hours
        params: dict[str, Any] = {"start": period.start, "end": period.end, "now": now, "target_hours": target}
        values: list[Value] = []
        known = {agency.key for agency in self.partnership.agencies}
        with self.db.read() as session:
            connection = session.connection()
            for figure in FIGURES:
                for by_agency in (True, False):
                    sql = aggregate(figure, by_agency)
                    sql = f"WITH {days} {sql}" if figure.uses_days else sql
                    statement = text(for_dialect(sql, dialect)).bindparams(
                        *(bindparam(name, type_=UTCDateTime()) for name in ("start", "end", "now")
                          if f":{name}" in sql))
                    for row in connection.execute(statement, {k: v for k, v in params.items() if f":{k}" in sql}):
                        agency = row.agency if by_agency else TOTAL
                        if by_agency and agency not in known:
                            continue  # an agency no longer configured: in the total only
                        values.append(Value(figure, row.item or "", agency,
                                            None if row.value is None else float(row.value)))
        return Report(period, now, target, tuple(values))
