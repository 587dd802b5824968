"""Shortcuts: "Record a conversation" (global) and "Record from this message" (message) open the /record form."""
from __future__ import annotations

import dataclasses
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError

from bot.blocks.ids import Shortcut
from bot.blocks.messages import form_unavailable
from bot.blocks.record_form import record_form
from bot.i18n import _
from bot.services.wiring import Services

log = logging.getLogger(__name__)

def register(app: App, services: Services) -> None:
    def open_form(body: dict[str, Any], *, from_message: bool = False) -> str | None:
        """Open the record form for whoever used the shortcut; Slack's error, if it would not open."""
        # views.open comes before the ack, as for /record: the trigger_id dies three seconds after the click.
        defaults = services.records.form_defaults(body["user"]["id"])
        view = record_form(services.partnership, dataclasses.replace(defaults, from_message=from_message))
        try:
            services.client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as error:
            return str(error.response.get("error") or _("Slack refused"))
        return None

    @app.shortcut(Shortcut.RECORD_CONVERSATION)
    def record_conversation(ack: Ack, body: dict[str, Any]) -> None:
        refused = open_form(body)
        ack()
        if refused:
            # A global shortcut carries no response_url and no channel: the person is told in Joined Up's DM.
            log.warning("the record form did not open from the global shortcut: %s", refused)
            services.later(services.client.chat_postMessage, channel=body["user"]["id"],
                           text=form_unavailable(refused, again="use the shortcut again"))

    @app.shortcut(Shortcut.RECORD_FROM_MESSAGE)
    def record_from_message(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        # body["message"] is deliberately never read: see MESSAGE_NOT_COPIED in bot/blocks/record_form.py.
        refused = open_form(body, from_message=True)
        ack()
        if refused and body.get("response_url"):
            services.later(respond, text=form_unavailable(refused, again="use the shortcut again"), response_type="ephemeral",
                           replace_original=False)
