"""Buttons and menus."""
from __future__ import annotations

import dataclasses
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app import Services
from bot.blocks.record_form import record_form
from handlers.ids import Action


def register(app: App, services: Services) -> None:
    @app.action(Action.RISK_LEVEL)
    def risk_level_chosen(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """Show the chosen level's definition, and any emergency instructions, before the form is saved."""
        ack()
        view = body.get("view") or {}
        chosen = (action.get("selected_option") or {}).get("value")
        defaults = dataclasses.replace(services.records.form_defaults(body["user"]["id"]), risk_key=chosen)
        services.later(client.views_update, view_id=view.get("id"), hash=view.get("hash"),
                       view=record_form(services.partnership, defaults))
