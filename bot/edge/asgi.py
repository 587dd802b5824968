"""A WSGI application served from an event loop: each request's body is read in full by the loop, within a size
and a time limit, and only then does the application run, on one of a fixed pool of threads.

A client that sends its request slowly, or promises a body it never sends, costs a waiting coroutine and its
socket, never one of the threads that answer Slack.
"""
from __future__ import annotations

import asyncio
import io
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Iterable

from bot.edge.payloads import where

log = logging.getLogger(__name__)

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
WsgiApplication = Callable[[dict[str, Any], Any], Iterable[bytes]]

BODY_SECONDS = 10.0  # Slack sends its few kilobytes at once; past this the answer could not reach it in time anyway


class _ClientGone(Exception):
    pass


class _TooLarge(Exception):
    pass


class WsgiOnAsyncio:
    """The ASGI application gunicorn's asyncio worker calls, running `application` on `threads` threads."""

    def __init__(self, application: WsgiApplication, *, threads: int, largest_body: int,
                 body_seconds: float = BODY_SECONDS) -> None:
        self.application = application
        self.largest_body = largest_body
        self.body_seconds = body_seconds
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="request")

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close"})  # refused before it is accepted: a 403
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _http(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.largest_body:
            return await _plain(send, 413, b"request too large")
        try:
            async with asyncio.timeout(self.body_seconds):
                body = await self._body(receive)
        except _TooLarge:
            return await _plain(send, 413, b"request too large")
        except TimeoutError:
            return await _plain(send, 408, b"request timed out")
        except _ClientGone:
            return
        status, headers, chunks = await asyncio.get_running_loop().run_in_executor(
            self.pool, self._run, _environ(scope, body))
        content = b"".join(chunks)
        if not any(name == b"content-length" for name, _ in headers):
            headers.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    async def _body(self, receive: Receive) -> bytes:
        parts, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            part = message.get("body", b"")
            size += len(part)
            if size > self.largest_body:
                raise _TooLarge
            parts.append(part)
            if not message.get("more_body", False):
                return b"".join(parts)

    def _run(self, environ: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], list[bytes]]:
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            started[:] = [status, headers]

        try:
            result = self.application(environ, start_response)
            try:
                chunks = [bytes(chunk) for chunk in result]
            finally:
                getattr(result, "close", lambda: None)()
            status, headers = started
            return int(status.split(" ", 1)[0]), [(name.lower().encode("latin-1"), value.encode("latin-1"))
                                                  for name, value in headers], chunks
        except Exception as error:  # one line, as for a listener (bot/app.py): never a message or traceback
            log.error("request failed: %s at %s", type(error).__name__, where(error))
            return 500, [(b"content-type", b"text/plain; charset=utf-8")], [b"internal error"]

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # Requests still running finish first; their connections are already closed to new ones.
                await asyncio.get_running_loop().run_in_executor(None, self.pool.shutdown)
                await send({"type": "lifespan.shutdown.complete"})
                return


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _environ(scope: dict[str, Any], body: bytes) -> dict[str, Any]:
    """PEP 3333's environment for a request whose body has been read: strings are bytes read as latin-1."""
    server = scope.get("server") or ("127.0.0.1", 80)
    client = scope.get("client") or ("", 0)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", ""),
        "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]), "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": str(client[0]), "REMOTE_PORT": str(client[1]),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0), "wsgi.url_scheme": scope.get("scheme", "http"), "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    for key, value in scope["headers"]:
        name = key.decode("latin-1").upper().replace("-", "_")
        if name == "CONTENT_LENGTH":
            continue
        name = name if name == "CONTENT_TYPE" else f"HTTP_{name}"
        text = value.decode("latin-1")
        environ[name] = f"{environ[name]},{text}" if name in environ else text
    return environ


async def _plain(send: Send, status: int, text: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(text)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": text})
