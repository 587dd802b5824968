"""Slash commands: /record opens the form; /joinedup answers questions."""
from __future__ import annotations

from typing import Any, Callable

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app import Services
from bot.blocks.messages import form_unavailable, help_blocks
from bot.blocks.record_form import record_form
from handlers.ids import Command


def register(app: App, services: Services) -> None:
    @app.command(Command.RECORD)
    def open_record_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        # views.open must come first: the trigger_id dies three seconds after the command was typed.
        defaults = services.records.form_defaults(body["user_id"], body.get("text") or "")
        try:
            client.views_open(trigger_id=body["trigger_id"], view=record_form(services.partnership, defaults))
        except SlackApiError as error:
            ack(text=form_unavailable(error.response.get("error") or "Slack refused"))
            return
        ack()

    subcommands: dict[str, Callable[[str, dict[str, Any], Ack, Respond], None]] = {}

    @app.command(Command.JOINEDUP)
    def joinedup(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        words = (body.get("text") or "").strip().split(maxsplit=1)
        name = words[0].lower() if words else "help"
        argument = words[1] if len(words) > 1 else ""
        handler = subcommands.get(name)
        if handler is None:
            text, blocks = help_blocks(None if name == "help" else name)
            ack(text=text, blocks=blocks)
            return
        handler(argument, body, ack, respond)

