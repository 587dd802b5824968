"""Dates and times in the reader's language. Slack's date tokens render in the viewer's Slack language, which has no
Welsh: Welsh text carries the date written out in Welsh, in the partnership's time zone."""
from __future__ import annotations

from datetime import date, datetime
from typing import Callable
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from bot.i18n.voice import ENGLISH, WELSH, voice


def welsh_moment(moment: datetime) -> str:
    """e.g. "Iau 3 Rhag 2026 am 16:30"."""
    local = moment.astimezone(ZoneInfo(voice().timezone))
    return f"{format_datetime(local, 'EEE d MMM y', locale=WELSH)} am {format_datetime(local, 'HH:mm', locale=WELSH)}"


def welsh_day(value: date) -> str:
    """e.g. "Gwen 11 Rhag 2026"."""
    return format_date(value, "EEE d MMM y", locale=WELSH)


def moment_text(moment: datetime, slack_token: str) -> str:
    """A moment as the reader's language needs it: Slack's own token for English, written out for Welsh."""
    return _told(lambda: welsh_moment(moment), slack_token)


def day_text(value: date, english: str) -> str:
    return _told(lambda: welsh_day(value), english)


def _told(welsh: Callable[[], str], english: str) -> str:
    languages = voice().languages
    if languages == (ENGLISH,):
        return english
    if languages == (WELSH,):
        return welsh()
    return f"{welsh()} / {english}"
