"""Form submissions."""
from __future__ import annotations

import dataclasses
from typing import Any

from slack_bolt import Ack, App

from bot.blocks.challenge import (
    read_amend_form,
    read_challenge_form,
    read_response_form,
)
from bot.blocks.ids import Callback, Field
from bot.blocks.messages import acknowledgement_reply, info_view
from bot.blocks.outcome import read_outcome_form
from bot.blocks.record_form import (
    FormState,
    offered_agency,
    read_record_form,
    record_form,
    saved_view,
)
from bot.blocks.record_post import agency_name
from bot.services.acknowledgements import Acknowledgement, Outcome
from bot.services.acts import Done, Result, Subject
from bot.services.audit import Surface
from bot.services.wiring import Services
from storage.models import parse_id


def register(app: App, services: Services) -> None:
    @app.view(Callback.RECORD_FORM)
    def submit_record(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = read_record_form(_values(view))
        problems, identifiers_found = services.records.check(form)
        shown = {block.get("block_id") for block in view.get("blocks", [])}
        if Field.URGENT_CONFIRMED in problems and Field.URGENT_CONFIRMED not in shown:
            # The emergency instructions are not on the form yet: show them before anything is saved.
            defaults = services.records.form_defaults(body["user"]["id"])
            ack(response_action="update", view=record_form(
                services.partnership, dataclasses.replace(defaults, risk_key=form.risk_key)))
            return
        if problems:
            _refuse(ack, view, problems)
            return
        saved = services.records.save(form, user_id=body["user"]["id"], submission_key=view["id"],
                                      identifiers_found=identifiers_found, offered_agency=offered_agency(view))
        ack(response_action="update", view=saved_view(saved.reference, saved.agency_names))
        services.outbox.deliver_soon(saved.message_ids)

    @app.view(Callback.ACKNOWLEDGE_NOTE_FORM)
    def submit_acknowledgement_note(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        metadata = str(view.get("private_metadata") or "")
        text = FormState(_values(view)).text(Field.NOTE)
        if not text:
            _refuse(ack, view, {Field.NOTE: "Write a note, or use Acknowledge receipt without one."})
            return
        share = parse_id(metadata)
        result = (services.acknowledgements.acknowledge(share, body["user"]["id"], text, surface=Surface.FORM) if share
                  else Acknowledgement(Outcome.NOT_FOUND))
        reply = acknowledgement_reply(result.outcome, reference=result.reference, by=result.by, at=result.at,
                                      agency=agency_name(services.partnership, result.agency_key))
        if result.outcome == Outcome.NOT_MEMBER:
            _refuse(ack, view, {Field.NOTE: reply})
            return
        ack(response_action="update", view=info_view("Acknowledgement", reply))
        services.outbox.deliver_soon(result.message_ids)

    @app.view(Callback.OUTCOME_FORM)
    def submit_outcome(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = read_outcome_form(_values(view))
        subject = Subject.decode(str(view.get("private_metadata") or ""))
        problems = services.outcomes.problems(form, subject)
        if problems:
            _refuse(ack, view, problems)
            return
        report = (services.outcomes.report(subject, body["user"]["id"], form, submission_key=view["id"])
                  if subject else Result(Done.NOT_FOUND))
        if report.done == Done.NOT_ALLOWED:
            who = (f"members of {agency_name(services.partnership, subject.agency_key)}"
                   if subject and subject.agency_key else "the person who shared it")
            _refuse(ack, view, {Field.WHAT_HAPPENED: f"Only {who} can report this outcome."})
            return
        if report.done == Done.NOT_FOUND:
            ack(response_action="update", view=info_view("What came of it", "This record is no longer available."))
            return
        ack(response_action="update", view=info_view(
            "Outcome sent", f"Thank you. The outcome of {report.reference} is on its way to every agency that received it."))
        services.outbox.deliver_soon(report.message_ids)

    @app.view(Callback.CHALLENGE_FORM)
    def submit_challenge(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = read_challenge_form(_values(view))
        subject = Subject.decode(str(view.get("private_metadata") or ""))
        problems = services.challenges.challenge_problems(form, subject.record_id if subject else None)
        if problems:
            _refuse(ack, view, problems)
            return
        result = (services.challenges.raise_challenge(subject, body["user"]["id"], form, submission_key=view["id"])
                  if subject else Result(Done.NOT_FOUND))
        who = f"members of {agency_name(services.partnership, subject.agency_key or '')}" if subject else ""
        _finish(ack, view, result, Field.CHALLENGE_TEXT, f"Only {who} can ask or challenge from this post.",
                "Sent", f"Your question about {result.reference} has gone to every agency that received it, and "
                        "the sharer has been asked to answer.")
        services.outbox.deliver_soon(result.message_ids)

    @app.view(Callback.RESPONSE_FORM)
    def submit_response(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = read_response_form(_values(view))
        problems = services.challenges.response_problems(form)
        if problems:
            _refuse(ack, view, problems)
            return
        metadata = str(view.get("private_metadata") or "")
        challenge_id = parse_id(metadata)
        result = (services.challenges.respond(challenge_id, body["user"]["id"], form, submission_key=view["id"])
                  if challenge_id else Result(Done.NOT_FOUND))
        _finish(ack, view, result, Field.RESPONSE_TEXT,
                "Only the sharer or a member of an agency that received the record can answer.",
                "Answer sent", f"Your answer about {result.reference} has gone to every agency that received it.")
        services.outbox.deliver_soon(result.message_ids)

    @app.view(Callback.AMEND_FORM)
    def submit_amendment(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = read_amend_form(_values(view))
        metadata = str(view.get("private_metadata") or "")
        record_id = parse_id(metadata)
        problems = services.challenges.amend_problems(form, record_id)
        if problems:
            _refuse(ack, view, problems)
            return
        result = (services.challenges.amend(record_id, body["user"]["id"], form, submission_key=view["id"])
                  if record_id else Result(Done.NOT_FOUND))
        _finish(ack, view, result, Field.AMEND_REASON, "Only the person who shared a record can amend it.",
                "Amendment sent", f"{result.reference} is amended, and every agency that received it is being told.")
        services.outbox.deliver_soon(result.message_ids)


def _values(view: dict[str, Any]) -> dict[str, Any]:
    state = view.get("state") if isinstance(view.get("state"), dict) else {}
    values = state.get("values") if isinstance(state, dict) else None
    return values if isinstance(values, dict) else {}


def _refuse(ack: Ack, view: dict[str, Any], errors: dict[str, str]) -> None:
    """Slack takes errors only for input blocks in the submitted view; a form without the field at fault (an old or
    forged copy) gets the reasons on a view pushed over it, so closing that returns to the text as typed."""
    inputs = {block.get("block_id") for block in view.get("blocks", [])
              if isinstance(block, dict) and block.get("type") == "input"}
    shown = {key: message for key, message in errors.items() if key in inputs}
    if shown:
        ack(response_action="errors", errors=shown)
    else:
        ack(response_action="push", view=info_view("Not saved", " ".join(errors.values())))


def _finish(ack: Ack, view: dict[str, Any], result: Result, field: str, refusal: str, title: str, done: str) -> None:
    if result.done == Done.NOT_ALLOWED:
        _refuse(ack, view, {field: refusal})
    elif result.done == Done.NOT_FOUND:
        ack(response_action="update", view=info_view(title, "This record is no longer available."))
    else:
        ack(response_action="update", view=info_view(title, done))
