"""The stand-in's HTTP side: requests parsed as Slack reads them, answers written as Slack writes them."""
from __future__ import annotations

import json
import socket
import sys
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote

# Args that carry JSON; slack_sdk sends them as JSON values or, in forms, JSON strings.
JSON_ARGS = ("blocks", "attachments", "view", "metadata", "files")
# Where the upload URLs files.getUploadURLExternal hands out point, and the name a POST to one has in calls().
UPLOAD_PATH = "/upload/v1/"
UPLOAD = "file_upload"


@dataclass
class Answer:
    status: int = 200
    body: dict | str | None = None
    headers: dict | None = None
    drop: bool = False


def _form(text: str) -> dict:
    return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(text, keep_blank_values=True).items()}


def parse_args(raw: bytes, content_type: str, query: str = "") -> dict:
    """A request's arguments from its query string and JSON or form body, with JSON_ARGS decoded."""
    args = _form(query)
    if raw and "json" in content_type:
        body = json.loads(raw)
        if not isinstance(body, dict):
            raise ValueError("a JSON body must be an object")
        args.update(body)
    elif raw and "multipart" not in content_type:
        args.update(_form(raw.decode("utf-8", errors="replace")))
    for key in JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
            except ValueError:
                pass  # left as sent; the method will call it invalid
    return {k: v for k, v in args.items() if v is not None}


class Answers(Protocol):
    """The stand-in, as its server sees it: an answer to each request, and how long to hold it back."""

    def _handle(self, method: str, args: dict, token: str | None) -> tuple[Answer, float]: ...


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 makes bursts of clients wait a second for SYN retries
    standin: "Answers"

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients hanging up are not news
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SlackStandIn/1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as two writes: on a kept connection, without this the body would wait
        # for the client's delayed acknowledgement of the headers (40 ms), as Slack's own servers never do.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # keep the terminal quiet
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        standin = self.server.standin  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path, _, query = self.path.partition("?")
        auth = self.headers.get("Authorization", "")
        if path.startswith(UPLOAD_PATH):  # a file's bytes, raw or in a multipart form: never parsed as arguments
            upload = {"ticket": path[len(UPLOAD_PATH):], "http_method": self.command, "raw": raw,
                      "content_type": self.headers.get("Content-Type", "")}
            return self._answer(*standin._handle(UPLOAD, upload, None))
        try:
            args = parse_args(raw, self.headers.get("Content-Type", ""), query)
        except ValueError:
            return self._send(Answer(body={"ok": False, "error": "invalid_json"}))
        token = auth[7:] if auth.startswith("Bearer ") else args.get("token")
        if path.startswith("/api/") and len(path) > 5:
            answer, delay = standin._handle(path[5:], args, token)
        elif path.startswith("/response/"):
            answer, delay = standin._handle("response_url", {**args, "_name": unquote(path[10:])}, token)
        else:
            return self._send(Answer(404, {"ok": False, "error": "unknown_method"}))
        self._answer(answer, delay)

    def _answer(self, answer: Answer, delay: float) -> None:
        if delay:
            time.sleep(delay)
        if answer.drop:
            self.close_connection = True  # hang up without a word
            return
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        if isinstance(answer.body, dict):
            body, kind = json.dumps(answer.body).encode(), "application/json; charset=utf-8"
        else:
            body, kind = str(answer.body or "").encode(), "text/plain; charset=utf-8"
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (answer.headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
