"""Every message Joined Up owes Slack is a row first, and delivered from that row.

A message is claimed before it is sent, so two threads, two processes or a sweep racing a request
never send it twice; anything that fails stays pending and is tried again later.
"""
from __future__ import annotations

import logging
import os
from concurrent.futures import Executor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Callable, ContextManager, Iterable, Iterator, Protocol

from slack_sdk import WebClient
from sqlalchemy import case, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.domain.clock import Clock
from bot.edge.payloads import where
from bot.services.audit import SYSTEM, Act, Surface, append, entry
from bot.services.outbox.lease import LEASE, THIS_PROCESS, release_orphans, renewed
from bot.services.outbox.sending import PERMANENT_ERRORS, Plan, Rendered, Reply, Sender, backoff, retry_after
from bot.services.outbox.statements import CLAIM, INSERT_MESSAGES, MESSAGES, SENT_ALL, SENT_COLUMNS, SENT_ONE, STILL_PENDING
from storage.db import Database
from storage.models import SlackMessage

log = logging.getLogger(__name__)

SOON = timedelta(minutes=1)  # a rate-limit wait up to this long is timed; longer ones wait for the schedule
BATCH = 48  # messages delivered together: one read, one claim, one write of the results
DUE_LIMIT = 200  # messages read per pass of what is due
ROUNDS = 6  # a batch (first posts carry only their notification line), their content as updates, what it
# made due (the sharer's status) and its content, and updates for content that changed while it was sent


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
        self.sender = Sender(client=client, clock=clock, senders=senders)
        self.after_delay = after_delay
        self.client = client
        self.clock = clock
        self.content = content
        self.executor = executor
        self.claimant = THIS_PROCESS
        self._orphans_released_in: int | None = None

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
        return list(connection.scalars(INSERT_MESSAGES, [_owed(now, **message) for message in messages]))

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
        if self._orphans_released_in != os.getpid():
            self._orphans_released_in = os.getpid()
            release_orphans(self.db, self.clock, self.claimant)
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
        except Exception as error:  # the rows stay pending and the sweep tries again
            # One line, as for a listener (bot/app.py): a database error's text and traceback carry its parameters.
            log.error("delivery of messages %s failed unexpectedly: %s at %s", message_ids, type(error).__name__,
                      where(error))

    def deliver(self, message_ids: Iterable[int]) -> None:
        """Deliver these messages together: one read, one claim and one write of the results for all of them,
        whatever Slack says to each. Then, together again, what that made due (the sharer's status after the
        posts) and anything whose content changed while it was being sent."""
        plans = self._prepare(list(dict.fromkeys(message_ids)))
        for _ in range(ROUNDS):
            if not plans:
                return
            with renewed(self.db, self.clock, self.claimant, [plan.id for plan in plans]):
                replies = self.sender.send_all(plans)
            plans = self._prepare(self._record(plans, replies))

    def _prepare(self, message_ids: list[int]) -> list[Plan]:
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

    def _plan(self, session: Session, message_ids: list[int], now: datetime) -> tuple[list[Plan], list[int]]:
        """What to send for each message that is due, rendered now; and those no longer wanted."""
        with self._loaded_for(session, message_ids) as messages:
            plans: list[Plan] = []
            unwanted: list[int] = []
            for message in messages.values():
                if not message.pending or message.next_attempt_at > now \
                        or (message.claimed_until is not None and message.claimed_until >= now):
                    continue
                if not self.content.wanted(session, message):
                    unwanted.append(message.id)
                elif self.content.ready(session, message):
                    plans.append(Plan(id=message.id, version=message.version, kind=message.kind,
                                       record_id=message.record_id, agency_key=message.agency_key, ts=message.ts,
                                       channel=message.channel_id or message.target, key=message.key,
                                       post_started=message.post_started_at is not None,
                                       thread_ts=self._thread_ts(session, message),
                                       rendered=self.content.render(session, message)))
            return plans, unwanted

    def _claim(self, session: Session, plans: list[Plan], unwanted: list[int], now: datetime) -> list[Plan]:
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
        claimed = set(session.connection().scalars(CLAIM, {
            "now": now, "first_posts": first_posts, "updates": updates, "lease_end": now + LEASE,
            "claimant": self.claimant.name}))
        return [plan for plan in plans if plan.id in claimed]

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

    def _record(self, plans: list[Plan], replies: dict[int, Reply]) -> list[int]:
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

    def _record_sent(self, connection: Connection, plans: list[Plan], replies: dict[int, Reply], now: datetime,
                     acts: list[dict[str, Any]]) -> list[int]:
        """One statement for the batch, without loading a row. Returns those whose content changed while they
        were sent, and the sharers' status messages that first posts made out of date."""
        # A first post carries only its notification line, so it delivers no version: its content follows as an
        # update. A file's share carries all of it (`whole`).
        changed = self._write_sent(connection, [
            (plan.id, plan.version if plan.ts or replies[plan.id].whole else 0, replies[plan.id].ts,
             replies[plan.id].channel,
             replies[plan.id].permalink) for plan in plans], now)
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
            names = [c.name for c in SENT_COLUMNS]
            connection.execute(SENT_ONE, [{**dict(zip(names, row)), "sent_now": now} for row in rows])
            return list(connection.scalars(STILL_PENDING, {"ids": [row[0] for row in rows]}))
        columns = {c.name: list(values) for c, values in zip(SENT_COLUMNS, zip(*rows))}
        written = connection.execute(SENT_ALL, {**columns, "sent_now": now})
        return [message_id for message_id, pending in written if pending]

    def _record_unsent(self, session: Session, plans: list[Plan], replies: dict[int, Reply], now: datetime,
                       acts: list[dict[str, Any]], retry_at: list[tuple[float, int]]) -> list[int]:
        follow: list[int] = []
        with self._loaded_for(session, [plan.id for plan in plans], content=False) as messages:
            for plan in plans:
                message, reply = messages[plan.id], replies[plan.id]
                changed = self._failed(message, reply, now, acts, started_before=plan.post_started)
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
        messages = {m.id: m for m in session.scalars(MESSAGES, {"ids": list(message_ids)})}
        with self.content.loaded(session, {m.record_id for m in messages.values() if m.record_id is not None},
                                 content=content):
            yield messages

    def _failed(self, message: SlackMessage, reply: Reply, now: datetime, acts: list[dict[str, Any]], *,
                started_before: bool) -> bool:
        message.claimed_until = None
        # Slack refused this attempt, so it posted nothing; but a message held back untried keeps the mark of an
        # earlier attempt that may have reached Slack, so its next attempt still looks in the channel first.
        if message.ts is None and reply.refused and (reply.tried or not started_before):
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


