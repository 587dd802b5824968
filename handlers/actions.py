"""Buttons and menus on messages and forms."""
from __future__ import annotations

import dataclasses
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.challenge import amend_form, challenge_form, response_form
from bot.blocks.ids import Action
from bot.blocks.messages import (
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


def register(app: App, services: Services) -> None:
    @app.action(Action.RISK_LEVEL)
    def risk_level_chosen(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Show the chosen level's definition, and any emergency instructions, before the form is saved."""
        ack()
        view = body.get("view") or {}
        selected = action.get("selected_option")
        chosen = selected.get("value") if isinstance(selected, dict) else None
        defaults = dataclasses.replace(services.records.form_defaults(body["user"]["id"]), risk_key=chosen)
        services.later(services.client.views_update, view_id=view.get("id"), hash=view.get("hash"),
                       view=record_form(services.partnership, defaults))

    @app.action(Action.OPEN_RECORD_FORM)
    def open_record_form(ack: Ack, body: dict[str, Any]) -> None:
        defaults = services.records.form_defaults(body["user"]["id"])
        ack()
        services.client.views_open(trigger_id=body["trigger_id"], view=record_form(services.partnership, defaults))

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
        found = services.acknowledgements.share(share_id(action) or 0)
        if found is None:
            ack()
            if body.get("response_url"):
                respond(text=acknowledgement_reply(Outcome.NOT_FOUND, reference="", agency="", by=None, at=None),
                        response_type="ephemeral", replace_original=False)
            return
        share, record = found
        try:
            services.client.views_open(trigger_id=body["trigger_id"], view=acknowledge_note_form(
                share.id, record.reference, agency_name(services.partnership, share.agency_key)))
        except SlackApiError as error:
            if body.get("response_url"):
                respond(text=form_unavailable(error.response.get("error") or "Slack refused"),
                        response_type="ephemeral", replace_original=False)
        ack()


    @app.action(Action.REPORT_OUTCOME)
    def report_outcome(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        subject = Subject.decode(str(action.get("value") or ""))
        record = services.outcomes.record(subject) if subject else None
        if record is None or subject is None:
            view = info_view("What came of it", NOT_AVAILABLE)
        elif not services.outcomes.may_report(body["user"]["id"], record, subject.agency_key):
            view = info_view("What came of it", NOT_YOURS)
        else:
            name = agency_name(services.partnership, subject.agency_key) if subject.agency_key else None
            view = outcome_form(record, subject.encode(), name,
                                check_identifiers=services.partnership.check_identifiers)
        _open(services.client, body, view, ack)

    @app.action(Action.REMIND_LATER)
    def remind_later(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        record, _, days = str(action.get("value") or "").partition(":")
        record_id = parse_id(record)
        if record_id and days in ("1", "3"):
            services.later(_snooze, services, record_id, body["user"]["id"], int(days), respond)


    @app.action(Action.ASK_OR_CHALLENGE)
    def ask_or_challenge(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        subject = Subject.decode(str(action.get("value") or ""))
        record = services.challenges.record(subject.record_id) if subject else None
        if record is None or subject is None:
            view = info_view("Ask or challenge", NOT_AVAILABLE)
        elif not services.challenges.may_raise(body["user"]["id"], record, subject.agency_key):
            view = info_view("Ask or challenge", NOT_YOURS)
        else:
            view = challenge_form(record, subject.encode(), services.partnership)
        _open(services.client, body, view, ack)

    @app.action(Action.RESPOND_CHALLENGE)
    def respond_to_challenge(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        found = services.challenges.challenge(_number(action))
        if found is None:
            view = info_view("Answer", NOT_AVAILABLE)
        elif not services.challenges.may_respond(body["user"]["id"], found[1]):
            view = info_view("Answer", NOT_YOURS)
        else:
            challenge, record = found
            view = response_form(record, challenge, services.partnership,
                                 may_revise=body["user"]["id"] == record.sharer_id)
        _open(services.client, body, view, ack)

    @app.action(Action.AMEND_RECORD)
    def amend_record(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        record = services.challenges.record(_number(action))
        if record is None or record.sharer_id != body["user"]["id"]:
            view = info_view("Amend record", "Only the person who shared a record can amend it.")
        else:
            view = amend_form(record, check_identifiers=services.partnership.check_identifiers)
        _open(services.client, body, view, ack)

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


NOT_AVAILABLE = "This record is no longer available."
NOT_YOURS = ("Only the sharer and members of the agencies a record was shared with can do this, and Joined Up "
             "doesn't count you as one of them. If you should be, ask to join the agency's channel.")


def _number(action: dict[str, Any]) -> int:
    return parse_id(action.get("value")) or 0


def _open(client: WebClient, body: dict[str, Any], view: dict[str, Any], ack: Ack) -> None:
    """Open a form with the click's trigger_id, which dies three seconds after the click."""
    try:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    finally:
        ack()


def _close_challenge(services: Services, ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                     state: str) -> None:
    result = services.challenges.close(_number(action), body["user"]["id"], state)
    ack()
    services.outbox.deliver_soon(result.message_ids)
    words = {Done.DONE: "Resolved. Thank you." if state == "resolved" else
             "Escalated: the leads of every agency involved have been told.",
             Done.ALREADY: "This challenge is already closed.",
             Done.NOT_ALLOWED: "Only the person who raised the challenge can close or escalate it.",
             Done.NOT_FOUND: NOT_AVAILABLE}[result.done]
    if body.get("response_url"):
        services.later(respond, text=words, response_type="ephemeral", replace_original=False)


def _snooze(services: Services, record_id: int, user_id: str, days: int, respond: Respond) -> None:
    day = services.reminders.remind_later(record_id, user_id, days)
    if day is not None:
        respond(text=f"OK. I'll ask you again on {format_day(day)}.", replace_original=True)


def share_id(action: dict[str, Any]) -> int | None:
    return parse_id(action.get("value"))


def _tell(services: Services, result: Acknowledgement, user_id: str, *, respond: Respond | None,
          from_home: bool, confirm: bool) -> None:
    services.outbox.deliver_soon(result.message_ids)
    if from_home:
        publish_home(services, user_id)
    if respond and (result.outcome != Outcome.ACKNOWLEDGED or confirm):
        respond(text=acknowledgement_reply(result.outcome, reference=result.reference,
                                           agency=agency_name(services.partnership, result.agency_key),
                                           by=result.by, at=result.at),
                response_type="ephemeral", replace_original=False)
