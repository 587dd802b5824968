"""Compute every figure for a period in the database, each agency and the total, in one statement.

Percentiles are PostgreSQL's percentile_cont (linear interpolation between the two nearest ranks), and on SQLite
the same arithmetic from ROW_NUMBER and COUNT windows. Measured on ten years of a large partnership in
docs/benchmarks.md ("Partnership figures on a national-scale history").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from zoneinfo import ZoneInfo
from typing import Any

from sqlalchemy import bindparam, func, select, text

from bot.domain.config import Partnership
from bot.domain.workcalendar import WorkingCalendar
from bot.reports.figures import BY_NAME, COUNT, FIGURES, MEDIAN, P90, SOURCES, Figure
from bot.reports.period import Period
from bot.reports.workingtime import days_clause, for_dialect, on_day, worked_until
from storage.db import Database
from storage.models import UNCOUNTED, Record, UTCDateTime

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


def aggregate(figure: Figure, by_agency: bool, dialect: str = "sqlite") -> str:
    """The figure's rows reduced to one value for each (agency, item), or each item for the total."""
    keys = "agency, item" if by_agency else "item"
    if figure.measure == COUNT:
        return f"SELECT {keys}, SUM(value) AS value FROM ({figure.query}) q GROUP BY {keys}"
    return _percentiles(figure.query, keys, ((figure.measure, figure.per),), dialect)[0]


def _percentiles(query: str, keys: str, measures: tuple[tuple[str, int], ...], dialect: str) -> tuple[str, ...]:
    """For each (measure, per), `keys, value` at that percentile of `query`'s values, divided by `per`."""
    if dialect == "postgresql":
        return tuple(f"SELECT {keys}, percentile_cont({FRACTIONS[m][0] / FRACTIONS[m][1]}) WITHIN GROUP "
                     f"(ORDER BY value) / {float(per)} AS value FROM ({query}) q GROUP BY {keys}"
                     for m, per in measures)
    return tuple(_pick(keys, _ranked(keys, query), *FRACTIONS[m], per) for m, per in measures)


def _ranked(keys: str, query: str) -> str:
    return (f"SELECT {keys}, value, ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY value) AS rn, "
            f"COUNT(*) OVER (PARTITION BY {keys}) - 1 AS n FROM ({query}) q")


def _pick(keys: str, ranked: str, num: int, den: int, per: int) -> str:
    # Rank `lo` is the one at or below the percentile's place; `rest`/den of the way on to the next one.
    placed = f"SELECT {keys}, value, rn, (n * {num}) / {den} + 1 AS lo, (n * {num}) % {den} AS rest FROM ({ranked}) r"
    at_lo = "MAX(CASE WHEN rn = lo THEN value END)"
    return (f"SELECT {keys}, ({at_lo} + (COALESCE(MAX(CASE WHEN rn = lo + 1 THEN value END), {at_lo}) - {at_lo}) "
            f"* MAX(rest) / {float(den)}) / {float(per)} AS value "
            f"FROM ({placed}) p WHERE rn = lo OR (rn = lo + 1 AND rest > 0) GROUP BY {keys}")


def report_statement(dialect: str, days: str) -> str:
    """Every figure in one statement, rows (figure, whole, agency, item, value), so that the row sets figures share
    are read once: the sources, and the ranking behind each set of percentiles of the same rows (on SQLite)."""
    ctes = [days] + [f"{name} AS MATERIALIZED ({sql})" for name, sql in SOURCES.items()]
    arms: list[str] = []
    percentiles: dict[str, list[Figure]] = {}
    for figure in FIGURES:
        if figure.measure == COUNT:
            arms.append(f"SELECT '{figure.name}' AS figure, 0 AS whole, agency, item, value "
                        f"FROM ({aggregate(figure, True)}) a{len(arms)}")
        else:
            percentiles.setdefault(figure.query, []).append(figure)
    for number, (query, figures) in enumerate(percentiles.items()):
        measures = tuple((figure.measure, figure.per) for figure in figures)
        ctes.append(f"measured{number} AS MATERIALIZED ({query})")  # for each agency, and for the total
        query = f"SELECT * FROM measured{number}"
        for whole, keys in ((0, "agency, item"), (1, "item")):
            agency = "agency" if not whole else "CAST(NULL AS VARCHAR(40)) AS agency"
            if dialect == "sqlite":
                name = f"ranked{number}_{whole}"
                ctes.append(f"{name} AS MATERIALIZED ({_ranked(keys, query)})")
                selects = tuple(_pick(keys, f"SELECT * FROM {name}", *FRACTIONS[m], per) for m, per in measures)
            else:  # percentile_cont of the same order share one sort when they are in one SELECT
                name = f"percentiles{number}_{whole}"
                columns = ", ".join(f"percentile_cont({FRACTIONS[m][0] / FRACTIONS[m][1]}) WITHIN GROUP "
                                    f"(ORDER BY value) / {float(per)} AS v{j}" for j, (m, per) in enumerate(measures))
                ctes.append(f"{name} AS MATERIALIZED (SELECT {keys}, {columns} FROM ({query}) q GROUP BY {keys})")
                selects = tuple(f"SELECT {keys}, v{j} AS value FROM {name}" for j in range(len(measures)))
            for figure, chosen in zip(figures, selects):
                arms.append(f"SELECT '{figure.name}' AS figure, {whole} AS whole, {agency}, item, value "
                            f"FROM ({chosen}) a{len(arms)}")
    return f"WITH {', '.join(ctes)} " + " UNION ALL ".join(arms)


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
        sql = for_dialect(report_statement(dialect, days), dialect)
        statement = text(sql).bindparams(*(bindparam(name, type_=UTCDateTime()) for name in ("start", "end", "now")))
        known = {agency.key for agency in self.partnership.agencies}
        values: list[Value] = []
        # A count's total is the sum of its agencies' (those no longer configured too); a percentile's is not.
        totals: dict[tuple[str, str], float] = {}
        with self.db.read() as session:
            if dialect == "postgresql":
                # For this report only: the percentiles sort a year's posts in memory; no JIT, which spends longer
                # compiling a statement of this size (tens of seconds) than running it; and index reads costed as
                # the cached reads they are, so a year's posts come through their covering index, not a scan of
                # every share ever made.
                for setting in ("work_mem = '64MB'", "jit = off", "random_page_cost = 1.1"):
                    session.execute(text(f"SET LOCAL {setting}"))
            for row in session.connection().execute(statement, params):
                figure, item = BY_NAME[row.figure], row.item or ""
                if figure.measure == COUNT:
                    totals[(figure.name, item)] = totals.get((figure.name, item), 0) + row.value
                if row.whole:
                    values.append(Value(figure, item, TOTAL, None if row.value is None else float(row.value)))
                elif row.agency in known:  # an agency no longer configured: in the total only
                    values.append(Value(figure, item, row.agency, None if row.value is None else float(row.value)))
        values += [Value(BY_NAME[name], item, TOTAL, float(total)) for (name, item), total in totals.items()]
        return Report(period, now, target, tuple(values))


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
