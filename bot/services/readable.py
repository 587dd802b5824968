"""Records and audit trails as people read them: names beside IDs, times in the partnership's time zone with the
zone named, agencies by name and acts in words.

Used by `joinedup export`, `joinedup audit` and /joinedup audit. The machine fields (IDs, keys, UTC times) stay
where they are; these words are written beside them.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone, tzinfo
from typing import Callable, Mapping

from bot.blocks.challenge import KINDS
from bot.domain.config import USER_ID, Partnership
from bot.services.directory import Directory

SYSTEM_NAME = "Joined Up"
# Slack's errors that are about one person, not about reaching Slack: other people can still be looked up.
ABOUT_THE_PERSON = frozenset({"user_not_found", "user_not_visible"})
# What each kind of outgoing message is, for "could not deliver …".
MESSAGE_KINDS = {"agency_post": "the record's post", "sharer_status": "the sharer's status message",
                 "ack_reminder": "the reminder to acknowledge"}


def moment(value: datetime | None, zone: tzinfo) -> str | None:
    """24 Nov 2026 10:00 GMT: the time in the partnership's zone, the zone named as it was then (GMT or BST)."""
    if value is None:
        return None
    local = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(zone)
    return f"{local.day} {local:%b %Y %H:%M} {local.tzname()}"


def day(value: date | None) -> str | None:
    return None if value is None else f"{value.day} {value:%b %Y}"


class Names:
    """People by name with their ID kept, "Sam Okafor (U0SAMSW)", looked up in Slack through the directory.
    Without Slack (no token, or Slack cannot be reached) people are shown by ID alone, and `note` says why."""

    def __init__(self, directory: Directory | None, *, why_not: str | None = None) -> None:
        self.directory = directory
        self._why_not = why_not if directory is None else None
        if directory is None and why_not is None:
            self._why_not = "no Slack connection was given"
        self._not_found: set[str] = set()

    def __call__(self, user_id: str | None) -> str | None:
        if user_id is None:
            return None
        if not USER_ID.match(user_id) or self.directory is None or self._why_not:
            return user_id
        person = self.directory.person(user_id)
        if person.problem is None:
            return f"{person.name} ({user_id})" if person.name and person.name != user_id else user_id
        if person.problem in ABOUT_THE_PERSON:
            self._not_found.add(user_id)
        else:  # Slack is unreachable or refuses the token: stop asking, say so once
            self._why_not = f"Slack could not be asked ({person.problem})"
        return user_id

    def actor(self, actor: str) -> str:
        """Who did an act: Joined Up itself, a person in Slack, or a login name on the server."""
        if actor == "system":
            return SYSTEM_NAME
        if USER_ID.match(actor):
            return self(actor) or actor
        return f"{actor} (login on the server)"

    @property
    def note(self) -> str | None:
        notes = []
        if self._why_not:
            notes.append(f"people are shown by their Slack user ID alone: {self._why_not}")
        if self._not_found:
            notes.append(f"{len(self._not_found)} user ID(s) are not in this Slack workspace and are shown alone: "
                         + ", ".join(sorted(self._not_found)))
        return "; ".join(notes) or None


def act_in_words(action: str, detail: str | None, *, agencies: Mapping[str, str],
                 channels: Mapping[str, str] | None = None,
                 person: Callable[[str], str | None] = lambda user_id: user_id) -> str:
    """An audit event as a sentence: "acknowledged for Health", "posted to Health (channel C0HEALTH)". `agencies`
    names agencies by key, `channels` by channel ID. An act or detail of a shape not known here is shown as stored."""
    detail = (detail or "").strip()

    def agency(key: str) -> str:
        return agencies.get(key, key)

    def target(value: str) -> str:  # a channel or a person
        return (channels or {}).get(value) or (person(value) if USER_ID.match(value) else None) or value

    for act, pattern, words in _ACTS:
        if act == action and (found := re.fullmatch(pattern, detail)):
            return words(found, agency, target)
    return f"{action}: {detail}" if detail else action


def agency_words(partnership: Partnership | None) -> tuple[dict[str, str], dict[str, str]]:
    """The partnership's agencies' names by key, and by channel ID: the two maps act_in_words takes."""
    agencies = partnership.agencies if partnership is not None else ()
    return {a.key: a.name for a in agencies}, {a.channel: f"{a.name}'s channel ({a.channel})" for a in agencies
                                                     if a.channel}


_EMAILS = {"record": "the record", "reminder": "a reminder to acknowledge", "copy": "a copy of the record",
           "link": "a new link to the record"}
_Words = Callable[[re.Match[str], Callable[[str], str], Callable[[str], str]], str]
_ACTS: tuple[tuple[str, str, _Words], ...] = (
    ("created", r"shared with (.+)",
     lambda m, agency, _: "recorded and shared with " + ", ".join(agency(k) for k in m[1].split(", "))),
    ("created", r"recorded only, not shared", lambda m, agency, _: "recorded, and not shared with any agency"),
    ("posted", r"to (\S+) \((\S+)\)", lambda m, agency, _: f"posted to {agency(m[1])} (channel {m[2]})"),
    ("delivery failed", r"(record|reminder|copy|link) email to (.+?): (.+)",
     lambda m, agency, _: f"could not email {_EMAILS[m[1]]} to {agency(m[2])}: the mail server said {m[3]}"),
    ("emailed", r"(record|reminder|link) to (\S+) by email",
     lambda m, agency, _: f"emailed {_EMAILS[m[1]]} to {agency(m[2])}'s team inbox"),
    ("copy emailed", r"a copy to (\S+)'s work address",
     lambda m, agency, target: f"emailed a copy of the record to {target(m[1])}'s own work address"),
    ("delivery failed", r"(\w+) to (\S+): (.+)",
     lambda m, agency, target: f"could not deliver {MESSAGE_KINDS.get(m[1], 'the ' + m[1].replace('_', ' '))} to "
                               f"{target(m[2])}: Slack said {m[3]}"),
    ("new email link requested", r"email link (\d+), opened on another device",
     lambda m, agency, _: f"asked for a new email link to replace email link {m[1]}, which had been opened on "
                          "another device"),
    ("viewed", r"for (\S+) \(email link (\d+)\)",
     lambda m, agency, _: f"viewed the record for {agency(m[1])} through email link {m[2]}"),
    ("viewed", r"(.+)", lambda m, agency, _: f"viewed the record with {m[1]}"),
    ("acknowledged", r"for (\S+)( with a note)?",
     lambda m, agency, _: f"acknowledged for {agency(m[1])}" + (" with a note" if m[2] else "")),
    ("reminded", r"challenge (\d+) unanswered, reminder (\d+)",
     lambda m, agency, _: f"reminded the sharer that challenge {m[1]} is unanswered (reminder {m[2]})"),
    ("reminded", r"(\S+), reminder (\d+)(, leads told)?",
     lambda m, agency, _: f"reminded {agency(m[1])} to acknowledge (reminder {m[2]}"
                          + (", its leads told)" if m[3] else ")")),
    ("outcome requested", r"request (\d+)", lambda m, agency, _: f"asked the sharer what came of it (request {m[1]})"),
    ("outcome reported", r"for (\S+)", lambda m, agency, _: f"told the sharer what {agency(m[1])} did"),
    ("outcome reported", r"by the sharer", lambda m, agency, _: "reported the outcome for the child, as the sharer"),
    ("challenged", r"(\w+), for (\S+) \(challenge (\d+)\)",
     lambda m, agency, _: f"raised challenge {m[3]} for {agency(m[2])}: “{KINDS.get(m[1], m[1])}”"),
    ("responded", r"challenge (\d+)", lambda m, agency, _: f"answered challenge {m[1]}"),
    ("challenge resolved", r"challenge (\d+)", lambda m, agency, _: f"marked challenge {m[1]} resolved"),
    ("challenge escalated", r"challenge (\d+)", lambda m, agency, _: f"escalated challenge {m[1]} to the leads"),
    ("risk level revised", r"revision (\d+)", lambda m, agency, _: f"revised the risk level (revision {m[1]})"),
    ("amended", r"revision (\d+)", lambda m, agency, _: f"amended the record (revision {m[1]})"),
    ("email link revoked", r"email link (\d+)", lambda m, agency, _: f"stopped email link {m[1]}"),
    ("exported", r"(.+)", lambda m, agency, _: f"exported the record ({m[1]})"),
    ("purged", r"content removed; (\d+) Slack message\(s\) replaced",
     lambda m, agency, _: f"removed the record's content under the retention policy ({m[1]} Slack message(s) "
                          "replaced with a note)"),
)
