"""The baseline: a bare Bolt app that only acks, served exactly as `joinedup serve` serves Joined Up.

    SLACK_SIGNING_SECRET=... PORT=... JOINEDUP_HOST=127.0.0.1 DATABASE_URL=... python -m bench.baseline_app

Same gunicorn options (bot.processes.server.server_options: gthread, the same workers for the same database, 16 threads,
backlog, keepalive), same `App(process_before_response=True, listener_executor=None, ...)`, same signing
secret and request path; listeners for /record, /joinedup, the record form's submission and the acknowledge
button that do nothing but ack(). Token verification is off (it would call auth.test at start only).
DATABASE_URL is read only to choose the worker count as Joined Up does; the baseline never opens it.
"""
from __future__ import annotations

import os
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy.engine import make_url

from bot.domain.config import Settings
from bot.processes.server import ConfiguredServer, server_options
from bot.edge.web import EVENTS_PATH
from bot.blocks.ids import Action, Callback, Command
from storage.db import normalise_url


def bolt_app(settings: Settings, client: WebClient) -> App:
    """Bolt with Joined Up's settings."""
    return App(
        client=client,
        signing_secret=settings.signing_secret or "",
        process_before_response=True,
        token_verification_enabled=False,
        listener_executor=None,
        raise_error_for_unhandled_request=False,
    )


def create_baseline_app(settings: Settings) -> App:
    app = bolt_app(settings, WebClient(token=settings.bot_token or "xoxb-baseline",
                                       base_url=settings.slack_api_url or "https://slack.com/api/"))

    @app.command(Command.RECORD)
    def record(ack: Ack) -> None:
        ack()

    @app.command(Command.JOINEDUP)
    def joinedup(ack: Ack) -> None:
        ack()

    @app.view(Callback.RECORD_FORM)
    def submit(ack: Ack) -> None:
        ack()

    @app.action(Action.ACKNOWLEDGE)
    def acknowledge(ack: Ack) -> None:
        ack()

    return app


class BaselineServer(ConfiguredServer):
    """The same gunicorn application as `joinedup serve`, serving an app that only acks."""

    def load(self) -> Any:
        return SlackRequestHandler(create_baseline_app(self.settings), path=EVENTS_PATH)


def serve(server: type[ConfiguredServer]) -> int:
    """Run `server` with the options `joinedup serve` would use, from the same environment."""
    settings = Settings.from_env(os.environ)
    is_sqlite = make_url(normalise_url(settings.database_url)).get_backend_name() == "sqlite"
    host = os.environ.get("JOINEDUP_HOST", "0.0.0.0")
    server(settings, server_options(settings, host=host, is_sqlite=is_sqlite)).run()
    return 0


def main() -> int:
    return serve(BaselineServer)


if __name__ == "__main__":
    raise SystemExit(main())
