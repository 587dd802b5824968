"""The period a report covers: [start, end), whole local days in the partnership's time zone, named in the
reader's language. Welsh words name a period too: `yr wythnos hon`, `30 diwrnod diwethaf`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.i18n import ENGLISH, N_, _, each_language, language

EXAMPLES = N_("`this week`, `last 30 days` or `2026-11-01..2026-11-30`")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
_LAST_DAYS = re.compile(r"^(?:last\s+(\d{1,4})\s+days?|(?:y\s+)?(\d{1,4})\s+diwrnod\s+diwethaf)$")
_THIS_WEEK = ("", "this week", "yr wythnos hon")


class PeriodError(ValueError):
    """The words do not name a period; the message says what would."""


@dataclass(frozen=True)
class Period:
    start: datetime  # aware, UTC, inclusive
    end: datetime  # aware, UTC, exclusive
    first: date  # the local days it covers, both included
    last: date
    kind: str = "days"  # "days", "week" (this week) or "last" (the last N days)

    @property
    def label(self) -> str:
        """e.g. "this week (30 Nov 2026 on)" or, in Welsh, "yr wythnos hon (o 30 Tach 2026 ymlaen)"."""
        return each_language(self._label)

    def _label(self) -> str:
        first, last = _day(self.first), _day(self.last)
        if self.kind == "week":
            return _("this week ({first} on)", first=first)
        if self.kind == "last":
            count = (self.last - self.first).days + 1
            return _("the last {count} days ({first} to {last})", count=count, first=first, last=last)
        return _("{first} to {last}", first=first, last=last) if self.first != self.last else first


def _day(value: date) -> str:
    code = language()
    return f"{value:%-d %b %Y}" if code == ENGLISH else format_date(value, "d MMM y", locale=code)


def days(first: date, last: date, zone: ZoneInfo) -> Period:
    """From the start of `first` to the end of `last`, both included, as the partnership's clocks show them."""
    if last < first:
        raise PeriodError(_("the period ends ({last}) before it starts ({first}): write the earlier day first, "
                            "e.g. {examples}", last=last, first=first, examples=_(EXAMPLES)))
    start = datetime.combine(first, time(), zone).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(timezone.utc)
    return Period(start, end, first, last)


def parse_period(text: str, now: datetime, zone: ZoneInfo) -> Period:
    """`this week` (Monday to Sunday), `last N days` (today included) or `YYYY-MM-DD..YYYY-MM-DD`; empty is this week."""
    words = " ".join(text.lower().split())
    today = now.astimezone(zone).date()
    if words in _THIS_WEEK:
        monday = today - timedelta(days=today.weekday())
        return _kind(days(monday, monday + timedelta(days=6), zone), "week")
    if match := _LAST_DAYS.match(words):
        count = int(match.group(1) or match.group(2))
        if count < 1:
            raise PeriodError(_("a period needs at least one day: try {examples}.", examples=_(EXAMPLES)))
        first = today - timedelta(days=count - 1)
        return _kind(days(first, today, zone), "last")
    if match := _RANGE.match(words):
        try:
            first, last = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
        except ValueError:
            raise PeriodError(_("“{text}” has a day that is not in the calendar: try {examples}.",
                                text=text.strip(), examples=_(EXAMPLES))) from None
        return days(first, last, zone)
    raise PeriodError(_("Joined Up can't tell which period “{text}” means. Try {examples}.",
                        text=text.strip()[:60], examples=_(EXAMPLES)))


def _kind(period: Period, kind: str) -> Period:
    return Period(period.start, period.end, period.first, period.last, kind)
