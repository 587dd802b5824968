"""A small load generator that sends what Slack sends: signed requests, one fresh TCP connection each.

Bodies are built and signed before the clock starts (one HMAC each), so the generator's own cost per request is
one asyncio connect/send/receive on a raw socket; `Result.gen_cpu_us` reports it (CPU of the generator's thread).

Closed loop (`run_closed`): C senders, each sends its next request when the last one is answered.
Open loop (`run_open`): requests start at a fixed rate whatever the answers do, at most `max_inflight` at once.
Both stop at `count` requests or `max_seconds`, whichever comes first. Loopback only.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import resource
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence
from urllib.parse import quote, urlencode

from bot.standin.signed_requests import APP_ID, TEAM, block_actions, view_submission

HOST = "127.0.0.1"
PATH = "/slack/events"
SLOW_SECONDS = 3.0
TIMEOUT_SECONDS = 10.0
FORM = "application/x-www-form-urlencoded"
VIEW_ID = "VIEWIDPH"
TRIGGER = "TRIGGERPH"

Check = Callable[[bytes], bool]


# --- bodies ----------------------------------------------------------------------------------------

def command_body(command: str, text: str, *, user: str, channel: str, response_url: str, trigger: str) -> str:
    fields = {
        "token": "verification-token-unused", "team_id": TEAM["id"], "team_domain": TEAM["domain"],
        "channel_id": channel, "channel_name": "agency", "user_id": user, "user_name": user.lower(),
        "command": command, "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
        "response_url": response_url, "trigger_id": trigger,
    }
    return urlencode(fields)


def submit_template(view: dict[str, Any], values: dict[str, Any], *, user: str) -> str:
    """A view_submission body with VIEW_ID and TRIGGER placeholders: each submission is a new form (new view id)."""
    payload = view_submission({**view, "id": VIEW_ID}, values, user=user, trigger_id=TRIGGER)
    return "payload=" + quote(json.dumps(payload))


def click_template(message: dict[str, Any], action: dict[str, Any], *, user: str, channel: str,
                   response_url: str) -> str:
    payload = block_actions(message, action, user=user, channel=channel, response_url=response_url, trigger_id=TRIGGER)
    return "payload=" + quote(json.dumps(payload))


@dataclass
class Prepared:
    """Requests ready to send: raw HTTP bytes, and the trigger_id each carries."""

    kind: str
    raws: list[bytes]
    triggers: list[str]


def sign(secret: str, body: bytes, timestamp: int) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def raw_request(port: int, body: str, secret: str, *, timestamp: int | None = None) -> bytes:
    data = body.encode()
    ts = int(time.time()) if timestamp is None else timestamp
    head = (f"POST {PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUser-Agent: Slackbot 1.0 (+https://api.slack.com/robots)\r\n"
            f"Content-Type: {FORM}\r\nContent-Length: {len(data)}\r\nX-Slack-Request-Timestamp: {ts}\r\n"
            f"X-Slack-Signature: {sign(secret, data, ts)}\r\nConnection: close\r\n\r\n")
    return head.encode() + data


def prepare(kind: str, template: str, n: int, *, port: int, secret: str, prefix: str) -> Prepared:
    """n requests from a body template; each gets a unique trigger_id (and view id, for submissions)."""
    ts = int(time.time())
    raws, triggers = [], []
    for i in range(n):
        trigger = f"{prefix}.{i}"
        body = template.replace(TRIGGER, trigger).replace(VIEW_ID, f"V{prefix.replace('.', '')}{i}"[:80])
        raws.append(raw_request(port, body, secret, timestamp=ts))
        triggers.append(trigger)
    return Prepared(kind, raws, triggers)


# --- results ---------------------------------------------------------------------------------------

def percentile(sorted_values: Sequence[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))  # nearest rank
    return sorted_values[rank - 1]


@dataclass
class Result:
    kind: str
    mode: str  # "closed" or "open"
    concurrency: int
    rate: float
    count: int = 0  # requests sent
    ok: int = 0
    errors: int = 0
    slow: int = 0  # answered, but in SLOW_SECONDS or more
    seconds: float = 0.0
    gen_cpu_s: float = 0.0
    latencies: list[float] = field(default_factory=list, repr=False)  # seconds, answered requests, sorted
    sent_at: dict[str, float] = field(default_factory=dict, repr=False)  # trigger_id -> time.monotonic() sent
    error_samples: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def ms(self, p: float) -> float:
        return percentile(self.latencies, p) * 1000

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "mode": self.mode, "concurrency": self.concurrency, "rate": self.rate,
            "count": self.count, "ok": self.ok, "errors": self.errors, "slow": self.slow,
            "seconds": round(self.seconds, 3), "throughput": round(self.throughput, 1),
            "p50_ms": round(self.ms(50), 2), "p90_ms": round(self.ms(90), 2), "p99_ms": round(self.ms(99), 2),
            "max_ms": round(self.ms(100), 2),
            "gen_cpu_us_per_request": round(1e6 * self.gen_cpu_s / self.count, 1) if self.count else None,
            "error_samples": self.error_samples[:5],
        }


def _thread_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    return usage.ru_utime + usage.ru_stime


async def _exchange(loop: asyncio.AbstractEventLoop, port: int, raw: bytes) -> tuple[int, bytes]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, (HOST, port))
        await loop.sock_sendall(sock, raw)
        buf = bytearray()
        length = -1
        head_end = -1
        while True:
            chunk = await loop.sock_recv(sock, 65536)
            if not chunk:
                break
            buf += chunk
            if head_end < 0:
                head_end = buf.find(b"\r\n\r\n")
                if head_end >= 0:
                    for line in bytes(buf[:head_end]).split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value)
            if head_end >= 0 and length >= 0 and len(buf) >= head_end + 4 + length:
                break
        if head_end < 0:
            raise ConnectionError("no HTTP response")
        status = int(bytes(buf[:head_end]).split(b" ", 2)[1])
        return status, bytes(buf[head_end + 4:])
    finally:
        sock.close()


class _Run:
    def __init__(self, prepared: Prepared, result: Result, port: int, check: Check | None) -> None:
        self.prepared, self.result, self.port, self.check = prepared, result, port, check

    async def one(self, i: int) -> None:
        loop = asyncio.get_running_loop()
        r = self.result
        started = time.monotonic()
        r.sent_at[self.prepared.triggers[i]] = started
        r.count += 1
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                status, body = await _exchange(loop, self.port, self.prepared.raws[i])
        except (OSError, TimeoutError, ValueError, IndexError) as error:
            r.errors += 1
            r.error_samples.append(f"{type(error).__name__}: {error}"[:200])
            return
        elapsed = time.monotonic() - started
        if status != 200 or (self.check is not None and not self.check(body)):
            r.errors += 1
            r.error_samples.append(f"HTTP {status}: {body[:200]!r}")
            return
        r.ok += 1
        r.latencies.append(elapsed)
        if elapsed >= SLOW_SECONDS:
            r.slow += 1


def run_closed(port: int, prepared: Prepared, concurrency: int, *, max_seconds: float,
               check: Check | None = None) -> Result:
    result = Result(prepared.kind, "closed", concurrency, 0.0)
    run = _Run(prepared, result, port, check)
    n = len(prepared.raws)

    async def main() -> None:
        next_index = 0
        deadline = time.monotonic() + max_seconds

        async def sender() -> None:
            nonlocal next_index
            while next_index < n and time.monotonic() < deadline:
                i, next_index = next_index, next_index + 1
                await run.one(i)

        await asyncio.gather(*(sender() for _ in range(concurrency)))

    _timed(main, result)
    return result


def run_open(port: int, prepared: Prepared, rate: float, *, max_seconds: float, max_inflight: int = 512,
             check: Check | None = None) -> Result:
    result = Result(prepared.kind, "open", 0, rate)
    run = _Run(prepared, result, port, check)

    async def main() -> None:
        start = time.monotonic()
        tasks: set[asyncio.Task] = set()
        for i in range(len(prepared.raws)):
            due = start + i / rate
            now = time.monotonic()
            if due > start + max_seconds:
                break
            if due > now:
                await asyncio.sleep(due - now)
            if len(tasks) >= max_inflight:  # the server has fallen this far behind: count it, don't pile on
                result.count += 1
                result.errors += 1
                result.error_samples.append("overload: max_inflight requests outstanding")
                continue
            task = asyncio.create_task(run.one(i))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=TIMEOUT_SECONDS + 1)

    _timed(main, result)
    return result


def _timed(main: Callable[[], Any], result: Result) -> None:
    cpu, wall = _thread_cpu(), time.monotonic()
    asyncio.run(main())
    result.seconds = time.monotonic() - wall
    result.gen_cpu_s = _thread_cpu() - cpu
    result.latencies.sort()
