"""The period a report covers: [start, end), whole local days in the partnership's time zone."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

EXAMPLES = "`this week`, `last 30 days` or `2026-11-01..2026-11-30`"
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
_LAST_DAYS = re.compile(r"^last\s+(\d{1,4})\s+days?$")


class PeriodError(ValueError):
    """The words do not name a period; the message says what would."""


@dataclass(frozen=True)
class Period:
    start: datetime  # aware, UTC, inclusive
    end: datetime  # aware, UTC, exclusive
    label: str


def days(first: date, last: date, zone: ZoneInfo) -> Period:
    """From the start of `first` to the end of `last`, both included, as the partnership's clocks show them."""
    if last < first:
        raise PeriodError(f"the period ends ({last}) before it starts ({first}): write the earlier day first, "
                          f"e.g. {EXAMPLES}")
    start = datetime.combine(first, time(), zone).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(timezone.utc)
    label = f"{first:%-d %b %Y} to {last:%-d %b %Y}" if first != last else f"{first:%-d %b %Y}"
    return Period(start, end, label)


def parse_period(text: str, now: datetime, zone: ZoneInfo) -> Period:
    """`this week` (Monday to Sunday), `last N days` (today included) or `YYYY-MM-DD..YYYY-MM-DD`; empty is this week."""
    words = " ".join(text.lower().split())
    today = now.astimezone(zone).date()
    if words in ("", "this week"):
        monday = today - timedelta(days=today.weekday())
        return _relabel(days(monday, monday + timedelta(days=6), zone), f"this week ({monday:%-d %b %Y} on)")
    if match := _LAST_DAYS.match(words):
        count = int(match.group(1))
        if count < 1:
            raise PeriodError(f"a period needs at least one day: try {EXAMPLES}.")
        first = today - timedelta(days=count - 1)
        return _relabel(days(first, today, zone), f"the last {count} days ({first:%-d %b} to {today:%-d %b %Y})")
    if match := _RANGE.match(words):
        try:
            first, last = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
        except ValueError:
            raise PeriodError(f"“{text.strip()}” has a day that is not in the calendar: try {EXAMPLES}.") from None
        return days(first, last, zone)
    raise PeriodError(f"Joined Up can't tell which period “{text.strip()[:60]}” means. Try {EXAMPLES}.")


def _relabel(period: Period, label: str) -> Period:
    return Period(period.start, period.end, label)
