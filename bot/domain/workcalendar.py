"""Working hours and UK bank holidays, so reminders only reach people while they are at work."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from itertools import islice

import holidays
from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, rrule

# England and Wales share their bank holidays, so the combined region uses England's list.
REGIONS = {
    "England and Wales": "ENG",
    "England": "ENG",
    "Wales": "WLS",
    "Scotland": "SCT",
    "Northern Ireland": "NIR",
}

ONE_HOUR = timedelta(hours=1)


@lru_cache(maxsize=256)
def _bank_holidays(subdiv: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=subdiv, years=year))


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware, got naive {moment.isoformat()}")


def _wall_clock(moment: datetime, tz: tzinfo) -> datetime:
    _require_aware(moment)
    return moment.astimezone(tz).replace(tzinfo=None)


def _to_utc(wall: datetime, tz: tzinfo, not_before: datetime) -> datetime:
    # When the clocks go back a wall time names two instants; take the earlier unless
    # that would land before the moment we started counting from.
    # A wall time skipped when the clocks go forward resolves (fold=0) to an hour later.
    first = wall.replace(tzinfo=tz, fold=0).astimezone(timezone.utc)
    if first >= not_before:
        return first
    return wall.replace(tzinfo=tz, fold=1).astimezone(timezone.utc)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working hours are wall-clock hours of the local day: 09:00-17:00 is always 8 hours,
    even on the days the clocks change."""

    start: time = time(9, 0)
    end: time = time(17, 0)
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday=0
    region: str = "England and Wales"

    def __post_init__(self) -> None:
        if self.region not in REGIONS:
            raise ValueError(f"unknown region {self.region!r}; choose one of: {', '.join(REGIONS)}")
        if self.start >= self.end:
            raise ValueError(f"start ({self.start}) must be before end ({self.end})")
        workdays = frozenset(self.workdays)
        if not workdays:
            raise ValueError("a working calendar needs at least one workday")
        if not workdays <= set(range(7)):
            raise ValueError(f"workdays must be weekday numbers 0 (Monday) to 6 (Sunday), got {sorted(workdays)}")
        object.__setattr__(self, "workdays", workdays)

    def is_holiday(self, day: date) -> bool:
        if isinstance(day, datetime):
            raise TypeError("is_holiday takes a date, not a datetime")
        return day in _bank_holidays(REGIONS[self.region], day.year)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.workdays and not self.is_holiday(day)

    def is_working_time(self, moment: datetime, tz: tzinfo) -> bool:
        wall = _wall_clock(moment, tz)
        return self.is_working_day(wall.date()) and self.start <= wall.time() < self.end

    def next_working_time(self, moment: datetime, tz: tzinfo) -> datetime:
        """`moment` in UTC if it is working time, else the start of the next working period."""
        return self.add_working_hours(moment, 0, tz)

    def add_working_hours(self, moment: datetime, hours: float, tz: tzinfo) -> datetime:
        """The UTC instant `hours` of working time after `moment`.

        The result is always working time: a total that runs out exactly at the end of
        a working day lands at the start of the next working period instead.
        """
        if hours < 0:
            raise ValueError(f"hours must not be negative, got {hours}")
        remaining = timedelta(hours=hours)
        cursor = _wall_clock(moment, tz)
        for day in self._working_days_from(cursor.date()):
            opens, closes = self._working_period(day)
            counting_from = max(cursor, opens)
            if counting_from >= closes:
                continue
            available = closes - counting_from
            if remaining < available:
                return _to_utc(counting_from + remaining, tz, not_before=moment)
            remaining -= available
        raise AssertionError("unreachable: working days never run out")

    def add_working_days(self, day: date, days: int) -> date:
        """The date `days` working days after `day`; 0 gives `day` itself or the next working day."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        if days == 0:
            return next(self._working_days_from(day))
        following = self._working_days_from(day + relativedelta(days=1))
        return next(islice(following, days - 1, None))

    def working_hours_between(self, earlier: datetime, later: datetime, tz: tzinfo) -> float:
        from_wall, to_wall = _wall_clock(earlier, tz), _wall_clock(later, tz)
        if later <= earlier:
            return 0.0
        worked = timedelta()
        for day in self._working_days_from(from_wall.date(), until=to_wall.date()):
            opens, closes = self._working_period(day)
            overlap = min(closes, to_wall) - max(opens, from_wall)
            worked += max(overlap, timedelta())
        return worked / ONE_HOUR

    def _working_period(self, day: date) -> tuple[datetime, datetime]:
        return datetime.combine(day, self.start), datetime.combine(day, self.end)

    def _working_days_from(self, day: date, until: date | None = None) -> Iterator[date]:
        """Working days from `day` (inclusive) onwards, up to `until` (inclusive) if given."""
        candidates = rrule(DAILY, dtstart=day, until=until, byweekday=sorted(self.workdays))
        return (candidate.date() for candidate in candidates if not self.is_holiday(candidate.date()))
