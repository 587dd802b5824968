"""The /record form: built from the partnership's configuration, read back from Slack's view state."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.blocks.text import clip, context, escape, plain, section, sections
from bot.domain.config import USER_ID, Partnership
from bot.blocks.ids import Action, Callback, Field, VALUE
from bot.blocks.limits import longest

INFORMATION_ONLY = "information"
ACTION_REQUESTED = "action"
FIRST_HAND = "first_hand"
REPORTED = "reported"
OPTION_LIMIT = 75


@dataclass(frozen=True)
class FormDefaults:
    occurred_at: datetime
    follow_up_on: date
    case_reference: str = ""
    sharer_agency: str | None = None
    risk_key: str | None = None
    from_message: bool = False  # opened from a message's shortcut, whose message is not copied in


# The message a shortcut starts from may be about another child, or carry a name, an NHS number or an address:
# copied into the form it would arrive as if the practitioner had typed and checked it. So nothing is copied.
MESSAGE_NOT_COPIED = (":information_source: Started from a message: Joined Up has *not* copied it into this form, "
                      "because it may be about another child or hold details that do not belong in this record. "
                      "Write what this record needs in your own words.")


@dataclass(frozen=True)
class RecordForm:
    """What the practitioner entered, as Slack sent it back; nothing is validated yet."""

    case_reference: str = ""
    occurred_at: int | None = None
    participants: list[str] = field(default_factory=list)
    others_present: str = ""
    sharer_agency: str | None = None
    share_with: list[str] = field(default_factory=list)
    not_shared_reason: str = ""
    purposes: list[str] = field(default_factory=list)
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


def identifiers_reason_input() -> dict[str, Any]:
    """Always on the form, so a practitioner never loses their text to a form that changes shape."""
    return _input(Field.IDENTIFIERS_REASON, "Identifiers: only if they are necessary",
                  _text_input("Why an NHS number, address, phone number or date of birth must be in this record",
                              limit=longest(Field.IDENTIFIERS_REASON)),
                  optional=True, hint="Joined Up checks the text for NHS and National Insurance numbers, postcodes, "
                                      "phone numbers, email addresses, dates of birth and other children's case "
                                      "references. Remove them, or say here why they are needed.")


def option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"text": plain(text, OPTION_LIMIT), "value": value}
    if description:
        result["description"] = plain(description, OPTION_LIMIT)
    return result


def _input(block_id: Field, label: str, element: dict[str, Any], *, hint: str | None = None,
           optional: bool = False, dispatch: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": plain(label, 2000),
                             "element": {**element, "action_id": element.get("action_id", VALUE)},
                             "optional": optional}
    if hint:
        block["hint"] = plain(hint, 2000)
    if dispatch:
        block["dispatch_action"] = True
    return block


def _text_input(placeholder: str, *, limit: int, multiline: bool = False, initial: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": limit,
                               "placeholder": plain(placeholder, 150)}
    if initial:
        element["initial_value"] = initial
    return element


def record_form(partnership: Partnership, defaults: FormDefaults) -> dict[str, Any]:
    agencies = [option(a.name, a.key) for a in partnership.agencies]
    own_agency = next((o for o in agencies if o["value"] == defaults.sharer_agency), None)
    chosen_risk = partnership.risk_level(defaults.risk_key) if defaults.risk_key else None
    sharer_agency_select: dict[str, Any] = {"type": "static_select", "options": agencies,
                                            "placeholder": plain("Your agency")}
    if own_agency:
        sharer_agency_select["initial_option"] = own_agency
    information_only = option("For information only", INFORMATION_ONLY)

    blocks: list[dict[str, Any]] = [
        section(f"Record a face-to-face conversation about a child for *{escape(partnership.name)}*. "
                "Use the child's case reference, *never their name*."),
        *([context(MESSAGE_NOT_COPIED)] if defaults.from_message else []),
        _input(Field.CASE_REFERENCE, "Child's case reference",
               _text_input(f"e.g. {partnership.case_reference_example}", limit=longest(Field.CASE_REFERENCE),
                           initial=defaults.case_reference),
               hint=f"The reference from your case system, like {partnership.case_reference_example}. Never the child's name."),
        _input(Field.OCCURRED_AT, "When did the conversation take place?",
               {"type": "datetimepicker", "initial_date_time": int(defaults.occurred_at.timestamp())}),
        _input(Field.PARTICIPANTS, "Who was there (on Slack)?",
               {"type": "multi_users_select", "placeholder": plain("Choose people")}, optional=True),
        _input(Field.OTHERS_PRESENT, "Others who were there",
               _text_input("e.g. foster carer, grandparent (roles, not names, where you can)",
                           limit=longest(Field.OTHERS_PRESENT)), optional=True),
        _input(Field.SHARER_AGENCY, "Your agency", sharer_agency_select),
        _input(Field.SHARE_WITH, "Share with these agencies",
               {"type": "multi_static_select", "options": agencies, "placeholder": plain("Choose agencies")},
               optional=True, hint="Leave empty to record only, without sharing, and give the reason below."),
        _input(Field.NOT_SHARED_REASON, "If you are not sharing: why not?",
               _text_input("The reason for the decision not to share", multiline=True,
                           limit=longest(Field.NOT_SHARED_REASON)), optional=True),
        _input(Field.PURPOSES, "Why are you sharing this?",
               {"type": "multi_static_select", "options": [option(p, p) for p in partnership.purposes],
                "placeholder": plain("Choose standard purposes")}, optional=True),
        _input(Field.PURPOSE_DETAIL, "Why, in your own words",
               _text_input("Anything the standard purposes don't say", multiline=True,
                           limit=longest(Field.PURPOSE_DETAIL)), optional=True,
               hint="Choose a standard purpose, write your own, or both."),
        _input(Field.REQUEST, "What is each agency asked to do?",
               {"type": "radio_buttons", "initial_option": information_only,
                "options": [information_only, option("A specific action (describe it below)", ACTION_REQUESTED)]}),
        _input(Field.REQUESTED_ACTION, "The action you are asking for",
               _text_input("e.g. Please check attendance this week and tell me of any absence", multiline=True,
                           limit=longest(Field.REQUESTED_ACTION)),
               optional=True),
        _input(Field.SOURCE, "How do you know what you are recording?",
               {"type": "radio_buttons", "options": [
                   option("I saw or heard it first-hand", FIRST_HAND),
                   option("Someone else reported it to me", REPORTED)]}),
        _input(Field.LAWFUL_BASIS, "Lawful basis or consent position",
               {"type": "static_select", "placeholder": plain("Choose one"),
                "options": [option(b, b) for b in partnership.lawful_bases]},
               hint="Record the basis for your decision, whether you share or not."),
        _input(Field.SUMMARY, "Summary of what was discussed",
               _text_input("Facts first; say which parts are opinion", multiline=True, limit=longest(Field.SUMMARY)),
               hint=f"Up to {longest(Field.SUMMARY):,} characters."),
        *risk_blocks(partnership, chosen_risk),
        _input(Field.ACTIONS, "Actions agreed",
               _text_input("Who will do what, by when", multiline=True, limit=longest(Field.ACTIONS)), optional=True),
        _input(Field.FOLLOW_UP_ON, "Follow up on the outcome by",
               {"type": "datepicker", "initial_date": defaults.follow_up_on.isoformat()},
               hint="You will be asked what came of this on that day."),
        *([identifiers_reason_input()] if partnership.check_identifiers else []),
    ]
    return {
        "type": "modal",
        "callback_id": Callback.RECORD_FORM,
        "title": plain("Record a conversation", 24),
        "submit": plain("Save and share", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def risk_blocks(partnership: Partnership, chosen: Any) -> list[dict[str, Any]]:
    levels = partnership.risk_levels
    select: dict[str, Any] = {
        "type": "static_select", "action_id": Action.RISK_LEVEL, "placeholder": plain("Choose by meaning"),
        "options": [option(r.label, r.key, r.definition or None) for r in levels]}
    if chosen:
        select["initial_option"] = option(chosen.label, chosen.key, chosen.definition or None)
    blocks = [_input(Field.RISK_LEVEL, "Risk level", select, dispatch=True)]
    if chosen:
        blocks.append(section(f"*{escape(chosen.label)}* means: {escape(chosen.definition or 'no agreed definition yet')}"))
    else:
        blocks.append(context(*(f"*{escape(r.label)}*: {escape(r.definition or 'no agreed definition yet')}" for r in levels)))
    if chosen and chosen.urgent:
        blocks += sections(f":rotating_light: *This is urgent.* {escape(partnership.emergency_instructions)}")
        blocks.append(_input(Field.URGENT_CONFIRMED, "Before you save", {
            "type": "checkboxes",
            "options": [option("I have followed the emergency instructions above", "yes")]}))
    return blocks


class FormState:
    """Reads Slack's view.state.values, tolerating anything missing or of the wrong type."""

    def __init__(self, values: Any) -> None:
        self.values = values if isinstance(values, dict) else {}

    def element(self, block: str, action: str = VALUE) -> dict[str, Any]:
        found = self.values.get(block)
        found = found.get(action) if isinstance(found, dict) else None
        return found if isinstance(found, dict) else {}

    def text(self, block: str) -> str:
        value = self.element(block).get("value")
        if not isinstance(value, str):
            return ""
        # JSON can carry a lone surrogate, and a NUL, which no keyboard types and PostgreSQL cannot store: the
        # surrogate is shown as "?" and the NUL dropped, rather than a save that could never succeed.
        return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "").strip()

    def chosen(self, block: str, action: str = VALUE) -> str | None:
        selected = self.element(block, action).get("selected_option")
        value = selected.get("value") if isinstance(selected, dict) else None
        return value if isinstance(value, str) else None

    def chosen_many(self, block: str) -> list[str]:
        selected = self.element(block).get("selected_options")
        if not isinstance(selected, list):
            return []
        return [o["value"] for o in selected if isinstance(o, dict) and isinstance(o.get("value"), str)]


def offered_agency(view: dict[str, Any]) -> str | None:
    """The agency the form offered as the practitioner's own (the one remembered from last time), if any."""
    for block in view.get("blocks") or []:
        if isinstance(block, dict) and block.get("block_id") == Field.SHARER_AGENCY:
            initial = (block.get("element") or {}).get("initial_option") or {}
            return initial.get("value") if isinstance(initial, dict) else None
    return None


def read_record_form(values: dict[str, Any]) -> RecordForm:
    """Turn Slack's view.state.values into a RecordForm."""
    state = FormState(values)
    occurred = state.element(Field.OCCURRED_AT).get("selected_date_time")
    users = state.element(Field.PARTICIPANTS).get("selected_users")
    follow_up = state.element(Field.FOLLOW_UP_ON).get("selected_date")
    return RecordForm(
        case_reference=state.text(Field.CASE_REFERENCE),
        occurred_at=occurred if isinstance(occurred, int) and not isinstance(occurred, bool) else None,
        participants=[u for u in users if isinstance(u, str) and USER_ID.match(u)] if isinstance(users, list) else [],
        others_present=state.text(Field.OTHERS_PRESENT),
        sharer_agency=state.chosen(Field.SHARER_AGENCY),
        share_with=state.chosen_many(Field.SHARE_WITH),
        not_shared_reason=state.text(Field.NOT_SHARED_REASON),
        purposes=state.chosen_many(Field.PURPOSES),
        purpose_detail=state.text(Field.PURPOSE_DETAIL),
        request=state.chosen(Field.REQUEST),
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


def saved_view(reference: str, destinations: list[str]) -> dict[str, Any]:
    """What the form turns into once the record is safely stored."""
    where = ", ".join(destinations) if destinations else "nobody (recorded only)"
    return {
        "type": "modal",
        "callback_id": f"{Callback.RECORD_FORM}_saved",
        "title": plain("Record saved", 24),
        "close": plain("Done", 24),
        "blocks": [
            section(f":white_check_mark: Saved as *{reference}*."),
            context(clip(f"Sharing with {escape(where)}. You will get a message with a link to each post.", 2000)),
        ],
    }

