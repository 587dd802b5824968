"""The Slack stand-in in a process of its own, for the benchmarks.

    python -m bench.standin_runner [--delay SECONDS]

Listens on 127.0.0.1 (a free port), prints one JSON line {"port": ..., "pid": ...}, then answers JSON-line
commands on stdin (see `COMMANDS`) with one JSON line each on stdout, until "stop" or end of input.

Two things differ from the plain stand-in, both for long runs:
* calls are kept slim (method, time, channel, ts, trigger_id…), not deep copies of every view and message;
* chat.postMessage can be rate limited per channel like Slack (about 1 message/s/channel): a post that comes
  sooner than `rate_interval` after the last accepted post to that channel is answered 429 with Retry-After.

`StandInProcess` is the parent's handle on such a process.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bot.standin.http import Answer
from bot.standin.rules import SlackError
from bot.standin.slack import Call, SlackStandIn

REPO = Path(__file__).resolve().parent.parent
KEEP_VIEWS = 500
SLIM_KEYS = ("channel", "ts", "thread_ts", "trigger_id", "user", "user_id", "view_id", "_name")


class BenchStandIn(SlackStandIn):
    def __init__(self, **kw: Any) -> None:
        self.rate_interval = 0.0
        self._last_post: dict[str, float] = {}
        super().__init__(**kw)

    def _handle(self, method: str, args: dict, token: str | None) -> tuple[Answer, float]:
        with self._lock:
            now = time.monotonic()
            slim = {k: args[k] for k in SLIM_KEYS if isinstance(args.get(k), str)}
            if isinstance(args.get("text"), str):
                slim["text"] = args["text"][:120]
            call = Call(method, slim, now, token)
            self._calls.append(call)
            rule = next((r for r in self._rules if r.matches(method, args)), None)
            channel = args.get("channel") if isinstance(args.get("channel"), str) else ""
            last = self._last_post.get(channel)
            if rule is not None:
                call.failed = True
                answer = self._injected(rule)
            elif method == "chat.postMessage" and self.rate_interval and last is not None \
                    and now - last < self.rate_interval:
                wait = max(1, math.ceil(self.rate_interval - (now - last)))
                answer = Answer(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)})
            elif method == "response_url":
                answer = Answer(body="ok")
            else:
                answer = self._api(method, args, token)
            if method == "chat.postMessage" and isinstance(answer.body, dict) and answer.body.get("ok"):
                self._last_post[channel] = now
            call.status = 0 if answer.drop else answer.status
            body = answer.body if isinstance(answer.body, dict) else None
            call.response = {k: body[k] for k in ("ok", "error", "ts", "channel") if k in body} if body else None
            if len(self._views) > 2 * KEEP_VIEWS:  # long runs open thousands of forms
                for view_id in list(self._views)[:-KEEP_VIEWS]:
                    self._views.pop(view_id, None)
                    self._view_users.pop(view_id, None)
            return answer, self._delay

    # -- commands -------------------------------------------------------------------------------
    def command(self, op: str, kw: dict[str, Any]) -> Any:
        if op == "ping":
            return "pong"
        if op == "add_user":
            self.add_user(kw["user_id"], name=kw["name"], real_name=kw.get("real_name"), tz=kw.get("tz", "Europe/London"))
            return None
        if op == "add_channel":
            self.add_channel(kw["channel_id"], name=kw["name"], members=kw.get("members", []))
            return None
        if op == "add_message":
            return self.add_message(kw["channel"], user=kw["user"], text=kw["text"])
        if op == "reset":
            self.reset()
            with self._lock:
                self._last_post.clear()
            return None
        if op == "set_delay":
            self.set_delay(float(kw["seconds"]))
            return None
        if op == "set_rate":
            with self._lock:
                self.rate_interval = float(kw["interval"])
                self._last_post.clear()
            return None
        if op == "calls":
            method, since = kw.get("method"), int(kw.get("since", 0))
            with self._lock:
                calls = self._calls[since:]
                return [{"method": c.method, "at": c.at, "status": c.status, "ok": c.ok, "args": c.args,
                         "response": c.response} for c in calls if method is None or c.method == method]
        if op == "ncalls":
            with self._lock:
                return len(self._calls)
        if op == "counts":
            counts: dict[str, int] = {}
            with self._lock:
                for c in self._calls:
                    counts[c.method] = counts.get(c.method, 0) + 1
            return counts
        if op == "message":
            return self.message(kw["channel"], kw["ts"])
        if op == "last_view":
            with self._lock:
                return list(self._views.values())[-1] if self._views else None
        if op == "cpu":
            t = os.times()
            return t.user + t.system
        if op == "rss_kb":
            return _rss_kb(os.getpid())
        raise SlackError(f"unknown op {op}")


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    standin = BenchStandIn(port=args.port, delay_seconds=args.delay).start()
    out = sys.stdout
    out.write(json.dumps({"port": int(standin.base_url.rsplit(":", 1)[1].strip("/")), "pid": os.getpid()}) + "\n")
    out.flush()
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            op = request.pop("op")
            if op == "stop":
                out.write(json.dumps({"ok": True}) + "\n")
                out.flush()
                break
            try:
                reply = {"ok": True, "result": standin.command(op, request)}
            except Exception as error:  # noqa: BLE001 - reported to the parent, which raises
                reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
            out.write(json.dumps(reply) + "\n")
            out.flush()
    finally:
        standin.stop()
    return 0


class StandInProcess:
    """Starts bench.standin_runner and talks to it."""

    def __init__(self, *, delay: float = 0.0, python: str = sys.executable) -> None:
        self.proc = subprocess.Popen([python, "-m", "bench.standin_runner", "--delay", str(delay)], cwd=REPO,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        assert self.proc.stdout is not None and self.proc.stdin is not None
        hello = json.loads(self.proc.stdout.readline() or "{}")
        if "port" not in hello:
            self.proc.kill()
            raise RuntimeError("the stand-in process did not start")
        self.port, self.pid = hello["port"], hello["pid"]
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    def response_url(self, name: str = "default") -> str:
        return self.base_url + "response/" + name

    def __call__(self, op: str, **kw: Any) -> Any:
        with self._lock:
            self.proc.stdin.write(json.dumps({"op": op, **kw}) + "\n")  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]
            line = self.proc.stdout.readline()  # type: ignore[union-attr]
        reply = json.loads(line)
        if not reply.get("ok"):
            raise RuntimeError(f"stand-in: {op}: {reply.get('error')}")
        return reply.get("result")

    def populate(self, people: list[tuple[str, str, str]], channels: list[tuple[str, str, list[str]]]) -> None:
        for user_id, name, real_name in people:
            self("add_user", user_id=user_id, name=name, real_name=real_name)
        for channel_id, name, members in channels:
            self("add_channel", channel_id=channel_id, name=name, members=members)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self("stop")
            except Exception:  # noqa: BLE001
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


if __name__ == "__main__":
    raise SystemExit(main())
