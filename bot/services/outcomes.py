"""Closing the two loops (see bot/blocks/outcome.py).

A receiving agency's result (a subject with an agency) goes to the sharer, by direct message and on their status
message, and to that agency's thread. The sharer's outcome for the child (a subject without one) goes to every
agency that received the record, and only it stops the sharer being asked for it.
"""
from __future__ import annotations


from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.blocks.limits import require_fit, too_long
from bot.blocks.outcome import NEXT_STEPS, OutcomeForm
from bot.domain.clock import Clock
from bot.services.acts import Done, Result, Subject
from bot.i18n import _
from bot.services.audit import Act, Surface, audit
from bot.domain.config import Partnership
from bot.services.content import AGENCY_POST, OUTCOME_REPLY, OUTCOME_REQUEST, OUTCOME_TO_SHARER, SHARER_STATUS
from bot.services.directory import Directory
from bot.services.minimisation import identifier_problems
from bot.services.outbox import Outbox
from bot.services.records import load_record
from bot.blocks.ids import Field
from storage.db import Database
from storage.models import Outcome, Record, Share, SlackMessage


class OutcomeService:
    def __init__(self, *, db: Database, partnership: Partnership, directory: Directory, clock: Clock,
                 outbox: Outbox) -> None:
        self.db = db
        self.partnership = partnership
        self.directory = directory
        self.clock = clock
        self.outbox = outbox

    def may_report(self, user_id: str, record: Record, agency_key: str | None) -> bool:
        if agency_key is None:
            return user_id == record.sharer_id
        shared_with = any(share.agency_key == agency_key for share in record.shares)
        return shared_with and self.directory.is_member(user_id, agency_key)

    def record(self, subject: Subject) -> Record | None:
        return load_record(self.db, subject.record_id)

    def reportable(self, subject: Subject | None, user_id: str) -> Record | None:
        """The record, if this person may report on it for the subject; None alike when it does not exist and
        when they may not, so that a refusal never tells the two apart."""
        record = self.record(subject) if subject else None
        if record is None or subject is None or not self.may_report(user_id, record, subject.agency_key):
            return None
        return record

    def problems(self, form: OutcomeForm, subject: Subject | None) -> dict[str, str]:
        errors = self.identifiers(form, subject)
        errors |= too_long({Field.WHAT_HAPPENED: form.what_happened, Field.WHAT_CHANGED: form.what_changed,
                            Field.IDENTIFIERS_REASON: form.identifiers_reason})
        if not form.what_happened:
            errors[Field.WHAT_HAPPENED] = _("Say what happened after the information was shared.")
        if form.next_step not in NEXT_STEPS:
            errors[Field.NEXT_STEP] = _("Say whether anything more is needed.")
        return errors

    def identifiers(self, form: OutcomeForm, subject: Subject | None) -> dict[str, str]:
        record = self.record(subject) if subject else None
        found, _kinds = identifier_problems(
            {Field.WHAT_HAPPENED: form.what_happened, Field.WHAT_CHANGED: form.what_changed},
            reason=form.identifiers_reason, partnership=self.partnership,
            own_case_reference=record.case_reference if record else "",
            today=self.clock.now().astimezone(self.partnership.zone).date())
        return found

    def report(self, subject: Subject, user_id: str, form: OutcomeForm, *, submission_key: str,
               surface: Surface = Surface.FORM) -> Result:
        record = self.record(subject)
        if record is None:
            return Result(Done.NOT_FOUND)
        if not self.may_report(user_id, record, subject.agency_key):
            return Result(Done.NOT_ALLOWED, record.reference)
        require_fit((Outcome.submission_key, submission_key))
        try:
            return self._save(record, subject, user_id, form, submission_key, surface)
        except IntegrityError:
            if not self.db.first(_SUBMITTED, {"key": submission_key}):
                raise  # not a second copy of this form: the database refused something else, and nothing was saved
            return Result(Done.ALREADY, record.reference)  # this form was already submitted

    def _save(self, record: Record, subject: Subject, user_id: str, form: OutcomeForm, submission_key: str,
              surface: Surface = Surface.FORM) -> Result:
        with self.db.write() as session:
            if session.scalar(select(Outcome.id).where(Outcome.submission_key == submission_key)) is not None:
                return Result(Done.ALREADY, record.reference)
            outcome = Outcome(record_id=record.id, submission_key=submission_key, reported_by=user_id,
                              agency_key=subject.agency_key, reported_at=self.clock.now(),
                              what_happened=form.what_happened, what_changed=form.what_changed,
                              next_step=form.next_step, identifiers_reason=form.identifiers_reason or None)
            session.add(outcome)
            if subject.agency_key is None:  # the outcome for the child: nothing more to ask the sharer
                session.get(Record, record.id).outcome_request_at = None  # type: ignore[union-attr]
                # Its first report, kept for the partnership figures (the earliest, should two reports race).
                kept = Record.__table__.c
                session.execute(update(Record.__table__).where(kept.id == record.id, or_(
                    kept.first_outcome_at.is_(None), kept.first_outcome_at > outcome.reported_at))
                    .values(first_outcome_at=outcome.reported_at))
            else:  # the agency has told the sharer what it did: no longer due on its App Home
                session.execute(update(Share).where(Share.record_id == record.id,
                                                    Share.agency_key == subject.agency_key)
                                .values(result_due_since=None))
            session.flush()
            audit(session, at=outcome.reported_at, actor=user_id, act=Act.OUTCOME_REPORTED, surface=surface,
                  record_id=record.id, detail=f"for {subject.agency_key}" if subject.agency_key else "by the sharer")
            posts = {m.agency_key: m for m in session.scalars(select(SlackMessage).where(
                SlackMessage.record_id == record.id, SlackMessage.kind == AGENCY_POST))}
            ids = []
            # The outcome for the child goes to every agency's thread; an agency's result to its own.
            told = select(Share).where(Share.record_id == record.id)
            if subject.agency_key is not None:
                told = told.where(Share.agency_key == subject.agency_key)
            for share in session.scalars(told):
                agency, post = self.partnership.agency(share.agency_key), posts.get(share.agency_key)
                if agency and post and post.failed_at is None:
                    ids.append(self.outbox.add(session, kind=OUTCOME_REPLY, key=f"outcome:{outcome.id}:{agency.key}",
                                               target=agency.channel, record_id=record.id, agency_key=agency.key,
                                               parent_id=post.id, outcome_id=outcome.id))
            if user_id != record.sharer_id:
                ids.append(self.outbox.add(session, kind=OUTCOME_TO_SHARER, key=f"outcome-to-sharer:{outcome.id}",
                                           target=record.sharer_id, record_id=record.id,
                                           agency_key=subject.agency_key, outcome_id=outcome.id))
            posts_showing = SlackMessage.kind == AGENCY_POST
            if subject.agency_key is not None:  # an agency's result is shown on its own post only
                posts_showing = and_(posts_showing, SlackMessage.agency_key == subject.agency_key)
            shown_on = SlackMessage.kind.in_([SHARER_STATUS, OUTCOME_REQUEST]) | posts_showing
            ids += self.outbox.touch(session, SlackMessage.record_id == record.id, shown_on)
            return Result(Done.DONE, record.reference, ids)


_SUBMITTED = select(Outcome.__table__.c.id).where(Outcome.__table__.c.submission_key == bindparam("key"))
