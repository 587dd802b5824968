"""Who people are and which agencies they belong to, from Slack, cached briefly."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Generic, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.clock import Clock
from bot.domain.config import Partnership

log = logging.getLogger(__name__)

MEMBERS_TTL = timedelta(minutes=2)
PEOPLE_TTL = timedelta(hours=6)
T = TypeVar("T")


class _Cache(Generic[T]):
    def __init__(self, clock: Clock, ttl: timedelta) -> None:
        self.clock = clock
        self.ttl = ttl
        self._entries: dict[str, tuple[datetime, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, load: Callable[[], T]) -> T:
        now = self.clock.now()
        with self._lock:
            entry = self._entries.get(key)
        if entry and now - entry[0] < self.ttl:
            return entry[1]
        value = load()
        with self._lock:
            self._entries[key] = (now, value)
        return value


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    tz: str | None
    problem: str | None = None  # why Slack could not say who this is (its error's name), when it could not
    email: str | None = None  # their work address, where the token has users:read.email and they have one


class Directory:
    def __init__(self, *, client: WebClient, partnership: Partnership, clock: Clock) -> None:
        self.client = client
        self.partnership = partnership
        self._members: _Cache[frozenset[str]] = _Cache(clock, MEMBERS_TTL)
        self._people: _Cache[Person] = _Cache(clock, PEOPLE_TTL)

    def members(self, agency_key: str) -> frozenset[str]:
        """Channel members, configured members and leads: everyone who may act for the agency."""
        agency = self.partnership.agency(agency_key)
        if agency is None:
            return frozenset()
        channel = agency.channel
        in_channel = self._members.get(channel, lambda: self._channel_members(channel)) if channel else frozenset()
        return in_channel | frozenset(agency.members) | frozenset(agency.leads)

    def is_member(self, user_id: str, agency_key: str) -> bool:
        agency = self.partnership.agency(agency_key)
        if agency is None:
            return False
        if user_id in agency.leads or user_id in agency.members:
            return True  # no need to ask Slack
        return user_id in self.members(agency_key)

    def agencies_of(self, user_id: str) -> list[str]:
        return [a.key for a in self.partnership.agencies if self.is_member(user_id, a.key)]

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.partnership.admins

    def person(self, user_id: str) -> Person:
        return self._people.get(user_id, lambda: self._lookup(user_id))

    def _channel_members(self, channel: str) -> frozenset[str]:
        members: set[str] = set()
        cursor = None
        try:
            while True:
                page = self.client.conversations_members(channel=channel, limit=200, cursor=cursor)
                members.update(page.get("members") or [])
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return frozenset(members)
        except (SlackApiError, OSError) as error:
            # Configured members and leads still count; channel members are unknown until Slack answers.
            log.warning("could not list members of %s: %s", channel, _reason(error))
            return frozenset()

    def _lookup(self, user_id: str) -> Person:
        try:
            user = self.client.users_info(user=user_id)["user"]
        except (SlackApiError, OSError) as error:
            log.warning("could not look up user %s: %s", user_id, _reason(error))
            return Person(user_id, user_id, None, problem=_reason(error))
        profile = user.get("profile") or {}
        # The full name first: it is what a record's reader (an agency, a subject access request) knows them by.
        name = profile.get("real_name") or user.get("real_name") or profile.get("display_name") or user.get("name")
        return Person(user_id, name or user_id, user.get("tz"), email=profile.get("email") or None)


def _reason(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return type(error).__name__
