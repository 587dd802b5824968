"""A real SMTP server on 127.0.0.1 (aiosmtpd), reached over TCP by the same smtplib code production uses.

Each connection's fate can be scripted: `answer_next("421")` defers the next email after its DATA, `"450"` defers
its recipient, `"550"` (unknown mailbox) or `"554"` (refused domain) refuses its recipient for good, and `"drop"` takes the email and then closes the connection before answering, as a relay does whose
reply is lost.
"""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

ANSWERS = {"421": "421 4.3.2 Service not available, try again later",
           "450": "450 4.2.1 Mailbox busy, try again later",
           "550": "550 5.1.1 No such mailbox here",
           "554": "554 5.7.1 Relay access denied for that domain"}


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class _Handler:
    def __init__(self, server: "SmtpServer") -> None:
        self.server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        fate = self.server._peek()
        if fate in ("450", "550", "554"):  # a recipient deferred, or refused for good
            self.server._take()
            return ANSWERS[fate]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        fate = self.server._take()
        if fate == "421":  # the message deferred
            return ANSWERS[fate]
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.server._lock:
            self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
            self.server._arrived.notify_all()
        if fate == "drop":
            server.transport.abort()  # taken, and the answer never sent
        return "250 2.0.0 OK: queued"


class SmtpServer:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self._fates: list[str] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self.port = _free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpServer":
        self._controller.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._controller.stop()

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            self._fates.clear()

    def answer_next(self, *fates: str) -> None:
        """How the next emails are answered, one fate each: "421", "450", "550", "554" or "drop"."""
        with self._lock:
            self._fates.extend(fates)

    def wait_for(self, count: int, *, timeout: float = 10.0) -> bool:
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)

    def _peek(self) -> str:
        with self._lock:
            return self._fates[0] if self._fates else "ok"

    def _take(self) -> str:
        with self._lock:
            return self._fates.pop(0) if self._fates else "ok"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
