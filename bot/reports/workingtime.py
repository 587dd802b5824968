"""Working time in SQL: a table of the period's days, built by the working calendar, joined in the query.

Each row is one UTC day (whole seconds since 1970 divided by 86,400): the working time that falls in it, as at
most two intervals (a local working day can straddle UTC midnight in a zone far from UTC), and the working
seconds of every earlier row. The working time elapsed up to an instant t is then

    worked_before + (t clamped to the first interval, less its opening) + (likewise the second)

and the working time between two instants is the difference of the two. Weekends, bank holidays, out-of-hours
and clock changes are the calendar's own (bot/domain/workcalendar.py), so the figures count hours exactly as the
reminders do, and the database does the arithmetic for every row at once. An instant finds its row by equality
on the day number (a hash join, or an automatic index on SQLite), not by a range search. The table is a `VALUES`
list in a `WITH` clause: no schema to keep, the same SQL on SQLite and PostgreSQL, one row per day of the span.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.workcalendar import WorkingCalendar

DAY = 86_400
DAYS_COLUMNS = "utc_day, opens1, closes1, opens2, closes2, worked_before"


def _periods(first: date, last: date, calendar: WorkingCalendar, zone: ZoneInfo) -> list[tuple[int, int]]:
    """The working periods of the local days `first` to `last`, as epoch seconds."""
    found = []
    day = first
    while day <= last:
        if calendar.is_working_day(day):
            found.append((int(datetime.combine(day, calendar.start, zone).timestamp()),
                          int(datetime.combine(day, calendar.end, zone).timestamp())))
        day += timedelta(days=1)
    return found


def working_days(first: datetime, last: datetime, calendar: WorkingCalendar, zone: ZoneInfo) -> list[tuple[int, ...]]:
    """Rows of the days table for every UTC day from the one holding `first` to the one holding `last`."""
    first_day, last_day = int(first.timestamp()) // DAY - 1, int(last.timestamp()) // DAY + 1
    periods = _periods(first.astimezone(zone).date() - timedelta(days=2),
                       last.astimezone(zone).date() + timedelta(days=2), calendar, zone)
    rows: list[tuple[int, ...]] = []
    worked = 0
    for number in range(first_day, last_day + 1):
        start, end = number * DAY, (number + 1) * DAY
        pieces = [(max(o, start), min(c, end)) for o, c in periods if o < end and c > start]
        pieces += [(start, start)] * (2 - len(pieces))
        (o1, c1), (o2, c2) = pieces[:2]
        rows.append((number, o1, c1, o2, c2, worked))
        worked += (c1 - o1) + (c2 - o2)
    return rows


def working_seconds(earlier: datetime, later: datetime, calendar: WorkingCalendar, zone: ZoneInfo) -> int:
    """The working seconds from `earlier` to `later`, as the days table counts them (whole seconds of each
    instant), for storing when an acknowledgement or an answer is written."""
    whole = [moment.replace(microsecond=0) for moment in (earlier, later)]
    return round(calendar.working_hours_between(whole[0], whole[1], zone) * 3600)


def days_clause(first: datetime, last: datetime, calendar: WorkingCalendar, zone: ZoneInfo) -> str:
    """`days(...) AS (VALUES ...)` covering every instant from `first` to `last`, for a WITH clause.
    The values are whole numbers worked out here, never text from outside, so they are written in place."""
    values = ",".join(f"({','.join(str(int(v)) for v in row)})" for row in working_days(first, last, calendar, zone))
    return f"days({DAYS_COLUMNS}) AS (VALUES {values})"


def _clamped(seconds: str, opens: str, closes: str) -> str:
    return f"CASE WHEN {seconds} <= {opens} THEN 0 WHEN {seconds} >= {closes} THEN {closes} - {opens} " \
           f"ELSE {seconds} - {opens} END"


def worked_until(day: str, seconds: str) -> str:
    """SQL: working seconds from the table's start up to `seconds`, an instant on the row `day` of the table."""
    return (f"({day}.worked_before + {_clamped(seconds, f'{day}.opens1', f'{day}.closes1')} + "
            f"{_clamped(seconds, f'{day}.opens2', f'{day}.closes2')})")


def on_day(day: str, seconds: str) -> str:
    """SQL: the join condition putting an instant on its row of the table."""
    return f"{day}.utc_day = {seconds} / {DAY}"


# Seconds since 1970 of a stored UTC timestamp, whole seconds, in each database's words.
_EPOCH = re.compile(r"EPOCH\(([^()]+)\)")
_PURPOSES = re.compile(r"PURPOSES\((\w+)\)")
_INDEXED_BY = re.compile(r" SQLITE_INDEXED_BY\((\w+)\)")


def for_dialect(sql: str, dialect: str) -> str:
    """Write the portable markers in the dialect's own SQL: EPOCH(column), PURPOSES(alias), ONCE, which
    ends a subquery the planner must not fold into the query around it (else SQLite would work out each
    EPOCH again wherever the outer query names it: twice as slow), and SQLITE_INDEXED_BY(index), for where
    SQLite would otherwise pick a partial index that does not hold the columns read (PostgreSQL picks well)."""
    if dialect == "sqlite":
        sql = _INDEXED_BY.sub(r" INDEXED BY \1", sql)
        sql = _EPOCH.sub(r"CAST(strftime('%s', \1) AS INTEGER)", sql)
        return _PURPOSES.sub(r"json_each(\1.purposes) AS p", sql).replace(" ONCE)", " LIMIT -1 OFFSET 0)")
    sql = _EPOCH.sub(r"CAST(FLOOR(EXTRACT(EPOCH FROM \1)) AS BIGINT)", _INDEXED_BY.sub("", sql))
    sql = _PURPOSES.sub(r"json_array_elements_text(CAST(\1.purposes AS JSON)) AS p(value)", sql)
    return sql.replace(" ONCE)", " OFFSET 0)")
