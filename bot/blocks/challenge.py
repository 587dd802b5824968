"""Questions, challenges, answers and amendments: the forms and the messages. Pure builders."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.blocks.record_form import FormState, identifiers_reason_input, option
from bot.blocks.text import button, context, escape, long_text_sections, mention, plain, section, slack_date
from bot.domain.config import Partnership
from bot.blocks.ids import Action, Callback, Field, VALUE
from bot.blocks.limits import longest
from storage.models import Challenge, ChallengeResponse, Record, Revision

KINDS = {
    "question": "A question",
    "risk_level": "I disagree with the risk level",
    "inaccurate": "Something here is inaccurate",
    "missing": "Something is missing",
    "other": "Something else",
}
STATES = {"open": "waiting for an answer", "answered": "answered", "resolved": "resolved", "escalated": "escalated"}


@dataclass(frozen=True)
class ChallengeForm:
    kind: str | None = None
    text: str = ""
    proposed_risk_key: str | None = None
    identifiers_reason: str = ""


@dataclass(frozen=True)
class ResponseForm:
    text: str = ""
    revised_risk_key: str | None = None


@dataclass(frozen=True)
class AmendForm:
    summary: str = ""
    actions: str = ""
    reason: str = ""
    identifiers_reason: str = ""


def _text_input(block: Field, label: str, *, placeholder: str, initial: str = "", optional: bool = False) -> dict[str, Any]:
    limit = longest(block)
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": VALUE, "multiline": True, "max_length": limit,
                               "placeholder": plain(placeholder, 150)}
    if initial:
        element["initial_value"] = initial[:limit]
    return {"type": "input", "block_id": block, "label": plain(label), "optional": optional, "element": element}


def _risk_select(block: Field, label: str, partnership: Partnership) -> dict[str, Any]:
    return {"type": "input", "block_id": block, "label": plain(label), "optional": True, "element": {
        "type": "static_select", "action_id": VALUE, "placeholder": plain("Choose by meaning"),
        "options": [option(r.label, r.key, r.definition or None) for r in partnership.risk_levels]}}


def _modal(callback: Callback, metadata: str, title: str, submit: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "modal", "callback_id": callback, "private_metadata": metadata, "title": plain(title, 24),
            "submit": plain(submit, 24), "close": plain("Cancel", 24), "blocks": blocks}


def challenge_form(record: Record, subject: str, partnership: Partnership) -> dict[str, Any]:
    return _modal(Callback.CHALLENGE_FORM, subject, "Ask or challenge", "Send", [
        section(f"Ask about or challenge *{record.reference}* (case {escape(record.case_reference)}). Every agency "
                "that received it will see your question, and the sharer is asked to answer."),
        {"type": "input", "block_id": Field.CHALLENGE_KIND, "label": plain("What is it?"), "element": {
            "type": "radio_buttons", "action_id": VALUE, "options": [option(l, k) for k, l in KINDS.items()]}},
        _text_input(Field.CHALLENGE_TEXT, "Your question or challenge",
                    placeholder="Say what you think and why, as you would in the meeting"),
        _risk_select(Field.PROPOSED_RISK, "If you disagree with the risk level: the level you propose", partnership),
        context(*(f"*{escape(r.label)}*: {escape(r.definition)}" for r in partnership.risk_levels)),
        *([identifiers_reason_input()] if partnership.check_identifiers else []),
    ])


def response_form(record: Record, challenge: Challenge, partnership: Partnership, *, may_revise: bool) -> dict[str, Any]:
    blocks = [section(f"{mention(challenge.raised_by)} asked about *{record.reference}*: "
                      f"*{KINDS.get(challenge.kind, challenge.kind)}*"),
              *long_text_sections("Their words", challenge.text),
              _text_input(Field.RESPONSE_TEXT, "Your answer", placeholder="Your answer goes to every agency")]
    if may_revise:
        blocks.append(_risk_select(Field.REVISED_RISK, f"Revise the risk level (now {record.risk_label})", partnership))
        blocks.append(context("Only if your answer changes it: your answer is recorded as the reason, and the "
                              "earlier level stays in the record's history."))
    return _modal(Callback.RESPONSE_FORM, str(challenge.id), "Answer", "Send answer", blocks)


def amend_form(record: Record, *, check_identifiers: bool = True) -> dict[str, Any]:
    return _modal(Callback.AMEND_FORM, str(record.id), "Amend record", "Send amendment", [
        section(f"Amend *{record.reference}*. Every agency that received it is told, and the earlier wording stays "
                "in its history."),
        _text_input(Field.SUMMARY, "Summary", placeholder="The corrected summary", initial=record.summary),
        _text_input(Field.ACTIONS, "Actions agreed", placeholder="The corrected actions", initial=record.actions,
                    optional=True),
        _text_input(Field.AMEND_REASON, "Why are you amending it?", placeholder="e.g. The date of the visit was wrong"),
        *([identifiers_reason_input()] if check_identifiers else []),
    ])


def read_challenge_form(values: dict[str, Any]) -> ChallengeForm:
    state = FormState(values)
    return ChallengeForm(state.chosen(Field.CHALLENGE_KIND), state.text(Field.CHALLENGE_TEXT),
                         state.chosen(Field.PROPOSED_RISK), state.text(Field.IDENTIFIERS_REASON))


def read_response_form(values: dict[str, Any]) -> ResponseForm:
    state = FormState(values)
    return ResponseForm(state.text(Field.RESPONSE_TEXT), state.chosen(Field.REVISED_RISK))


def read_amend_form(values: dict[str, Any]) -> AmendForm:
    state = FormState(values)
    return AmendForm(state.text(Field.SUMMARY), state.text(Field.ACTIONS), state.text(Field.AMEND_REASON),
                     state.text(Field.IDENTIFIERS_REASON))


def challenge_blocks(record: Record, challenge: Challenge, agency_name: str) -> list[dict[str, Any]]:
    blocks = [section(f":raising_hand: {mention(challenge.raised_by)} ({escape(agency_name)}) asks about "
                      f"*{record.reference}*: *{KINDS.get(challenge.kind, challenge.kind)}*"),
              *long_text_sections("Their words", challenge.text)]
    if challenge.proposed_risk_label:
        blocks.append(context(f"Proposed risk level: *{escape(challenge.proposed_risk_label)}* "
                              f"(now *{escape(record.risk_label)}*)"))
    return blocks


def challenge_message(record: Record, challenge: Challenge, agency_name: str, *,
                      for_sharer: bool) -> tuple[str, list[dict[str, Any]]]:
    """To the sharer by direct message, or in the record's thread in each receiving agency's channel: in both, a
    Respond button while the challenge is open or answered (anyone in the channel sees it; it checks the
    clicker's right when pressed)."""
    blocks = challenge_blocks(record, challenge, agency_name)
    if for_sharer or challenge.state in ("open", "answered"):
        blocks.append({"type": "actions", "elements": [
            button("Respond", Action.RESPOND_CHALLENGE, str(challenge.id), style="primary")]})
    if not for_sharer and challenge.state in ("open", "answered"):
        blocks.append(context("The sharer, or anyone in an agency that received the record, can answer."))
    return f"{escape(agency_name)} asks about {record.reference}", blocks


def response_message(record: Record, challenge: Challenge, response: ChallengeResponse, revision: Revision | None,
                     *, for_challenger: bool) -> tuple[str, list[dict[str, Any]]]:
    blocks = [section(f":speech_balloon: {mention(response.responded_by)} answered {mention(challenge.raised_by)} about "
                      f"*{record.reference}* (“{KINDS.get(challenge.kind, challenge.kind)}”)"),
              *long_text_sections("Answer", response.text)]
    if revision is not None:
        blocks.append(context(f"Risk level revised from *{escape(revision.previous.get('risk_label', ''))}* to "
                              f"*{escape(revision.current.get('risk_label', ''))}*."))
    if for_challenger:
        blocks.append({"type": "actions", "elements": [
            button("That resolves it", Action.RESOLVE_CHALLENGE, str(challenge.id), style="primary"),
            button("Escalate to the leads", Action.ESCALATE_CHALLENGE, str(challenge.id))]})
    return f"An answer about {record.reference}", blocks


def closed_message(record: Record, challenge: Challenge) -> tuple[str, list[dict[str, Any]]]:
    if challenge.state == "escalated":
        text = (f":arrow_up: {mention(challenge.raised_by)} has escalated their challenge about *{record.reference}* "
                "to the leads of every agency involved.")
    else:
        text = f":white_check_mark: {mention(challenge.raised_by)}'s challenge about *{record.reference}* is resolved."
    return f"Challenge about {record.reference} {challenge.state}", [section(text)]


def escalation_message(record: Record, challenge: Challenge, agency_name: str,
                       permalink: str | None) -> tuple[str, list[dict[str, Any]]]:
    link = f" <{permalink}|See the record's post>." if permalink else ""
    return f"A challenge about {record.reference} needs the leads", [
        section(f":arrow_up: {mention(challenge.raised_by)} ({escape(agency_name)}) has escalated a challenge about "
                f"*{record.reference}* (case {escape(record.case_reference)}, shared by {mention(record.sharer_id)}). "
                f"As a lead of an agency involved, please help resolve it.{link}"),
        *challenge_blocks(record, challenge, agency_name)[1:]]


def challenge_reminder(record: Record, challenge: Challenge, agency_name: str) -> tuple[str, list[dict[str, Any]]]:
    return f"{escape(agency_name)} is waiting for your answer about {record.reference}", [
        section(f":hourglass_flowing_sand: {mention(challenge.raised_by)} ({escape(agency_name)}) is waiting for an "
                f"answer about *{record.reference}*, asked {slack_date(challenge.raised_at, '{date_short_pretty}')}."),
        {"type": "actions", "elements": [button("Respond", Action.RESPOND_CHALLENGE, str(challenge.id),
                                                style="primary")]}]


def amendment_message(record: Record, revision: Revision) -> tuple[str, list[dict[str, Any]]]:
    changed = ", ".join(k for k in ("summary", "actions") if revision.previous.get(k) != revision.current.get(k))
    return f"{record.reference} was amended", [
        section(f":pencil2: {mention(revision.revised_by)} amended *{record.reference}* ({escape(changed or 'no change')})."
                f"\n*Why:* {escape(revision.reason)}"),
        context("The post above shows the current version; `/joinedup show` keeps every version.")]


def revision_lines(revisions: list[Revision]) -> list[str]:
    """For posts: what changed and why, newest last."""
    lines = []
    for r in revisions:
        when = slack_date(r.revised_at, "{date_short_pretty}")
        if r.kind == "risk level":
            lines.append(f":arrows_counterclockwise: Risk level revised from *{escape(r.previous.get('risk_label', ''))}* "
                         f"to *{escape(r.current.get('risk_label', ''))}* by {mention(r.revised_by)}, {when}: "
                         f"{escape(r.reason[:300])}")
        else:
            lines.append(f":pencil2: Amended by {mention(r.revised_by)}, {when}: {escape(r.reason[:300])}")
    return lines
