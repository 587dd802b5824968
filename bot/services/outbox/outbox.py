"""Every message Joined Up owes Slack is a row first, and delivered from that row.

A message is claimed before it is sent, so two threads, two processes or a sweep racing a request
never send it twice; anything that fails stays pending and is tried again later.
"""
from __future__ import annotations

import http.client
import logging
import math
import random
import socket
import urllib.error
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, Callable, ContextManager, Iterable, Iterator, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Integer, String, and_, bindparam, case, cast, column, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.services.audit import SYSTEM, Act, Surface, append, entry
from storage.db import Database
from storage.models import SlackMessage, UTCDateTime

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
METADATA_EVENT = "joinedup_message"  # carries each message's key, so a copy can be recognised in Slack
LONGEST_BACKOFF = timedelta(minutes=15)
# Slack allows one message a second to a channel, with short bursts: a channel that has refused one is paced.
# https://docs.slack.dev/apis/web-api/rate-limits ("Posting messages: 1 per second. Short bursts >1 allowed.")
PACE = timedelta(seconds=1)
PACED_FOR = timedelta(minutes=1)
SOON = timedelta(minutes=1)  # a rate-limit wait up to this long is timed; longer ones wait for the schedule
FIRST_BACKOFF = timedelta(seconds=15)
BATCH = 48  # messages delivered together: one read, one claim, one write of the results
DUE_LIMIT = 200  # messages read per pass of what is due
ROUNDS = 4  # a batch, what it made due, and updates for content that changed while it was sent
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

    def loaded(self, session: Session, record_ids: Iterable[int], *, content: bool = True) -> ContextManager[None]: ...

    def ready(self, session: Session, message: SlackMessage) -> bool: ...

    def wanted(self, session: Session, message: SlackMessage) -> bool: ...

    def render(self, session: Session, message: SlackMessage) -> Rendered: ...

    def after_attempt(self, session: Session, message: SlackMessage, owe: "Owe", *,
                      delivery_changed: bool) -> list[int]: ...

    def after_first_posts(self, connection: Connection, record_ids: set[int]) -> list[int]: ...


class Owe(Protocol):
    def __call__(self, session: Session, *, kind: str, key: str, target: str, **kw: Any) -> int: ...


@dataclass
class _Plan:
    """One message as it is to be sent, read and rendered before it is claimed."""
    id: int
    version: int
    kind: str
    record_id: int | None
    agency_key: str | None
    ts: str | None
    channel: str
    key: str
    post_started: bool
    thread_ts: str | None
    rendered: Rendered


@dataclass
class _Reply:
    """What Slack said to one message: its ts once it is out, or why not."""
    ts: str | None = None
    channel: str | None = None
    permalink: str | None = None
    error: str = ""
    status: int | None = None
    retry_after: str | None = None
    refused: bool = False  # Slack answered, so nothing was posted
    tried: bool = True  # False for a message held back because its channel was rate limited


class Outbox:
    def __init__(self, *, db: Database, client: WebClient, clock: Clock, content: Content, executor: Executor,
                 senders: Executor | None = None,
                 after_delay: Callable[[float, Callable[[], None]], None] | None = None,
                 deliver_elsewhere: Callable[[], None] | None = None) -> None:
        """`executor` runs deliveries after the ack; `senders`, where given, sends to different channels at the
        same time. `after_delay(seconds, action)`, where given, retries a rate-limited message when Slack says
        it may, rather than at the next pass of the schedule. `deliver_elsewhere`, where given, tells another
        process that there is something to deliver, instead of delivering here."""
        self.db = db
        self.deliver_elsewhere = deliver_elsewhere
        self.senders = senders
        self._full_until: dict[str, datetime] = {}  # channels Slack refused with a 429, until it said to wait
        self._paced_until: dict[str, datetime] = {}  # channels refused lately: one message a second to them
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
        message = SlackMessage(**_owed(self.clock.now(), key=key, kind=kind, target=target, record_id=record_id,
                                       agency_key=agency_key, parent_id=parent_id, outcome_id=outcome_id,
                                       subject_id=subject_id, not_before=not_before))
        session.add(message)
        session.flush()
        return message.id

    def add_new(self, connection: Connection, messages: list[dict[str, Any]]) -> list[int]:
        """Owe new messages whose keys cannot exist yet (they name a row made, or a claim won, in this
        transaction), in one statement on the caller's connection. Each dict has add's keyword arguments, the same
        in every dict."""
        if not messages:
            return []
        now = self.clock.now()
        return list(connection.scalars(_INSERT_MESSAGES, [_owed(now, **message) for message in messages]))

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
        ids = list(message_ids)
        if ids and self.deliver_elsewhere is not None:
            self.deliver_elsewhere()
        elif ids:
            self.executor.submit(self._deliver_logged, ids)

    def deliver_due(self, *, limit: int = DUE_LIMIT) -> int:
        """Deliver what is due now; called by the sweep and the delivery process. Returns how many were attempted."""
        now = self.clock.now()
        with self.db.read() as session:
            due = list(session.scalars(
                select(SlackMessage.id)
                .where(SlackMessage.pending.is_(True), SlackMessage.next_attempt_at <= now,
                       or_(SlackMessage.claimed_until.is_(None), SlackMessage.claimed_until < now))
                .order_by(SlackMessage.next_attempt_at, SlackMessage.id).limit(limit)))
        batches = [due[i:i + BATCH] for i in range(0, len(due), BATCH)]
        if self.db.is_sqlite:
            # One at a time: a batch holding SQLite's one write lock must not wait for the interpreter behind
            # another, while the web workers wait for the lock. Each batch still sends to its channels at once.
            for batch in batches:
                self._deliver_logged(batch)
        else:
            for _ in self.executor.map(self._deliver_logged, batches):
                pass  # side by side: while Slack answers one batch, the next is read, claimed and sent
        return len(due)

    def _deliver_logged(self, message_ids: list[int]) -> None:
        try:
            self.deliver(message_ids)
        except Exception:  # the rows stay pending and the sweep tries again
            log.exception("delivery of messages %s failed unexpectedly", message_ids)

    def deliver(self, message_ids: Iterable[int]) -> None:
        """Deliver these messages together: one read, one claim and one write of the results for all of them,
        whatever Slack says to each. Then, together again, what that made due (the sharer's status after the
        posts) and anything whose content changed while it was being sent."""
        plans = self._prepare(list(dict.fromkeys(message_ids)))
        for _ in range(ROUNDS):
            if not plans:
                return
            plans = self._prepare(self._record(plans, self._send_all(plans)))

    def _prepare(self, message_ids: list[int]) -> list[_Plan]:
        """Render what is due from one read, then claim it in one short write (on SQLite every other writer
        waits for it, so nothing is rendered while it is held)."""
        if not message_ids:
            return []
        now = self.clock.now()
        with self.db.read() as session:
            plans, unwanted = self._plan(session, message_ids, now)
        if not (plans or unwanted):
            return []
        with self.db.write() as session:
            return self._claim(session, plans, unwanted, now)

    def _plan(self, session: Session, message_ids: list[int], now: datetime) -> tuple[list[_Plan], list[int]]:
        """What to send for each message that is due, rendered now; and those no longer wanted."""
        with self._loaded_for(session, message_ids) as messages:
            plans: list[_Plan] = []
            unwanted: list[int] = []
            for message in messages.values():
                if not message.pending or message.next_attempt_at > now \
                        or (message.claimed_until is not None and message.claimed_until >= now):
                    continue
                if not self.content.wanted(session, message):
                    unwanted.append(message.id)
                elif self.content.ready(session, message):
                    plans.append(_Plan(id=message.id, version=message.version, kind=message.kind,
                                       record_id=message.record_id, agency_key=message.agency_key, ts=message.ts,
                                       channel=message.channel_id or message.target, key=message.key,
                                       post_started=message.post_started_at is not None,
                                       thread_ts=self._thread_ts(session, message),
                                       rendered=self.content.render(session, message)))
            return plans, unwanted

    def _claim(self, session: Session, plans: list[_Plan], unwanted: list[int], now: datetime) -> list[_Plan]:
        """Take the messages for one lease, and cancel those no longer wanted (a reminder for what is done).
        A first post is marked as started in the same write: from here on, a later attempt looks in Slack
        for this copy before posting again."""
        if unwanted:
            session.execute(update(SlackMessage).where(SlackMessage.id.in_(unwanted), SlackMessage.pending.is_(True))
                            .values(pending=False, cancelled_at=now).execution_options(synchronize_session=False))
        if not plans:
            return []
        first_posts = [plan.id for plan in plans if plan.ts is None]
        updates = [plan.id for plan in plans if plan.ts is not None]
        claimed = set(session.connection().scalars(_CLAIM, {
            "now": now, "first_posts": first_posts, "updates": updates, "lease_end": now + LEASE}))
        return [plan for plan in plans if plan.id in claimed]

    def _send_all(self, plans: list[_Plan]) -> dict[int, _Reply]:
        """Each channel's messages in order; different channels at the same time where a pool is given."""
        by_channel: dict[str, list[_Plan]] = {}
        for plan in plans:
            by_channel.setdefault(plan.channel, []).append(plan)
        groups = list(by_channel.values())
        if self.senders is None or len(groups) == 1:
            replies = [self._send_group(group) for group in groups]
        else:
            replies = list(self.senders.map(self._send_group, groups))
        return {plan.id: reply for group, group_replies in zip(groups, replies)
                for plan, reply in zip(group, group_replies)}

    def _send_group(self, plans: list[_Plan]) -> list[_Reply]:
        """One channel's messages, in order. Once Slack says the channel is full, nothing more is sent to it
        until Slack's Retry-After has passed, from this batch or any other: they wait, unsent. For a minute
        after that, the channel gets one message a second, Slack's rate for it, rather than a refusal for
        every other message."""
        replies: list[_Reply] = []
        for plan in plans:
            now = self.clock.now()
            full_until = self._full_until.get(plan.channel)
            if full_until is not None and full_until > now:
                wait = math.ceil((full_until - now).total_seconds())
                replies.append(_Reply(status=429, retry_after=str(wait), error="ratelimited", refused=True,
                                      tried=False))
                continue
            reply = self._send(plan)
            if reply.status == 429:
                self._full_until[plan.channel] = now + retry_after(reply.retry_after)
                self._paced_until[plan.channel] = now + PACED_FOR
            elif self._paced_until.get(plan.channel, now) > now:
                self._full_until[plan.channel] = self.clock.now() + PACE
            replies.append(reply)
        return replies

    def _send(self, plan: _Plan) -> _Reply:
        rendered, channel, ts = plan.rendered, plan.channel, plan.ts
        try:
            if ts is None:
                found = self._already_posted(channel, plan.key, plan.thread_ts) if plan.post_started else None
                if found is None:
                    response = self.client.chat_postMessage(
                        channel=channel, text=rendered.text, blocks=rendered.blocks, thread_ts=plan.thread_ts,
                        unfurl_links=False, unfurl_media=False,
                        metadata={"event_type": METADATA_EVENT, "event_payload": {"key": plan.key}})
                    ts, channel = response["ts"], response["channel"]
                else:
                    ts = found
                    log.info("message %s was already in Slack from an attempt that was cut off", plan.id)
                return _Reply(ts=ts, channel=channel, permalink=self._permalink(channel, ts))
            self.client.chat_update(channel=channel, ts=ts, text=rendered.text, blocks=rendered.blocks)
            return _Reply(ts=ts, channel=channel)
        except SlackApiError as error:
            # Slack answered, so nothing was posted: the next attempt need not look for a copy first.
            headers = error.response.headers
            return _Reply(error=error.response.get("error") or "", status=error.response.status_code,
                          retry_after=headers.get("Retry-After") or headers.get("retry-after"), refused=True)
        except TRANSIENT as error:
            return _Reply(error=type(error).__name__ or "unknown")

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

    def _record(self, plans: list[_Plan], replies: dict[int, _Reply]) -> list[int]:
        """What Slack said to each message, in one write; returns what to deliver next. What Slack took is
        written straight from the plans; what it did not, from the rows (its retries and problems depend on them)."""
        now = self.clock.now()
        sent = [plan for plan in plans if replies[plan.id].ts is not None]
        unsent = [plan for plan in plans if replies[plan.id].ts is None]
        retry_at: list[tuple[float, int]] = []
        acts: list[dict[str, Any]] = []
        with self.db.write() as session:
            follow = self._record_sent(session.connection(), sent, replies, now, acts) if sent else []
            if unsent:
                follow += self._record_unsent(session, unsent, replies, now, acts, retry_at)
            append(session, acts)
        if self.after_delay is not None:
            for seconds in sorted({seconds for seconds, _ in retry_at}):
                waiting = [message_id for s, message_id in retry_at if s == seconds]
                self.after_delay(seconds, lambda waiting=waiting: self.deliver_soon(waiting))
        return list(dict.fromkeys(follow))

    def _record_sent(self, connection: Connection, plans: list[_Plan], replies: dict[int, _Reply], now: datetime,
                     acts: list[dict[str, Any]]) -> list[int]:
        """One statement for the batch, without loading a row. Returns those whose content changed while they
        were sent, and the sharers' status messages that first posts made out of date."""
        changed = self._write_sent(connection, [
            (plan.id, plan.version, replies[plan.id].ts, replies[plan.id].channel, replies[plan.id].permalink)
            for plan in plans], now)
        first_posts = [plan for plan in plans if plan.ts is None and plan.kind == "agency_post"]
        for plan in plans:
            log.info("delivered %s message %s (%s)", plan.kind, plan.id, "updated" if plan.ts else "posted")
        acts += [entry(at=now, actor=SYSTEM, act=Act.POSTED, surface=Surface.DELIVERY, record_id=plan.record_id,
                       detail=f"to {plan.agency_key} ({replies[plan.id].channel})") for plan in first_posts]
        return changed + self.content.after_first_posts(
            connection, {plan.record_id for plan in first_posts if plan.record_id is not None})

    def _write_sent(self, connection: Connection, rows: list[tuple[Any, ...]], now: datetime) -> list[int]:
        """Writes what Slack took; returns the messages whose content changed meanwhile, still owed. On
        PostgreSQL one UPDATE … FROM unnest(arrays), the same statement whatever the batch's size (so it is
        compiled and planned once); SQLite has no arrays, so there the update runs once a message."""
        if self.db.is_sqlite:
            names = [c.name for c in _SENT_COLUMNS]
            connection.execute(_SENT_ONE, [{**dict(zip(names, row)), "sent_now": now} for row in rows])
            return list(connection.scalars(_STILL_PENDING, {"ids": [row[0] for row in rows]}))
        columns = {c.name: list(values) for c, values in zip(_SENT_COLUMNS, zip(*rows))}
        written = connection.execute(_SENT_ALL, {**columns, "sent_now": now})
        return [message_id for message_id, pending in written if pending]

    def _record_unsent(self, session: Session, plans: list[_Plan], replies: dict[int, _Reply], now: datetime,
                       acts: list[dict[str, Any]], retry_at: list[tuple[float, int]]) -> list[int]:
        follow: list[int] = []
        with self._loaded_for(session, [plan.id for plan in plans], content=False) as messages:
            for plan in plans:
                message, reply = messages[plan.id], replies[plan.id]
                changed = self._failed(message, reply, now, acts)
                if message.pending and reply.status == 429 and message.next_attempt_at - now <= SOON:
                    retry_at.append(((message.next_attempt_at - now).total_seconds(), message.id))
                follow += self.content.after_attempt(session, message, self.add, delivery_changed=changed)
            session.flush()  # the messages' changes together, before the audit entries
        return follow

    @contextmanager
    def _loaded_for(self, session: Session, message_ids: Iterable[int], *,
                    content: bool = True) -> Iterator[dict[int, SlackMessage]]:
        """These messages, with their records' posts and status messages, and with content=True all that their
        content is made from."""
        messages = {m.id: m for m in session.scalars(_MESSAGES, {"ids": list(message_ids)})}
        with self.content.loaded(session, {m.record_id for m in messages.values() if m.record_id is not None},
                                 content=content):
            yield messages

    def _failed(self, message: SlackMessage, reply: _Reply, now: datetime, acts: list[dict[str, Any]]) -> bool:
        message.claimed_until = None
        if reply.refused and message.ts is None:
            message.post_started_at = None
        if reply.status == 429:
            message.next_attempt_at = now + retry_after(reply.retry_after)
            if not reply.tried:
                return False
        else:
            message.next_attempt_at = now + backoff(message.attempts + 1)
        message.attempts += 1
        message.last_error = (f"HTTP {reply.status}: " if reply.status and reply.status != 200 else "") \
            + (reply.error or "unknown")
        if reply.error in PERMANENT_ERRORS and (reply.status or 200) < 500:
            message.failed_at = now
            message.pending = False
            acts.append(entry(at=now, actor=SYSTEM, act=Act.DELIVERY_FAILED, surface=Surface.DELIVERY,
                              record_id=message.record_id, detail=f"{message.kind} to {message.target}: {reply.error}"))
        log.warning("could not deliver %s message %s: %s", message.kind, message.id, message.last_error)
        return message.ts is None or message.failed_at is not None


def _owed(now: datetime, *, not_before: datetime | None = None, **fields: Any) -> dict[str, Any]:
    """A new message's row: nothing delivered yet, due at once or not before the moment given."""
    return {"record_id": None, "agency_key": None, **fields, "version": 1, "delivered_version": 0, "pending": True,
            "attempts": 0, "next_attempt_at": max(now, not_before or now), "created_at": now}


_INSERT_MESSAGES = insert(SlackMessage.__table__).returning(SlackMessage.__table__.c.id, sort_by_parameter_order=True)
# Built once: delivery runs these for every batch, and building them costs more than running them on SQLite.
_MESSAGES = select(SlackMessage).where(SlackMessage.id.in_(bindparam("ids", expanding=True))).order_by(SlackMessage.id)
_messages = SlackMessage.__table__.c
_CLAIM = (
    update(SlackMessage.__table__)
    .where(_messages.pending.is_(True), _messages.next_attempt_at <= bindparam("now"),
           or_(and_(_messages.id.in_(bindparam("first_posts", expanding=True)), _messages.ts.is_(None)),
               and_(_messages.id.in_(bindparam("updates", expanding=True)), _messages.ts.is_not(None))),
           or_(_messages.claimed_until.is_(None), _messages.claimed_until < bindparam("now")))
    .values(claimed_until=bindparam("lease_end"),
            post_started_at=case((_messages.ts.is_(None), bindparam("now")), else_=_messages.post_started_at))
    .returning(_messages.id))


def _sent_changes(sent: Any, now: Any) -> dict[str, Any]:
    """What a message Slack took becomes: `sent` holds its plan's version and Slack's answer, as bound parameters
    (one message) or as the columns of unnest's arrays (a batch)."""
    delivered = case((_messages.delivered_version > sent.sent_version, _messages.delivered_version),
                     else_=sent.sent_version)
    return dict(ts=sent.sent_ts, channel_id=sent.sent_channel,
                permalink=func.coalesce(sent.sent_permalink, _messages.permalink), delivered_version=delivered,
                pending=_messages.version > delivered, claimed_until=None, attempts=_messages.attempts + 1,
                last_error=None, sent_at=func.coalesce(_messages.sent_at, now), next_attempt_at=now)


_SENT_COLUMNS = (column("message_id", Integer), column("sent_version", Integer), column("sent_ts", String),
                 column("sent_channel", String), column("sent_permalink", String))
_SENT_NOW = bindparam("sent_now", type_=UTCDateTime())
_SENT_ONE = update(SlackMessage.__table__).where(_messages.id == bindparam("message_id")).values(
    _sent_changes(SimpleNamespace(**{c.name: bindparam(c.name, type_=c.type) for c in _SENT_COLUMNS[1:]}), _SENT_NOW))
_sent = func.unnest(*(cast(bindparam(c.name), ARRAY(c.type)) for c in _SENT_COLUMNS)).table_valued(
    *_SENT_COLUMNS).render_derived(name="sent")
_SENT_ALL = update(SlackMessage.__table__).where(_messages.id == _sent.c.message_id).values(
    _sent_changes(_sent.c, _SENT_NOW)).returning(_messages.id, _messages.pending)
_STILL_PENDING = select(_messages.id).where(_messages.id.in_(bindparam("ids", expanding=True)),
                                            _messages.pending.is_(True))


def retry_after(header: str | None) -> timedelta:
    """Slack's Retry-After, in seconds; a missing or odd one waits as long as a first backoff."""
    after = header or ""
    return timedelta(seconds=int(after)) if after.isascii() and after.isdigit() else FIRST_BACKOFF


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter, so a Slack outage is not met by every process at the same instant."""
    base = min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), LONGEST_BACKOFF)
    return base * random.uniform(0.8, 1.2)


def fix_for(error: str | None) -> str:
    code = (error or "").split(": ")[-1]
    return PERMANENT_ERRORS.get(code, "Slack did not accept it")
