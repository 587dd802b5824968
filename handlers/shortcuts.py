"""Shortcuts: "Record a conversation" (global) and "Record from this message" (message) open the /record form."""
from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError

from bot.blocks.ids import Shortcut
from bot.blocks.messages import form_unavailable
from bot.blocks.record_form import record_form
from bot.blocks.text import context
from bot.services.wiring import Services

log = logging.getLogger(__name__)

# The message a shortcut starts from may be about another child, or carry a name, an NHS number or an address:
# copied into the form it would arrive as if the practitioner had typed and checked it. So nothing is copied.
MESSAGE_NOT_COPIED = (":information_source: Started from a message: Joined Up has *not* copied it into this form, "
                      "because it may be about another child or hold details that do not belong in this record. "
                      "Write what this record needs in your own words.")


def register(app: App, services: Services) -> None:
    def open_form(body: dict[str, Any], *, note: str | None = None) -> str | None:
        """Open the record form for whoever used the shortcut; Slack's error, if it would not open."""
        # views.open comes before the ack, as for /record: the trigger_id dies three seconds after the click.
        view = record_form(services.partnership, services.records.form_defaults(body["user"]["id"]))
        if note:
            view["blocks"].insert(1, context(note))  # under the form's opening line, above the first field
        try:
            services.client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as error:
            return str(error.response.get("error") or "Slack refused")
        return None

    @app.shortcut(Shortcut.RECORD_CONVERSATION)
    def record_conversation(ack: Ack, body: dict[str, Any]) -> None:
        refused = open_form(body)
        ack()
        if refused:
            # A global shortcut carries no response_url and no channel: there is nowhere to say so.
            log.warning("the record form did not open from the global shortcut: %s", refused)

    @app.shortcut(Shortcut.RECORD_FROM_MESSAGE)
    def record_from_message(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        # body["message"] is deliberately never read: see MESSAGE_NOT_COPIED.
        refused = open_form(body, note=MESSAGE_NOT_COPIED)
        ack()
        if refused and body.get("response_url"):
            services.later(respond, text=form_unavailable(refused), response_type="ephemeral",
                           replace_original=False)
