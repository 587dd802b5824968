"""Every message Joined Up owes Slack is a row first, and delivered from that row.

A message is claimed before it is sent, so two threads, two processes or a sweep racing a request
never send it twice; anything that fails stays pending and is tried again later.
"""
from __future__ import annotations

import http.client
import logging
import random
import socket
import urllib.error
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.services.audit import SYSTEM, Act, Surface, audit
from storage.db import Database
from storage.models import SlackMessage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
METADATA_EVENT = "joinedup_message"  # carries each message's key, so a copy can be recognised in Slack
LONGEST_BACKOFF = timedelta(minutes=15)
SOON = timedelta(minutes=1)  # a rate-limit wait up to this long is timed; longer ones wait for the schedule
FIRST_BACKOFF = timedelta(seconds=15)
TRANSIENT = (urllib.error.URLError, TimeoutError, ConnectionError, socket.timeout, http.client.HTTPException, OSError)

# Errors that trying again will not fix, with what a person must do about each.
PERMANENT_ERRORS = {
    "channel_not_found": "the channel no longer exists or Joined Up cannot see it: check the agency's channel ID in the configuration",
    "not_in_channel": "Joined Up is not a member of the channel: type /invite @Joined Up in it",
    "is_archived": "the channel is archived: unarchive it or configure the agency's new channel",
    "account_inactive": "the Slack account is deactivated",
    "user_not_found": "the Slack user no longer exists",
    "messages_tab_disabled": "Joined Up's Messages tab is turned off: enable it under App Home in the app's settings",
    "cannot_dm_bot": "that account is a bot and cannot receive messages",
    "invalid_auth": "the bot token is not valid: check SLACK_BOT_TOKEN",
    "not_authed": "no bot token was sent: check SLACK_BOT_TOKEN",
    "token_revoked": "the bot token was revoked: reinstall the app and update SLACK_BOT_TOKEN",
    "missing_scope": "the app lacks a permission: reinstall it from app_manifest.yml",
    "restricted_action": "the workspace does not allow Joined Up to post there",
    "invalid_blocks": "Slack refused the message layout",
    "msg_too_long": "the message was too long for Slack",
    "no_text": "the message was empty",
    "message_not_found": "the Slack message was deleted",
    "thread_not_found": "the thread this replies to was deleted",
}


@dataclass
class Rendered:
    text: str
    blocks: list[dict[str, Any]] | None = None


class Content(Protocol):
    """What each kind of message says and when it may go; see bot/services/content.py."""

    def ready(self, session: Session, message: SlackMessage) -> bool: ...

    def wanted(self, session: Session, message: SlackMessage) -> bool: ...

    def render(self, session: Session, message: SlackMessage) -> Rendered: ...

    def after_attempt(self, session: Session, message: SlackMessage, owe: "Owe", *,
                      delivery_changed: bool) -> list[int]: ...


class Owe(Protocol):
    def __call__(self, session: Session, *, kind: str, key: str, target: str, **kw: Any) -> int: ...


@dataclass
class _Attempt:
    followers: list[int] = field(default_factory=list)
    still_pending: bool = False


class Outbox:
    def __init__(self, *, db: Database, client: WebClient, clock: Clock, content: Content, executor: Executor,
                 after_delay: Callable[[float, Callable[[], None]], None] | None = None) -> None:
        """`after_delay(seconds, action)`, where given, retries a rate-limited message when Slack says it may,
        rather than at the next pass of the schedule."""
        self.db = db
        self.after_delay = after_delay
        self.client = client
        self.clock = clock
        self.content = content
        self.executor = executor
        self._workspace_url: str | None = None

    def add(self, session: Session, *, kind: str, key: str, target: str, record_id: int | None = None,
            agency_key: str | None = None, parent_id: int | None = None, outcome_id: int | None = None,
            subject_id: int | None = None, not_before: datetime | None = None) -> int:
        """Owe a new message, in the caller's transaction. Adding the same key twice owes it once."""
        existing = session.scalar(select(SlackMessage.id).where(SlackMessage.key == key))
        if existing is not None:
            return existing
        now = self.clock.now()
        message = SlackMessage(key=key, kind=kind, target=target, record_id=record_id, agency_key=agency_key,
                               parent_id=parent_id, outcome_id=outcome_id, subject_id=subject_id, version=1, delivered_version=0, pending=True, attempts=0,
                               next_attempt_at=max(now, not_before or now), created_at=now)
        session.add(message)
        session.flush()
        return message.id

    def touch(self, session: Session, *conditions: Any) -> list[int]:
        """The content of these messages changed: owe Slack an update of each one already delivered."""
        ids = list(session.scalars(select(SlackMessage.id).where(
            *conditions, SlackMessage.failed_at.is_(None), SlackMessage.cancelled_at.is_(None))))
        if ids:
            now = self.clock.now()
            session.execute(update(SlackMessage).where(SlackMessage.id.in_(ids)).values(
                version=SlackMessage.version + 1, pending=True,
                # an update waits out any backoff Slack asked for, but otherwise goes at once
                next_attempt_at=case((SlackMessage.next_attempt_at > now, SlackMessage.next_attempt_at), else_=now)))
        return ids

    def deliver_soon(self, message_ids: Iterable[int]) -> None:
        for message_id in message_ids:
            self.executor.submit(self._deliver_logged, message_id)

    def deliver_due(self, *, limit: int = 200) -> int:
        """Deliver what is due now; called by the sweep. Returns how many were attempted."""
        now = self.clock.now()
        with self.db.read() as session:
            due = list(session.scalars(
                select(SlackMessage.id)
                .where(SlackMessage.pending.is_(True), SlackMessage.next_attempt_at <= now,
                       or_(SlackMessage.claimed_until.is_(None), SlackMessage.claimed_until < now))
                .order_by(SlackMessage.next_attempt_at, SlackMessage.id).limit(limit)))
        for message_id in due:
            self._deliver_logged(message_id)
        return len(due)

    def _deliver_logged(self, message_id: int) -> None:
        try:
            self.deliver(message_id)
        except Exception:  # the row stays pending and the sweep tries again
            log.exception("delivery of message %s failed unexpectedly", message_id)

    def deliver(self, message_id: int) -> None:
        for _ in range(3):  # the content may change while it is being sent: bring Slack up to date
            attempt = self._attempt(message_id)
            if attempt is None:
                return
            for follower in attempt.followers:
                self.deliver(follower)
            if not attempt.still_pending:
                return

    def _claim(self, message_id: int, now: datetime, *, ts: str | None) -> bool:
        """Take the message for one lease. A first post is marked as started in the same write: from here
        on, a later attempt looks in Slack for this copy before posting again."""
        with self.db.write() as session:
            claimed = session.execute(
                update(SlackMessage)
                .where(SlackMessage.id == message_id, SlackMessage.pending.is_(True),
                       SlackMessage.next_attempt_at <= now,
                       SlackMessage.ts.is_(None) if ts is None else SlackMessage.ts == ts,
                       or_(SlackMessage.claimed_until.is_(None), SlackMessage.claimed_until < now))
                .values(claimed_until=now + LEASE, **({"post_started_at": now} if ts is None else {})))
            return claimed.rowcount == 1  # type: ignore[attr-defined]

    def _cancel(self, message_id: int) -> None:
        """A message no longer wanted (a reminder for what is done) is never sent."""
        with self.db.write() as session:
            session.execute(update(SlackMessage).where(SlackMessage.id == message_id, SlackMessage.pending.is_(True))
                            .values(pending=False, cancelled_at=self.clock.now()))

    def _attempt(self, message_id: int) -> _Attempt | None:
        now = self.clock.now()
        with self.db.read() as session:
            message = session.get(SlackMessage, message_id)
            if message is None or not message.pending or message.next_attempt_at > now \
                    or (message.claimed_until is not None and message.claimed_until >= now):
                return None
            if not self.content.wanted(session, message):
                wanted = False
            elif not self.content.ready(session, message):
                return None
            else:
                wanted = True
                rendered = self.content.render(session, message)
                version, ts, channel = message.version, message.ts, message.channel_id or message.target
                key, post_started = message.key, message.post_started_at
                thread_ts = self._thread_ts(session, message)
        if not wanted:
            self._cancel(message_id)
            return None
        if not self._claim(message_id, now, ts=ts):
            return None
        try:
            if ts is None:
                found = self._already_posted(channel, key, thread_ts) if post_started is not None else None
                if found is None:
                    response = self.client.chat_postMessage(
                        channel=channel, text=rendered.text, blocks=rendered.blocks, thread_ts=thread_ts,
                        unfurl_links=False, unfurl_media=False,
                        metadata={"event_type": METADATA_EVENT, "event_payload": {"key": key}})
                    ts, channel = response["ts"], response["channel"]
                else:
                    ts = found
                    log.info("message %s was already in Slack from an attempt that was cut off", message_id)
                permalink = self._permalink(channel, ts)
            else:
                self.client.chat_update(channel=channel, ts=ts, text=rendered.text, blocks=rendered.blocks)
                permalink = None
        except SlackApiError as error:
            # Slack answered, so nothing was posted: the next attempt need not look for a copy first.
            return self._failed(message_id, error.response.get("error") or "", error.response.status_code,
                                error.response.headers.get("Retry-After") or error.response.headers.get("retry-after"),
                                refused=True)
        except TRANSIENT as error:
            return self._failed(message_id, type(error).__name__, None, None)
        return self._sent(message_id, version=version, ts=ts, channel=channel, permalink=permalink)

    def _thread_ts(self, session: Session, message: SlackMessage) -> str | None:
        if message.parent_id is None:
            return None
        parent = session.get(SlackMessage, message.parent_id)
        return parent.ts if parent else None

    def retry(self, message_id: int) -> list[int]:
        """Someone fixed what made a message fail for good (invited the bot, say): owe it again."""
        with self.db.write() as session:
            changed = session.execute(update(SlackMessage).where(SlackMessage.id == message_id,
                                                                 SlackMessage.failed_at.is_not(None))
                                      .values(failed_at=None, pending=True, attempts=0, last_error=None,
                                              next_attempt_at=self.clock.now())).rowcount  # type: ignore[attr-defined]
            notices = self.touch(session, SlackMessage.kind == "delivery_problem",
                                 SlackMessage.subject_id == message_id) if changed else []
        return [message_id, *notices] if changed else []

    def _already_posted(self, channel: str, key: str, thread_ts: str | None) -> str | None:
        """After an attempt that may have reached Slack (a crash, a lost answer), look before posting again.

        Channels only: the bot cannot read its DMs without more permissions, so a DM cut off at the wrong
        instant may arrive twice. Looks through the newest 1,000 messages; an error here means post anyway.
        """
        if not channel.startswith(("C", "G")):
            return None
        cursor = None
        try:
            for _ in range(5):
                if thread_ts:
                    page = self.client.conversations_replies(channel=channel, ts=thread_ts, limit=200, cursor=cursor,
                                                             include_all_metadata=True)
                else:
                    page = self.client.conversations_history(channel=channel, limit=200, cursor=cursor,
                                                             include_all_metadata=True)
                for found in page.get("messages") or []:
                    payload = (found.get("metadata") or {}).get("event_payload") or {}
                    if payload.get("key") == key:
                        return found["ts"]
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return None
        except (SlackApiError, *TRANSIENT) as error:
            log.warning("could not check %s for an earlier copy of a message: %s", channel, type(error).__name__)
        return None

    def _permalink(self, channel: str, ts: str) -> str | None:
        """Slack's permalinks are the workspace URL, the channel and the timestamp without its dot; built here
        rather than asked for, it saves a Web API call per post."""
        if self._workspace_url is None:
            try:
                self._workspace_url = str(self.client.auth_test().get("url") or "")
            except (SlackApiError, *TRANSIENT):
                return None  # the message is out; a missing link is not worth a second post
        if not self._workspace_url:
            return None
        return f"{self._workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"

    def _sent(self, message_id: int, *, version: int, ts: str, channel: str, permalink: str | None) -> _Attempt:
        now = self.clock.now()
        with self.db.write() as session:
            message = session.get(SlackMessage, message_id)
            assert message is not None
            first_post = message.ts is None
            message.ts, message.channel_id = ts, channel
            message.permalink = permalink or message.permalink
            message.delivered_version = max(message.delivered_version, version)
            message.pending = message.version > message.delivered_version
            message.claimed_until = None
            message.attempts += 1
            message.last_error = None
            message.sent_at = message.sent_at or now
            message.next_attempt_at = now
            if first_post and message.kind == "agency_post":
                audit(session, at=now, actor=SYSTEM, act=Act.POSTED, surface=Surface.DELIVERY,
                      record_id=message.record_id, detail=f"to {message.agency_key} ({channel})")
            log.info("delivered %s message %s (%s)", message.kind, message.id, "posted" if first_post else "updated")
            return _Attempt(followers=self.content.after_attempt(session, message, self.add, delivery_changed=first_post),
                            still_pending=message.pending)

    def _failed(self, message_id: int, error: str, status: int | None, retry_after: str | None, *,
                refused: bool = False) -> _Attempt:
        now = self.clock.now()
        with self.db.write() as session:
            message = session.get(SlackMessage, message_id)
            assert message is not None
            message.attempts += 1
            if refused and message.ts is None:
                message.post_started_at = None
            message.claimed_until = None
            message.last_error = (f"HTTP {status}: " if status and status != 200 else "") + (error or "unknown")
            if status == 429:
                wait = timedelta(seconds=int(retry_after)) if (retry_after or "").isascii() and \
                    (retry_after or "").isdigit() else FIRST_BACKOFF
                message.next_attempt_at = now + wait
                if self.after_delay is not None and wait <= SOON:
                    self.after_delay(wait.total_seconds(), lambda: self.deliver_soon([message_id]))
            elif error in PERMANENT_ERRORS and (status or 200) < 500:
                message.failed_at = now
                message.pending = False
                audit(session, at=now, actor=SYSTEM, act=Act.DELIVERY_FAILED, surface=Surface.DELIVERY,
                      record_id=message.record_id, detail=f"{message.kind} to {message.target}: {error}")
            else:
                message.next_attempt_at = now + backoff(message.attempts)
            log.warning("could not deliver %s message %s: %s", message.kind, message.id, message.last_error)
            changed = message.ts is None or message.failed_at is not None
            return _Attempt(followers=self.content.after_attempt(session, message, self.add, delivery_changed=changed),
                            still_pending=False)


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter, so a Slack outage is not met by every process at the same instant."""
    base = min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), LONGEST_BACKOFF)
    return base * random.uniform(0.8, 1.2)


def fix_for(error: str | None) -> str:
    code = (error or "").split(": ")[-1]
    return PERMANENT_ERRORS.get(code, "Slack did not accept it")
