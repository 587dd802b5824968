"""slack_sdk's WebClient, keeping its connections to Slack open between calls.

slack_sdk sends every Web API call through urllib with `Connection: close`: a new TCP connection, and in
production a new TLS handshake, for every post, update and `views.open`. That costs CPU and a round trip or
two each time, and `views.open` sits on `/record`'s ack path. Here each thread keeps one connection per host
and reuses it; slack_sdk does everything else (errors, rate limits) as before. A call whose connection breaks
is never sent again from here, since Slack may already have acted on it.
"""
from __future__ import annotations

import http.client
import select
import socket
import threading
import time
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient

IDLE_SECONDS = 10.0  # a connection unused for longer is not trusted: servers close idle ones


class KeepAliveWebClient(WebClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._local = threading.local()

    def _perform_urllib_http_request_internal(self, url: str, req: urllib.request.Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
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
        if response.headers.get_content_type() == "application/gzip":
            return {"status": response.status, "headers": response.headers, "body": body}
        charset = response.headers.get_content_charset() or "utf-8"
        return {"status": response.status, "headers": response.headers, "body": body.decode(charset)}

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


def _hung_up(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)
