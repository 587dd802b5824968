"""Compute every figure for a period in the database, each agency and the total: the period's figures in one
statement, and the figures now (counted over the whole history at the report's moment) in another, which a set of
reports at one moment (the weekly digest's five weeks) shares.

Medians and 90th percentiles are percentile_cont's (linear interpolation between the two nearest ranks), found
exactly through a histogram (bot/reports/percentiles.py). Measured on ten years of a large partnership in
docs/benchmarks.md ("Partnership figures on a national-scale history").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from zoneinfo import ZoneInfo
from typing import Any, Sequence

from sqlalchemy import bindparam, func, select, text

from bot.domain.config import Partnership
from bot.domain.workcalendar import WorkingCalendar
from bot.reports.figures import BY_NAME, COUNT, FIGURES, MEDIAN, P90, SOURCES, Figure
from bot.reports.percentiles import percentile_ctes, picked
from bot.reports.period import Period
from bot.reports.workingtime import days_clause, for_dialect, on_day, worked_until
from storage.db import Database
from storage.models import UNCOUNTED, Record, UTCDateTime

TOTAL = None  # the agency of a partnership total
# (numerator, denominator) of each percentile, so that ranks are whole-number arithmetic in either database.
FRACTIONS = {MEDIAN: (1, 2), P90: (9, 10)}
# PostgreSQL's settings for the reports' transaction only (SET LOCAL): see PartnershipFigures.reports.
REPORT_SETTINGS = ("work_mem = '64MB'", "jit = off", "random_page_cost = 1.1")


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


def aggregate(figure: Figure, by_agency: bool, dialect: str = "sqlite") -> str:
    """The figure's rows reduced to one value for each (agency, item), or each item for the total."""
    keys = "agency, item" if by_agency else "item"
    if figure.measure == COUNT:
        return f"SELECT {keys}, SUM(value) AS value FROM ({figure.query}) q GROUP BY {keys}"
    num, den = FRACTIONS[figure.measure]
    ctes = percentile_ctes("m", figure.query, figure.width, ((num, den),), figure.counted or None)
    return (f"WITH {', '.join(ctes)} SELECT {keys}, value FROM ({picked('m', 0, den, figure.per)}) p "
            f"WHERE whole = {0 if by_agency else 1}")


def _counted(figure: Figure, number: int) -> str:
    return (f"SELECT '{figure.name}' AS figure, 0 AS whole, agency, item, value "
            f"FROM ({aggregate(figure, True)}) a{number}")


def report_statement(days: str) -> str:
    """The period's figures in one statement, rows (figure, whole, agency, item, value), so that the row sets
    figures share are read once: the sources, and the histogram behind each set of percentiles of the same rows."""
    ctes = [days] + [f"{name} AS MATERIALIZED ({sql})" for name, sql in SOURCES.items()]
    arms: list[str] = []
    percentiles: dict[str, list[Figure]] = {}
    for figure in FIGURES:
        if figure.now:
            continue
        if figure.measure == COUNT:
            arms.append(_counted(figure, len(arms)))
        else:
            percentiles.setdefault(figure.query, []).append(figure)
    for number, (query, figures) in enumerate(percentiles.items()):
        measures = tuple(FRACTIONS[figure.measure] for figure in figures)
        ctes += percentile_ctes(f"m{number}", query, figures[0].width, measures, figures[0].counted or None)
        for j, figure in enumerate(figures):
            arms.append(f"SELECT '{figure.name}' AS figure, whole, agency, item, value "
                        f"FROM ({picked(f'm{number}', j, measures[j][1], figure.per)}) a{len(arms)}")
    return f"WITH {', '.join(ctes)} " + " UNION ALL ".join(arms)


def now_statement() -> str:
    """The figures now, counted over the whole history at the report's moment, in one statement."""
    return " UNION ALL ".join(_counted(figure, number) for number, figure in enumerate(f for f in FIGURES if f.now))


class PartnershipFigures:
    def __init__(self, *, db: Database, partnership: Partnership, calendar: WorkingCalendar) -> None:
        self.db = db
        self.partnership = partnership
        self.calendar = calendar

    def report(self, period: Period, now: datetime) -> Report:
        return self.reports([period], now)[0]

    def reports(self, periods: Sequence[Period], now: datetime) -> list[Report]:
        """A report of each period at the moment `now`, in one transaction: the figures now are counted once for
        them all (the weekly digest's five weeks)."""
        dialect = "sqlite" if self.db.is_sqlite else "postgresql"
        target = self.partnership.reminders.acknowledge_within_working_hours

        def statement(sql: str) -> Any:
            sql = for_dialect(sql, dialect)
            return text(sql).bindparams(*(bindparam(name, type_=UTCDateTime()) for name in ("start", "end", "now")
                                          if f":{name}" in sql))
        with self.db.read() as session:
            connection = session.connection()
            if dialect == "postgresql":
                # The statements of these reports see the same moment of the database. For them only: the
                # histograms are grouped in memory; no JIT, which spends longer compiling a statement of this
                # size than running it; and index reads costed as the cached reads they are, so a year's posts
                # come through their covering index, not a scan of every share ever made.
                connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
                for setting in REPORT_SETTINGS:
                    connection.execute(text(f"SET LOCAL {setting}"))
            at_now = self._values(connection.execute(statement(now_statement()), {"now": now}))
            reports = []
            for period in periods:
                days = days_clause(min(period.start, now), max(period.end, now), self.calendar, self.partnership.zone)
                params: dict[str, Any] = {"start": period.start, "end": period.end, "target_hours": target}
                values = self._values(connection.execute(statement(report_statement(days)), params))
                reports.append(Report(period, now, target, values + at_now))
        return reports

    def _values(self, rows: Any) -> tuple[Value, ...]:
        known = {agency.key for agency in self.partnership.agencies}
        values: list[Value] = []
        # A count's total is the sum of its agencies' (those no longer configured too); a percentile's is not.
        totals: dict[tuple[str, str], float] = {}
        for row in rows:
            figure, item = BY_NAME[row.figure], row.item or ""
            if figure.measure == COUNT:
                totals[(figure.name, item)] = totals.get((figure.name, item), 0) + row.value
            if row.whole:
                values.append(Value(figure, item, TOTAL, None if row.value is None else float(row.value)))
            elif row.agency in known:  # an agency no longer configured: in the total only
                values.append(Value(figure, item, row.agency, None if row.value is None else float(row.value)))
        values += [Value(BY_NAME[name], item, TOTAL, float(total)) for (name, item), total in totals.items()]
        return tuple(values)


def _filling(table: str, column: str, row_id: str, earlier: str, later: str, rows: str) -> str:
    """SQL: set `column` to the working seconds from `earlier` to `later` for each of `rows`."""
    return (f"UPDATE {table} SET {column} = w.seconds FROM (SELECT t.id, ({worked_until('b', 't.later')} - "
            f"{worked_until('a', 't.earlier')}) AS seconds FROM (SELECT {row_id} AS id, EPOCH({earlier}) AS earlier, "
            f"EPOCH({later}) AS later {rows} ONCE) t JOIN days a ON {on_day('a', 't.earlier')} "
            f"JOIN days b ON {on_day('b', 't.later')}) w WHERE {table}.id = w.id")


FILLING = (
    _filling("shares", "working_seconds_to_acknowledge", "s.id", "r.created_at", "s.acknowledged_at",
             "FROM shares s JOIN records r ON r.id = s.record_id "
             f"WHERE s.{UNCOUNTED.replace(' AND ', ' AND s.')}"),
    _filling("challenges", "working_seconds_to_answer", "c.id", "c.raised_at", "c.answered_at",
             "FROM (SELECT c.id, c.raised_at, (SELECT MIN(a.responded_at) FROM challenge_responses a "
             "WHERE a.challenge_id = c.id) AS answered_at FROM challenges c WHERE c.working_seconds_to_answer IS NULL "
             "ONCE) c WHERE c.answered_at IS NOT NULL"),
)


def fill_working_seconds(db: Database, calendar: WorkingCalendar, zone: ZoneInfo, now: datetime) -> None:
    """Store the working seconds of acknowledgements and first answers written before they were stored at write
    time: one set-based UPDATE each, from the days table. The report does not need it (it works those rows out
    as it goes); it makes later reports read a number."""
    dialect = "sqlite" if db.is_sqlite else "postgresql"
    with db.write() as session:
        first = session.scalar(select(func.min(Record.created_at)))
        if first is None:
            return
        days = days_clause(first, now, calendar, zone)
        for sql in FILLING:
            session.execute(text(for_dialect(f"WITH {days} {sql}", dialect)))


# The sharer's first outcome of each record, as OutcomeService keeps it (migration 0013 runs the same).
FIRST_OUTCOMES = ("UPDATE records SET first_outcome_at = f.first_at FROM (SELECT o.record_id, MIN(o.reported_at) "
                  "AS first_at FROM outcomes o WHERE o.agency_key IS NULL GROUP BY o.record_id) f "
                  "WHERE records.id = f.record_id AND records.first_outcome_at IS NULL")


def fill_first_outcomes(db: Database) -> None:
    """Keep on each record its first outcome for the child where it is not kept yet (written some other way than
    by OutcomeService, or while migration 0013 ran): one set-based UPDATE. The period's figures look such records'
    outcomes up as they go; the outcomes overdue now read the column alone."""
    with db.write() as session:
        session.execute(text(FIRST_OUTCOMES))
