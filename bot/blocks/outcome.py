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
from bot.blocks.text import one_line, button, context, escape, long_text_sections, mention, plain, section, sections, \
    slack_date
from bot.blocks.ids import Action, Callback, Field, VALUE
from bot.blocks.limits import longest
from bot.i18n import N_, _, each_language
from storage.models import Outcome, Record

NEXT_STEPS = {
    "no_further_action": N_("No further action needed"),
    "further_action": N_("Further action is needed"),
    "another_conversation": N_("Another conversation is needed"),
}


@dataclass(frozen=True)
class OutcomeForm:
    what_happened: str = ""
    what_changed: str = ""
    next_step: str | None = None
    identifiers_reason: str = ""


# The words that tell the two loops apart, wherever they are offered.
TELL_SHARER = N_("Tell the sharer what we did")
REPORT_OUTCOME = N_("Report outcome for the child")


def sharer_outcomes(record: Record) -> list[Outcome]:
    """The sharer's own reports of the outcome for the child (agencies' results are not among them)."""
    return [outcome for outcome in record.outcomes if outcome.agency_key is None]


def agency_results(record: Record, agency_key: str | None = None) -> list[Outcome]:
    """What receiving agencies told the sharer they did: one agency's, or every agency's."""
    return [outcome for outcome in record.outcomes
            if outcome.agency_key is not None and (agency_key is None or outcome.agency_key == agency_key)]


def outcome_form(record: Record, subject: str, agency_name: str | None, *, check_identifiers: bool = True) -> dict[str, Any]:
    """A receiving agency's result (agency_name given) or the sharer's outcome for the child (None)."""
    about = dict(reference=record.reference, case=escape(record.case_reference))
    if agency_name:
        title, submit = _("What we did"), _("Tell the sharer")
        intro = _("Tell the sharer what *{agency}* did about *{reference}* (case {case}). It goes to the sharer and to "
                  "the record's thread in {agency}'s channel. The outcome for the child is the sharer's to report: "
                  "they are asked for it on the follow-up date.", agency=escape(agency_name), **about)
        happened = _input(Field.WHAT_HAPPENED, _("What we did"), _("e.g. School nurse visit booked for Thursday"))
    else:
        title, submit = _("Outcome for the child"), _("Send to everyone")
        intro = _("What came of sharing *{reference}* (case {case}), for the child? It goes to every agency that "
                  "received the record, and Joined Up stops asking you.", **about)
        happened = _input(Field.WHAT_HAPPENED, _("What happened"),
                          _("e.g. Early help assessment started on 2 December"))
    return {
        "type": "modal", "callback_id": Callback.OUTCOME_FORM, "private_metadata": subject,
        "title": plain(title, 24), "submit": plain(submit, 24), "close": plain(_("Cancel"), 24),
        "blocks": [
            section(intro),
            happened,
            {**_input(Field.WHAT_CHANGED, _("What changed for the child"), _("e.g. Breakfast club place arranged")),
             "optional": True},
            {"type": "input", "block_id": Field.NEXT_STEP, "label": plain(_("Is anything more needed?")),
             "element": {"type": "radio_buttons", "action_id": VALUE, "options": [
                 {"text": plain(_(label)), "value": key} for key, label in NEXT_STEPS.items()]}},
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
    def when() -> str:
        return slack_date(outcome.reported_at, '{date_short_pretty} {time}')

    if agency_name:
        blocks = [context(each_language(lambda: _(":inbox_tray: *{agency} told the sharer what they did*: {person}, "
                                                  "{when}", agency=escape(agency_name),
                                                  person=mention(outcome.reported_by), when=when())))]
        blocks += long_text_sections(_("What they did"), outcome.what_happened)
    else:
        blocks = [context(each_language(lambda: _(":bookmark_tabs: *Outcome reported* by {person}, the sharer: *the "
                                                  "outcome for the child*, {when}",
                                                  person=mention(outcome.reported_by), when=when())))]
        blocks += long_text_sections(_("What happened"), outcome.what_happened)
    if outcome.what_changed:
        blocks += long_text_sections(_("What changed for the child"), outcome.what_changed)
    step = NEXT_STEPS.get(outcome.next_step)
    label = "\n".join(f"*{line}*" for line in _("Next step:").split("\n"))
    blocks.append(section(label + " " + (_(step) if step else escape(outcome.next_step))))
    return blocks


def outcome_message(record: Record, outcome: Outcome, agency_name: str | None) -> tuple[str, list[dict[str, Any]]]:
    about = dict(reference=record.reference, case=escape(record.case_reference))
    if agency_name:
        text = one_line(_("{agency} told the sharer what they did about {reference}", agency=escape(agency_name),
                 reference=record.reference))
        heading = _("*What {agency} did* about *{reference}* (case {case})", agency=escape(agency_name), **about)
    else:
        text = one_line(_("The outcome for the child: {reference}", reference=record.reference))
        heading = _("*The outcome for the child*: what came of *{reference}* (case {case})", **about)
    return text, [section(heading), *outcome_blocks(outcome, agency_name)]


def outcome_request(record: Record, agencies: list[str],
                    results_from: list[str] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """The sharer is asked for the outcome for the child; `results_from` names the agencies that have told them
    what they did, which does not close the loop."""
    told = ", ".join(escape(a) for a in agencies) or _("the record")
    about = dict(reference=record.reference, case=escape(record.case_reference))
    if sharer_outcomes(record):
        return (one_line(_("Outcome reported for {reference}", reference=record.reference)),
                sections(_(":white_check_mark: The outcome of *{reference}* (case {case}) has been reported and sent "
                           "to {agencies}. Thank you.", agencies=told, **about)))
    text = one_line(_("What happened after you shared {reference}?", reference=record.reference))
    so_far = ([context(_("Already told you what they did: {agencies}. That is their part; the outcome for the child "
                         "is yours to report.", agencies=", ".join(escape(a) for a in results_from)))]
              if results_from else [])
    return text, [
        *sections(_("What happened after you shared *{reference}* about case *{case}* on {date}? Reporting the "
                    "outcome for the child to {agencies} closes the loop.",
                    date=slack_date(record.created_at, '{date_short_pretty}'), agencies=told, **about)),
        *so_far,
        # Slack wants each action_id once in its block: the two reminders share one handler, so one is in a
        # block of its own, just below.
        {"type": "actions", "block_id": "outcome_request", "elements": [
            button(one_line(_(REPORT_OUTCOME)), Action.REPORT_OUTCOME, f"{record.id}:", style="primary"),
            button(one_line(_("Remind me tomorrow")), Action.REMIND_LATER, f"{record.id}:1"),
        ]},
        {"type": "actions", "block_id": "remind_later", "elements": [
            button(one_line(_("Remind me in 3 days")), Action.REMIND_LATER, f"{record.id}:3"),
        ]},
        context(_("Days here are working days.")),
    ]


def acknowledgement_reminder(record: Record, share_id: int, agency_name: str, leads: tuple[str, ...],
                             number: int) -> tuple[str, list[dict[str, Any]]]:
    who = " ".join(mention(lead) for lead in leads)
    text = one_line(_("Reminder: {reference} for {agency} is waiting to be acknowledged", reference=record.reference,
                      agency=escape(agency_name)))

    def asked() -> str:
        shared = dict(reference=record.reference, agency=escape(agency_name),
                      when=slack_date(record.created_at, '{date_short_pretty} at {time}'))
        if who:
            return _(":alarm_clock: *{reference}* was shared with *{agency}* {when} and nobody has acknowledged it "
                     "yet. {leads}, could someone acknowledge it?", leads=who, **shared)
        return _(":alarm_clock: *{reference}* was shared with *{agency}* {when} and nobody has acknowledged it yet. "
                 "Could someone acknowledge it?", **shared)

    return text, [
        *sections(each_language(asked)),
        {"type": "actions", "elements": [button(one_line(_("Acknowledge receipt")), Action.ACKNOWLEDGE, str(share_id),
                                                style="primary")]},
        context(_("Reminder {number}.", number=number)),
    ]


def lead_escalation(record: Record, share_id: int, agency_name: str, permalink: str | None) -> tuple[str, list[dict[str, Any]]]:
    see = _("See the post")
    link = f" <{permalink}|{see}>." if permalink else ""
    text = one_line(_("{agency} has not acknowledged {reference}", agency=escape(agency_name),
                      reference=record.reference))
    return text, [
        section(_("*{agency}* has not yet acknowledged *{reference}* (case {case}), shared by {sharer} {date}. As a "
                  "lead for {agency}, please make sure someone does.", agency=escape(agency_name),
                  reference=record.reference, case=escape(record.case_reference), sharer=mention(record.sharer_id),
                  date=slack_date(record.created_at, '{date_short_pretty}')) + link),
        {"type": "actions", "elements": [button(one_line(_("Acknowledge receipt")), Action.ACKNOWLEDGE, str(share_id),
                                                style="primary")]},
    ]


def sharer_escalation(record: Record, agency_name: str) -> tuple[str, list[dict[str, Any]]]:
    text = one_line(_("{agency} has not acknowledged {reference} yet", agency=escape(agency_name),
                      reference=record.reference))
    return text, [section(_("*{agency}* has not acknowledged *{reference}* (case {case}) yet. Their leads have been "
                            "asked to follow it up; you don't need to do anything unless it is urgent.",
                            agency=escape(agency_name), reference=record.reference,
                            case=escape(record.case_reference)))]
