"""What a practitioner enters in the /record form, read back from Slack's view state: the answers, the defaults the
form offered, and the answers that contradict each other. Pure: no Slack, no database."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import Any

from bot.blocks.form_state import FormState
from bot.blocks.ids import Action, Field
from bot.domain.config import AGENCY_KEY, USER_ID, Partnership
from bot.i18n import _

INFORMATION_ONLY = "information"
ACTION_REQUESTED = "action"
FIRST_HAND = "first_hand"
REPORTED = "reported"
# Choices that are neither an agency nor a purpose: no agency key can start with "_" (AGENCY_KEY).
RECORD_ONLY = "_record_only"
OTHER_PURPOSE = "_other_purpose"


@dataclass(frozen=True)
class FormDefaults:
    occurred_at: datetime
    follow_up_on: date
    case_reference: str = ""
    sharer_agency: str | None = None  # remembered from the sharer's last record
    risk_key: str | None = None
    from_message: bool = False  # opened from a message's shortcut, whose message is not copied in
    details: bool = False  # when, who else was there, your agency, actions and follow-up shown as fields

    def metadata(self) -> str:
        """What the form offered, kept in its private_metadata: a field shown as text is read from here."""
        return json.dumps({"at": int(self.occurred_at.timestamp()), "follow_up": self.follow_up_on.isoformat(),
                           "agency": self.sharer_agency, "message": self.from_message, "details": self.details},
                          separators=(",", ":"))

    @classmethod
    def from_metadata(cls, text: Any, partnership: Partnership | None = None) -> FormDefaults | None:
        """The defaults a form was opened with, or None for metadata that is not this form's (damaged or forged)."""
        try:
            data = json.loads(text) if isinstance(text, str) and len(text) <= 3000 else None
            if not isinstance(data, dict) or not is_moment(data.get("at")) or not isinstance(data.get("follow_up"), str):
                return None
            agency = data.get("agency")
            known = isinstance(agency, str) and AGENCY_KEY.match(agency) and (
                partnership is None or partnership.agency(agency) is not None)
            return cls(occurred_at=datetime.fromtimestamp(data["at"], timezone.utc),
                       follow_up_on=date.fromisoformat(data["follow_up"]), sharer_agency=agency if known else None,
                       from_message=data.get("message") is True, details=data.get("details") is True)
        except (ValueError, TypeError, OverflowError, OSError, RecursionError):
            return None


@dataclass(frozen=True)
class RecordForm:
    """What the practitioner entered, as Slack sent it back; nothing is validated yet."""

    case_reference: str = ""
    occurred_at: int | None = None
    participants: list[str] = field(default_factory=list)
    others_present: str = ""
    sharer_agency: str | None = None
    share_with: list[str] = field(default_factory=list)  # agency keys only
    record_only: bool = False  # "Nobody: record only, don't share" chosen
    not_shared_reason: str = ""
    purposes: list[str] = field(default_factory=list)  # standard purposes only
    other_purpose: bool = False  # "Another reason" chosen
    purpose_detail: str = ""
    request: str | None = None
    requested_action: str = ""
    source: str | None = None
    lawful_basis: str | None = None
    summary: str = ""
    risk_key: str | None = None
    urgent_confirmed: bool = False
    actions: str = ""
    follow_up_on: str | None = None
    identifiers_reason: str = ""


def starting_answers(defaults: FormDefaults) -> RecordForm:
    return RecordForm(case_reference=defaults.case_reference, occurred_at=int(defaults.occurred_at.timestamp()),
                      sharer_agency=defaults.sharer_agency, request=INFORMATION_ONLY, risk_key=defaults.risk_key,
                      follow_up_on=defaults.follow_up_on.isoformat())


def conflicts(form: RecordForm) -> dict[Field, str]:
    """Answers that contradict each other. Nothing typed is dropped to settle them: the text stays on the form with
    the question under it, and the record is not saved until the practitioner says which is meant."""
    found: dict[Field, str] = {}
    sharing = bool(form.share_with)
    if sharing and form.record_only:
        found[Field.SHARE_WITH] = _("Choose agencies to share with, or “Nobody: record only”, not both.")
    elif sharing and form.not_shared_reason:
        found[Field.NOT_SHARED_REASON] = _("You chose agencies to share with. Clear this reason, or choose "
                                           "“Nobody: record only” to record without sharing.")
    elif form.record_only:
        for field_, text in ((Field.PURPOSE_DETAIL, form.purpose_detail),
                             (Field.REQUESTED_ACTION, form.requested_action)):
            if text:
                found[field_] = _("You chose to record only, without sharing, so this would not be sent. Clear "
                                  "it, or choose agencies to share with.")
    if sharing and form.request == INFORMATION_ONLY and form.requested_action:
        found[Field.REQUESTED_ACTION] = _("You chose “For information only”, so this action would not be sent. "
                                          "Choose “A specific action” to send it, or clear this box.")
    return found


def is_moment(value: Any) -> bool:
    return type(value) is int and 0 <= value < 253402300800  # what a datetimepicker can show: years 1970–9999


def is_date(value: Any) -> bool:
    try:
        return isinstance(value, str) and bool(date.fromisoformat(value))
    except ValueError:
        return False


def offered_agency(view: dict[str, Any]) -> str | None:
    """The agency the form offered as the practitioner's own (the one remembered from last time), if any."""
    defaults = FormDefaults.from_metadata(view.get("private_metadata"))
    return defaults.sharer_agency if defaults else None


def read_record_form(values: Any, defaults: FormDefaults | None = None) -> RecordForm:
    """Turn Slack's view.state.values into a RecordForm. A field the form showed as text (not in the state) takes
    the form's default; a choice the form did not need (what each agency is asked, when recording only) its own."""
    state = FormState(values)
    occurred = state.element(Field.OCCURRED_AT).get("selected_date_time")
    users = state.element(Field.PARTICIPANTS).get("selected_users")
    follow_up = state.element(Field.FOLLOW_UP_ON).get("selected_date")
    sharing = state.chosen_many(Field.SHARE_WITH, Action.SHARE_WITH_CHOSEN)
    purposes = state.chosen_many(Field.PURPOSES, Action.PURPOSES_CHOSEN)
    form = RecordForm(
        case_reference=state.text(Field.CASE_REFERENCE),
        occurred_at=occurred if type(occurred) is int else None,
        participants=[u for u in users if isinstance(u, str) and USER_ID.match(u)] if isinstance(users, list) else [],
        others_present=state.text(Field.OTHERS_PRESENT),
        sharer_agency=state.chosen(Field.SHARER_AGENCY),
        share_with=[key for key in sharing if key != RECORD_ONLY],
        record_only=RECORD_ONLY in sharing,
        not_shared_reason=state.text(Field.NOT_SHARED_REASON),
        purposes=[purpose for purpose in purposes if purpose != OTHER_PURPOSE],
        other_purpose=OTHER_PURPOSE in purposes,
        purpose_detail=state.text(Field.PURPOSE_DETAIL),
        request=state.chosen(Field.REQUEST, Action.REQUEST_CHOSEN) if state.has(Field.REQUEST) else INFORMATION_ONLY,
        requested_action=state.text(Field.REQUESTED_ACTION),
        source=state.chosen(Field.SOURCE),
        lawful_basis=state.chosen(Field.LAWFUL_BASIS),
        summary=state.text(Field.SUMMARY),
        risk_key=state.chosen(Field.RISK_LEVEL, Action.RISK_LEVEL),
        urgent_confirmed=bool(state.chosen_many(Field.URGENT_CONFIRMED)),
        actions=state.text(Field.ACTIONS),
        follow_up_on=follow_up if isinstance(follow_up, str) else None,
        identifiers_reason=state.text(Field.IDENTIFIERS_REASON),
    )
    if defaults is None:
        return form
    shown_as_text = {
        "occurred_at": (Field.OCCURRED_AT, int(defaults.occurred_at.timestamp())),
        "sharer_agency": (Field.SHARER_AGENCY, defaults.sharer_agency),
        "follow_up_on": (Field.FOLLOW_UP_ON, defaults.follow_up_on.isoformat())}
    return replace(form, **{name: default for name, (block, default) in shown_as_text.items() if not state.has(block)})
