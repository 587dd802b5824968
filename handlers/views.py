"""Form submissions."""
from __future__ import annotations

import dataclasses
from typing import Any

from slack_bolt import Ack, App

from bot.app import Services
from bot.blocks.record_form import read_record_form, record_form, saved_view
from handlers.ids import Callback, Field


def register(app: App, services: Services) -> None:
    @app.view(Callback.RECORD_FORM)
    def submit_record(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = read_record_form(view.get("state", {}).get("values", {}))
        problems = services.records.problems(form)
        shown = {block.get("block_id") for block in view.get("blocks", [])}
        if Field.URGENT_CONFIRMED in problems and Field.URGENT_CONFIRMED not in shown:
            # The emergency instructions are not on the form yet: show them before anything is saved.
            defaults = services.records.form_defaults(body["user"]["id"])
            ack(response_action="update", view=record_form(
                services.partnership, dataclasses.replace(defaults, risk_key=form.risk_key)))
            return
        if problems:
            ack(response_action="errors", errors={k: v for k, v in problems.items() if k in shown})
            return
        saved = services.records.save(form, user_id=body["user"]["id"], submission_key=view["id"])
        ack(response_action="update", view=saved_view(saved.reference, saved.agency_names))
        services.outbox.deliver_soon(saved.message_ids)
