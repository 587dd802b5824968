"""The floor: the baseline plus only the work Joined Up's rules make unavoidable, served as the baseline is.

    SLACK_SIGNING_SECRET=... SLACK_API_URL=... PORT=... DATABASE_URL=... JOINEDUP_CONFIG=... \
        [JOINEDUP_FLOOR_MODE=open-first|ack-first] python -m bench.floor_app

What no design can skip, done the cheapest way we know, with none of Joined Up's checks, audit or delivery:
* /record opens the real record form (built once at start) with views.open over a kept connection, before the
  ack ("open-first", as Joined Up does, while the trigger_id is young); or acks first and opens the form from a
  pool of 16 threads ("ack-first").
* A form submission stores its answers in one row, committed before the ack, and answers with the saved view.
* An acknowledge click reads its share and, if no one has acknowledged it yet, marks it in one committed write,
  before the ack. Later clicks get no answer (Joined Up tells the clicker who acknowledged and when): the floor is,
  if anything, lower than the rules allow.

Like Joined Up's web workers, it leaves SQLite's checkpoints to another process (Joined Up's delivery process,
which serves the same database in the benchmarks) and freezes what start-up made out of the collector's way.

Its ratios to the baseline are the best any app keeping those rules could reach on this machine: a target that
the floor itself misses cannot be met by changing Joined Up's design.
"""
from __future__ import annotations

import gc
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bench.baseline_app import BaselineServer, bolt_app, serve
from bot.blocks.record_form import record_form, saved_view
from bot.domain.config import Settings, load_partnership
from bot.services.records import FormDefaults
from bot.edge.client import KeepAliveWebClient
from bot.edge.web import EVENTS_PATH
from bot.blocks.ids import Action, Callback, Command
from storage.db import Database

MODES = ("open-first", "ack-first")
TABLES = ("CREATE TABLE IF NOT EXISTS floor_records (submission_key VARCHAR(40) PRIMARY KEY, answers TEXT NOT NULL)",
          "CREATE TABLE IF NOT EXISTS floor_shares (id INTEGER PRIMARY KEY, acknowledged_by VARCHAR(20))")
STORE = text("INSERT INTO floor_records (submission_key, answers) VALUES (:key, :answers)")
ACKNOWLEDGED = text("SELECT acknowledged_by FROM floor_shares WHERE id = :id")
ACKNOWLEDGE = text("INSERT INTO floor_shares (id, acknowledged_by) VALUES (:id, :user) ON CONFLICT (id) DO UPDATE "
                   "SET acknowledged_by = excluded.acknowledged_by WHERE floor_shares.acknowledged_by IS NULL")


def create_floor_app(settings: Settings, mode: str) -> App:
    partnership = load_partnership(settings.config_path)
    client = KeepAliveWebClient(token=settings.bot_token, base_url=settings.slack_api_url or "https://slack.com/api/")
    form = record_form(partnership, FormDefaults(occurred_at=datetime.now(timezone.utc), follow_up_on=date.today(),
                                                 case_reference="", sharer_agency=partnership.agencies[0].key))
    saved = saved_view("JU-000001", [agency.name for agency in partnership.agencies[:2]])
    db = Database(settings.database_url, checkpoints=False)
    with db.write() as session:
        for statement in TABLES:
            session.execute(text(statement))
    openers = ThreadPoolExecutor(16, thread_name_prefix="floor-open") if mode == "ack-first" else None
    app = bolt_app(settings, client)

    @app.command(Command.RECORD)
    def record(ack: Ack, body: dict[str, Any]) -> None:
        if openers is None:
            client.views_open(trigger_id=body["trigger_id"], view=form)
            ack()
        else:
            ack()
            openers.submit(client.views_open, trigger_id=body["trigger_id"], view=form)

    @app.command(Command.JOINEDUP)
    def joinedup(ack: Ack) -> None:
        ack(text="help")

    @app.view(Callback.RECORD_FORM)
    def submit(ack: Ack, view: dict[str, Any]) -> None:
        with db.write() as session:
            session.execute(STORE, {"key": view["id"], "answers": json.dumps(view["state"]["values"])})
        ack(response_action="update", view=saved)

    @app.action(Action.ACKNOWLEDGE)
    def acknowledge(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        share = int(action["value"])
        if db.first(ACKNOWLEDGED, {"id": share}) in (None, (None,)):
            with db.write() as session:
                session.execute(ACKNOWLEDGE, {"user": body["user"]["id"], "id": share})
        ack()

    return app


class FloorServer(BaselineServer):
    def load(self) -> Any:
        mode = os.environ.get("JOINEDUP_FLOOR_MODE", MODES[0])
        handler = SlackRequestHandler(create_floor_app(self.settings, mode), path=EVENTS_PATH)
        gc.freeze()
        return handler


def main() -> int:
    mode = os.environ.get("JOINEDUP_FLOOR_MODE", MODES[0])
    if mode not in MODES:
        print(f"JOINEDUP_FLOOR_MODE must be one of {', '.join(MODES)}, not {mode!r}", file=sys.stderr)
        return 2
    return serve(FloorServer)


if __name__ == "__main__":
    raise SystemExit(main())
