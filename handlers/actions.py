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
from bot.blocks.ids import Action, Callback
from bot.blocks.menu import chosen
from bot.blocks.messages import (
    NOT_SAVED,
    acknowledge_note_form,
    acknowledgement_reply,
    form_unavailable,
    info_view,
)
from bot.blocks.outcome import outcome_form
from bot.blocks.record_form import read_record_form, record_form
from bot.blocks.record_post import agency_name
from bot.blocks.text import day as format_day
from bot.i18n import N_, _
from bot.services.acknowledgements import Acknowledgement, Outcome
from bot.services.acts import Done, Subject
from bot.services.audit import Surface
from bot.services.wiring import Services
from handlers.home import publish_home
from storage.models import parse_id

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    def record_form_changed(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A choice that changes what the record form needs (the risk level's definition and any emergency
        instructions; the reason for not sharing; the box for another reason or for the action asked for), or
        its button for the details: the form is rebuilt from everything in it so far."""
        ack()
        view = body.get("view")
        if not isinstance(view, dict) or not view.get("id") or view.get("callback_id") != Callback.RECORD_FORM:
            return  # a choice made outside the form: there is no form to change
        services.later(_reshape, services, body["user"]["id"], view, action)

    for changes_the_form in (Action.RISK_LEVEL, Action.SHARE_WITH_CHOSEN, Action.PURPOSES_CHOSEN,
                             Action.REQUEST_CHOSEN, Action.RECORD_DETAILS):
        app.action(changes_the_form)(record_form_changed)

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
            _answer(services, body, _(refusals.ACKNOWLEDGE), ack, respond, title=_("Acknowledge receipt"))
            return
        share, record = found
        agency = agency_name(services.partnership, share.agency_key)
        if share.acknowledged_at is not None:  # nothing is left to acknowledge: the form would only be refused
            _answer(services, body, acknowledgement_reply(Outcome.ALREADY, reference=record.reference, agency=agency,
                                                          by=share.acknowledged_by, at=share.acknowledged_at),
                    ack, respond, title=_("Acknowledge receipt"))
            return
        _open(services, body, acknowledge_note_form(share.id, record.reference, agency), ack, respond)

    @app.action(Action.REPORT_OUTCOME)
    def report_outcome(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        subject = Subject.decode(str(action.get("value") or ""))
        record = services.outcomes.reportable(subject, body["user"]["id"])
        if record is None or subject is None:
            # One title whatever the value names: a refusal must not tell one kind of value from another.
            _answer(services, body, _(refusals.REPORT_OUTCOME), ack, respond, title=_("What came of it"))
            return
        name = agency_name(services.partnership, subject.agency_key) if subject.agency_key else None
        _open(services, body, outcome_form(record, subject.encode(), name,
                                           check_identifiers=services.partnership.check_identifiers), ack, respond)

    @app.action(Action.REMIND_LATER)
    def remind_later(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        record, _colon, days = str(action.get("value") or "").partition(":")
        record_id = parse_id(record)
        if record_id and days in ("1", "3"):
            services.later(_snooze, services, record_id, body["user"]["id"], int(days),
                           respond if body.get("response_url") else None)

    @app.action(Action.ASK_OR_CHALLENGE)
    def ask_or_challenge(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        subject = Subject.decode(str(action.get("value") or ""))
        record = services.challenges.raisable(subject, body["user"]["id"])
        if record is None or subject is None:
            _answer(services, body, _(refusals.CHALLENGE), ack, respond, title=_("Ask or challenge"))
            return
        _open(services, body, challenge_form(record, subject.encode(), services.partnership), ack, respond)

    @app.action(Action.RESPOND_CHALLENGE)
    def respond_to_challenge(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        user_id = body["user"]["id"]
        found = services.challenges.answerable(_number(action), user_id)
        if found is None:
            _answer(services, body, _(refusals.ANSWER), ack, respond, title=_("Answer"))
            return
        challenge, record = found
        _open(services, body, response_form(record, challenge, services.partnership,
                                            may_revise=user_id == record.sharer_id), ack, respond)

    @app.action(Action.AMEND_RECORD)
    def amend_record(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        record = services.challenges.amendable(_number(action), body["user"]["id"])
        if record is None:
            _answer(services, body, _(refusals.AMEND), ack, respond, title=_("Amend record"))
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

    @app.action(Action.EMAIL_COPY)
    def email_copy(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        """The written record to the clicker's own work address: answered after the ack, since who they are in
        Slack (their address) is asked of Slack."""
        ack()
        if services.copies is None:  # a button from before email was turned off
            if body.get("response_url"):
                respond(text=_(EMAIL_NOT_SET_UP), response_type="ephemeral", replace_original=False)
            return
        key = f"copy:{_number(action)}:{body['user']['id']}:{action.get('action_ts') or body.get('trigger_id')}"
        services.later(_email_copy, services, _number(action), body["user"]["id"], key[:120],
                       respond if body.get("response_url") else None)

    # The ⋯ menu on an agency's post: Slack sends the choice as `selected_option.value`, which names the button it
    # stands for and carries that button's value (bot/blocks/menu.py). The button's own listener answers it, with
    # the same check of the clicker's right before any form opens.
    by_menu = {Action.ACKNOWLEDGE_WITH_NOTE: acknowledge_with_note, Action.REPORT_OUTCOME: report_outcome,
               Action.ASK_OR_CHALLENGE: ask_or_challenge, Action.RESPOND_CHALLENGE: respond_to_challenge,
               Action.EMAIL_COPY: email_copy}

    @app.action(Action.POST_MENU)
    def post_menu(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        name, value = chosen(action)
        listener = by_menu.get(name)  # type: ignore[call-overload]
        if listener is None:  # not one of the menu's options: nothing to do
            ack()
            return
        listener(ack=ack, body=body, action={**action, "action_id": name, "value": value}, respond=respond)


def _reshape(services: Services, user_id: str, view: dict[str, Any], action: dict[str, Any]) -> None:
    """Rebuild the record form for the answers in it, with views.update and the view's hash: if the form changed
    again meanwhile, the newer one stands (whatever it lacks is shown when it is sent). Every block_id and
    action_id stays as it was and every answer is carried over as its field's initial value, so nothing typed is
    lost."""
    defaults = services.records.reopened(user_id, view.get("private_metadata"))
    if action.get("action_id") == Action.RECORD_DETAILS:
        defaults = dataclasses.replace(defaults, details=True)
    state = view.get("state") if isinstance(view.get("state"), dict) else {}
    values = dict(state.get("values") or {}) if isinstance(state.get("values"), dict) else {}
    block, element = action.get("block_id"), action.get("action_id")
    if action.get("type") != "button" and isinstance(block, str) and isinstance(element, str):
        values[block] = {element: action}  # the choice itself, as the state also carries it
    form = read_record_form(values, defaults)
    changed = record_form(services.partnership, defaults, form, found=services.records.findings(form))
    try:
        services.client.views_update(view_id=view["id"], hash=view.get("hash"), view=changed)
    except SlackApiError as error:
        if error.response.get("error") != "hash_conflict":
            raise
        log.info("the record form changed again before it was rebuilt: the newer version stands")


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
    words = {Done.DONE: _("Resolved. Thank you.") if state == "resolved" else
             _("Escalated: the leads of every agency involved have been told."),
             Done.ALREADY: _("This challenge is already closed."),
             Done.NOT_ALLOWED: _(refusals.CLOSE_CHALLENGE), Done.NOT_FOUND: _(refusals.CLOSE_CHALLENGE)}[result.done]
    if body.get("response_url"):
        services.later(respond, text=words, response_type="ephemeral", replace_original=False)


def _snooze(services: Services, record_id: int, user_id: str, days: int, respond: Respond | None) -> None:
    """Snoozed from a message it replaces; from App Home or a form (no response_url), quietly."""
    try:
        day = services.reminders.remind_later(record_id, user_id, days)
    except SQLAlchemyError:  # the click was answered already: it must not look as if it worked
        if respond:
            respond(text=_(NOT_SAVED), response_type="ephemeral", replace_original=False)
        raise
    if day is not None and respond:
        respond(text=_("OK. I'll ask you again on {day}.", day=format_day(day)), replace_original=True)


EMAIL_NOT_SET_UP = N_("This partnership does not send email from Joined Up any more, so no copy was sent. "
                      "Ask an admin if you need one.")


def _email_copy(services: Services, record_id: int, user_id: str, key: str, respond: Respond | None) -> None:
    assert services.copies is not None and services.email is not None
    result = services.copies.request(record_id, user_id, key=key)
    services.email.deliver_soon(result.email_ids)
    if respond:
        respond(text=result.words, response_type="ephemeral", replace_original=False)


def share_id(action: dict[str, Any]) -> int | None:
    return parse_id(action.get("value"))


def _tell(services: Services, result: Acknowledgement, user_id: str, *, respond: Respond | None,
          from_home: bool, confirm: bool) -> None:
    services.outbox.deliver_soon(result.message_ids)
    if from_home:
        publish_home(services, user_id)
    if respond and (result.outcome != Outcome.ACKNOWLEDGED or confirm):
        refused = result.outcome in (Outcome.NOT_MEMBER, Outcome.NOT_FOUND)  # told alike: see bot/blocks/refusals.py
        respond(text=_(refusals.ACKNOWLEDGE) if refused else acknowledgement_reply(
            result.outcome, reference=result.reference, agency=agency_name(services.partnership, result.agency_key),
            by=result.by, at=result.at), response_type="ephemeral", replace_original=False)
