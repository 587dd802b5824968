"""Anyone can question a record; every question gets an answer; every amendment reaches everyone.

Nobody's words are overwritten by someone else: a challenge and its answers are added beside the record,
and when the sharer revises their own record the earlier version is kept as a Revision.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.blocks.challenge import KINDS, AmendForm, ChallengeForm, ResponseForm
from bot.blocks.limits import require_fit, too_long
from bot.domain.clock import Clock
from bot.domain.config import Partnership
from bot.reports.workingtime import working_seconds
from bot.services.acts import Done, Result, Subject
from bot.i18n import _
from bot.services.audit import SYSTEM, Act, Surface, audit
from bot.services.content import (AGENCY_POST, AMENDMENT_REPLY, CHALLENGE_CLOSED_REPLY, CHALLENGE_ESCALATION,
                                  CHALLENGE_REMINDER, CHALLENGE_REPLY, CHALLENGE_TO_SHARER, RESPONSE_REPLY,
                                  RESPONSE_TO_CHALLENGER, SHARER_STATUS)
from bot.services.directory import Directory
from bot.services.minimisation import identifier_problems
from bot.services.outbox import Outbox
from bot.services.records import load_record
from bot.domain.workcalendar import WorkingCalendar
from bot.blocks.ids import Field
from storage.db import Database
from storage.models import Challenge, ChallengeResponse, Record, Revision, Share, SlackMessage


class ChallengeService:
    def __init__(self, *, db: Database, partnership: Partnership, directory: Directory, clock: Clock,
                 outbox: Outbox, calendar: WorkingCalendar, email: Any = None) -> None:
        self.email = email  # the email outbox (bot/email/outbox.py): an amendment reaches emailed agencies too
        self.db = db
        self.partnership = partnership
        self.directory = directory
        self.clock = clock
        self.outbox = outbox
        self.calendar = calendar

    # --- who may do what -------------------------------------------------------------------------

    def record(self, record_id: int) -> Record | None:
        return load_record(self.db, record_id)

    def challenge(self, challenge_id: int) -> tuple[Challenge, Record] | None:
        with self.db.read() as session:
            challenge = session.get(Challenge, challenge_id)
            if challenge is None:
                return None
            challenge.record.shares
            return challenge, challenge.record

    def may_raise(self, user_id: str, record: Record, agency_key: str | None) -> bool:
        received = any(share.agency_key == agency_key for share in record.shares)
        return bool(agency_key) and received and self.directory.is_member(user_id, agency_key or "")

    def may_respond(self, user_id: str, record: Record) -> bool:
        return user_id == record.sharer_id or any(self.directory.is_member(user_id, s.agency_key) for s in record.shares)

    # Each of these is None alike when the record or challenge does not exist and when this person may not act
    # on it, so that a refusal never tells the two apart.

    def raisable(self, subject: Subject | None, user_id: str) -> Record | None:
        record = self.record(subject.record_id) if subject else None
        if record is None or subject is None or not self.may_raise(user_id, record, subject.agency_key):
            return None
        return record

    def answerable(self, challenge_id: int | None, user_id: str) -> tuple[Challenge, Record] | None:
        found = self.challenge(challenge_id) if challenge_id else None
        return found if found is not None and self.may_respond(user_id, found[1]) else None

    def amendable(self, record_id: int | None, user_id: str) -> Record | None:
        record = self.record(record_id) if record_id else None
        return record if record is not None and record.sharer_id == user_id else None

    # --- validation --------------------------------------------------------------------------------

    def challenge_problems(self, form: ChallengeForm, record_id: int | None) -> dict[str, str]:
        errors = self._identifiers({Field.CHALLENGE_TEXT: form.text}, form.identifiers_reason, record_id)
        errors |= too_long({Field.CHALLENGE_TEXT: form.text, Field.IDENTIFIERS_REASON: form.identifiers_reason})
        if form.kind not in KINDS:
            errors[Field.CHALLENGE_KIND] = _("Say whether this is a question or a challenge, and of what.")
        if not form.text:
            errors[Field.CHALLENGE_TEXT] = _("Write your question or challenge.")
        if form.kind == "risk_level" and not self.partnership.risk_level(form.proposed_risk_key or ""):
            errors[Field.PROPOSED_RISK] = _("Choose the risk level you think fits, by its definition.")
        return errors

    def response_problems(self, form: ResponseForm) -> dict[str, str]:
        if not form.text:
            return {Field.RESPONSE_TEXT: _("Write your answer.")}
        if overlong := too_long({Field.RESPONSE_TEXT: form.text}):
            return overlong
        if form.revised_risk_key and not self.partnership.risk_level(form.revised_risk_key):
            return {Field.REVISED_RISK: _("That risk level is no longer configured. Choose again.")}
        return {}

    def amend_problems(self, form: AmendForm, record_id: int | None) -> dict[str, str]:
        errors = self._identifiers({Field.SUMMARY: form.summary, Field.ACTIONS: form.actions},
                                   form.identifiers_reason, record_id)
        errors |= too_long({Field.SUMMARY: form.summary, Field.ACTIONS: form.actions, Field.AMEND_REASON: form.reason,
                            Field.IDENTIFIERS_REASON: form.identifiers_reason})
        if not form.summary:
            errors[Field.SUMMARY] = _("The summary cannot be empty.")
        if not form.reason:
            errors[Field.AMEND_REASON] = _("Say why you are amending the record: every agency will be told.")
        return errors

    def _identifiers(self, texts: dict[str, str], reason: str, record_id: int | None) -> dict[str, str]:
        record = self.record(record_id) if record_id else None
        found, _kinds = identifier_problems(texts, reason=reason, partnership=self.partnership,
                                       own_case_reference=record.case_reference if record else "",
                                       today=self.clock.now().astimezone(self.partnership.zone).date())
        return found

    # --- acts --------------------------------------------------------------------------------------

    def raise_challenge(self, subject: Subject, user_id: str, form: ChallengeForm, *, submission_key: str,
                        surface: Surface = Surface.FORM) -> Result:
        record = self.record(subject.record_id)
        if record is None:
            return Result(Done.NOT_FOUND)
        if not self.may_raise(user_id, record, subject.agency_key):
            return Result(Done.NOT_ALLOWED, record.reference)
        require_fit((Challenge.submission_key, submission_key))
        now = self.clock.now()
        proposed = self.partnership.risk_level(form.proposed_risk_key or "") if form.kind == "risk_level" else None
        try:
            with self.db.write() as session:
                challenge = Challenge(
                    record_id=record.id, submission_key=submission_key, raised_by=user_id,
                    agency_key=subject.agency_key or "", raised_at=now, kind=form.kind or "other", text=form.text,
                    proposed_risk_label=proposed.label if proposed else None, state="open",
                    identifiers_reason=form.identifiers_reason or None,
                    next_reminder_at=self.calendar.add_working_hours(
                        now, self.partnership.reminders.acknowledge_within_working_hours, self.partnership.zone))
                session.add(challenge)
                session.flush()
                _opened(session, record.id, +1)
                audit(session, at=now, actor=user_id, act=Act.CHALLENGED, surface=surface, record_id=record.id,
                      detail=f"{challenge.kind}, for {subject.agency_key} (challenge {challenge.id})")
                ids = self._to_threads(session, record.id, CHALLENGE_REPLY, f"challenge:{challenge.id}", challenge.id)
                ids.append(self.outbox.add(session, kind=CHALLENGE_TO_SHARER, key=f"challenge-to-sharer:{challenge.id}",
                                           target=record.sharer_id, record_id=record.id,
                                           agency_key=subject.agency_key, subject_id=challenge.id))
        except IntegrityError:
            if not self._stored(Challenge.submission_key, submission_key):
                raise
            return Result(Done.ALREADY, record.reference)  # this form was already submitted
        return Result(Done.DONE, record.reference, ids)

    def respond(self, challenge_id: int, user_id: str, form: ResponseForm, *, submission_key: str) -> Result:
        found = self.challenge(challenge_id)
        if found is None:
            return Result(Done.NOT_FOUND)
        challenge, record = found
        if not self.may_respond(user_id, record):
            return Result(Done.NOT_ALLOWED, record.reference)
        require_fit((ChallengeResponse.submission_key, submission_key),
                    (Revision.submission_key, revision_key(submission_key)))
        now = self.clock.now()
        new_level = self.partnership.risk_level(form.revised_risk_key or "") if user_id == record.sharer_id else None
        try:
            with self.db.write() as session:
                response = ChallengeResponse(challenge_id=challenge.id, submission_key=submission_key,
                                             responded_by=user_id, responded_at=now, text=form.text)
                session.add(response)
                if session.execute(update(Challenge).where(Challenge.id == challenge.id, Challenge.state == "open")
                                   .values(state="answered", next_reminder_at=None)).rowcount == 1:  # type: ignore[attr-defined]
                    _opened(session, record.id, -1)
                session.flush()
                # The first answer's working time, kept for the partnership figures.
                session.execute(update(Challenge).where(
                    Challenge.id == challenge.id, Challenge.working_seconds_to_answer.is_(None),
                    ~exists().where(ChallengeResponse.challenge_id == challenge.id, ChallengeResponse.id != response.id))
                    .values(working_seconds_to_answer=working_seconds(challenge.raised_at, now, self.calendar,
                                                                      self.partnership.zone)))
                audit(session, at=now, actor=user_id, act=Act.RESPONDED, surface=Surface.FORM, record_id=record.id,
                      detail=f"challenge {challenge.id}")
                ids: list[int] = []
                if new_level is not None and new_level.key != record.risk_key:
                    ids += self._revise(session, record.id, user_id, now, submission_key, "risk level", form.text,
                                        {"risk_key": new_level.key, "risk_label": new_level.label,
                                         "risk_definition": new_level.definition}, challenge.id)
                ids += self._to_threads(session, record.id, RESPONSE_REPLY, f"response:{response.id}", response.id)
                if challenge.raised_by != user_id:
                    ids.append(self.outbox.add(session, kind=RESPONSE_TO_CHALLENGER, key=f"response-to:{response.id}",
                                               target=challenge.raised_by, record_id=record.id,
                                               agency_key=challenge.agency_key, subject_id=response.id))
        except IntegrityError:
            if not self._stored(ChallengeResponse.submission_key, submission_key):
                raise
            return Result(Done.ALREADY, record.reference)
        return Result(Done.DONE, record.reference, ids)

    def close(self, challenge_id: int, user_id: str, state: str) -> Result:
        """The challenger marks it resolved, or escalates it to the leads of every agency involved."""
        found = self.challenge(challenge_id)
        if found is None:
            return Result(Done.NOT_FOUND)
        challenge, record = found
        if user_id != challenge.raised_by:
            return Result(Done.NOT_ALLOWED, record.reference)
        now = self.clock.now()
        with self.db.write() as session:
            # An open one first, so the open count on its record's posts is kept; then an answered one.
            changed = False
            for was in ("open", "answered"):
                changed = session.execute(update(Challenge).where(Challenge.id == challenge_id, Challenge.state == was)
                                          .values(state=state, closed_at=now, next_reminder_at=None)).rowcount == 1  # type: ignore[attr-defined]
                if changed:
                    if was == "open":
                        _opened(session, record.id, -1)
                    break
            if not changed:
                return Result(Done.ALREADY, record.reference)
            audit(session, at=now, actor=user_id, act=Act.ESCALATED if state == "escalated" else Act.RESOLVED,
                  surface=Surface.BUTTON, record_id=record.id, detail=f"challenge {challenge_id}")
            ids = self._to_threads(session, record.id, CHALLENGE_CLOSED_REPLY, f"closed:{challenge_id}", challenge_id)
            # The question in each thread loses its Respond button.
            ids += self.outbox.touch(session, SlackMessage.record_id == record.id,
                                     SlackMessage.kind == CHALLENGE_REPLY, SlackMessage.subject_id == challenge_id)
            if state == "escalated":
                agencies = {record.sharer_agency, *(s.agency_key for s in record.shares)}
                leads = {lead for key in agencies if (a := self.partnership.agency(key)) for lead in a.leads}
                ids += [self.outbox.add(session, kind=CHALLENGE_ESCALATION, key=f"challenge-escalation:{challenge_id}:{lead}",
                                        target=lead, record_id=record.id, agency_key=challenge.agency_key,
                                        subject_id=challenge_id) for lead in sorted(leads)]
        return Result(Done.DONE, record.reference, ids)

    def amend(self, record_id: int, user_id: str, form: AmendForm, *, submission_key: str) -> Result:
        record = self.record(record_id)
        if record is None:
            return Result(Done.NOT_FOUND)
        if user_id != record.sharer_id:
            return Result(Done.NOT_ALLOWED, record.reference)
        require_fit((Revision.submission_key, revision_key(submission_key)))
        now = self.clock.now()
        try:
            with self.db.write() as session:
                changes = {"summary": form.summary, "actions": form.actions}
                if form.identifiers_reason:
                    changes["identifiers_reason"] = form.identifiers_reason
                ids = self._revise(session, record.id, user_id, now, submission_key, "amendment", form.reason,
                                   changes, None)
                revision = session.scalar(select(Revision.id).where(
                    Revision.submission_key == revision_key(submission_key)))
                emails = self.email.owe_amendment(session, record.id, revision) if self.email and revision else []
        except IntegrityError:
            if not self._stored(Revision.submission_key, revision_key(submission_key)):
                raise
            return Result(Done.ALREADY, record.reference)
        if self.email is not None:
            self.email.deliver_soon(emails)
        return Result(Done.DONE, record.reference, ids)

    def remind(self) -> int:
        """Chase unanswered challenges, like overdue acknowledgements: working hours, bounded, once each."""
        now = self.clock.now()
        with self.db.read() as session:
            due = session.execute(select(Challenge.id, Challenge.reminders_sent, Record.sharer_id)
                                  .join(Record, Challenge.record_id == Record.id)
                                  .where(Challenge.next_reminder_at <= now).limit(500)).all()
        sent = 0
        for challenge_id, seen, sharer in due:
            zone = self._zone(sharer)
            if not self.calendar.is_working_time(now, zone):
                with self.db.write() as session:
                    session.execute(update(Challenge).where(Challenge.id == challenge_id)
                                    .values(next_reminder_at=self.calendar.next_working_time(now, zone)))
                continue
            number = seen + 1
            following = None if number >= self.partnership.reminders.max_reminders else \
                self.calendar.add_working_hours(now, self.partnership.reminders.escalate_after_working_hours,
                                                self.partnership.zone)
            with self.db.write() as session:
                claimed = session.execute(
                    update(Challenge).where(Challenge.id == challenge_id, Challenge.reminders_sent == seen,
                                            Challenge.state == "open", Challenge.next_reminder_at <= now)
                    .values(reminders_sent=number, next_reminder_at=following)).rowcount == 1  # type: ignore[attr-defined]
                if not claimed:
                    continue
                challenge = session.get(Challenge, challenge_id)
                assert challenge is not None
                audit(session, at=now, actor=SYSTEM, act=Act.REMINDED, surface=Surface.SWEEP,
                      record_id=challenge.record_id, detail=f"challenge {challenge_id} unanswered, reminder {number}")
                self.outbox.add(session, kind=CHALLENGE_REMINDER, key=f"challenge-reminder:{challenge_id}:{number}",
                                target=sharer, record_id=challenge.record_id, agency_key=challenge.agency_key,
                                subject_id=challenge_id)
            sent += 1
        return sent

    # --- shared steps ------------------------------------------------------------------------------

    def _stored(self, column: Any, submission_key: str) -> bool:
        """Whether this submission is stored already. An IntegrityError is the same form sent twice only if it is:
        otherwise the database refused something else, nothing was saved, and it must not be answered as done."""
        return self.db.first(select(column).where(column == submission_key), {}) is not None

    def _zone(self, user_id: str):  # type: ignore[no-untyped-def]
        from zoneinfo import ZoneInfo

        name = self.directory.person(user_id).tz
        try:
            return ZoneInfo(name) if name else self.partnership.zone
        except (ValueError, KeyError):
            return self.partnership.zone

    def _to_threads(self, session: Session, record_id: int, kind: str, key: str, subject_id: int) -> list[int]:
        """One reply in the record's thread in every agency channel that received it."""
        posts = session.scalars(select(SlackMessage).where(SlackMessage.record_id == record_id,
                                                           SlackMessage.kind == AGENCY_POST,
                                                           SlackMessage.failed_at.is_(None)))
        return [self.outbox.add(session, kind=kind, key=f"{key}:{post.agency_key}", target=post.target,
                                record_id=record_id, agency_key=post.agency_key, parent_id=post.id,
                                subject_id=subject_id) for post in posts]

    def _revise(self, session: Session, record_id: int, user_id: str, now: datetime, submission_key: str, kind: str,
                reason: str, changes: dict[str, str], challenge_id: int | None) -> list[int]:
        record = session.get(Record, record_id)
        assert record is not None
        previous = {name: getattr(record, name) for name in changes}
        for name, value in changes.items():
            setattr(record, name, value)
        revision = Revision(record_id=record_id, submission_key=revision_key(submission_key), kind=kind,
                            revised_by=user_id, revised_at=now, reason=reason, challenge_id=challenge_id,
                            previous=previous, current=dict(changes))
        session.add(revision)
        session.flush()
        audit(session, at=now, actor=user_id, act=Act.REVISED if kind == "risk level" else Act.AMENDED,
              surface=Surface.FORM, record_id=record_id, detail=f"revision {revision.id}")
        ids = self.outbox.touch(session, SlackMessage.record_id == record_id,
                                SlackMessage.kind.in_([AGENCY_POST, SHARER_STATUS]))
        if kind == "amendment":
            ids += self._to_threads(session, record_id, AMENDMENT_REPLY, f"amendment:{revision.id}", revision.id)
        return ids


def _opened(session: Session, record_id: int, by: int) -> None:
    """Keeps Share.open_challenges, the open challenges on each post's record, in the challenge's transaction: App
    Home's questions to answer read only the posts with some (ix_shares_challenged). Added to, not recounted, so
    concurrent changes on one record each count."""
    session.execute(update(Share).where(Share.record_id == record_id)
                    .values(open_challenges=Share.open_challenges + by))


def revision_key(submission_key: str) -> str:
    """A revision made by a form is stored once, under the form's submission."""
    return f"revision:{submission_key}"
