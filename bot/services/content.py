"""What each kind of owed message says, read fresh from the database at the moment it is sent."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.record_post import Delivery, agency_name, agency_post, sharer_status
from bot.config import Partnership
from bot.glossary import Glossary
from bot.services.outbox import Rendered, fix_for
from storage.models import Record, Share, SlackMessage

AGENCY_POST = "agency_post"
SHARER_STATUS = "sharer_status"


class MessageContent:
    def __init__(self, *, partnership: Partnership, glossary: Glossary) -> None:
        self.partnership = partnership
        self.glossary = glossary

    def ready(self, session: Session, message: SlackMessage) -> bool:
        if message.kind == SHARER_STATUS:
            # Wait until every agency's post has been tried once, so the first status is already useful.
            return not any(m.attempts == 0 for m in self._posts(session, message.record_id))
        if message.parent_id is not None:
            parent = session.get(SlackMessage, message.parent_id)
            return parent is not None and parent.ts is not None
        return True

    def render(self, session: Session, message: SlackMessage) -> Rendered:
        record = session.get(Record, message.record_id)
        assert record is not None, f"message {message.id} has no record"
        if message.kind == AGENCY_POST:
            share = session.scalar(select(Share).where(Share.record_id == record.id,
                                                       Share.agency_key == message.agency_key))
            assert share is not None
            terms = self.glossary.terms_in(record.summary, record.actions, record.purpose_detail,
                                           record.requested_action, record.risk_label)
            text, blocks = agency_post(record, share, self.partnership, terms)
            return Rendered(text, blocks)
        if message.kind == SHARER_STATUS:
            text, blocks = sharer_status(record, self.deliveries(session, record))
            return Rendered(text, blocks)
        raise ValueError(f"no content for messages of kind {message.kind!r}")

    def after_attempt(self, session: Session, message: SlackMessage) -> list[int]:
        """A post changed state: the sharer's status message must say so."""
        if message.kind != AGENCY_POST:
            return []
        status = session.scalar(select(SlackMessage).where(SlackMessage.record_id == message.record_id,
                                                           SlackMessage.kind == SHARER_STATUS))
        if status is None or status.failed_at is not None:
            return []
        if status.ts is not None:
            status.version += 1
            status.pending = True
        return [status.id]

    def deliveries(self, session: Session, record: Record) -> list[Delivery]:
        posts = {m.agency_key: m for m in self._posts(session, record.id)}
        result = []
        for share in record.shares:
            post = posts.get(share.agency_key)
            result.append(Delivery(
                agency_name=agency_name(self.partnership, share.agency_key),
                state=post.state if post else "pending",
                attempts=post.attempts if post else 0,
                permalink=post.permalink if post else None,
                problem=fix_for(post.last_error) if post and post.failed_at else None,
                acknowledged_by=share.acknowledged_by,
                acknowledged_at=share.acknowledged_at,
            ))
        return result

    def _posts(self, session: Session, record_id: int | None) -> list[SlackMessage]:
        return list(session.scalars(select(SlackMessage).where(SlackMessage.record_id == record_id,
                                                               SlackMessage.kind == AGENCY_POST)))
