"""What each kind of owed message says, read fresh from the database at the moment it is sent."""
from __future__ import annotations

import functools
from contextlib import contextmanager
from typing import Iterable, Iterator

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.blocks.challenge import amendment_message, challenge_message, challenge_reminder, closed_message, \
    escalation_message, response_message
from bot.blocks.outcome import acknowledgement_reminder, agency_results, lead_escalation, outcome_message, \
    outcome_request, sharer_escalation, sharer_outcomes
from bot.blocks.record_post import Delivery, agency_name, agency_post, delivery_problem, email_problem, \
    note_to_sharer, sharer_status, tombstone
from bot.domain.config import Partnership
from bot.domain.glossary import Glossary
from bot.email.compose import COPY, RECORD
from bot.i18n import Voice, _, using
from bot.links.service import link_id_of
from bot.reports.digest import DIGEST, DIGEST_CHART, DigestContent
from bot.services.languages import PersonLanguages, voice_for
from bot.services.outbox import Owe, Rendered, fix_for
from storage.models import Challenge, ChallengeResponse, EmailLink, EmailMessage, Outcome, Record, Revision, Share, \
    SlackMessage

AGENCY_POST = "agency_post"
SHARER_STATUS = "sharer_status"
ACK_REMINDER = "ack_reminder"
LEAD_ESCALATION = "lead_escalation"
SHARER_ESCALATION = "sharer_escalation"
OUTCOME_REQUEST = "outcome_request"
OUTCOME_REPLY = "outcome_reply"
OUTCOME_TO_SHARER = "outcome_to_sharer"
NOTE_TO_SHARER = "note_to_sharer"  # a reply under the sharer's status message: an acknowledgement's note
CHALLENGE_REPLY = "challenge_reply"
CHALLENGE_TO_SHARER = "challenge_to_sharer"
RESPONSE_REPLY = "response_reply"
RESPONSE_TO_CHALLENGER = "response_to_challenger"
CHALLENGE_CLOSED_REPLY = "challenge_closed_reply"
CHALLENGE_ESCALATION = "challenge_escalation"
CHALLENGE_REMINDER = "challenge_reminder"
AMENDMENT_REPLY = "amendment_reply"
DELIVERY_PROBLEM = "delivery_problem"
EMAIL_PROBLEM = "email_problem"  # a DM: an email the relay refused for good (subject_id: the email_messages row)
CHASERS = (ACK_REMINDER, LEAD_ESCALATION, SHARER_ESCALATION)
# A session's agency posts and sharer's status messages by record, while loaded() holds them.
POSTS = "joinedup.agency_posts"
STATUSES = "joinedup.sharer_statuses"


# Built once: they run for every batch delivered.
_CHOSEN = bindparam("ids", expanding=True)
_RECORDS = select(Record).where(Record.id.in_(_CHOSEN))
_RELATIONS = tuple((relation, select(model).where(model.record_id.in_(_CHOSEN)).order_by(model.id))
                   for relation, model in (("shares", Share), ("outcomes", Outcome), ("revisions", Revision)))
_POSTS_AND_STATUSES = select(SlackMessage).where(SlackMessage.record_id.in_(_CHOSEN),
                                                 SlackMessage.kind.in_((AGENCY_POST, SHARER_STATUS)))
_message = SlackMessage.__table__.c
_STATUSES = select(_message.id, _message.ts).where(
    _message.record_id.in_(_CHOSEN), _message.kind == SHARER_STATUS, _message.failed_at.is_(None))
_OUT_OF_DATE = update(SlackMessage.__table__).where(_message.id.in_(_CHOSEN)).values(
    version=_message.version + 1, pending=True)


class MessageContent:
    def __init__(self, *, partnership: Partnership, glossary: Glossary, digest: DigestContent | None = None,
                 languages: PersonLanguages | None = None) -> None:
        self.languages = languages
        self.partnership = partnership
        self.glossary = glossary
        self.digest = digest  # the weekly digest's text and chart (bot/reports/digest.py)
        # A record goes to several agencies at once, each post naming the same terms: find them once.
        self._terms_in = functools.lru_cache(maxsize=256)(glossary.terms_in)

    @contextmanager
    def loaded(self, session: Session, record_ids: Iterable[int], *, content: bool = True) -> Iterator[None]:
        """Load these records' agency posts and status messages in one query, and with content=True the records,
        shares, outcomes and revisions their messages are made from in four more; hold it all while they are
        rendered (the session keeps only what someone holds)."""
        ids = set(record_ids)
        chosen = {"ids": list(ids)}
        records = list(session.scalars(_RECORDS, chosen)) if content else []
        for relation, statement in _RELATIONS if content else ():
            # Plain queries, set as loaded: about a third cheaper than selectinload's machinery.
            rows: dict[int, list] = {record.id: [] for record in records}
            for row in session.scalars(statement, chosen):
                rows[row.record_id].append(row)
            for record in records:
                set_committed_value(record, relation, rows[record.id])
        posts: dict[int, list[SlackMessage]] = {record_id: [] for record_id in ids}
        statuses: dict[int, SlackMessage] = {}
        for message in session.scalars(_POSTS_AND_STATUSES, chosen):
            if message.kind == AGENCY_POST:
                posts[message.record_id].append(message)  # type: ignore[index]
            else:
                statuses[message.record_id] = message  # type: ignore[index]
        session.info[POSTS], session.info[STATUSES] = posts, statuses
        try:
            yield
        finally:
            del records, session.info[POSTS], session.info[STATUSES]

    def ready(self, session: Session, message: SlackMessage) -> bool:
        if message.kind == DIGEST_CHART:
            # After the digest's text, in the same channel; with it, if that failed for good (it fails the same way).
            digest = session.get(SlackMessage, message.subject_id)
            return digest is None or digest.ts is not None or digest.failed_at is not None \
                or digest.cancelled_at is not None
        if message.kind == SHARER_STATUS:
            # Wait until every agency's post has been tried once, so the first status is already useful.
            return not any(m.attempts == 0 for m in self._posts(session, message.record_id))
        if message.parent_id is not None:
            parent = session.get(SlackMessage, message.parent_id)
            if message.kind == NOTE_TO_SHARER and parent is not None and parent.failed_at is not None:
                return True  # the status message never reached the sharer: the note goes on its own
            return parent is not None and parent.ts is not None
        return True

    def wanted(self, session: Session, message: SlackMessage) -> bool:
        """Reminders for what has since been done are never sent, nor anything about a removed record."""
        record = session.get(Record, message.record_id) if message.record_id else None
        if record is not None and record.purged_at is not None:
            return message.ts is not None
        if message.kind in CHASERS:
            share = self._share(session, message)
            return share is not None and share.acknowledged_at is None
        if message.kind == OUTCOME_REQUEST and message.ts is None:
            record = session.get(Record, message.record_id)
            return record is not None and not sharer_outcomes(record)  # agencies' results leave it owed
        if message.kind == CHALLENGE_REMINDER:
            challenge = session.get(Challenge, message.subject_id)
            return challenge is not None and challenge.state == "open"
        return True

    def render(self, session: Session, message: SlackMessage) -> Rendered:
        """In the reader's language: a person's own, an agency channel's, or the partnership's for its others."""
        with using(self._voice(message)):
            return self._render(session, message)

    def _voice(self, message: SlackMessage) -> Voice:
        if self.languages is None:
            return voice_for(self.partnership, self.partnership.languages.default)
        if message.target[:1] in ("U", "W"):
            return self.languages.voice_of(message.target)
        if message.agency_key and message.kind not in (DIGEST, DIGEST_CHART):
            return self.languages.channel_voice(message.agency_key)
        return voice_for(self.partnership, self.partnership.languages.channel_default)

    def _render(self, session: Session, message: SlackMessage) -> Rendered:
        if message.kind in (DIGEST, DIGEST_CHART):
            assert self.digest is not None, f"message {message.id} is a digest, and no digest content was given"
            return self.digest.render(message)
        record = session.get(Record, message.record_id)
        assert record is not None, f"message {message.id} has no record"
        name = agency_name(self.partnership, message.agency_key or "")
        if record.purged_at is not None:
            return Rendered(*tombstone(record))
        if message.kind == DELIVERY_PROBLEM:
            failed = session.get(SlackMessage, message.subject_id)
            assert failed is not None
            return Rendered(*delivery_problem(record, failed.id, name, failed.target, fix_for(failed.last_error),
                                              fixed=failed.failed_at is None))
        if message.kind == EMAIL_PROBLEM:
            email = session.get(EmailMessage, message.subject_id)
            assert email is not None
            return Rendered(*email_problem(record, name, email.address, email.last_error or "", copy=email.kind == COPY))
        if message.kind == AGENCY_POST:
            share = self._share(session, message)
            assert share is not None
            return Rendered(*agency_post(record, share, self.partnership, self.terms(record)))
        if message.kind == SHARER_STATUS:
            return Rendered(*sharer_status(record, self.deliveries(session, record),
                                           email_copy=self.partnership.email is not None))
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
            shared_with = [agency_name(self.partnership, share.agency_key) for share in record.shares]
            told = [agency_name(self.partnership, key)
                    for key in dict.fromkeys(result.agency_key or "" for result in agency_results(record))]
            return Rendered(*outcome_request(record, shared_with, told))
        if message.kind == NOTE_TO_SHARER:
            share = self._share(session, message)
            assert share is not None
            return Rendered(*note_to_sharer(record, share, name))
        if message.kind in (OUTCOME_REPLY, OUTCOME_TO_SHARER):
            outcome = session.get(Outcome, message.outcome_id)
            assert outcome is not None
            reporter = agency_name(self.partnership, outcome.agency_key) if outcome.agency_key else None
            return Rendered(*outcome_message(record, outcome, reporter))
        if message.kind in (CHALLENGE_REPLY, CHALLENGE_TO_SHARER, CHALLENGE_CLOSED_REPLY, CHALLENGE_ESCALATION,
                            CHALLENGE_REMINDER):
            challenge = session.get(Challenge, message.subject_id)
            assert challenge is not None
            raised_for = agency_name(self.partnership, challenge.agency_key)
            if message.kind == CHALLENGE_CLOSED_REPLY:
                return Rendered(*closed_message(record, challenge))
            if message.kind == CHALLENGE_ESCALATION:
                post = self._post(session, message)
                return Rendered(*escalation_message(record, challenge, raised_for, post.permalink if post else None))
            if message.kind == CHALLENGE_REMINDER:
                return Rendered(*challenge_reminder(record, challenge, raised_for))
            return Rendered(*challenge_message(record, challenge, raised_for,
                                               for_sharer=message.kind == CHALLENGE_TO_SHARER))
        if message.kind in (RESPONSE_REPLY, RESPONSE_TO_CHALLENGER):
            response = session.get(ChallengeResponse, message.subject_id)
            assert response is not None
            revision = session.scalar(select(Revision).where(Revision.submission_key == f"revision:{response.submission_key}"))
            return Rendered(*response_message(record, response.challenge, response, revision,
                                              for_challenger=message.kind == RESPONSE_TO_CHALLENGER))
        if message.kind == AMENDMENT_REPLY:
            revision = session.get(Revision, message.subject_id)
            assert revision is not None
            return Rendered(*amendment_message(record, revision))
        raise ValueError(f"no content for messages of kind {message.kind!r}")

    def terms(self, record: Record) -> list:
        outcomes = [text for o in record.outcomes for text in (o.what_happened, o.what_changed)]
        return self._terms_in(record.summary, record.actions, record.purpose_detail, record.requested_action,
                                      record.risk_label, *outcomes)

    def _share(self, session: Session, message: SlackMessage) -> Share | None:
        record = session.get(Record, message.record_id)
        return next((s for s in record.shares if s.agency_key == message.agency_key), None) if record else None

    def _post(self, session: Session, message: SlackMessage) -> SlackMessage | None:
        return session.scalar(select(SlackMessage).where(SlackMessage.record_id == message.record_id,
                                                         SlackMessage.kind == AGENCY_POST,
                                                         SlackMessage.agency_key == message.agency_key))

    def after_attempt(self, session: Session, message: SlackMessage, owe: Owe, *, delivery_changed: bool) -> list[int]:
        """A post was delivered, delayed or refused: the sharer's status message must say so, and admins must
        hear of a refusal. (An update of a post already out changes nothing the sharer sees.)"""
        if message.kind != AGENCY_POST or not delivery_changed:
            return []
        notices = [owe(session, kind=DELIVERY_PROBLEM, key=f"delivery-problem:{message.id}:{message.attempts}:{admin}",
                       target=admin, record_id=message.record_id, agency_key=message.agency_key, subject_id=message.id)
                   for admin in self.partnership.admins] if message.failed_at is not None else []
        statuses = session.info.get(STATUSES, {})
        status = statuses.get(message.record_id) if message.record_id in session.info.get(POSTS, {}) else \
            session.scalar(select(SlackMessage).where(SlackMessage.record_id == message.record_id,
                                                      SlackMessage.kind == SHARER_STATUS))
        if status is None or status.failed_at is not None:
            return notices
        if status.ts is not None:
            status.version += 1
            status.pending = True
        return [*notices, status.id]

    def after_first_posts(self, connection: Connection, record_ids: set[int]) -> list[int]:
        """These records' first agency posts went out: their sharers' status messages must say so."""
        if not record_ids:
            return []
        statuses = connection.execute(_STATUSES, {"ids": list(record_ids)}).all()
        out_of_date = [status.id for status in statuses if status.ts is not None]
        if out_of_date:
            connection.execute(_OUT_OF_DATE, {"ids": out_of_date})
        return [status.id for status in statuses]

    def deliveries(self, session: Session, record: Record) -> list[Delivery]:
        posts = {m.agency_key: m for m in self._posts(session, record.id)}
        emails = {e.agency_key: e for e in session.scalars(select(EmailMessage).where(
            EmailMessage.record_id == record.id, EmailMessage.kind == RECORD))} if self.partnership.email else {}
        links = [i for share in record.shares if (i := link_id_of(share.acknowledged_by or "")) is not None]
        by_link = dict(session.execute(select(EmailLink.id, EmailLink.address).where(EmailLink.id.in_(links))).all()
                       ) if links else {}
        result = []
        for share in record.shares:
            post, email = posts.get(share.agency_key), emails.get(share.agency_key)
            agency = self.partnership.agency(share.agency_key)
            link = link_id_of(share.acknowledged_by or "")
            result.append(Delivery(
                in_slack=post is not None or (agency is not None and agency.channel is not None),
                email=email.address if email else None,
                email_state=email.state if email else None,
                acknowledged_as=_("{address} (by email link)", address=by_link.get(link) or _("someone"))
                if link is not None else None,
                agency_name=agency_name(self.partnership, share.agency_key),
                state=post.state if post else "pending",
                attempts=post.attempts if post else 0,
                permalink=post.permalink if post else None,
                problem=fix_for(post.last_error) if post and post.failed_at else None,
                acknowledged_by=share.acknowledged_by,
                acknowledged_at=share.acknowledged_at,
                note=share.acknowledgement_note,
                result=next((o.what_happened for o in reversed(agency_results(record, share.agency_key))), None),
            ))
        return result

    def _posts(self, session: Session, record_id: int | None) -> list[SlackMessage]:
        loaded = session.info.get(POSTS, {})
        if record_id in loaded:
            return loaded[record_id]
        return list(session.scalars(select(SlackMessage).where(SlackMessage.record_id == record_id,
                                                               SlackMessage.kind == AGENCY_POST)))
