"""`[digest]`: where and when the weekly digest of partnership figures is posted. No table: no digest."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any, Mapping

from bot.domain.config_reader import CHANNEL_ID, EXAMPLE_PLACEHOLDER_IDS, WEEKDAYS, Reader


@dataclass(frozen=True)
class DigestSettings:
    channel: str
    weekday: int = 0  # Monday
    at: time = time(9, 0)  # in the partnership's time zone


def read_digest(reader: Reader, data: Mapping[str, Any]) -> DigestSettings | None:
    if "digest" not in data:
        return None
    section = reader.table(data, "digest", {"channel", "day", "time"})
    channel = reader.text(section, "channel", "digest.channel", required=True)
    if channel and not CHANNEL_ID.match(channel):
        reader.error("digest.channel", f"{channel!r} is not a channel ID: open the coordination channel's details in "
                                       "Slack and copy the ID at the bottom (it looks like C012AB3CD)")
    elif channel in EXAMPLE_PLACEHOLDER_IDS:
        reader.error("digest.channel", f"{channel!r} is a placeholder from joinedup.example.toml: replace it with "
                                       "your coordination channel's ID")
    day = section.get("day", "Mon")
    if day not in WEEKDAYS:
        reader.error("digest.day", f'must be one of {", ".join(WEEKDAYS)} in quotes, e.g. day = "Mon"')
        day = "Mon"
    return DigestSettings(channel=channel, weekday=WEEKDAYS.index(day),
                          at=reader.clock_time(section, "time", "digest.time", time(9, 0)))
