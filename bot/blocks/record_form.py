"""The /record form, built for a phone: the fields every record needs, and each other field only when the answers
so far call for it. Read back from Slack's view state, and rebuilt (views.update) as choices change.

Rules that keep a practitioner's words safe while the form changes shape:
- every field keeps its block_id and action_id from one version of the form to the next, and its answer is carried
  over as its initial value, so Slack keeps what was typed;
- a field that holds something stays on the form even when the choices no longer call for it: a contradiction is
  pointed out under it, and the form asks which is meant before it saves (see `conflicts`);
- fields with a sensible default (when, your agency once remembered, the follow-up date) are shown as a line of text
  with a button that turns them into fields, together with the optional ones (who else was there, actions agreed).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks.form_state import FormState
from bot.blocks.ids import Action, Callback, Field, VALUE
from bot.blocks.limits import fitting, longest
from bot.blocks.record_answers import (  # the answers, and what the form offered: re-exported for the services
    ACTION_REQUESTED, FIRST_HAND, INFORMATION_ONLY, OTHER_PURPOSE, RECORD_ONLY, REPORTED, FormDefaults, RecordForm,
    conflicts, is_date, is_moment, offered_agency, read_record_form, starting_answers)
from bot.blocks.text import clip, context, day, escape, plain, section, sections, slack_date
from bot.domain.config import Partnership
from bot.i18n import N_, _, each_language, ours

__all__ = ["ACTION_REQUESTED", "CONDITIONAL", "FIRST_HAND", "INFORMATION_ONLY", "OTHER_PURPOSE", "RECORD_ONLY",
           "REPORTED", "FormDefaults", "FormState", "RecordForm", "conflicts", "identifiers_reason_input",
           "offered_agency", "option", "read_record_form", "record_form", "risk_blocks", "saved_view"]
OPTION_LIMIT = 75
PLACEHOLDER_LIMIT = 150
TITLE_LIMIT = 24  # a modal's title, submit and close
MOST_OPTIONS = 100  # Slack's most options in a select (or option groups)
# Fields whose showing depends on the answers; any other field missing from a submitted form is a damaged form.
CONDITIONAL = frozenset({Field.NOT_SHARED_REASON, Field.PURPOSES, Field.PURPOSE_DETAIL, Field.REQUEST,
                         Field.REQUESTED_ACTION, Field.URGENT_CONFIRMED, Field.IDENTIFIERS_REASON})
LABELS = {Field.SUMMARY: N_("Summary"), Field.ACTIONS: N_("Actions agreed"),
          Field.OTHERS_PRESENT: N_("Others who were there"), Field.PURPOSE_DETAIL: N_("Why, in your own words"),
          Field.REQUESTED_ACTION: N_("The action you are asking for"),
          Field.NOT_SHARED_REASON: N_("Why you are not sharing")}
OTHER_TEXT = N_("Text")
# The message a shortcut starts from may be about another child, or carry a name, an NHS number or an address:
# copied into the form it would arrive as if the practitioner had typed and checked it. So nothing is copied.
MESSAGE_NOT_COPIED = N_(":information_source: Started from a message: Joined Up has *not* copied it into this form, "
                        "because it may be about another child or hold details that do not belong in this record. "
                        "Write what this record needs in your own words.")


def option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    """Text and description already in the reader's language (see `choice`); the value never is."""
    result: dict[str, Any] = {"text": plain(text, OPTION_LIMIT), "value": value}
    if description:
        result["description"] = plain(description, OPTION_LIMIT)
    return result


def choice(message: str, value: str, *, say: Any = _) -> dict[str, Any]:
    """An option whose text is ours to translate (`say=ours` for the partnership's own words); its value stays the
    English or key it is today, so a choice made in Welsh saves the same data."""
    return option(fitting(OPTION_LIMIT, message, say=say), value)


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


def _placeholder(message: str, **values: Any) -> dict[str, Any]:
    return plain(fitting(PLACEHOLDER_LIMIT, message, **values), PLACEHOLDER_LIMIT)


def _text_input(placeholder: dict[str, Any], *, limit: int, multiline: bool = False,
                initial: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": limit,
                               "placeholder": placeholder}
    if initial:
        element["initial_value"] = initial[:limit]
    return element


def _choice(kind: str, options: list[dict[str, Any]], chosen: list[str], **extra: Any) -> dict[str, Any]:
    """A select, radio buttons or checkboxes with the chosen options as its initial ones. Past Slack's 100 options,
    the last one (an extra choice of ours) goes into a group of its own."""
    element: dict[str, Any] = {"type": kind, **extra}
    if len(options) > MOST_OPTIONS:
        element["option_groups"] = [{"label": plain(fitting(75, N_("Choose")), 75), "options": options[:-1]},
                                    {"label": plain(fitting(75, N_("Or")), 75), "options": options[-1:]}]
    else:
        element["options"] = options
    initial = [o for o in options if o["value"] in chosen]
    if initial:
        many = kind.startswith("multi_") or kind == "checkboxes"
        element["initial_options" if many else "initial_option"] = initial if many else initial[0]
    return element


def identifiers_reason_input(initial: str = "") -> dict[str, Any]:
    """The box for why identifiers must stay: on the outcome, challenge and amend forms always, on the record form
    once some are found."""
    return _input(Field.IDENTIFIERS_REASON, _("Identifiers: only if they are necessary"),
                  _text_input(_placeholder(N_("Why an NHS number, address, phone number or date of birth must be "
                                              "in this record")),
                              limit=longest(Field.IDENTIFIERS_REASON), initial=initial),
                  optional=True, hint=_("Joined Up checks the text for NHS and National Insurance numbers, "
                                        "postcodes, phone numbers, email addresses, dates of birth and other "
                                        "children's case references. Remove them, or say here why they are needed."))


def record_form(partnership: Partnership, defaults: FormDefaults, answers: RecordForm | None = None, *,
                found: Mapping[str, str] | None = None, notes: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The form for these answers (none yet: as it opens), in the reader's language. `found` describes the
    identifiers in each text field; `notes` are problems to show under their fields when the form is sent back
    changed."""
    a = answers or starting_answers(defaults)
    p = partnership
    example = p.case_reference_example
    agencies = [option(ag.name, ag.key) for ag in p.agencies]
    sharing_options = [*agencies, choice(N_("Nobody: record only, don't share"), RECORD_ONLY)]
    purposes = [*(choice(x, x, say=ours) for x in p.purposes), choice(N_("Another reason (write it)"), OTHER_PURPOSE)]
    request_options = [choice(N_("For information only"), INFORMATION_ONLY),
                       choice(N_("A specific action"), ACTION_REQUESTED)]
    chosen_risk = p.risk_level(a.risk_key) if a.risk_key else None
    blocks: list[dict[str, Any]] = [
        section(_("Record a face-to-face conversation about a child for *{partnership}*. Use the child's case "
                  "reference, *never their name*.", partnership=escape(p.name))),
        *([context(_(MESSAGE_NOT_COPIED))] if defaults.from_message else []),
        _input(Field.CASE_REFERENCE, _("Child's case reference"),
               _text_input(_placeholder(N_("e.g. {example}"), example=example), limit=longest(Field.CASE_REFERENCE),
                           initial=a.case_reference),
               hint=_("The reference from your case system, like {example}. Never the child's name.",
                      example=example)),
        _input(Field.SUMMARY, _("Summary of what was discussed"),
               _text_input(_placeholder(N_("Facts first; say which parts are opinion")), multiline=True,
                           limit=longest(Field.SUMMARY), initial=a.summary),
               hint=_("Up to {count} characters.", count=format(longest(Field.SUMMARY), ","))),
        _input(Field.SOURCE, _("How do you know what you are recording?"), _choice("radio_buttons", [
            choice(N_("I saw or heard it first-hand"), FIRST_HAND),
            choice(N_("Someone else reported it to me"), REPORTED)],
            [a.source or ""])),
        *risk_blocks(p, chosen_risk, confirmed=a.urgent_confirmed),
        _input(Field.SHARE_WITH, _("Share with"), _choice(
            "multi_static_select", sharing_options, [*a.share_with, *([RECORD_ONLY] if a.record_only else [])],
            action_id=Action.SHARE_WITH_CHOSEN, placeholder=_placeholder(N_("Choose agencies, or record only"))),
            dispatch=True),
    ]
    if a.record_only or a.not_shared_reason:
        blocks.append(_input(Field.NOT_SHARED_REASON, _("Why are you not sharing?"), _text_input(
            _placeholder(N_("The reason for the decision not to share")), multiline=True,
            limit=longest(Field.NOT_SHARED_REASON), initial=a.not_shared_reason),
            hint=_("The guidance asks you to record the reason, whether you share or not."),
            optional=not a.record_only))  # shown only because it holds text: it must be possible to clear it
    if not a.record_only or a.purposes or a.other_purpose:
        blocks.append(_input(Field.PURPOSES, _("Why are you sharing this?"), _choice(
            "multi_static_select", purposes, [*a.purposes, *([OTHER_PURPOSE] if a.other_purpose else [])],
            action_id=Action.PURPOSES_CHOSEN, placeholder=_placeholder(N_("Choose one or more"))), dispatch=True,
            optional=a.record_only))
    if a.other_purpose or a.purpose_detail:
        blocks.append(_input(Field.PURPOSE_DETAIL, _("Why, in your own words"), _text_input(
            _placeholder(N_("The reason the standard purposes don't give")), multiline=True,
            limit=longest(Field.PURPOSE_DETAIL), initial=a.purpose_detail), optional=not a.other_purpose))
    if not a.record_only or a.request == ACTION_REQUESTED:
        blocks.append(_input(Field.REQUEST, _("What is each agency asked to do?"), _choice(
            "radio_buttons", request_options, [a.request or INFORMATION_ONLY], action_id=Action.REQUEST_CHOSEN),
            dispatch=True))
    if a.request == ACTION_REQUESTED or a.requested_action:
        blocks.append(_input(Field.REQUESTED_ACTION, _("The action you are asking for"), _text_input(
            _placeholder(N_("e.g. Please check attendance this week and tell me of any absence")), multiline=True,
            limit=longest(Field.REQUESTED_ACTION), initial=a.requested_action), optional=a.request != ACTION_REQUESTED))
    blocks.append(_input(Field.LAWFUL_BASIS, _("Lawful basis or consent position"), _choice(
        "static_select", [choice(b, b, say=ours) for b in p.lawful_bases], [a.lawful_basis or ""],
        placeholder=_placeholder(N_("Choose one"))),
        hint=_("Record the basis for your decision, whether you share or not.")))
    blocks += _details(p, defaults, a, agencies)
    if p.check_identifiers and (found or a.identifiers_reason):
        blocks += _identifiers(found or {}, a.identifiers_reason)
    return {
        "type": "modal",
        "callback_id": Callback.RECORD_FORM,
        "title": plain(fitting(TITLE_LIMIT, N_("Record a conversation")), TITLE_LIMIT),
        "submit": plain(fitting(TITLE_LIMIT, N_("Save and share")), TITLE_LIMIT),
        "close": plain(fitting(TITLE_LIMIT, N_("Cancel")), TITLE_LIMIT),
        "private_metadata": defaults.metadata(),
        "blocks": _with_notes(blocks, {**conflicts(a), **(notes or {})}),
    }


def _details(p: Partnership, defaults: FormDefaults, a: RecordForm, agencies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """When, who else was there, your agency, actions agreed and the follow-up date: as fields once asked for;
    until then a line saying what they will be, with a button. Your agency is a field until it is remembered."""
    offered = p.agency(defaults.sharer_agency or "")
    agency = _input(Field.SHARER_AGENCY, _("Your agency"), _choice(
        "static_select", agencies, [a.sharer_agency or ""], placeholder=_placeholder(N_("Your agency"))))
    if not defaults.details:
        def said() -> str:  # in each language: the dates are written in it
            told = [_("*When:* {when}", when=slack_date(defaults.occurred_at)),
                    *([_("*Your agency:* {agency}", agency=escape(offered.name))] if offered else []),
                    _("*Follow-up:* {day}", day=day(defaults.follow_up_on))]
            return " · ".join(told) + "\n" + _("Who else was there and actions agreed: none added.")
        line = section(each_language(said))
        line["accessory"] = {"type": "button", "text": plain(fitting(75, N_("Add or change")), 75),
                             "action_id": Action.RECORD_DETAILS, "value": "details"}
        return [*([] if offered else [agency]), line]
    follow_up = a.follow_up_on if is_date(a.follow_up_on) else defaults.follow_up_on.isoformat()
    people: dict[str, Any] = {"type": "multi_users_select", "placeholder": _placeholder(N_("Choose people"))}
    if a.participants:
        people["initial_users"] = list(dict.fromkeys(a.participants))
    return [
        _input(Field.OCCURRED_AT, _("When did the conversation take place?"), {
            "type": "datetimepicker", "initial_date_time": a.occurred_at if is_moment(a.occurred_at)
            else int(defaults.occurred_at.timestamp())}),
        _input(Field.PARTICIPANTS, _("Who was there (on Slack)?"), people, optional=True),
        _input(Field.OTHERS_PRESENT, _("Others who were there"), _text_input(
            _placeholder(N_("e.g. foster carer, grandparent (roles, not names, where you can)")),
            limit=longest(Field.OTHERS_PRESENT), initial=a.others_present), optional=True),
        agency,
        _input(Field.ACTIONS, _("Actions agreed"), _text_input(
            _placeholder(N_("Who will do what, by when")), multiline=True, limit=longest(Field.ACTIONS),
            initial=a.actions), optional=True),
        _input(Field.FOLLOW_UP_ON, _("Follow up on the outcome by"), {"type": "datepicker", "initial_date": follow_up},
               hint=_("You will be asked what came of this on that day.")),
    ]


def _identifiers(found: Mapping[str, str], reason: str) -> list[dict[str, Any]]:
    lines = [f"• *{_(LABELS.get(f, OTHER_TEXT))}*: {escape(text)}" for f, text in found.items()]
    said = "\n".join([_(":mag: *Identifiers.* Keep them in the record only if they are needed."), *lines])
    return [*sections(said), identifiers_reason_input(reason)]


def _with_notes(blocks: list[dict[str, Any]], notes: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each note under the field it concerns, in the form itself: shown while the form is being filled in."""
    shown: list[dict[str, Any]] = []
    for block in blocks:
        shown.append(block)
        note = notes.get(block.get("block_id") or "") if block.get("type") == "input" else None
        if note:
            shown.append(context(f":warning: {escape(note)}"))
    return shown


def risk_blocks(partnership: Partnership, chosen: Any, *, confirmed: bool = False) -> list[dict[str, Any]]:
    """The risk level, chosen by its definition: labels and definitions in the partnership's words, in the reader's
    language; each option's value is the level's key."""
    levels = partnership.risk_levels
    options = [option(fitting(OPTION_LIMIT, r.label, say=ours), r.key,
                      fitting(OPTION_LIMIT, r.definition, say=ours) if r.definition else None) for r in levels]
    select = _choice("static_select", options, [chosen.key] if chosen else [], action_id=Action.RISK_LEVEL,
                     placeholder=_placeholder(N_("Choose by meaning")))
    blocks = [_input(Field.RISK_LEVEL, _("Risk level"), select, dispatch=True)]
    if chosen:
        blocks += sections(each_language(lambda: _("*{level}* means: {definition}", level=escape(ours(chosen.label)),
                                                      definition=_meaning(chosen))))
    else:
        blocks.append(context(*(each_language(lambda: f"*{escape(ours(r.label))}*: {_meaning(r)}")
                                for r in levels)))
    if chosen and chosen.urgent:
        blocks += sections(each_language(lambda: _(":rotating_light: *This is urgent.* {instructions}",
                                                      instructions=escape(ours(partnership.emergency_instructions)))))
        blocks.append(_input(Field.URGENT_CONFIRMED, _("Before you save"), _choice(
            "checkboxes", [choice(N_("I have followed the emergency instructions above"), "yes")],
            ["yes"] if confirmed else [])))
    return blocks


def _meaning(level: Any) -> str:
    return escape(ours(level.definition) if level.definition else _("no agreed definition yet"))


def saved_view(reference: str, destinations: list[str]) -> dict[str, Any]:
    """What the form turns into once the record is safely stored."""
    where = ", ".join(destinations) if destinations else _("nobody (recorded only)")
    return {
        "type": "modal",
        "callback_id": f"{Callback.RECORD_FORM}_saved",
        "title": plain(fitting(TITLE_LIMIT, N_("Record saved")), TITLE_LIMIT),
        "close": plain(fitting(TITLE_LIMIT, N_("Done")), TITLE_LIMIT),
        "blocks": [
            section(_(":white_check_mark: Saved as *{reference}*.", reference=reference)),
            context(clip(_("Sharing with {agencies}. You will get a message with a link to each post.",
                           agencies=escape(where)), 2000)),
        ],
    }
