"""Questions, challenges, answers and amendments: the forms and the messages. Pure builders."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.blocks.record_form import FormState, identifiers_reason_input, option
from bot.blocks.text import button, context, escape, long_text_sections, mention, one_line, plain, section, slack_date
from bot.domain.config import Partnership
from bot.blocks.ids import Action, Callback, Field, VALUE
from bot.blocks.limits import longest
from bot.i18n import N_, _, each_language, ours
from storage.models import Challenge, ChallengeResponse, Record, Revision

KINDS = {
    "question": N_("A question"),
    "risk_level": N_("I disagree with the risk level"),
    "inaccurate": N_("Something here is inaccurate"),
    "missing": N_("Something is missing"),
    "other": N_("Something else"),
}
STATES = {"open": N_("waiting for an answer"), "answered": N_("answered"), "resolved": N_("resolved"),
          "escalated": N_("escalated")}
# What an amendment may change, as its message names it.
_AMENDED = {"summary": N_("summary"), "actions": N_("actions")}


def level(label: str | None) -> str:
    """A risk level's label (or definition, or any of the partnership's own texts) as stored on a record or
    revision, in the partnership's words for the reader, escaped."""
    return escape(ours(label)) if label else ""


def kind_of(challenge: Challenge) -> str:
    """The kind of question or challenge, in the reader's language."""
    kind = KINDS.get(challenge.kind)
    return _(kind) if kind else escape(challenge.kind)


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
        "type": "static_select", "action_id": VALUE, "placeholder": plain(_("Choose by meaning")),
        "options": [option(ours(r.label), r.key, ours(r.definition) if r.definition else None)
                    for r in partnership.risk_levels]}}


def _modal(callback: Callback, metadata: str, title: str, submit: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "modal", "callback_id": callback, "private_metadata": metadata, "title": plain(title, 24),
            "submit": plain(submit, 24), "close": plain(_("Cancel"), 24), "blocks": blocks}


def challenge_form(record: Record, subject: str, partnership: Partnership) -> dict[str, Any]:
    return _modal(Callback.CHALLENGE_FORM, subject, _("Ask or challenge"), _("Send"), [
        section(_("Ask about or challenge *{reference}* (case {case}). Every agency that received it will see your "
                  "question, and the sharer is asked to answer.", reference=record.reference,
                  case=escape(record.case_reference))),
        {"type": "input", "block_id": Field.CHALLENGE_KIND, "label": plain(_("What is it?")), "element": {
            "type": "radio_buttons", "action_id": VALUE, "options": [option(_(l), k) for k, l in KINDS.items()]}},
        _text_input(Field.CHALLENGE_TEXT, _("Your question or challenge"),
                    placeholder=_("Say what you think and why, as you would in the meeting")),
        _risk_select(Field.PROPOSED_RISK, _("If you disagree with the risk level: the level you propose"), partnership),
        context(*(f"*{level(r.label)}*: {level(r.definition)}" for r in partnership.risk_levels)),
        *([identifiers_reason_input()] if partnership.check_identifiers else []),
    ])


def response_form(record: Record, challenge: Challenge, partnership: Partnership, *, may_revise: bool) -> dict[str, Any]:
    blocks = [section(_("{person} asked about *{reference}*: *{kind}*", person=mention(challenge.raised_by),
                        reference=record.reference, kind=kind_of(challenge))),
              *long_text_sections(_("Their words"), challenge.text),
              _text_input(Field.RESPONSE_TEXT, _("Your answer"), placeholder=_("Your answer goes to every agency"))]
    if may_revise:
        now = ours(record.risk_label) if record.risk_label else ""
        blocks.append(_risk_select(Field.REVISED_RISK, _("Revise the risk level (now {level})", level=now),
                                   partnership))
        blocks.append(context(_("Only if your answer changes it: your answer is recorded as the reason, and the "
                                "earlier level stays in the record's history.")))
    return _modal(Callback.RESPONSE_FORM, str(challenge.id), _("Answer"), _("Send answer"), blocks)


def amend_form(record: Record, *, check_identifiers: bool = True) -> dict[str, Any]:
    return _modal(Callback.AMEND_FORM, str(record.id), _("Amend record"), _("Send amendment"), [
        section(_("Amend *{reference}*. Every agency that received it is told, and the earlier wording stays in its "
                  "history.", reference=record.reference)),
        _text_input(Field.SUMMARY, _("Summary"), placeholder=_("The corrected summary"), initial=record.summary),
        _text_input(Field.ACTIONS, _("Actions agreed"), placeholder=_("The corrected actions"), initial=record.actions,
                    optional=True),
        _text_input(Field.AMEND_REASON, _("Why are you amending it?"),
                    placeholder=_("e.g. The date of the visit was wrong")),
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
    blocks = [section(_(":raising_hand: {person} ({agency}) asks about *{reference}*: *{kind}*",
                        person=mention(challenge.raised_by), agency=escape(agency_name), reference=record.reference,
                        kind=kind_of(challenge))),
              *long_text_sections(_("Their words"), challenge.text)]
    if challenge.proposed_risk_label:
        blocks.append(context(each_language(lambda: _("Proposed risk level: *{proposed}* (now *{current}*)",
                                                      proposed=level(challenge.proposed_risk_label),
                                                      current=level(record.risk_label)))))
    return blocks


def challenge_message(record: Record, challenge: Challenge, agency_name: str, *,
                      for_sharer: bool) -> tuple[str, list[dict[str, Any]]]:
    """To the sharer by direct message, or in the record's thread in each receiving agency's channel: in both, a
    Respond button while the challenge is open or answered (anyone in the channel sees it; it checks the
    clicker's right when pressed)."""
    blocks = challenge_blocks(record, challenge, agency_name)
    if for_sharer or challenge.state in ("open", "answered"):
        blocks.append({"type": "actions", "elements": [
            button(one_line(_("Respond")), Action.RESPOND_CHALLENGE, str(challenge.id), style="primary")]})
    if not for_sharer and challenge.state in ("open", "answered"):
        blocks.append(context(_("The sharer, or anyone in an agency that received the record, can answer.")))
    line = one_line(_("{agency} asks about {reference}", agency=escape(agency_name), reference=record.reference))
    return line, blocks


def response_message(record: Record, challenge: Challenge, response: ChallengeResponse, revision: Revision | None,
                     *, for_challenger: bool) -> tuple[str, list[dict[str, Any]]]:
    blocks = [section(_(":speech_balloon: {person} answered {challenger} about *{reference}* (“{kind}”)",
                        person=mention(response.responded_by), challenger=mention(challenge.raised_by),
                        reference=record.reference, kind=kind_of(challenge))),
              *long_text_sections(_("Answer"), response.text)]
    if revision is not None:
        blocks.append(context(each_language(lambda: _("Risk level revised from *{previous}* to *{current}*.",
                                                      previous=level(revision.previous.get('risk_label')),
                                                      current=level(revision.current.get('risk_label'))))))
    if for_challenger:
        blocks.append({"type": "actions", "elements": [
            button(one_line(_("That resolves it")), Action.RESOLVE_CHALLENGE, str(challenge.id), style="primary"),
            button(one_line(_("Escalate to the leads")), Action.ESCALATE_CHALLENGE, str(challenge.id))]})
    return one_line(_("An answer about {reference}", reference=record.reference)), blocks


def closed_message(record: Record, challenge: Challenge) -> tuple[str, list[dict[str, Any]]]:
    about = dict(person=mention(challenge.raised_by), reference=record.reference)
    if challenge.state == "escalated":
        text = _(":arrow_up: {person} has escalated their challenge about *{reference}* to the leads of every agency "
                 "involved.", **about)
        line = one_line(_("Challenge about {reference} escalated", reference=record.reference))
    else:
        text = _(":white_check_mark: {person}'s challenge about *{reference}* is resolved.", **about)
        line = one_line(_("Challenge about {reference} resolved", reference=record.reference)) \
            if challenge.state == "resolved" \
            else record.reference + ": " + _(STATES.get(challenge.state) or N_("closed"))
    return line, [section(text)]


def escalation_message(record: Record, challenge: Challenge, agency_name: str,
                       permalink: str | None) -> tuple[str, list[dict[str, Any]]]:
    see = _("See the record's post")
    link = f" <{permalink}|{see}>." if permalink else ""
    return one_line(_("A challenge about {reference} needs the leads", reference=record.reference)), [
        section(_(":arrow_up: {person} ({agency}) has escalated a challenge about *{reference}* (case {case}, shared "
                  "by {sharer}). As a lead of an agency involved, please help resolve it.",
                  person=mention(challenge.raised_by), agency=escape(agency_name), reference=record.reference,
                  case=escape(record.case_reference), sharer=mention(record.sharer_id)) + link),
        *challenge_blocks(record, challenge, agency_name)[1:]]


def challenge_reminder(record: Record, challenge: Challenge, agency_name: str) -> tuple[str, list[dict[str, Any]]]:
    return one_line(_("{agency} is waiting for your answer about {reference}", agency=escape(agency_name),
             reference=record.reference)), [
        section(_(":hourglass_flowing_sand: {person} ({agency}) is waiting for an answer about *{reference}*, asked "
                  "{date}.", person=mention(challenge.raised_by), agency=escape(agency_name),
                  reference=record.reference, date=slack_date(challenge.raised_at, '{date_short_pretty}'))),
        {"type": "actions", "elements": [button(one_line(_("Respond")), Action.RESPOND_CHALLENGE, str(challenge.id),
                                                style="primary")]}]


def amendment_message(record: Record, revision: Revision) -> tuple[str, list[dict[str, Any]]]:
    changed = ", ".join(_(label) for key, label in _AMENDED.items()
                        if revision.previous.get(key) != revision.current.get(key))
    why = "\n".join(f"*{line}*" for line in _("Why:").split("\n"))
    return one_line(_("{reference} was amended", reference=record.reference)), [
        section(_(":pencil2: {person} amended *{reference}* ({changed}).", person=mention(revision.revised_by),
                  reference=record.reference, changed=changed or _("no change"))
                + f"\n{why} {escape(revision.reason)}"),
        context(_("The post above shows the current version; `/joinedup show` keeps every version."))]


def revision_lines(revisions: list[Revision]) -> list[str]:
    """For posts: what changed and why, newest last."""
    return [each_language(lambda: _revised(r)) + f" {escape(r.reason[:300])}" for r in revisions]


def _revised(r: Revision) -> str:
    when = slack_date(r.revised_at, "{date_short_pretty}")
    if r.kind == "risk level":
        return _(":arrows_counterclockwise: Risk level revised from *{previous}* to *{current}* by {person}, {when}:",
                 previous=level(r.previous.get('risk_label')), current=level(r.current.get('risk_label')),
                 person=mention(r.revised_by), when=when)
    return _(":pencil2: Amended by {person}, {when}:", person=mention(r.revised_by), when=when)
