"""Form submissions."""
from __future__ import annotations

import functools
import logging
from typing import Any, Callable

from slack_bolt import Ack, App
from sqlalchemy.exc import DataError, IntegrityError

from bot.blocks import refusals
from bot.blocks.challenge import (
    read_amend_form,
    read_challenge_form,
    read_response_form,
)
from bot.blocks.ids import Callback, Field
from bot.blocks.limits import Unstorable, fitting
from bot.blocks.messages import acknowledgement_reply, info_view
from bot.blocks.outcome import read_outcome_form
from bot.blocks.record_form import (
    CONDITIONAL,
    FormState,
    read_record_form,
    record_form,
    saved_view,
)
from bot.blocks.record_post import agency_name
from bot.blocks.text import escape
from bot.i18n import N_, _
from bot.services.acknowledgements import Outcome
from bot.services.acts import Done, Result, Subject
from bot.services.audit import Surface
from bot.services.wiring import Services
from storage.models import parse_id

log = logging.getLogger(__name__)

# Sending a form the database refused again, unchanged, would be refused again: so this never says "try again".
CANNOT_STORE = N_("Joined Up could not store this form as it was sent, so nothing was saved. Sending it again "
                  "unchanged will not help: close this, check your answers, and send it; or open the form again "
                  "from the start. If it still cannot be saved, tell your Joined Up administrator.")
ALREADY_ACKNOWLEDGED_NOTE = N_("Someone in your agency acknowledged this a moment ago, so your note was not sent. It "
                               "is still here: copy it into the post's thread if the sharer should see it.")
TITLE_LIMIT = 24


def register(app: App, services: Services) -> None:
    @app.view(Callback.RECORD_FORM)
    @_stored_or_told
    def submit_record(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        defaults = services.records.reopened(body["user"]["id"], view.get("private_metadata"))
        form = read_record_form(_values(view), defaults)
        problems, identifiers_found = services.records.check(form)
        found = services.records.findings(form)
        needed = _inputs(record_form(services.partnership, defaults, form, found=found)) - _inputs(view)
        if needed and needed <= CONDITIONAL:
            # The answers call for a field the form does not show yet (the identifiers' reason, the emergency
            # confirmation, or one a choice opens whose update never arrived): show it, with every answer kept
            # and the other problems under their fields, before anything is saved.
            notes = {key: message for key, message in problems.items() if key not in found and key not in needed
                     and key != Field.IDENTIFIERS_REASON and not (key == Field.RISK_LEVEL and
                                                                  Field.URGENT_CONFIRMED in needed)}
            for key in needed - {Field.IDENTIFIERS_REASON, Field.URGENT_CONFIRMED}:  # a box that newly appears
                notes[key] = problems.get(key) or _("New here: your choices above call for this. Fill it in, then "
                                                    "save.")
            ack(response_action="update", view=record_form(services.partnership, defaults, form, found=found,
                                                           notes=notes))
            return
        if problems:
            _refuse(ack, view, problems)
            return
        saved = services.records.save(form, user_id=body["user"]["id"], submission_key=view["id"],
                                      identifiers_found=identifiers_found, offered_agency=defaults.sharer_agency)
        ack(response_action="update", view=saved_view(saved.reference, saved.agency_names))
        services.outbox.deliver_soon(saved.message_ids)
        if services.email is not None:
            services.email.deliver_soon(saved.email_ids)

    # Every form below checks the submitter's right before anything else, with the same button's check, and
    # refuses alike whether the record exists or not and whatever was typed: see bot/blocks/refusals.py.

    @app.view(Callback.ACKNOWLEDGE_NOTE_FORM)
    @_stored_or_told
    def submit_acknowledgement_note(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user_id = body["user"]["id"]
        found = services.acknowledgements.share(parse_id(view.get("private_metadata")) or 0)
        if found is None or not services.directory.is_member(user_id, found[0].agency_key):
            _not_allowed(ack, refusals.ACKNOWLEDGE)
            return
        text = FormState(_values(view)).text(Field.NOTE)
        if not text:
            _refuse(ack, view, {Field.NOTE: _("Write a note, or use Acknowledge receipt without one.")})
            return
        if problems := services.acknowledgements.note_problems(text):
            _refuse(ack, view, problems)
            return
        result = services.acknowledgements.acknowledge(found[0].id, user_id, text, surface=Surface.FORM)
        if result.outcome in (Outcome.NOT_MEMBER, Outcome.NOT_FOUND):  # changed since the check above
            _not_allowed(ack, refusals.ACKNOWLEDGE)
            return
        if result.outcome == Outcome.ALREADY and result.by != user_id:  # a colleague was first: keep the text
            _refuse(ack, view, {Field.NOTE: _(ALREADY_ACKNOWLEDGED_NOTE)})
            return
        reply = acknowledgement_reply(result.outcome, reference=result.reference, by=result.by, at=result.at,
                                      agency=agency_name(services.partnership, result.agency_key))
        ack(response_action="update", view=info_view(fitting(TITLE_LIMIT, N_("Acknowledgement")), reply))
        services.outbox.deliver_soon(result.message_ids)

    @app.view(Callback.OUTCOME_FORM)
    @_stored_or_told
    def submit_outcome(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        subject = Subject.decode(str(view.get("private_metadata") or ""))
        if subject is None or services.outcomes.reportable(subject, body["user"]["id"]) is None:
            _not_allowed(ack, refusals.REPORT_OUTCOME)
            return
        form = read_outcome_form(_values(view))
        problems = services.outcomes.problems(form, subject)
        if problems:
            _refuse(ack, view, problems)
            return
        report = services.outcomes.report(subject, body["user"]["id"], form, submission_key=view["id"])
        if subject.agency_key:  # a receiving agency's result, for the sharer
            agency = escape(agency_name(services.partnership, subject.agency_key))
            _finish(ack, report, refusals.REPORT_OUTCOME, fitting(TITLE_LIMIT, N_("Sent to the sharer")),
                    _("Thank you. What {agency} did about {reference} is on its way to the sharer and to the "
                      "record's thread in {agency}'s channel.", agency=agency, reference=report.reference))
        else:
            _finish(ack, report, refusals.REPORT_OUTCOME, fitting(TITLE_LIMIT, N_("Outcome sent")),
                    _("Thank you. The outcome for the child of {reference} is on its way to every agency that "
                      "received it.", reference=report.reference))
        services.outbox.deliver_soon(report.message_ids)

    @app.view(Callback.CHALLENGE_FORM)
    @_stored_or_told
    def submit_challenge(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        subject = Subject.decode(str(view.get("private_metadata") or ""))
        if subject is None or services.challenges.raisable(subject, body["user"]["id"]) is None:
            _not_allowed(ack, refusals.CHALLENGE)
            return
        form = read_challenge_form(_values(view))
        problems = services.challenges.challenge_problems(form, subject.record_id)
        if problems:
            _refuse(ack, view, problems)
            return
        result = services.challenges.raise_challenge(subject, body["user"]["id"], form, submission_key=view["id"])
        _finish(ack, result, refusals.CHALLENGE, fitting(TITLE_LIMIT, N_("Sent")),
                _("Your question about {reference} has gone to every agency that received it, and the sharer has "
                  "been asked to answer.", reference=result.reference))
        services.outbox.deliver_soon(result.message_ids)

    @app.view(Callback.RESPONSE_FORM)
    @_stored_or_told
    def submit_response(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        challenge_id = parse_id(view.get("private_metadata"))
        if challenge_id is None or services.challenges.answerable(challenge_id, body["user"]["id"]) is None:
            _not_allowed(ack, refusals.ANSWER)
            return
        form = read_response_form(_values(view))
        problems = services.challenges.response_problems(form)
        if problems:
            _refuse(ack, view, problems)
            return
        result = services.challenges.respond(challenge_id, body["user"]["id"], form, submission_key=view["id"])
        _finish(ack, result, refusals.ANSWER, fitting(TITLE_LIMIT, N_("Answer sent")),
                _("Your answer about {reference} has gone to every agency that received it.",
                  reference=result.reference))
        services.outbox.deliver_soon(result.message_ids)

    @app.view(Callback.AMEND_FORM)
    @_stored_or_told
    def submit_amendment(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        record_id = parse_id(view.get("private_metadata"))
        if record_id is None or services.challenges.amendable(record_id, body["user"]["id"]) is None:
            _not_allowed(ack, refusals.AMEND)
            return
        form = read_amend_form(_values(view))
        problems = services.challenges.amend_problems(form, record_id)
        if problems:
            _refuse(ack, view, problems)
            return
        result = services.challenges.amend(record_id, body["user"]["id"], form, submission_key=view["id"])
        _finish(ack, result, refusals.AMEND, fitting(TITLE_LIMIT, N_("Amendment sent")),
                _("{reference} is amended, and every agency that received it is being told.",
                  reference=result.reference))
        services.outbox.deliver_soon(result.message_ids)


def _values(view: dict[str, Any]) -> dict[str, Any]:
    state = view.get("state") if isinstance(view.get("state"), dict) else {}
    values = state.get("values") if isinstance(state, dict) else None
    return values if isinstance(values, dict) else {}


def _inputs(view: dict[str, Any]) -> set[str]:
    blocks = view.get("blocks")
    return {block["block_id"] for block in blocks if isinstance(block, dict) and block.get("type") == "input"
            and isinstance(block.get("block_id"), str)} if isinstance(blocks, list) else set()


def _refuse(ack: Ack, view: dict[str, Any], errors: dict[str, str]) -> None:
    """Slack takes errors only for input blocks in the submitted view; a form without the field at fault (an old or
    forged copy) gets the reasons on a view pushed over it, so closing that returns to the text as typed."""
    inputs = {block.get("block_id") for block in view.get("blocks") or []
              if isinstance(block, dict) and block.get("type") == "input"}
    shown = {key: message for key, message in errors.items() if key in inputs}
    if shown:
        ack(response_action="errors", errors=shown)
    else:
        ack(response_action="push", view=info_view(fitting(TITLE_LIMIT, refusals.NOT_SAVED_TITLE),
                                                    " ".join(errors.values())))


def _not_allowed(ack: Ack, refusal: str) -> None:
    """The same answer, byte for byte, to everyone refused a form, whatever the form pointed at: pushed over the
    form, so closing it returns to the text as typed. `refusal` is one of bot/blocks/refusals.py, in English."""
    ack(response_action="push", view=info_view(fitting(TITLE_LIMIT, refusals.NOT_SAVED_TITLE), _(refusal)))


def _finish(ack: Ack, result: Result, refusal: str, title: str, done: str) -> None:
    if result.done in (Done.NOT_ALLOWED, Done.NOT_FOUND):  # changed since the form's first check
        _not_allowed(ack, refusal)
    else:
        ack(response_action="update", view=info_view(title, done))


def _stored_or_told(listener: Callable[..., None]) -> Callable[..., None]:
    """A form the database cannot store as it was sent (a value its column cannot hold, from a damaged or altered
    submission) is told so on a view pushed over the form, never "try again": sending it again unchanged would
    be refused again. One line in the log names the form and the error's type, never the value."""

    @functools.wraps(listener)
    def stored_or_told(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            listener(ack, body, view)
        except (Unstorable, DataError, IntegrityError) as error:
            log.warning("a %s submission could not be stored as sent: %s", view.get("callback_id"),
                        type(error).__name__)
            ack(response_action="push", view=info_view(fitting(TITLE_LIMIT, refusals.NOT_SAVED_TITLE),
                                                        _(CANNOT_STORE)))

    return stored_or_told
