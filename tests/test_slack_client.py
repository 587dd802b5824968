"""The Web API client keeps its connection to Slack between calls, and never sends a call twice itself; listeners
and respond() use it."""
from __future__ import annotations

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator
from urllib.parse import urlencode

import pytest
from slack_bolt.request import BoltRequest
from slack_sdk.errors import SlackApiError

from bot.app import create_app
from bot.edge.client import slack_client
from bot.services.wiring import build_services
from bot.processes.executors import InlineExecutor
from bot.demo.sample import EDUCATION, SAM, sample_partnership
from bot.edge.client import KeptRespond
from tests.conftest import BOT_TOKEN, SIGNING_SECRET


class _Slack(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.connections = 0
        self.requests: list[str] = []
        self.hang_up_after_answering = False
        self.hung_up = threading.Event()
        self.lock = threading.Lock()

    def get_request(self) -> tuple[socket.socket, Any]:
        with self.lock:
            self.connections += 1
        return super().get_request()

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        self.hung_up.set()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection open unless it says otherwise

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        server: _Slack = self.server  # type: ignore[assignment]
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server.requests.append(self.path)
        if self.path.startswith("/hooks/"):  # a response_url answers as Slack's do: plain "ok", or an error
            status, body = (404, b"expired_url") if self.path.endswith("/expired") else (200, b"ok")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        body = json.dumps({"ok": True, "url": "https://example.slack.com/", "ts": "1.000001", "channel": "C1"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if server.hang_up_after_answering:  # as a server closing an idle connection does, without warning
            self.wfile.flush()
            self.close_connection = True


@pytest.fixture
def slack() -> Iterator[_Slack]:
    server = _Slack()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def client_for(server: _Slack) -> Any:
    return slack_client(BOT_TOKEN, f"http://127.0.0.1:{server.server_address[1]}/api/")


def test_calls_from_one_thread_share_one_connection(slack):
    client = client_for(slack)

    for _ in range(5):
        assert client.auth_test()["ok"]

    assert len(slack.requests) == 5 and slack.connections == 1


def test_request_bodies_are_written_into_debug_lines_only_while_debug_logging_is_on(slack, caplog):
    client = client_for(slack)
    caplog.set_level(logging.INFO, logger="slack_sdk")
    # slack_sdk formats a debug line of every request body whenever `logger.level <= DEBUG`
    assert client.logger.level == logging.INFO

    client.chat_postMessage(channel=EDUCATION.channel, text="quiet")
    caplog.set_level(logging.DEBUG, logger="slack_sdk")
    client.chat_postMessage(channel=EDUCATION.channel, text="traced")

    sent = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Sending a request")]
    assert len(sent) == 1 and "traced" in sent[0]


def test_a_connection_the_server_closed_while_idle_is_replaced_and_the_call_goes_through(slack):
    client = client_for(slack)
    slack.hang_up_after_answering = True

    assert client.auth_test()["ok"]
    assert slack.hung_up.wait(10)
    assert client.chat_postMessage(channel=EDUCATION.channel, text="hello")["ok"]

    assert slack.requests == ["/api/auth.test", "/api/chat.postMessage"] and slack.connections == 2


def test_a_call_whose_connection_breaks_is_not_sent_again_by_the_client(standin):
    client = slack_client(BOT_TOKEN, standin.api_url)
    assert client.auth_test()["ok"]  # the connection is open and kept
    standin.fail("chat.postMessage", drop=True, after_doing_it=True)

    with pytest.raises((OSError, SlackApiError)):
        client.chat_postMessage(channel=EDUCATION.channel, text="hello")

    assert standin.count("chat.postMessage") == 1
    assert client.chat_postMessage(channel=EDUCATION.channel, text="again")["ok"]


def test_respond_posts_to_response_urls_over_the_kept_connection_and_reports_refusals(slack):
    client = client_for(slack)
    base = f"http://127.0.0.1:{slack.server_address[1]}/hooks/"
    assert client.auth_test()["ok"]

    first = KeptRespond(response_url=base + "T1/1", connections=client.connections)(
        text="Already acknowledged", response_type="ephemeral", replace_original=False, blocks=None)
    again = KeptRespond(response_url=base + "T1/2", connections=client.connections)({"text": "Done"})
    expired = KeptRespond(response_url=base + "T1/expired", connections=client.connections)(text="Too late")

    assert (first.status_code, first.body, again.status_code) == (200, "ok", 200)
    assert (expired.status_code, expired.body) == (404, "expired_url")
    assert slack.requests == ["/api/auth.test", "/hooks/T1/1", "/hooks/T1/2", "/hooks/T1/expired"]
    assert slack.connections == 1


def test_listeners_get_the_services_client_and_a_respond_that_share_its_kept_connections(database, standin, clock):
    services = build_services(partnership=sample_partnership(), db=database, clock=clock, work=InlineExecutor(),
                              client=slack_client(BOT_TOKEN, standin.api_url))
    app = create_app(services, signing_secret=SIGNING_SECRET, listener_executor=InlineExecutor())
    seen: dict[str, Any] = {}

    @app.command("/probe")
    def probe(ack: Any, client: Any, respond: Any) -> None:
        seen.update(client=client, respond=respond)
        ack()

    body = urlencode({"command": "/probe", "text": "", "user_id": SAM.user_id, "team_id": "T0JOINEDUP",
                      "channel_id": "C0SOCIAL", "trigger_id": "1.2.probe", "response_url": standin.response_url()})
    answer = app.dispatch(BoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]}))

    assert answer.status == 200
    assert seen["client"] is services.client
    assert isinstance(seen["respond"], KeptRespond) and seen["respond"].connections is services.client.connections
