"""Form submissions."""
from __future__ import annotations

import dataclasses
from typing import Any

from slack_bolt import Ack, App

from bot.app import Services
from bot.blocks.messages import acknowledgement_reply, info_view
from bot.blocks.record_form import read_record_form, record_form, saved_view
from bot.blocks.record_post import agency_name
from bot.services.acknowledgements import Acknowledgement, Outcome
from handlers.ids import VALUE, Callback, Field


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

    @app.view(Callback.ACKNOWLEDGE_NOTE_FORM)
    def submit_acknowledgement_note(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        metadata = str(view.get("private_metadata") or "")
        note = (((view.get("state") or {}).get("values") or {}).get(Field.NOTE) or {}).get(VALUE) or {}
        text = note.get("value") if isinstance(note.get("value"), str) else ""
        if not text.strip():
            ack(response_action="errors", errors={Field.NOTE: "Write a note, or use Acknowledge receipt without one."})
            return
        share = int(metadata) if metadata.isdigit() and len(metadata) < 12 else None
        result = (services.acknowledgements.acknowledge(share, body["user"]["id"], text) if share
                  else Acknowledgement(Outcome.NOT_FOUND))
        reply = acknowledgement_reply(result.outcome, reference=result.reference, by=result.by, at=result.at,
                                      agency=agency_name(services.partnership, result.agency_key))
        if result.outcome == Outcome.NOT_MEMBER:
            ack(response_action="errors", errors={Field.NOTE: reply})
            return
        ack(response_action="update", view=info_view("Acknowledgement", reply))
        services.outbox.deliver_soon(result.message_ids)
