"""Clients that send slowly, or promise a body and never send it, cost `joinedup serve` a waiting connection,
never the time it has to answer Slack; and the adapter that makes it so (bot/edge/asgi.py), on its own."""
from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import threading
import time

from bot.demo.sample import SAM
from bot.edge.asgi import WsgiOnAsyncio
from tests.serving import environment, serve

SLOW_CLIENTS = 100
NORMAL_REQUESTS = 40


def test_a_hundred_slow_or_stalled_clients_do_not_delay_a_signed_request_past_a_second(tmp_path, standin):
    served = serve(environment(tmp_path, f"sqlite:///{tmp_path}/joinedup.db", standin), standin)
    stop, trickling = threading.Event(), threading.Event()
    tricklers = [_connect(served.port, b"POST /slack/events HTTP/1.1\r\nHost: joinedup\r\nX-Pad: ")
                 for _ in range(SLOW_CLIENTS // 2)]
    stallers = [_connect(served.port, b"POST /slack/events HTTP/1.1\r\nHost: joinedup\r\nContent-Length: 5000\r\n"
                                      b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
                for _ in range(SLOW_CLIENTS // 2)]

    def trickle() -> None:
        passes = 0
        while not stop.wait(0.05):  # one header byte a connection every 50 ms: the client's pace
            for connection in tricklers:
                connection.sendall(b"a")
            passes += 1
            if passes == 5:
                trickling.set()

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    try:
        assert trickling.wait(10)
        with concurrent.futures.ThreadPoolExecutor(4) as senders:  # normal traffic, four senders at a time
            answered = list(senders.map(lambda _: _timed(lambda: served.sender.command("/joinedup", "help",
                                                                                          user=SAM.user_id)),
                                        range(NORMAL_REQUESTS)))
        still_trickling = trickler.is_alive()
        stop.set()
        trickler.join(5)
        stalled_answer = _read_answer(stallers[0], timeout=30)
    finally:
        stop.set()
        for connection in tricklers + stallers:
            connection.close()
        served.stop()

    assert still_trickling, "every slow connection was still open and sending while the server answered"
    assert [status for status, _ in answered] == [200] * NORMAL_REQUESTS
    assert max(seconds for _, seconds in answered) < 1.0, sorted(seconds for _, seconds in answered)[-5:]
    assert stalled_answer.startswith(b"HTTP/1.1 408"), stalled_answer  # a body that never comes is given up on
    assert served.process.returncode == 0
    log = "".join(served.output)
    assert "Traceback" not in log and "[ERROR]" not in log, log


def _connect(port: int, start: bytes) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.sendall(start)
    return connection


def _timed(send):
    started = time.monotonic()
    reply = send()
    return reply.status, time.monotonic() - started


def _read_answer(connection: socket.socket, *, timeout: float) -> bytes:
    connection.settimeout(timeout)
    try:
        return connection.recv(4096)
    except OSError as error:
        return repr(error).encode()


# --- the adapter alone (bot/edge/asgi.py), without a server ------------------------------------------------


def _echo(environ, start_response):
    body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["REQUEST_METHOD"].encode(), b" ", environ.get("HTTP_X_SLACK_SIGNATURE", "").encode(), b" ", body]


def _call(application, messages, *, headers=(), largest_body=100, body_seconds=5.0):
    served = WsgiOnAsyncio(application, threads=2, largest_body=largest_body, body_seconds=body_seconds)
    scope = {"type": "http", "method": "POST", "path": "/slack/events", "query_string": b"", "http_version": "1.1",
             "headers": [(b"content-type", b"application/x-www-form-urlencoded"), *headers]}
    sent = []

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # a client that sends nothing more

    async def send(message):
        sent.append(message)

    try:
        asyncio.run(served(scope, receive, send))
    finally:
        served.pool.shutdown()
    if not sent:
        return None, b""
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_the_application_gets_the_whole_body_however_it_arrived():
    status, body = _call(_echo, [{"type": "http.request", "body": b"a=1", "more_body": True},
                                 {"type": "http.request", "body": b"&b=2", "more_body": False}],
                         headers=[(b"x-slack-signature", b"v0=abc")])
    assert (status, body) == (200, b"POST v0=abc a=1&b=2")


def test_a_body_over_the_limit_is_refused_whether_declared_or_sent():
    assert _call(_echo, [], headers=[(b"content-length", b"101")]) == (413, b"request too large")
    assert _call(_echo, [{"type": "http.request", "body": b"x" * 60, "more_body": True},
                         {"type": "http.request", "body": b"x" * 60, "more_body": False}])[0] == 413


def test_a_body_that_never_arrives_is_given_up_on_and_a_client_that_left_gets_nothing():
    assert _call(_echo, [{"type": "http.request", "body": b"a", "more_body": True}], body_seconds=0.2)[0] == 408
    assert _call(_echo, [{"type": "http.disconnect"}]) == (None, b"")


def test_an_application_that_fails_is_a_500_not_a_dropped_connection(caplog):
    def failing(environ, start_response):
        raise RuntimeError("boom")

    assert _call(failing, [{"type": "http.request", "body": b"", "more_body": False}]) == (500, b"internal error")
    assert "request failed" in caplog.text
