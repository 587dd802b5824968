"""`[[agencies]]`: who records are shared with, each reached in its Slack channel, at its team inbox, or both."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from bot.domain.config_reader import CHANNEL_ID, EXAMPLE_PLACEHOLDER_IDS, SLACK_OPTION_TEXT_LIMIT, Reader
from bot.domain.email_config import ADDRESS, EmailSettings
from bot.domain.language_config import CHANNEL_LANGUAGES

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
AGENCY_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class Agency:
    key: str
    name: str
    channel: str | None  # None: the agency is not in Slack, and is emailed instead
    leads: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    email: str | None = None  # a team inbox, on [email]'s allow-list: records are emailed there too
    language: str = "en"  # its channel's and inbox's: "en", "cy" or "cy+en" (bilingual, Welsh first)


def read_agencies(reader: Reader, value: Any, email: EmailSettings | None,
                  has_email: bool, language: str = "en") -> tuple[Agency, ...]:
    """[[agencies]]: each with a channel, a team inbox, or both."""
    if not isinstance(value, list) or not value:
        reader.error("agencies", "missing: add at least one [[agencies]] table with key, name, channel (or email) "
                                 "and leads")
        return ()
    agencies, paths = [], _agency_paths(value)
    for index, entry in enumerate(value):
        path = paths[index]
        if not isinstance(entry, dict):
            reader.error(path, "must be a table: write it as [[agencies]]")
            continue
        for unknown in sorted(set(entry) - {"key", "name", "channel", "email", "leads", "members", "language"}):
            reader.error(f"{path}.{unknown}", "unknown key: the keys are key, name, channel, email, leads, members "
                                              "and language")
        own_language = entry.get("language")
        if own_language is not None and own_language not in CHANNEL_LANGUAGES:
            reader.error(f"{path}.language", f'{own_language!r} is not a channel language: use "en", "cy" or '
                                             '"bilingual" (Welsh first)')
            own_language = None
        key = reader.text(entry, "key", f"{path}.key", required=True)
        if key and not AGENCY_KEY.match(key):
            reader.error(f"{path}.key", f"{key!r} must be lower-case letters, digits and hyphens, e.g. \"health\"")
        inbox = _agency_email(reader, entry, path, email, has_email)
        channel = reader.text(entry, "channel", f"{path}.channel")
        if "channel" not in entry and "email" not in entry:
            reader.error(f"{path}.channel", 'missing: add channel = "C…" (the agency\'s Slack channel), or, for an '
                                            'agency not in Slack, email = "team@…" (its team inbox), or both')
        if channel and not CHANNEL_ID.match(channel):
            reader.error(f"{path}.channel", f"{channel!r} is not a channel ID: open the channel's details in Slack "
                                            "and copy the ID at the bottom (it looks like C012AB3CD)")
        elif channel in EXAMPLE_PLACEHOLDER_IDS:
            reader.error(f"{path}.channel", f"{channel!r} is a placeholder from joinedup.example.toml: replace it "
                                            "with the agency's own channel ID (open the channel's details in Slack "
                                            "and copy the ID at the bottom)")
        agencies.append(Agency(
            key=key,
            name=reader.text(entry, "name", f"{path}.name", required=True, limit=SLACK_OPTION_TEXT_LIMIT),
            channel=channel or None,
            leads=reader.id_list(entry, "leads", f"{path}.leads", USER_ID, "user"),
            members=reader.id_list(entry, "members", f"{path}.members", USER_ID, "user"),
            language=CHANNEL_LANGUAGES[own_language] if own_language else language,
            email=inbox or None,
        ))
    named = [paths[index] for index, entry in enumerate(value) if isinstance(entry, dict)]
    reader.unique([a.key for a in agencies], "agencies", "key", named)
    reader.unique([a.channel or "" for a in agencies], "agencies", "channel", named)
    for path, agency in zip(named, agencies, strict=True):
        if not agency.leads:
            reader.warn(f"{path}.leads", f"{agency.name} has no leads: reminders and escalations will have nobody to mention")
    return tuple(agencies)


def _agency_email(reader: Reader, entry: Mapping[str, Any], path: str, email: EmailSettings | None,
                  has_email: bool) -> str:
    """An agency's team inbox: only where [email] is set up, and only on its allow-list."""
    inbox = reader.text(entry, "email", f"{path}.email")
    if not inbox:
        return ""
    if not ADDRESS.match(inbox):
        reader.error(f"{path}.email", f"{inbox!r} is not an email address: give the agency's team inbox, e.g. "
                                      'email = "safeguarding@school.example.sch.uk"')
    elif not has_email:
        reader.error(f"{path}.email", "there is no [email] table, so nothing can be emailed: add [email] with the "
                                      "SMTP relay and allowed_domains, or remove this key")
    elif email is not None and not email.allows(inbox):
        domain = inbox.rpartition("@")[2].lower()
        reader.error(f"{path}.email", f"{domain!r} is not in email.allowed_domains: add it there if the "
                                      "information-sharing agreement covers it, or give an address on the list")
    return inbox


def _agency_paths(entries: list[Any]) -> list[str]:
    """How each [[agencies]] table is named in problems: agencies[health] by its key, or agencies[2] by its place
    when its key is missing, malformed or already taken by an earlier agency."""
    paths: list[str] = []
    for index, entry in enumerate(entries):
        key = entry.get("key") if isinstance(entry, dict) else None
        key = key.strip() if isinstance(key, str) else ""
        paths.append(f"agencies[{key}]" if AGENCY_KEY.match(key) and f"agencies[{key}]" not in paths
                     else f"agencies[{index}]")
    return paths
