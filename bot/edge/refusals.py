"""Requests refused at the edge for want of a valid Slack signature: told to the operator, without flooding.

Each refusal is counted by its reason. A WARNING line goes out for the first of a reason and then at most once a
minute for it (the clock is injected), with how many were refused since that reason's last line, so a scan or a
wrong SLACK_SIGNING_SECRET shows as one line a minute rather than one a request. The line names the reason and
what to check; never the body, nor the headers' values. Each web worker counts its own requests.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from slack_sdk.signature import Clock as SlackSdkClock, SignatureVerifier

from bot.domain.clock import Clock

log = logging.getLogger("joinedup.edge")

MISSING_HEADERS = "missing headers"
STALE_TIMESTAMP = "stale timestamp"
BAD_SIGNATURE = "bad signature"
WHAT_TO_CHECK = {
    MISSING_HEADERS: "no usable X-Slack-Request-Timestamp and X-Slack-Signature: not sent by Slack",
    STALE_TIMESTAMP: "signed more than 5 minutes from this server's time: a replay, or check this server's clock",
    BAD_SIGNATURE: "check that SLACK_SIGNING_SECRET is the Signing Secret on the Slack app's Basic Information page",
}
STALE_AFTER_SECONDS = 5 * 60  # Slack's own rule, and slack_sdk's
LINE_EVERY = timedelta(minutes=1)


class _SlackSdkClock(SlackSdkClock):
    """The injected clock, as slack_sdk's SignatureVerifier reads it (seconds since the epoch)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock.now().timestamp()


class SignatureCheck:
    """Slack's request signature, checked with the injected clock; says why a request fails it."""

    def __init__(self, signing_secret: str, clock: Clock) -> None:
        self._clock = clock
        self._verifier = SignatureVerifier(signing_secret, clock=_SlackSdkClock(clock))

    def refusal(self, body: bytes, timestamp: str, signature: str) -> str | None:
        """None if Slack signed this body just now; otherwise the reason it is refused."""
        if not (timestamp and signature and timestamp.isascii() and timestamp.isdigit()):
            return MISSING_HEADERS
        if abs(self._clock.now().timestamp() - int(timestamp)) > STALE_AFTER_SECONDS:
            return STALE_TIMESTAMP
        return None if self._verifier.is_valid(body, timestamp, signature) else BAD_SIGNATURE


class RefusalLog:
    """Counts refusals by reason and logs them, at most one line per reason per LINE_EVERY."""

    def __init__(self, clock: Clock, *, every: timedelta = LINE_EVERY) -> None:
        self._clock = clock
        self._every = every
        self._lock = threading.Lock()
        self._unreported: dict[str, int] = {}
        self._last_line: dict[str, datetime] = {}

    def refused(self, reason: str) -> None:
        now = self._clock.now()
        with self._lock:
            count = self._unreported.get(reason, 0) + 1
            last = self._last_line.get(reason)
            if last is not None and now - last < self._every:
                self._unreported[reason] = count
                return
            self._unreported[reason], self._last_line[reason] = 0, now
        log.warning("refused %d request(s) to /slack/events since the last line for this reason: %s (%s)",
                    count, reason, WHAT_TO_CHECK.get(reason, "not signed by Slack"))
