"""The outbox's statements, built once: delivery runs them for every batch, and building them costs more than
running them on SQLite."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, case, cast, column, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from storage.models import SlackMessage, UTCDateTime

INSERT_MESSAGES = insert(SlackMessage.__table__).returning(SlackMessage.__table__.c.id, sort_by_parameter_order=True)
MESSAGES = select(SlackMessage).where(SlackMessage.id.in_(bindparam("ids", expanding=True))).order_by(SlackMessage.id)
_messages = SlackMessage.__table__.c
CLAIM = (
    update(SlackMessage.__table__)
    .where(_messages.pending.is_(True), _messages.next_attempt_at <= bindparam("now"),
           or_(and_(_messages.id.in_(bindparam("first_posts", expanding=True)), _messages.ts.is_(None)),
               and_(_messages.id.in_(bindparam("updates", expanding=True)), _messages.ts.is_not(None))),
           or_(_messages.claimed_until.is_(None), _messages.claimed_until < bindparam("now")))
    .values(claimed_until=bindparam("lease_end"), claimed_by=bindparam("claimant"),
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


SENT_COLUMNS = (column("message_id", Integer), column("sent_version", Integer), column("sent_ts", String),
                 column("sent_channel", String), column("sent_permalink", String))
SENT_NOW = bindparam("sent_now", type_=UTCDateTime())
SENT_ONE = update(SlackMessage.__table__).where(_messages.id == bindparam("message_id")).values(
    _sent_changes(SimpleNamespace(**{c.name: bindparam(c.name, type_=c.type) for c in SENT_COLUMNS[1:]}), SENT_NOW))
_sent = func.unnest(*(cast(bindparam(c.name), ARRAY(c.type)) for c in SENT_COLUMNS)).table_valued(
    *SENT_COLUMNS).render_derived(name="sent")
SENT_ALL = update(SlackMessage.__table__).where(_messages.id == _sent.c.message_id).values(
    _sent_changes(_sent.c, SENT_NOW)).returning(_messages.id, _messages.pending)
STILL_PENDING = select(_messages.id).where(_messages.id.in_(bindparam("ids", expanding=True)),
                                            _messages.pending.is_(True))
