"""Recording a conversation: the rules a record must meet, and saving it with everything it owes Slack."""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Iterable, Protocol
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import bindparam, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.blocks.limits import longest, require_fit, too_long
from bot.blocks.record_answers import ACTION_REQUESTED, FIRST_HAND, REPORTED, FormDefaults, RecordForm, \
    INFORMATION_ONLY, conflicts
from bot.domain.clock import Clock
from bot.domain.config import Partnership
from bot.i18n import _, each_language, ours
from bot.services.audit import Act, Surface, audit
from bot.services.minimisation import identifier_problems
from bot.services.outbox import Outbox
from bot.services.reminders import first_reminder_at, start_of_working_day
from bot.domain.workcalendar import WorkingCalendar
from bot.blocks.ids import Field
from storage.db import Database, upserts
from storage.models import Record, SharerPreference, Share, format_reference

CLOCK_SKEW = timedelta(minutes=5)


class Emails(Protocol):
    """The email outbox (bot/email/outbox.py), as a record owes it."""

    def owe_for_record(self, connection: Connection, record_id: int, agency_keys: Iterable[str]) -> list[int]: ...
LONGEST_FOLLOW_UP = timedelta(days=366)


@dataclass(frozen=True)
class Saved:
    record_id: int
    reference: str
    agency_names: list[str]
    message_ids: list[int]
    email_ids: list[int] = dataclasses.field(default_factory=list)  # owed to agencies reached by email


def calendar_for(partnership: Partnership) -> WorkingCalendar:
    hours = partnership.working_hours
    return WorkingCalendar(start=hours.start, end=hours.end, workdays=frozenset(hours.days),
                           region=hours.holiday_region)


class RecordService:
    def __init__(self, *, db: Database, partnership: Partnership, clock: Clock, outbox: Outbox,
                 email: Emails | None = None) -> None:
        self.db = db
        self.partnership = partnership
        self.clock = clock
        self.outbox = outbox
        self.email = email  # None without an [email] table
        self.calendar = calendar_for(partnership)
        # Every form opened on a day offers the same follow-up date: work it out once a day.
        self._follow_up_after = functools.lru_cache(maxsize=4)(
            lambda today: self.calendar.add_working_days(today, partnership.follow_up_working_days))
        # Records about one meeting share a follow-up date, and so the moment their outcome is asked for.
        self._outcome_request_at = functools.lru_cache(maxsize=32)(
            lambda day: start_of_working_day(day, partnership, self.calendar))

    def warm(self) -> None:
        """Work out today's follow-up date now: the first time loads the bank holidays (about 0.1 s), which
        the first /record's trigger_id would otherwise wait for."""
        self._follow_up_after(self.clock.now().astimezone(self.partnership.zone).date())

    def form_defaults(self, user_id: str, case_reference: str = "") -> FormDefaults:
        now = self.clock.now()
        row = self.db.first(_REMEMBERED, {"user_id": user_id})
        remembered = row.agency_key if row and self.partnership.agency(row.agency_key) else None
        return FormDefaults(
            occurred_at=now,
            follow_up_on=self._follow_up_after(now.astimezone(self.partnership.zone).date()),
            case_reference=case_reference.strip()[:longest(Field.CASE_REFERENCE)],
            sharer_agency=remembered,
        )

    def problems(self, form: RecordForm) -> dict[str, str]:
        return self.check(form)[0]

    def check(self, form: RecordForm) -> tuple[dict[str, str], list[str]]:
        """Each problem keyed by the form field it belongs to, in plain words; and the kinds of identifier
        the text holds on purpose (with a reason), to be stored with the record."""
        p = self.partnership
        now = self.clock.now()
        today = now.astimezone(p.zone).date()
        errors: dict[str, str] = {}

        reference = normalise_case_reference(form.case_reference)
        if not reference:
            errors[Field.CASE_REFERENCE] = _("Enter the child's case reference, like {example}.",
                                             example=p.case_reference_example)
        elif overlong := too_long({Field.CASE_REFERENCE: reference}):  # as stored: without spaces, in capitals
            errors |= overlong
        elif not p.case_reference_regex.fullmatch(reference):
            errors[Field.CASE_REFERENCE] = _("“{typed}” doesn't look like a case reference. Use one like {example}, "
                                             "never the child's name.",
                                             typed=form.case_reference[:longest(Field.CASE_REFERENCE)],
                                             example=p.case_reference_example)
        occurred = _moment(form.occurred_at)
        if occurred is None:
            errors[Field.OCCURRED_AT] = _("Choose the date and time of the conversation.")
        elif occurred > now + CLOCK_SKEW:
            errors[Field.OCCURRED_AT] = _("That is in the future. Choose when the conversation took place.")
        if not p.agency(form.sharer_agency or ""):
            errors[Field.SHARER_AGENCY] = _("Choose your own agency.")
        errors |= self._sharing_problems(form)
        if form.source not in (FIRST_HAND, REPORTED):
            errors[Field.SOURCE] = _("Say whether you saw or heard this yourself, or it was reported to you.")
        if form.lawful_basis not in p.lawful_bases:
            errors[Field.LAWFUL_BASIS] = _("Choose the lawful basis or consent position.")
        if not form.summary:
            errors[Field.SUMMARY] = _("Write a summary of what was discussed.")
        risk = p.risk_level(form.risk_key or "")
        if not risk:
            errors[Field.RISK_LEVEL] = _("Choose the risk level whose definition fits.")
        elif risk.urgent and not form.urgent_confirmed:
            errors[Field.RISK_LEVEL] = each_language(lambda: _(
                "This level is urgent. {instructions}", instructions=ours(p.emergency_instructions)))[:2000]
            errors[Field.URGENT_CONFIRMED] = _("Tick this once you have followed the emergency instructions.")
        follow_up = _parse_date(form.follow_up_on)
        if follow_up is None:
            errors[Field.FOLLOW_UP_ON] = _("Choose a date to follow up on the outcome.")
        elif follow_up <= today:
            errors[Field.FOLLOW_UP_ON] = _("Choose a date after today.")
        elif follow_up > today + LONGEST_FOLLOW_UP:
            errors[Field.FOLLOW_UP_ON] = _("Choose a date within the next year.")
        found, kinds = self.identifiers(form)
        for field, message in {**found, **too_long(texts(form))}.items():
            errors.setdefault(field, message)
        return errors, kinds

    def _sharing_problems(self, form: RecordForm) -> dict[str, str]:
        """With whom, why and asking what: or, recorded only, why not. Contradicting answers are asked about."""
        p = self.partnership
        errors: dict[str, str] = dict(conflicts(form))
        sharing = bool(form.share_with) and not form.record_only
        if any(not p.agency(k) for k in form.share_with):
            errors[Field.SHARE_WITH] = _("One of these agencies is no longer configured. Choose again.")
        elif not form.share_with and not form.record_only:
            errors[Field.SHARE_WITH] = _("Choose the agencies to share with, or “Nobody: record only” to keep it "
                                         "unshared.")
        if form.record_only and not form.share_with and not form.not_shared_reason:
            errors[Field.NOT_SHARED_REASON] = _("Say why you are not sharing: the guidance asks for the reason, "
                                                "whether you share or not.")
        if any(purpose not in p.purposes for purpose in form.purposes):
            errors[Field.PURPOSES] = _("One of these purposes is no longer configured. Choose again.")
        elif sharing and not form.purposes and not form.other_purpose and not form.purpose_detail:
            errors[Field.PURPOSES] = _("Say why you are sharing: choose a purpose, or “Another reason” and write "
                                       "it.")
        if sharing and form.other_purpose and not form.purpose_detail:
            errors[Field.PURPOSE_DETAIL] = _("Write the reason in your own words, or take “Another reason” off the "
                                             "list.")
        if sharing and form.request not in (INFORMATION_ONLY, ACTION_REQUESTED):
            errors[Field.REQUEST] = _("Say what each agency is asked to do.")
        elif sharing and form.request == ACTION_REQUESTED and not form.requested_action:
            errors[Field.REQUESTED_ACTION] = _("Describe the action you are asking for.")
        return errors

    def reopened(self, user_id: str, metadata: object) -> FormDefaults:
        """The defaults a form was opened with, kept in its private_metadata; a form without them (damaged, or
        older than them) gets today's, as if opened now."""
        return FormDefaults.from_metadata(metadata, self.partnership) or self.form_defaults(user_id)

    def findings(self, form: RecordForm) -> dict[str, str]:
        """Each text field's identifiers, described, whether or not a reason is given: the form shows them above
        the box for the reason."""
        found, _ = self.identifiers(dataclasses.replace(form, identifiers_reason=""))
        return {field: text for field, text in found.items() if field != Field.IDENTIFIERS_REASON}

    def identifiers(self, form: RecordForm) -> tuple[dict[str, str], list[str]]:
        return identifier_problems(
            {field: text for field, text in texts(form).items() if field != Field.IDENTIFIERS_REASON},
            reason=form.identifiers_reason, partnership=self.partnership,
            own_case_reference=normalise_case_reference(form.case_reference),
            today=self.clock.now().astimezone(self.partnership.zone).date())

    def save(self, form: RecordForm, *, user_id: str, submission_key: str,
             identifiers_found: list[str] | None = None, offered_agency: str | None = None) -> Saved:
        """Store a valid record once per submission, with every post and message it owes; and remember the
        sharer's agency for their next form, unless it is the one the form already offered."""
        require_fit((Record.submission_key, submission_key), (Record.sharer_id, user_id))
        try:
            return self._save(form, user_id=user_id, submission_key=submission_key,
                              identifiers_found=identifiers_found or [],
                              remember=form.sharer_agency != offered_agency)
        except IntegrityError:
            # Another request saved this submission first; answer with what it saved.
            existing = self.saved_for(submission_key)
            if existing is None:
                raise
            return existing

    def saved_for(self, submission_key: str) -> Saved | None:
        with self.db.read() as session:
            record = session.scalar(select(Record).where(Record.submission_key == submission_key))
            return self._saved(record, []) if record else None

    def _save(self, form: RecordForm, *, user_id: str, submission_key: str, identifiers_found: list[str],
              remember: bool) -> Saved:
        p = self.partnership
        risk = p.risk_level(form.risk_key or "")
        assert risk is not None
        now = self.clock.now()
        agencies = list(dict.fromkeys(form.share_with))
        follow_up_on = _parse_date(form.follow_up_on) or now.date()
        # Core inserts on the table: a record is written once and never read back here, so the ORM's unit of
        # work would only cost time on the ack path. A second save of the same submission fails on its unique
        # key, and save() answers with the first.
        with self.db.write_core() as connection:
            record_id = connection.scalar(_INSERT_RECORD, dict(
                submission_key=submission_key,
                case_reference=normalise_case_reference(form.case_reference),
                occurred_at=_moment(form.occurred_at) or now,  # a form read without its defaults: now
                created_at=now,
                last_activity_at=now,
                sharer_id=user_id,
                sharer_agency=form.sharer_agency or "",
                participants=list(dict.fromkeys(form.participants)),
                others_present=form.others_present,
                purposes=list(form.purposes),
                purpose_detail=form.purpose_detail,
                requested_action=form.requested_action if form.request == ACTION_REQUESTED else "",
                first_hand=form.source == FIRST_HAND,
                lawful_basis=form.lawful_basis or "",
                summary=form.summary,
                risk_key=risk.key,
                risk_label=risk.label,
                risk_definition=risk.definition,
                actions=form.actions,
                follow_up_on=follow_up_on,
                not_shared_reason=None if agencies else form.not_shared_reason,
                identifiers_found=identifiers_found,
                identifiers_reason=form.identifiers_reason or None,
                outcome_request_at=self._outcome_request_at(follow_up_on) if agencies else None,
                outcome_requests_sent=0,
            ))
            assert record_id is not None
            if agencies:
                reminder_at = first_reminder_at(now, p, self.calendar)
                connection.execute(_INSERT_SHARE, [dict(record_id=record_id, agency_key=key, next_reminder_at=reminder_at,
                                                     reminders_sent=0) for key in agencies])
            message_ids = self.outbox.add_new(connection, [
                *(dict(kind="agency_post", key=f"post:{record_id}:{key}", target=channel, record_id=record_id,
                       agency_key=key) for key in agencies if (channel := p.agency(key).channel)),  # type: ignore[union-attr]
                dict(kind="sharer_status", key=f"status:{record_id}", target=user_id, record_id=record_id)])
            # Agencies not in Slack, or in it with a team inbox too: an email each, owed in the same transaction.
            email_ids = self.email.owe_for_record(connection, record_id, agencies) if self.email else []
            audit(connection, at=now, actor=user_id, act=Act.CREATED, surface=Surface.FORM, record_id=record_id,
                  detail=f"shared with {', '.join(agencies)}" if agencies else "recorded only, not shared")
            if remember:
                remember_agency(connection, user_id, form.sharer_agency or "")
        return Saved(record_id=record_id, reference=format_reference(record_id),
                     agency_names=[a.name for key in agencies if (a := p.agency(key))], message_ids=message_ids,
                     email_ids=email_ids)

    def _saved(self, record: Record, message_ids: list[int]) -> Saved:
        names = [agency.name for share in record.shares if (agency := self.partnership.agency(share.agency_key))]
        return Saved(record_id=record.id, reference=record.reference, agency_names=names, message_ids=message_ids)


def remember_agency(connection: Connection, user_id: str, agency_key: str) -> None:
    """Insert or update in one statement: two records saved at once by one person must not collide."""
    connection.execute(_REMEMBER[connection.dialect.name], {"user_id": user_id, "agency_key": agency_key})


_REMEMBERED = select(SharerPreference.__table__.c.agency_key).where(
    SharerPreference.__table__.c.user_id == bindparam("user_id"))
_INSERT_RECORD = insert(Record.__table__).returning(Record.__table__.c.id)
_INSERT_SHARE = insert(Share.__table__)
_REMEMBER = upserts(SharerPreference.__table__)


def load_record(db: Database, record_id: int) -> Record | None:
    """A record with its shares loaded, for access checks made outside the session."""
    with db.read() as session:
        record = session.get(Record, record_id)
        if record is not None:
            record.shares
        return record


def follow_up_default(partnership: Partnership, now: datetime) -> date:
    today = now.astimezone(partnership.zone).date()
    return calendar_for(partnership).add_working_days(today, partnership.follow_up_working_days)


def texts(form: RecordForm) -> dict[Field, str]:
    """The form's free text, by field: each is checked for length and for identifiers before anything is saved."""
    return {Field.SUMMARY: form.summary, Field.ACTIONS: form.actions, Field.OTHERS_PRESENT: form.others_present,
            Field.PURPOSE_DETAIL: form.purpose_detail, Field.REQUESTED_ACTION: form.requested_action,
            Field.NOT_SHARED_REASON: form.not_shared_reason, Field.IDENTIFIERS_REASON: form.identifiers_reason}


def normalise_case_reference(text: str) -> str:
    return "".join(text.split()).upper()


def _moment(timestamp: int | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(timestamp, timezone.utc) if timestamp is not None else None
    except (OverflowError, ValueError, OSError):
        return None


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
