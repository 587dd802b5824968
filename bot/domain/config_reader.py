"""Reading a TOML tree for the configuration: each value checked, every problem collected with its key and fix.

The partnership's sections (bot/domain/config.py) and the sections of each capability (the digest, email) read
their tables with these, so every problem is written the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Any, Mapping

SLACK_OPTION_TEXT_LIMIT = 75
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
# The IDs joinedup.example.toml ships with (and the generic ones its comments show): right in shape, wrong in every
# workspace. tests/test_config.py keeps this list in step with the example file.
EXAMPLE_PLACEHOLDER_IDS = frozenset((
    "U012AB3CD C012AB3CD U0ADMIN001 U0ADMIN002 C0SOCIALCARE U0SCLEAD01 U0SCLEAD02 U0SCWORKER1 U0SCWORKER2 "
    "C0EDUCATION U0EDLEAD01 C0HEALTH01 U0HEALTHLEAD U0SCHOOLNURSE C0POLICE01 U0POLICELEAD").split())


class ConfigError(Exception):
    """The configuration cannot be used; `problems` says every reason."""

    def __init__(self, problems: list["Problem"]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    key: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class Reader:
    """Reads the TOML tree, collecting every problem rather than stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    @property
    def has_errors(self) -> bool:
        return any(not p.warning for p in self.problems)

    def error(self, key: str, message: str) -> None:
        self.problems.append(Problem(key, message))

    def warn(self, key: str, message: str) -> None:
        self.problems.append(Problem(key, message, warning=True))

    def table(self, data: Mapping[str, Any], key: str, known: set[str]) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.error(key, f"must be a table: write it as [{key}]")
            return {}
        for unknown in sorted(set(value) - known):
            self.error(f"{key}.{unknown}", f"unknown key: remove it or check the spelling (known: {', '.join(sorted(known))})")
        return value

    def text(self, data: Mapping[str, Any], key: str, path: str, *, default: str | None = None,
             required: bool = False, limit: int | None = None) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, f'missing: add {key} = "…"')
            return default or ""
        if not isinstance(value, str) or not value.strip():
            self.error(path, f'must be non-empty text in quotes, e.g. {key} = "…"')
            return default or ""
        if limit and len(value.strip()) > limit:
            self.error(path, f"is {len(value.strip())} characters; Slack shows at most {limit} in a form option: shorten it")
        return value.strip()

    def id_list(self, data: Mapping[str, Any], key: str, path: str, pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(path, f'must be a list of {what} IDs in quotes, e.g. {key} = ["U012AB3CD"]')
            return ()
        for index, item in enumerate(value):
            if not pattern.match(item):
                self.error(f"{path}[{index}]", f"{item!r} is not a Slack {what} ID: use the ID (it looks like "
                                               f"{'U012AB3CD' if what == 'user' else 'C012AB3CD'}), not a name")
            elif item in EXAMPLE_PLACEHOLDER_IDS:
                self.error(f"{path}[{index}]", f"{item!r} is a placeholder from joinedup.example.toml: replace it with "
                                               "a real member ID (their Slack profile → ⋮ → Copy member ID)")
        return tuple(value)

    def text_list(self, data: Mapping[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            self.error(key, f'must be a non-empty list of text, e.g. {key} = ["…", "…"]')
            return default
        for index, item in enumerate(value):
            if len(item.strip()) > SLACK_OPTION_TEXT_LIMIT:
                self.error(f"{key}[{index}]", f"is {len(item.strip())} characters; Slack shows at most "
                                              f"{SLACK_OPTION_TEXT_LIMIT} in a form option: shorten it")
        if len(set(value)) != len(value):
            self.error(key, "lists the same entry twice: remove the repeat")
        return tuple(v.strip() for v in value)

    def whole_number(self, data: Mapping[str, Any], key: str, path: str, default: float, *, minimum: float = 0) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
            self.error(path, f"must be a number of at least {minimum:g}, e.g. {key} = {default:g}")
            return default
        return value

    def switch(self, section: Mapping[str, Any], key: str, path: str, default: bool = True) -> bool:
        value = section.get(key, default)
        if not isinstance(value, bool):
            self.error(path, "must be true or false (without quotes)")
            return default
        return value

    def clock_time(self, section: Mapping[str, Any], key: str, path: str, default: time) -> time:
        value = section.get(key)
        if value is None:
            return default
        if isinstance(value, str) and re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
            return time.fromisoformat(value)
        self.error(path, f'must be a 24-hour time in quotes, e.g. {key} = "{default:%H:%M}"')
        return default

    def unique(self, values: list[str], section: str, key: str, paths: list[str] | None = None) -> None:
        seen: set[str] = set()
        for index, value in enumerate(values):
            if value and value in seen:
                path = paths[index] if paths else f"{section}[{index}]"
                self.error(f"{path}.{key}", f"{value!r} is used twice in [[{section}]]: each {key} must be unique")
            seen.add(value)
