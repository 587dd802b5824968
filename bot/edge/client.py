"""slack_sdk's clients, keeping their connections to Slack open between calls.

slack_sdk sends every Web API call, and Bolt's `respond()` every post to a response_url, through urllib with
`Connection: close`: a new TCP connection, and in production a new TLS handshake, each time. Here each thread
keeps one connection per host and reuses it; slack_sdk does everything else (errors, rate limits) as before.
A call whose connection breaks is never sent again from here, since Slack may already have acted on it.
"""
from __future__ import annotations

import http.client
import io
import logging
import select
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import SplitResult, urlsplit

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient, WebhookResponse

SLACK_TIMEOUT_SECONDS = 10
IDLE_SECONDS = 10.0  # a connection unused for longer is not trusted: servers close idle ones


class EffectiveLevel(logging.LoggerAdapter):
    """A logger whose `level` is the level that applies to it. slack_sdk writes each request and response into a
    debug line whenever `logger.level <= DEBUG`, and a logger without a level of its own has level 0, so every
    call formatted its whole body for a line that was never logged (a tenth of the CPU of a `/record`)."""

    @property
    def level(self) -> int:
        return self.logger.getEffectiveLevel()


def sdk_logger(name: str) -> EffectiveLevel:
    return EffectiveLevel(logging.getLogger(name), {})


class KeptConnections:
    """One open connection per thread and host."""

    def __init__(self, *, timeout: float, ssl: Any) -> None:
        self.timeout = timeout
        self.ssl = ssl
        self._local = threading.local()

    def exchange(self, parts: SplitResult, req: urllib.request.Request) -> tuple[http.client.HTTPResponse, bytes]:
        """Send the request and read the whole answer."""
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {name: value for name, value in req.header_items() if name.lower() != "connection"}
        connection = self._connection(parts.scheme, parts.netloc)
        try:
            connection.request(req.get_method(), path, body=req.data, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except BaseException:
            # Never sent again from here: Slack may have acted on it before the connection broke. The caller
            # decides (the outbox looks in the channel before posting again).
            self._forget(parts.netloc)
            raise
        if response.will_close:
            self._forget(parts.netloc)
        else:
            self._local.used[parts.netloc] = time.monotonic()
        return response, body

    def _connection(self, scheme: str, host: str) -> http.client.HTTPConnection:
        """This thread's open connection to the host, or a new one. A connection idle for long, or one the
        server has closed (readable while idle means it hung up), is not used again."""
        local = self._local
        if not hasattr(local, "connections"):
            local.connections, local.used = {}, {}
        connection = local.connections.get(host)
        if connection is not None:
            idle = time.monotonic() - local.used.get(host, 0.0)
            if idle <= IDLE_SECONDS and connection.sock is not None and not _hung_up(connection.sock):
                return connection
            self._forget(host)
        if scheme == "https":
            connection = http.client.HTTPSConnection(host, timeout=self.timeout, context=self.ssl)
        else:
            connection = http.client.HTTPConnection(host, timeout=self.timeout)
        connection.connect()
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        local.connections[host] = connection
        local.used[host] = time.monotonic()
        return connection

    def _forget(self, host: str) -> None:
        connection = getattr(self._local, "connections", {}).pop(host, None)
        if connection is not None:
            connection.close()


class KeepAliveWebClient(WebClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("logger", sdk_logger("slack_sdk.web.base_client"))
        super().__init__(*args, **kwargs)
        self.connections = KeptConnections(timeout=self.timeout, ssl=self.ssl)

    def _perform_urllib_http_request_internal(self, url: str, req: urllib.request.Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        response, body = self.connections.exchange(parts, req)
        if response.headers.get_content_type() == "application/gzip":
            return {"status": response.status, "headers": response.headers, "body": body}
        charset = response.headers.get_content_charset() or "utf-8"
        return {"status": response.status, "headers": response.headers, "body": body.decode(charset)}


class KeepAliveWebhookClient(WebhookClient):
    def __init__(self, url: str, connections: KeptConnections) -> None:
        super().__init__(url, timeout=int(connections.timeout), ssl=connections.ssl,
                         logger=sdk_logger("slack_sdk.webhook.client"))  # type: ignore[arg-type]
        self.connections = connections

    def _perform_http_request_internal(self, url: str, req: urllib.request.Request) -> WebhookResponse:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return super()._perform_http_request_internal(url, req)
        response, body = self.connections.exchange(parts, req)
        if response.status >= 400:  # as urllib would: slack_sdk handles it, and retries where it may
            raise urllib.error.HTTPError(url, response.status, response.reason, response.headers, io.BytesIO(body))
        charset = response.headers.get_content_charset() or "utf-8"
        return WebhookResponse(url=url, status_code=response.status, body=body.decode(charset),
                               headers=response.headers)  # type: ignore[arg-type]


class KeptRespond(Respond):
    """Bolt's `respond()`, posting to the response_url over a kept connection."""

    def __init__(self, *, response_url: str | None, connections: KeptConnections) -> None:
        super().__init__(response_url=response_url)
        self.connections = connections

    def __call__(self, text: str | dict[str, Any] = "", **fields: Any) -> WebhookResponse:  # type: ignore[override]
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        given = dict(text) if isinstance(text, dict) else {"text": text, **fields}
        message = {name: value for name, value in given.items()
                   if value is not None and not (name in ("blocks", "attachments") and not value)}
        return KeepAliveWebhookClient(self.response_url, self.connections).send_dict(message)


def _hung_up(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


def slack_client(token: str, api_url: str | None, *, timeout: float = SLACK_TIMEOUT_SECONDS) -> WebClient:
    base_url = api_url or "https://slack.com/api/"
    return KeepAliveWebClient(token=token, base_url=base_url if base_url.endswith("/") else base_url + "/",
                              timeout=timeout, retry_handlers=[])
