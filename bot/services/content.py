"""What each kind of owed message says, read fresh from the database at the moment it is sent."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.outcome import acknowledgement_reminder, lead_escalation, outcome_message, outcome_request, \
    sharer_escalation
from bot.blocks.record_post import Delivery, agency_name, agency_post, sharer_status
from bot.config import Partnership
from bot.glossary import Glossary
from bot.services.outbox import Rendered, fix_for
from storage.models import Outcome, Record, Share, SlackMessage

AGENCY_POST = "agency_post"
SHARER_STATUS = "sharer_status"
ACK_REMINDER = "ack_reminder"
LEAD_ESCALATION = "lead_escalation"
SHARER_ESCALATION = "sharer_escalation"
OUTCOME_REQUEST = "outcome_request"
OUTCOME_REPLY = "outcome_reply"
OUTCOME_TO_SHARER = "outcome_to_sharer"
CHASERS = (ACK_REMINDER, LEAD_ESCALATION, SHARER_ESCALATION)


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

    def wanted(self, session: Session, message: SlackMessage) -> bool:
        """Reminders for what has since been done are never sent."""
        if message.kind in CHASERS:
            share = self._share(session, message)
            return share is not None and share.acknowledged_at is None
        if message.kind == OUTCOME_REQUEST and message.ts is None:
            record = session.get(Record, message.record_id)
            return record is not None and not record.outcomes
        return True

    def render(self, session: Session, message: SlackMessage) -> Rendered:
        record = session.get(Record, message.record_id)
        assert record is not None, f"message {message.id} has no record"
        name = agency_name(self.partnership, message.agency_key or "")
        if message.kind == AGENCY_POST:
            share = self._share(session, message)
            assert share is not None
            return Rendered(*agency_post(record, share, self.partnership, self.terms(record)))
        if message.kind == SHARER_STATUS:
            return Rendered(*sharer_status(record, self.deliveries(session, record)))
        if message.kind == ACK_REMINDER:
            share = self._share(session, message)
            agency = self.partnership.agency(message.agency_key or "")
            number = int(message.key.rsplit(":", 1)[-1])
            return Rendered(*acknowledgement_reminder(record, share.id, name, agency.leads if agency else (), number))  # type: ignore[union-attr]
        if message.kind == LEAD_ESCALATION:
            share = self._share(session, message)
            post = self._post(session, message)
            return Rendered(*lead_escalation(record, share.id, name, post.permalink if post else None))  # type: ignore[union-attr]
        if message.kind == SHARER_ESCALATION:
            return Rendered(*sharer_escalation(record, name))
        if message.kind == OUTCOME_REQUEST:
            return Rendered(*outcome_request(record, [agency_name(self.partnership, s.agency_key) for s in record.shares]))
        if message.kind in (OUTCOME_REPLY, OUTCOME_TO_SHARER):
            outcome = session.get(Outcome, message.outcome_id)
            assert outcome is not None
            reporter = agency_name(self.partnership, outcome.agency_key) if outcome.agency_key else None
            return Rendered(*outcome_message(record, outcome, reporter))
        raise ValueError(f"no content for messages of kind {message.kind!r}")

    def terms(self, record: Record) -> list:
        outcomes = [text for o in record.outcomes for text in (o.what_happened, o.what_changed)]
        return self.glossary.terms_in(record.summary, record.actions, record.purpose_detail, record.requested_action,
                                      record.risk_label, *outcomes)

    def _share(self, session: Session, message: SlackMessage) -> Share | None:
        return session.scalar(select(Share).where(Share.record_id == message.record_id,
                                                  Share.agency_key == message.agency_key))

    def _post(self, session: Session, message: SlackMessage) -> SlackMessage | None:
        return session.scalar(select(SlackMessage).where(SlackMessage.record_id == message.record_id,
                                                         SlackMessage.kind == AGENCY_POST,
                                                         SlackMessage.agency_key == message.agency_key))

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
