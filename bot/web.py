"""HTTP mode: one request URL for commands, interactivity and events, plus a health check."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from storage.db import Database

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def wsgi_application(app: App, db: Database) -> Callable[[dict[str, Any], Any], Iterable[bytes]]:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = _database_answers(db)
            body = b"ok\n" if healthy else b"database unavailable\n"
            start_response("200 OK" if healthy else "503 Service Unavailable",
                           [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
            return [body]
        if not environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "0").strip().isdigit():
            # slack_sdk's verifier raises on a timestamp that is not a number; refuse it as unverified.
            body = b'{"error": "invalid request"}'
            start_response("401 Unauthorized", [("Content-Type", "application/json"),
                                                ("Content-Length", str(len(body)))])
            return [body]
        return slack(environ, start_response)

    return application


def _database_answers(db: Database) -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
