"""Buttons and menus on messages and forms."""
from __future__ import annotations

import dataclasses
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.blocks import refusals
from bot.blocks.challenge import amend_form, challenge_form, response_form
from bot.blocks.ids import Action
from bot.blocks.messages import (
    NOT_SAVED,
    acknowledge_note_form,
    acknowledgement_reply,
    form_unavailable,
    info_view,
)
from bot.blocks.outcome import outcome_form
from bot.blocks.record_form import record_form
from bot.blocks.record_post import agency_name
from bot.blocks.text import day as format_day
from bot.services.acknowledgements import Acknowledgement, Outcome
from bot.services.acts import Done, Subject
from bot.services.audit import Surface
from bot.services.wiring import Services
from handlers.home import publish_home
from storage.models import parse_id

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.action(Action.RISK_LEVEL)
    def risk_level_chosen(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Show the chosen level's definition, and any emergency instructions, before the form is saved."""
        ack()
        view = body.get("view") or {}
        selected = action.get("selected_option")
        chosen = selected.get("value") if isinstance(selected, dict) else None
        if not view.get("id"):
            return  # a choice made outside a form: there is no form to show the definition on
        defaults = dataclasses.replace(services.records.form_defaults(body["user"]["id"]), risk_key=chosen)
        services.later(services.client.views_update, view_id=view["id"], hash=view.get("hash"),
                       view=record_form(services.partnership, defaults))

    @app.action(Action.OPEN_RECORD_FORM)
    def open_record_form(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        defaults = services.records.form_defaults(body["user"]["id"])
        _open(services, body, record_form(services.partnership, defaults), ack, respond)

    @app.action(Action.ACKNOWLEDGE)
    def acknowledge(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        # Stored before the ack, so a process that dies straight after it has lost nothing.
        container = body.get("container") or {}
        from_home = container.get("type") == "view"
        share, user_id = share_id(action), body["user"]["id"]
        result = (services.acknowledgements.acknowledge(share, user_id, surface=Surface.APP_HOME if from_home
                                                        else Surface.BUTTON)
                  if share else Acknowledgement(Outcome.NOT_FOUND))
        ack()
        services.later(_tell, services, result, user_id, respond=respond if body.get("response_url") else None,
                       from_home=from_home, confirm=bool(container.get("is_ephemeral")))

    @app.action(Action.ACKNOWLEDGE_WITH_NOTE)
    def acknowledge_with_note(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                              respond: Respond) -> None:
        # The right is checked as the form's submission checks it: a form that would be refused is not opened.
        user_id = body["user"]["id"]
        found = services.acknowledgements.share(share_id(action) or 0)
        if found is None or not services.directory.is_member(user_id, found[0].agency_key):
            _answer(services, body, refusals.ACKNOWLEDGE, ack, respond, title="Acknowledge receipt")
            return
        share, record = found
        agency = agency_name(services.partnership, share.agency_key)
        if share.acknowledged_at is not None:  # nothing is left to acknowledge: the form would only be refused
            _answer(services, body, acknowledgement_reply(Outcome.ALREADY, reference=record.reference, agency=agency,
                                                          by=share.acknowledged_by, at=share.acknowledged_at),
                    ack, respond, title="Acknowledge receipt")
            return
        _open(services, body, acknowledge_note_form(share.id, record.reference, agency), ack, respond)

    @app.action(Action.REPORT_OUTCOME)
    def report_outcome(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        subject = Subject.decode(str(action.get("value") or ""))
        record = services.outcomes.reportable(subject, body["user"]["id"])
        if record is None or subject is None:
            _answer(services, body, refusals.REPORT_OUTCOME, ack, respond, title="What came of it")
            return
        name = agency_name(services.partnership, subject.agency_key) if subject.agency_key else None
        _open(services, body, outcome_form(record, subject.encode(), name,
                                           check_identifiers=services.partnership.check_identifiers), ack, respond)

    @app.action(Action.REMIND_LATER)
    def remind_later(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        record, _, days = str(action.get("value") or "").partition(":")
        record_id = parse_id(record)
        if record_id and days in ("1", "3"):
            services.later(_snooze, services, record_id, body["user"]["id"], int(days),
                           respond if body.get("response_url") else None)

    @app.action(Action.ASK_OR_CHALLENGE)
    def ask_or_challenge(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        subject = Subject.decode(str(action.get("value") or ""))
        record = services.challenges.raisable(subject, body["user"]["id"])
        if record is None or subject is None:
            _answer(services, body, refusals.CHALLENGE, ack, respond, title="Ask or challenge")
            return
        _open(services, body, challenge_form(record, subject.encode(), services.partnership), ack, respond)

    @app.action(Action.RESPOND_CHALLENGE)
    def respond_to_challenge(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        user_id = body["user"]["id"]
        found = services.challenges.answerable(_number(action), user_id)
        if found is None:
            _answer(services, body, refusals.ANSWER, ack, respond, title="Answer")
            return
        challenge, record = found
        _open(services, body, response_form(record, challenge, services.partnership,
                                            may_revise=user_id == record.sharer_id), ack, respond)

    @app.action(Action.AMEND_RECORD)
    def amend_record(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        record = services.challenges.amendable(_number(action), body["user"]["id"])
        if record is None:
            _answer(services, body, refusals.AMEND, ack, respond, title="Amend record")
            return
        _open(services, body, amend_form(record, check_identifiers=services.partnership.check_identifiers),
              ack, respond)

    @app.action(Action.RETRY_DELIVERY)
    def retry_delivery(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        if not services.directory.is_admin(body["user"]["id"]):
            return
        services.outbox.deliver_soon(services.outbox.retry(_number(action)))

    @app.action(Action.RESOLVE_CHALLENGE)
    def resolve_challenge(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        _close_challenge(services, ack, body, action, respond, "resolved")

    @app.action(Action.ESCALATE_CHALLENGE)
    def escalate_challenge(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        _close_challenge(services, ack, body, action, respond, "escalated")


def _number(action: dict[str, Any]) -> int:
    return parse_id(action.get("value")) or 0


def _open(services: Services, body: dict[str, Any], view: dict[str, Any], ack: Ack, respond: Respond) -> None:
    """Open a view with the click's trigger_id, which dies three seconds after the click, then ack. If Slack will
    not open it (the trigger expired, say), the clicker is told where the click came from a message."""
    try:
        services.client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as error:
        ack()
        reason = str(error.response.get("error") or "Slack refused")
        if body.get("response_url"):
            services.later(respond, text=form_unavailable(reason, again="click the button again"),
                           response_type="ephemeral", replace_original=False)
        else:
            log.warning("a view did not open for a click on App Home or a form: %s", reason)
        return
    ack()


def _answer(services: Services, body: dict[str, Any], text: str, ack: Ack, respond: Respond, *, title: str) -> None:
    """Tell the clicker alone: in a reply only they see, under the message they clicked; or, for a click with no
    message (App Home, a form), in a small view with the same words."""
    if body.get("response_url"):
        ack()
        services.later(respond, text=text, response_type="ephemeral", replace_original=False)
    else:
        _open(services, body, info_view(title, text), ack, respond)


def _close_challenge(services: Services, ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                     state: str) -> None:
    result = services.challenges.close(_number(action), body["user"]["id"], state)
    ack()
    services.outbox.deliver_soon(result.message_ids)
    words = {Done.DONE: "Resolved. Thank you." if state == "resolved" else
             "Escalated: the leads of every agency involved have been told.",
             Done.ALREADY: "This challenge is already closed.",
             Done.NOT_ALLOWED: refusals.CLOSE_CHALLENGE, Done.NOT_FOUND: refusals.CLOSE_CHALLENGE}[result.done]
    if body.get("response_url"):
        services.later(respond, text=words, response_type="ephemeral", replace_original=False)


def _snooze(services: Services, record_id: int, user_id: str, days: int, respond: Respond | None) -> None:
    """Snoozed from a message it replaces; from App Home or a form (no response_url), quietly."""
    try:
        day = services.reminders.remind_later(record_id, user_id, days)
    except SQLAlchemyError:  # the click was answered already: it must not look as if it worked
        if respond:
            respond(text=NOT_SAVED, response_type="ephemeral", replace_original=False)
        raise
    if day is not None and respond:
        respond(text=f"OK. I'll ask you again on {format_day(day)}.", replace_original=True)


def share_id(action: dict[str, Any]) -> int | None:
    return parse_id(action.get("value"))


def _tell(services: Services, result: Acknowledgement, user_id: str, *, respond: Respond | None,
          from_home: bool, confirm: bool) -> None:
    services.outbox.deliver_soon(result.message_ids)
    if from_home:
        publish_home(services, user_id)
    if respond and (result.outcome != Outcome.ACKNOWLEDGED or confirm):
        refused = result.outcome in (Outcome.NOT_MEMBER, Outcome.NOT_FOUND)  # told alike: see bot/blocks/refusals.py
        respond(text=refusals.ACKNOWLEDGE if refused else acknowledgement_reply(
            result.outcome, reference=result.reference, agency=agency_name(services.partnership, result.agency_key),
            by=result.by, at=result.at), response_type="ephemeral", replace_original=False)
