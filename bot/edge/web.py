"""HTTP mode: one request URL for commands, interactivity and events, plus a health check.

Every request is checked here before Bolt sees it: Bolt parses the body before it verifies the signature,
so a forged or malformed body must never reach its parser. What passes is handed to Bolt; anything Bolt
still cannot read gets a plain 400, never a 500.
"""
from __future__ import annotations

import io
import json
import logging
from typing import Any, Callable, Iterable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from sqlalchemy import text

from bot.domain.clock import Clock, SystemClock
from bot.edge.form_body import slack_body
from bot.edge.payloads import where
from bot.edge.refusals import RefusalLog, SignatureCheck
from storage.db import Database

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
LARGEST_BODY = 8_000_000  # above any form Slack can send, whose text arrives JSON- and URL-escaped (up to ~18 bytes a character)


def wsgi_application(app: App, db: Database, *, signing_secret: str, clock: Clock | None = None,
                     links: Any = None) -> Callable[[dict[str, Any], Any], Iterable[bytes]]:
    """`links`: the pages emailed links open (bot/links/web.py LinkPages), if the partnership emails records."""
    slack = _SlackRequestHandler(app, path=EVENTS_PATH)
    clock = clock or SystemClock()
    signatures, refusals = SignatureCheck(signing_secret, clock), RefusalLog(clock)

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            healthy = _database_answers(db)
            return _answer(start_response, 200 if healthy else 503, b"ok\n" if healthy else b"database unavailable\n")
        if links is not None and links.handles(path or ""):
            return links(environ, start_response)
        if path != EVENTS_PATH or method != "POST":
            return _answer(start_response, 404, b"Not Found")
        length = environ.get("CONTENT_LENGTH") or "0"
        if not (length.isascii() and length.isdigit()) or int(length) > LARGEST_BODY:
            return _answer(start_response, 413, b"request too large")
        body = environ["wsgi.input"].read(int(length))
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return _answer(start_response, 400, b"bad request")
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        refusal = signatures.refusal(body, timestamp, signature)
        if refusal is not None:
            refusals.refused(refusal)  # counted, and told at most once a minute for each reason
            return _answer(start_response, 401, json.dumps({"error": "invalid request"}).encode())
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            return slack(environ, start_response)
        except Exception as error:  # a signed body Bolt cannot read: refuse it, never crash on it
            log.warning("refused a signed request Bolt could not read: %s at %s", type(error).__name__, where(error))
            return _answer(start_response, 400, b"bad request")

    return application


class _SlackRequestHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, with form bodies read by `bot.edge.form_body` in a fraction of the time Bolt takes."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        raw, headers = request.get_body(), request.get_headers()
        body = slack_body(raw, str(headers.get("content-type") or ""))
        if body is None:
            return self.app.dispatch(BoltRequest(body=raw, query=request.query_string, headers=headers))
        # Bolt takes an already parsed body only in its Socket Mode; in every other way this is an HTTP request.
        parsed = BoltRequest(body=body, query=request.query_string, headers=headers, mode="socket_mode")
        parsed.raw_body, parsed.mode = raw, "http"
        return self.app.dispatch(parsed)


def _answer(start_response: Any, status: int, body: bytes) -> list[bytes]:
    reasons = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 413: "Payload Too Large",
               503: "Service Unavailable"}
    content_type = "application/json" if body.startswith(b"{") else "text/plain; charset=utf-8"
    start_response(f"{status} {reasons[status]}", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _database_answers(db: Database) -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
