"""`joinedup socket` end to end: the real process, over a real WebSocket, with Slack played locally.

Slack's Web API is the stand-in; Slack's Socket Mode end is a small `websockets` server on 127.0.0.1 whose
ws:// URL the stand-in hands out from apps.connections.open. slack_sdk's built-in Socket Mode client connects
without TLS to any port but 443, so it reaches the local server as it would wss://wss-primary.slack.com.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from bot.demo.sample import EDUCATION, HEALTH, POLICE, SAM, SOCIAL_CARE
from bot.standin.signed_requests import APP_ID, TEAM, fill, view_submission
from bot.standin.slack import LOOPBACK, SlackStandIn
from bot.blocks.ids import Callback, Field
from storage.db import Database
from storage.models import Record
from tests.conftest import VALID_ANSWERS
from tests.serving import environment

APP_TOKEN = "xapp-1-A0JOINEDUP-1-socket-mode-test"
ACK_SECONDS = 3  # Slack's limit for acknowledging an envelope
CONNECT_SECONDS = 20  # start-up: imports, migrations, auth.test, apps.connections.open, the handshake
WORK_SECONDS = 10  # for Slack calls made after the ack, in the app's work pool
STOP_SECONDS = 5


# --- Slack's end of Socket Mode -------------------------------------------------------------------

class SocketModeSlack:
    """A WebSocket server on 127.0.0.1 that plays Slack: greets the app with `hello`, sends it envelopes and
    collects what the app sends back. One connection at a time, as an app with one process keeps."""

    def __init__(self, *, on_connect: Callable[[], object] = lambda: None) -> None:
        self._server = serve(self._session, LOOPBACK, 0)
        self._on_connect = on_connect
        self._thread = threading.Thread(target=self._server.serve_forever, name="socket-mode-slack", daemon=True)
        self._changed = threading.Condition()
        self._connection: ServerConnection | None = None
        self.path: str | None = None  # the path and query the app connected to
        self.connected = threading.Event()  # the handshake is done and `hello` was sent
        self.received: list[dict[str, Any]] = []  # every text message from the app, parsed

    @property
    def url(self) -> str:
        port = self._server.socket.getsockname()[1]
        return f"ws://{LOOPBACK}:{port}/link/?ticket={uuid.uuid4()}&app_id={APP_ID}"

    def __enter__(self) -> "SocketModeSlack":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=STOP_SECONDS)

    def _session(self, connection: ServerConnection) -> None:
        self._connection, self.path = connection, connection.request.path
        connection.send(json.dumps({  # what Slack sends first on every new connection
            "type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID},
            "debug_info": {"host": "applink-standin", "build_number": 1, "approximate_connection_time": 18060}}))
        self.connected.set()
        self._on_connect()
        try:
            for message in connection:
                with self._changed:
                    self.received.append(json.loads(message))
                    self._changed.notify_all()
        except ConnectionClosed:
            pass  # the app went away (the test stops it)

    def ping_answered(self, timeout: float) -> bool:
        """Send a WebSocket ping, as Slack does, and wait for the app's pong."""
        assert self._connection is not None
        return self._connection.ping().wait(timeout)

    def send(self, envelope: dict[str, Any], *, timeout: float = ACK_SECONDS) -> tuple[dict[str, Any] | None, float]:
        """Send an envelope; the app's answer carrying its envelope_id (None if none came in time) and how long
        it took."""
        assert self._connection is not None, "the app has not connected"
        envelope_id = envelope["envelope_id"]

        def answer() -> dict[str, Any] | None:
            return next((m for m in self.received if m.get("envelope_id") == envelope_id), None)

        started = time.monotonic()
        self._connection.send(json.dumps(envelope))
        with self._changed:
            self._changed.wait_for(answer, timeout=timeout)
            return answer(), time.monotonic() - started


# --- envelopes, shaped as Slack sends them over Socket Mode ---------------------------------------

def slash_command(command: str, text: str, *, user: str, channel: str, trigger_id: str,
                  response_url: str) -> dict[str, Any]:
    return {
        "payload": {
            "token": "verification-token-unused", "team_id": TEAM["id"], "team_domain": TEAM["domain"],
            "channel_id": channel, "channel_name": "social-care", "user_id": user, "user_name": user.lower(),
            "command": command, "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
            "response_url": response_url, "trigger_id": trigger_id,
        },
        "envelope_id": str(uuid.uuid4()),
        "type": "slash_commands",
        "accepts_response_payload": True,
    }


def interactive(payload: dict[str, Any]) -> dict[str, Any]:
    return {"payload": payload, "envelope_id": str(uuid.uuid4()), "type": "interactive",
            "accepts_response_payload": True}


def events_api(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "envelope_id": str(uuid.uuid4()),
        "payload": {
            "token": "verification-token-unused", "team_id": TEAM["id"], "api_app_id": APP_ID, "event": event,
            "type": "event_callback", "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()), "authorizations": [
                {"enterprise_id": None, "team_id": TEAM["id"], "user_id": "UJOINEDUP", "is_bot": True,
                 "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
        },
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "retry_reason": "",
    }


# --- `joinedup socket` as a process ---------------------------------------------------------------

@dataclass
class SocketApp:
    process: subprocess.Popen
    slack: SocketModeSlack
    standin: SlackStandIn
    env: dict[str, str]
    output: list[str] = field(default_factory=list)

    def log(self) -> str:
        return "".join(self.output)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL: the process (and anything it started) is gone when this returns."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_SECONDS)

    def open_form(self, text: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
        """Type `/record text` as Sam; the app's answer on the socket, and the form it opened."""
        envelope = slash_command("/record", text, user=SAM.user_id, channel=SOCIAL_CARE.channel,
                                 trigger_id=self.standin.trigger_id(SAM.user_id),
                                 response_url=self.standin.response_url())
        answer, _ = self.slack.send(envelope)
        assert answer is not None, f"/record was not acknowledged within {ACK_SECONDS} s\n{self.log()}"
        assert self.standin.count("views.open") == 1, self.log()
        return answer, self.standin.views(SAM.user_id)[-1]


def start_socket_mode(env: dict[str, str], slack: SocketModeSlack, standin: SlackStandIn, *,
                      on_exit: Callable[[], object]) -> SocketApp:
    process = subprocess.Popen([sys.executable, "-m", "bot", "socket"], cwd=env["PYTHONPATH"], env=env,
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    app = SocketApp(process, slack, standin, env)

    def read() -> None:
        for line in process.stderr:  # type: ignore[union-attr]
            app.output.append(line)
        on_exit()  # the process ended

    threading.Thread(target=read, daemon=True).start()
    return app


@pytest.fixture
def socket_app(standin: SlackStandIn, tmp_path: Path) -> Iterator[SocketApp]:
    env = environment(tmp_path, f"sqlite:///{tmp_path}/joinedup.db", standin, SLACK_APP_TOKEN=APP_TOKEN)
    del env["SLACK_SIGNING_SECRET"]  # Socket Mode needs none: nothing comes in over HTTP
    settled = threading.Event()  # the app connected, or its process ended: no waiting out the timeout
    with SocketModeSlack(on_connect=settled.set) as slack:
        standin.use_socket_mode(slack.url)
        app = start_socket_mode(env, slack, standin, on_exit=settled.set)
        try:
            settled.wait(CONNECT_SECONDS)
            assert slack.connected.is_set() and app.process.poll() is None, \
                f"joinedup socket did not connect\n{app.log()}"
            yield app
        finally:
            app.stop()
            standin.use_socket_mode(None)


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def agency_posts(standin: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    return [m for m in standin.messages(channel) if m.get("thread_ts") in (None, m["ts"])]


# --- the tests ------------------------------------------------------------------------------------

def test_joinedup_socket_asks_for_its_url_with_the_app_token_connects_to_it_and_answers_pings(socket_app):
    [opened] = socket_app.standin.calls("apps.connections.open")

    assert opened.token == APP_TOKEN and opened.ok
    assert socket_app.slack.path is not None and socket_app.slack.path.startswith("/link/?ticket=")
    assert socket_app.slack.ping_answered(timeout=ACK_SECONDS), socket_app.log()
    assert socket_app.process.poll() is None, socket_app.log()


def test_a_record_command_over_the_socket_is_acknowledged_within_3_seconds_and_opens_the_prefilled_form(socket_app):
    trigger = socket_app.standin.trigger_id(SAM.user_id)
    envelope = slash_command("/record", "CR-12345", user=SAM.user_id, channel=SOCIAL_CARE.channel,
                             trigger_id=trigger, response_url=socket_app.standin.response_url())

    answer, took = socket_app.slack.send(envelope)

    assert answer == {"envelope_id": envelope["envelope_id"]}, socket_app.log()
    assert took < ACK_SECONDS
    [opened] = socket_app.standin.calls("views.open")
    assert opened.ok and opened.token == socket_app.env["SLACK_BOT_TOKEN"] and opened.args["trigger_id"] == trigger
    form = opened.args["view"]
    assert form["callback_id"] == Callback.RECORD_FORM == "record_form"
    assert block(form, Field.CASE_REFERENCE)["element"]["initial_value"] == "CR-12345"


def test_a_form_submitted_over_the_socket_is_saved_and_posted_to_education_and_health(socket_app):
    _, form = socket_app.open_form("CR-12345")
    payload = view_submission(form, fill(form, VALID_ANSWERS), user=SAM.user_id,
                              trigger_id=socket_app.standin.trigger_id(SAM.user_id))
    envelope = interactive(payload)

    answer, took = socket_app.slack.send(envelope)

    assert answer is not None and answer["envelope_id"] == envelope["envelope_id"], socket_app.log()
    assert took < ACK_SECONDS
    assert answer["payload"]["response_action"] == "update"
    assert "JU-000001" in json.dumps(answer["payload"]["view"])
    standin = socket_app.standin
    # Each post goes out as its notification line, then its content as an edit: wait for the content.
    assert standin.wait_until(lambda: all(
        len(posts := agency_posts(standin, channel)) == 1 and "CR-12345" in json.dumps(posts[0]["blocks"])
        for channel in (EDUCATION.channel, HEALTH.channel)), timeout=WORK_SECONDS), socket_app.log()
    assert agency_posts(standin, SOCIAL_CARE.channel) == [] and agency_posts(standin, POLICE.channel) == []
    db = Database(socket_app.env["DATABASE_URL"])
    try:
        with db.read() as session:
            [record] = session.query(Record).all()
            assert record.case_reference == "CR-12345"
    finally:
        db.dispose()


def test_opening_the_app_home_over_the_socket_publishes_the_home_view(socket_app):
    envelope = events_api({"type": "app_home_opened", "user": SAM.user_id, "channel": "D0SAMSW", "tab": "home",
                           "event_ts": f"{time.time():.6f}"})

    answer, took = socket_app.slack.send(envelope)

    assert answer == {"envelope_id": envelope["envelope_id"]}, socket_app.log()
    assert took < ACK_SECONDS
    assert socket_app.standin.wait_for("views.publish", timeout=WORK_SECONDS), socket_app.log()
    [published] = socket_app.standin.calls("views.publish")
    assert published.ok and published.args["user_id"] == SAM.user_id
    assert socket_app.standin.home_views[SAM.user_id]["type"] == "home"
