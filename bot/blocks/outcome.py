"""The two loops back to the sharer, what each looks like wherever it is shown, and the messages that chase.

- A receiving agency *tells the sharer what we did*: its own result, for the sharer and that agency's thread.
- The sharer reports *the outcome for the child*: what came of sharing, for every agency that received it. Only
  that closes the loop: the sharer is asked for it on the follow-up date whatever the agencies have said.

Short, kind, specific: what is due, about which record, and the one button that does it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.blocks.record_form import FormState, identifiers_reason_input
from bot.blocks.text import button, context, escape, long_text_sections, mention, plain, section, slack_date
from bot.blocks.ids import Action, Callback, Field, VALUE
from bot.blocks.limits import longest
from storage.models import Outcome, Record

NEXT_STEPS = {
    "no_further_action": "No further action needed",
    "further_action": "Further action is needed",
    "another_conversation": "Another conversation is needed",
}


@dataclass(frozen=True)
class OutcomeForm:
    what_happened: str = ""
    what_changed: str = ""
    next_step: str | None = None
    identifiers_reason: str = ""


# The words that tell the two loops apart, wherever they are offered.
TELL_SHARER = "Tell the sharer what we did"
REPORT_OUTCOME = "Report outcome for the child"


def sharer_outcomes(record: Record) -> list[Outcome]:
    """The sharer's own reports of the outcome for the child (agencies' results are not among them)."""
    return [outcome for outcome in record.outcomes if outcome.agency_key is None]


def agency_results(record: Record, agency_key: str | None = None) -> list[Outcome]:
    """What receiving agencies told the sharer they did: one agency's, or every agency's."""
    return [outcome for outcome in record.outcomes
            if outcome.agency_key is not None and (agency_key is None or outcome.agency_key == agency_key)]


def outcome_form(record: Record, subject: str, agency_name: str | None, *, check_identifiers: bool = True) -> dict[str, Any]:
    """A receiving agency's result (agency_name given) or the sharer's outcome for the child (None)."""
    about = f"*{record.reference}* (case {escape(record.case_reference)})"
    if agency_name:
        title, submit = "What we did", "Tell the sharer"
        intro = (f"Tell the sharer what *{escape(agency_name)}* did about {about}. It goes to the sharer and to the "
                 f"record's thread in {escape(agency_name)}'s channel. The outcome for the child is the sharer's to "
                 "report: they are asked for it on the follow-up date.")
        happened = _input(Field.WHAT_HAPPENED, "What we did", "e.g. School nurse visit booked for Thursday")
    else:
        title, submit = "Outcome for the child", "Send to everyone"
        intro = (f"What came of sharing {about}, for the child? It goes to every agency that received the record, "
                 "and Joined Up stops asking you.")
        happened = _input(Field.WHAT_HAPPENED, "What happened", "e.g. Early help assessment started on 2 December")
    return {
        "type": "modal", "callback_id": Callback.OUTCOME_FORM, "private_metadata": subject,
        "title": plain(title, 24), "submit": plain(submit, 24), "close": plain("Cancel", 24),
        "blocks": [
            section(intro),
            happened,
            {**_input(Field.WHAT_CHANGED, "What changed for the child", "e.g. Breakfast club place arranged"),
             "optional": True},
            {"type": "input", "block_id": Field.NEXT_STEP, "label": plain("Is anything more needed?"),
             "element": {"type": "radio_buttons", "action_id": VALUE, "options": [
                 {"text": plain(label), "value": key} for key, label in NEXT_STEPS.items()]}},
            *([identifiers_reason_input()] if check_identifiers else []),
        ],
    }


def _input(field: Field, label: str, placeholder: str) -> dict[str, Any]:
    return {"type": "input", "block_id": field, "label": plain(label), "element": _text_input(field, placeholder)}


def _text_input(field: Field, placeholder: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "action_id": VALUE, "multiline": True, "max_length": longest(field),
            "placeholder": plain(placeholder)}


def read_outcome_form(values: dict[str, Any]) -> OutcomeForm:
    state = FormState(values)
    return OutcomeForm(state.text(Field.WHAT_HAPPENED), state.text(Field.WHAT_CHANGED), state.chosen(Field.NEXT_STEP),
                       state.text(Field.IDENTIFIERS_REASON))


def outcome_blocks(outcome: Outcome, agency_name: str | None) -> list[dict[str, Any]]:
    when = slack_date(outcome.reported_at, '{date_short_pretty} {time}')
    if agency_name:
        blocks = [context(f":inbox_tray: *{escape(agency_name)} told the sharer what they did*: "
                          f"{mention(outcome.reported_by)}, {when}")]
        blocks += long_text_sections("What they did", outcome.what_happened)
    else:
        blocks = [context(f":bookmark_tabs: *Outcome reported* by {mention(outcome.reported_by)}, the sharer: "
                          f"*the outcome for the child*, {when}")]
        blocks += long_text_sections("What happened", outcome.what_happened)
    if outcome.what_changed:
        blocks += long_text_sections("What changed for the child", outcome.what_changed)
    blocks.append(section(f"*Next step:* {NEXT_STEPS.get(outcome.next_step, outcome.next_step)}"))
    return blocks


def outcome_message(record: Record, outcome: Outcome, agency_name: str | None) -> tuple[str, list[dict[str, Any]]]:
    if agency_name:
        text = f"{escape(agency_name)} told the sharer what they did about {record.reference}"
        heading = f"*What {escape(agency_name)} did* about *{record.reference}* (case {escape(record.case_reference)})"
    else:
        text = f"The outcome for the child: {record.reference}"
        heading = (f"*The outcome for the child*: what came of *{record.reference}* "
                   f"(case {escape(record.case_reference)})")
    return text, [section(heading), *outcome_blocks(outcome, agency_name)]


def outcome_request(record: Record, agencies: list[str],
                    results_from: list[str] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """The sharer is asked for the outcome for the child; `results_from` names the agencies that have told them
    what they did, which does not close the loop."""
    told = ", ".join(escape(a) for a in agencies) or "the record"
    if sharer_outcomes(record):
        return (f"Outcome reported for {record.reference}",
                [section(f":white_check_mark: The outcome of *{record.reference}* (case "
                         f"{escape(record.case_reference)}) has been reported and sent to {told}. Thank you.")])
    text = f"What happened after you shared {record.reference}?"
    so_far = ([context(f"Already told you what they did: {', '.join(escape(a) for a in results_from)}. That is "
                       "their part; the outcome for the child is yours to report.")] if results_from else [])
    return text, [
        section(f"What happened after you shared *{record.reference}* about case *{escape(record.case_reference)}* "
                f"on {slack_date(record.created_at, '{date_short_pretty}')}? Reporting the outcome for the child "
                f"to {told} closes the loop."),
        *so_far,
        # Slack wants each action_id once in its block: the two reminders share one handler, so one is in a
        # block of its own, just below.
        {"type": "actions", "block_id": "outcome_request", "elements": [
            button(REPORT_OUTCOME, Action.REPORT_OUTCOME, f"{record.id}:", style="primary"),
            button("Remind me tomorrow", Action.REMIND_LATER, f"{record.id}:1"),
        ]},
        {"type": "actions", "block_id": "remind_later", "elements": [
            button("Remind me in 3 days", Action.REMIND_LATER, f"{record.id}:3"),
        ]},
        context("Days here are working days."),
    ]


def acknowledgement_reminder(record: Record, share_id: int, agency_name: str, leads: tuple[str, ...],
                             number: int) -> tuple[str, list[dict[str, Any]]]:
    who = " ".join(mention(lead) for lead in leads)
    text = f"Reminder: {record.reference} for {escape(agency_name)} is waiting to be acknowledged"
    return text, [
        section(f":alarm_clock: *{record.reference}* was shared with *{escape(agency_name)}* "
                f"{slack_date(record.created_at, '{date_short_pretty} at {time}')} and nobody has acknowledged it yet. "
                + (f"{who}, could someone acknowledge it?" if who else "Could someone acknowledge it?")),
        {"type": "actions", "elements": [button("Acknowledge receipt", Action.ACKNOWLEDGE, str(share_id),
                                                style="primary")]},
        context(f"Reminder {number}."),
    ]


def lead_escalation(record: Record, share_id: int, agency_name: str, permalink: str | None) -> tuple[str, list[dict[str, Any]]]:
    link = f" <{permalink}|See the post>." if permalink else ""
    text = f"{escape(agency_name)} has not acknowledged {record.reference}"
    return text, [
        section(f"*{escape(agency_name)}* has not yet acknowledged *{record.reference}* (case "
                f"{escape(record.case_reference)}), shared by {mention(record.sharer_id)} "
                f"{slack_date(record.created_at, '{date_short_pretty}')}. As a lead for {escape(agency_name)}, "
                f"please make sure someone does.{link}"),
        {"type": "actions", "elements": [button("Acknowledge receipt", Action.ACKNOWLEDGE, str(share_id),
                                                style="primary")]},
    ]


def sharer_escalation(record: Record, agency_name: str) -> tuple[str, list[dict[str, Any]]]:
    text = f"{escape(agency_name)} has not acknowledged {record.reference} yet"
    return text, [section(f"*{escape(agency_name)}* has not acknowledged *{record.reference}* (case "
                          f"{escape(record.case_reference)}) yet. Their leads have been asked to follow it up; "
                          "you don't need to do anything unless it is urgent.")]
