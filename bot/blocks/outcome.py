"""The outcome form, what an outcome looks like wherever it is shown, and the messages that chase.

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


def outcome_form(record: Record, subject: str, agency_name: str | None, *, check_identifiers: bool = True) -> dict[str, Any]:
    who = f"for *{escape(agency_name)}*" if agency_name else "as its sharer"
    return {
        "type": "modal", "callback_id": Callback.OUTCOME_FORM, "private_metadata": subject,
        "title": plain("What came of it", 24), "submit": plain("Send to everyone", 24), "close": plain("Cancel", 24),
        "blocks": [
            section(f"Report what came of *{record.reference}* (case {escape(record.case_reference)}) {who}. "
                    "It goes to every agency that received the record."),
            {"type": "input", "block_id": Field.WHAT_HAPPENED, "label": plain("What happened"),
             "element": _text_input(Field.WHAT_HAPPENED, "e.g. Early help assessment started on 2 December")},
            {"type": "input", "block_id": Field.WHAT_CHANGED, "label": plain("What changed for the child"),
             "optional": True, "element": _text_input(Field.WHAT_CHANGED, "e.g. Breakfast club place arranged")},
            {"type": "input", "block_id": Field.NEXT_STEP, "label": plain("Is anything more needed?"),
             "element": {"type": "radio_buttons", "action_id": VALUE, "options": [
                 {"text": plain(label), "value": key} for key, label in NEXT_STEPS.items()]}},
            *([identifiers_reason_input()] if check_identifiers else []),
        ],
    }


def _text_input(field: Field, placeholder: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "action_id": VALUE, "multiline": True, "max_length": longest(field),
            "placeholder": plain(placeholder)}


def read_outcome_form(values: dict[str, Any]) -> OutcomeForm:
    state = FormState(values)
    return OutcomeForm(state.text(Field.WHAT_HAPPENED), state.text(Field.WHAT_CHANGED), state.chosen(Field.NEXT_STEP),
                       state.text(Field.IDENTIFIERS_REASON))


def outcome_blocks(outcome: Outcome, agency_name: str | None) -> list[dict[str, Any]]:
    by = f"{mention(outcome.reported_by)}" + (f" for *{escape(agency_name)}*" if agency_name else ", the sharer")
    blocks = [context(f":bookmark_tabs: *Outcome reported* by {by}, "
                      f"{slack_date(outcome.reported_at, '{date_short_pretty} {time}')}")]
    blocks += long_text_sections("What happened", outcome.what_happened)
    if outcome.what_changed:
        blocks += long_text_sections("What changed for the child", outcome.what_changed)
    blocks.append(section(f"*Next step:* {NEXT_STEPS.get(outcome.next_step, outcome.next_step)}"))
    return blocks


def outcome_message(record: Record, outcome: Outcome, agency_name: str | None) -> tuple[str, list[dict[str, Any]]]:
    text = f"Outcome for {record.reference}"
    return text, [section(f"*What came of {record.reference}* (case {escape(record.case_reference)})"),
                  *outcome_blocks(outcome, agency_name)]


def outcome_request(record: Record, agencies: list[str]) -> tuple[str, list[dict[str, Any]]]:
    told = ", ".join(escape(a) for a in agencies) or "the record"
    if record.outcomes:
        return (f"Outcome reported for {record.reference}",
                [section(f":white_check_mark: The outcome of *{record.reference}* (case "
                         f"{escape(record.case_reference)}) has been reported and sent to {told}. Thank you.")])
    text = f"What happened after you shared {record.reference}?"
    return text, [
        section(f"What happened after you shared *{record.reference}* about case *{escape(record.case_reference)}* "
                f"on {slack_date(record.created_at, '{date_short_pretty}')}? Telling {told} what came of it "
                "closes the loop."),
        # Slack wants each action_id once in its block: the two reminders share one handler, so one is in a
        # block of its own, just below.
        {"type": "actions", "block_id": "outcome_request", "elements": [
            button("Report outcome", Action.REPORT_OUTCOME, f"{record.id}:", style="primary"),
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
