"""A local stand-in for Slack's Web API, reached over real HTTP.

Point the real ``slack_sdk.WebClient`` at it with
``WebClient(token="xoxb-...", base_url=standin.api_url)``. It keeps a small
world (users, channels, DMs, messages, views, uploaded files), answers the
methods Joined Up uses much as Slack does (including Slack's error codes and
Block Kit size limits), records every call, and can be told to fail, throttle
or hang up. Used by ``joinedup demo``, the test suite and the benchmarks.
It only ever listens on 127.0.0.1.
"""
from __future__ import annotations

import copy
import random
import secrets
import threading
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlparse

from bot.domain.manifest import read_bot_scopes
from bot.standin.http import UPLOAD, Answer, Handler, Server
from bot.standin.methods import ACCEPTED_SCOPES, METHODS, Channel, WebApiMethods
from bot.standin.rules import SlackError, check_arguments, check_message

LOOPBACK = "127.0.0.1"
# What a post to a response_url may say besides the message itself, and the stand-in's note of which URL it was.
RESPONSE_OPTIONS = ("response_type", "replace_original", "delete_original", "thread_ts", "_name")


@dataclass
class Call:
    method: str  # "chat.postMessage"; "response_url" for posts to a response URL, "file_upload" to an upload URL
    args: dict  # parsed JSON or form body
    at: float  # time.monotonic() when received
    token: str | None
    failed: bool = False  # answered by a fail() rule or a fault mix
    fault: str | None = None  # the kind, for a fault mix's
    status: int = 200  # HTTP status sent (0 when the connection was dropped)
    response: dict | None = None  # the JSON answer (None when dropped or not JSON)

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))


@dataclass
class _FailRule:
    method: str
    error: str | None
    status: int | None
    retry_after: int | None
    drop: bool
    times: int  # remaining; -1 means until cleared
    channel: str | None
    after_doing_it: bool = False

    def matches(self, method: str, args: dict) -> bool:
        return self.method == method and (self.channel is None or args.get("channel") == self.channel)


# The ways a call fails in a fault mix: refused at once (429 with Retry-After, a 5xx before or after Slack acted,
# as its internal_error allows), the connection dropped before or after Slack acted, or the answer held back
# past the client's timeout after Slack acted.
FAULT_KINDS = ("429", "5xx", "5xx_after", "drop", "drop_after", "late")


@dataclass
class _FaultMix:
    rate: float
    methods: tuple[str, ...]
    kinds: tuple[str, ...]
    late_seconds: float
    dice: random.Random


class SlackStandIn(WebApiMethods):
    def __init__(self, *, host: str = LOOPBACK, port: int = 0, delay_seconds: float = 0.0,
                 bot_user_id: str = "UJOINEDUP", team_id: str = "T0JOINED", strict: bool = True,
                 scopes: tuple[str, ...] | None = None) -> None:
        """`strict=False` lets through payloads Slack would refuse: only for a test of Joined Up's bad input.
        `scopes`: what the bot token was granted (default: app_manifest.yml's bot scopes). Every Web API answer names
        them in its x-oauth-scopes header, as Slack's do; a test may set `standin.scopes`, and reset() restores them."""
        if host != LOOPBACK:
            raise ValueError(f"the Slack stand-in only listens on {LOOPBACK}, not {host!r}")
        self._port, self._delay = port, max(0.0, delay_seconds)
        self.strict = strict
        self.bot_user_id, self.team_id, self.bot_id = bot_user_id, team_id, "BJOINEDUP"
        self._lock = threading.RLock()
        self._arrived = threading.Condition(self._lock)
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._users: dict[str, dict] = {}
        self._channels: dict[str, Channel] = {}
        self._last_ts = 0
        self._view_seq = 0
        self._granted = tuple(scopes) if scopes is not None else _manifest_scopes()
        self.reset()
        self.add_user(bot_user_id, name="joinedup", real_name="Joined Up")
        self._users[bot_user_id]["is_bot"] = True

    # -- lifecycle --------------------------------------------------------
    def start(self) -> "SlackStandIn":
        if self._server is not None:
            return self
        server = Server((LOOPBACK, self._port), Handler)
        server.standin = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="slack-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread, self._server, self._thread = self._server, self._thread, None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> "SlackStandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the Slack stand-in is not running; call start() first")
        return f"http://{LOOPBACK}:{self._server.server_address[1]}/"

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    def response_url(self, name: str = "default") -> str:
        return self.base_url + "response/" + quote(name, safe="")

    def trigger_id(self, user_id: str | None = None) -> str:
        """A fresh trigger_id, as an interaction payload would carry, remembered as `user_id`'s
        so that views(user_id) knows whose modal it opens. Any other string works too."""
        trigger = f"{int(time.time())}.{secrets.randbelow(10**10):010d}.{secrets.token_hex(8)}"
        with self._lock:
            self._trigger_users[trigger] = user_id
        return trigger

    # -- the world --------------------------------------------------------
    def add_user(self, user_id: str, *, name: str, tz: str = "Europe/London",
                 real_name: str | None = None, deleted: bool = False, email: str | None = None) -> None:
        """`email` is shown in users.info's profile only to a token granted users:read.email, as Slack does."""
        with self._lock:
            self._users[user_id] = {"id": user_id, "name": name, "real_name": real_name or name,
                                    "tz": tz, "deleted": deleted, "is_bot": False, "email": email}

    def add_channel(self, channel_id: str, *, name: str, members: list[str] | tuple = (),
                    is_private: bool = False, bot_is_member: bool = True, archived: bool = False) -> None:
        with self._lock:
            self._channels[channel_id] = Channel(channel_id, name, list(members), is_private,
                                                  bot_is_member, archived)

    def add_message(self, channel: str, *, user: str, text: str, blocks: list | None = None,
                    thread_ts: str | None = None) -> str:
        """Seed a message from a person (not the bot); returns its ts."""
        with self._lock:
            chan = self._resolve(channel, check_access=False)
            return self._store_message(chan.id, {"text": text, "blocks": blocks or [],
                                                 "thread_ts": thread_ts}, user=user)["ts"]

    # -- inspection -------------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [replace(c, args=copy.deepcopy(c.args), response=copy.deepcopy(c.response))
                    for c in self._calls if method is None or c.method == method]

    def wait_for(self, method: str, count: int = 1, *, timeout: float = 10.0) -> bool:
        """Block until `count` calls to `method` have arrived (or the timeout passes): no polling."""
        return self.wait_until(lambda: self.count(method) >= count, timeout=timeout)

    def wait_until(self, condition: Any, *, timeout: float = 10.0) -> bool:
        """Block until `condition()` holds, re-checking as each call arrives (or the timeout passes)."""
        with self._arrived:
            return self._arrived.wait_for(condition, timeout=timeout)

    def count(self, method: str, *, channels: tuple[str, ...] | None = None, answered_ok: bool = False) -> int:
        """How many calls to `method` arrived (only to these channels, only those Slack accepted)."""
        with self._lock:
            return sum(1 for c in self._calls if c.method == method
                       and (channels is None or c.args.get("channel") in channels) and (not answered_ok or c.ok))

    def errors(self, method: str | None = None) -> list[Call]:
        """Calls that were answered with anything but ok (injected failures included)."""
        return [c for c in self.calls(method) if not c.ok and c.method not in ("response_url", UPLOAD)]

    def messages(self, channel: str) -> list[dict]:
        with self._lock:
            key = self._channel_key(channel)
            return copy.deepcopy(list(self._messages.get(key, {}).values()))

    def message(self, channel: str, ts: str) -> dict | None:
        with self._lock:
            return copy.deepcopy(self._messages.get(self._channel_key(channel), {}).get(ts))

    def copies(self) -> dict[str, list[tuple[str, str]]]:
        """Every message Joined Up posted that carries its key, by key: where each copy is (channel, ts). A key
        with two copies is a message doubled. A file's share carries no metadata: it counts under "file:" and the
        file's name."""
        found: dict[str, list[tuple[str, str]]] = {}
        with self._lock:
            for channel, messages in self._messages.items():
                for message in messages.values():
                    key = ((message.get("metadata") or {}).get("event_payload") or {}).get("key")
                    if key:
                        found.setdefault(key, []).append((channel, message["ts"]))
                    for shared in message.get("files") or []:
                        found.setdefault(f"file:{shared['name']}", []).append((channel, message["ts"]))
        return found

    def ephemerals(self, user_id: str, channel: str | None = None) -> list[dict]:
        with self._lock:
            key = channel and self._channel_key(channel)
            return copy.deepcopy([e for e in self._ephemerals
                                  if e["user"] == user_id and (key is None or e["channel"] == key)])

    def notifications(self, channel: str | None = None) -> list[dict]:
        """What each post could show in a notification: "desktop" (from its blocks first) and "mobile" (its text)."""
        with self._lock:
            key = self._channel_key(channel) if channel else None
            return [dict(n) for n in self._notifications if key is None or n["channel"] == key]

    def views(self, user_id: str | None = None) -> list[dict]:
        with self._lock:
            return copy.deepcopy([v for vid, v in self._views.items()
                                  if user_id is None or self._view_users.get(vid) == user_id])

    @property
    def home_views(self) -> dict[str, dict]:
        with self._lock:
            return {user: copy.deepcopy(self._views[vid]) for user, vid in self._home_ids.items()}

    def reset(self) -> None:
        with self._lock:
            self._calls: list[Call] = []
            self._messages: dict[str, dict[str, dict]] = {}
            self._ephemerals: list[dict] = []
            self._notifications: list[dict] = []
            self._views: dict[str, dict] = {}
            self._view_users: dict[str, str | None] = {}
            self._home_ids: dict[str, str] = {}
            self._used_triggers: set[str] = set()
            self._trigger_users: dict[str, str | None] = {}
            self._rules: list[_FailRule] = []
            self._mix: _FaultMix | None = None
            self.scopes: tuple[str, ...] = self._granted
            self._reset_files()

    # -- fault injection ---------------------------------------------------
    def fail(self, method: str, *, error: str | None = None, status: int | None = None,
             retry_after: int | None = None, drop: bool = False, times: int = 1,
             channel: str | None = None, after_doing_it: bool = False) -> None:
        """The next `times` calls fail. With drop=True and after_doing_it=True, Slack does the work (the
        message is posted) but the answer is lost on the way back, as when a connection dies mid-reply."""
        if times == 0 or times < -1:
            raise ValueError("times must be a positive count, or -1 for 'until clear_failures()'")
        if drop and (error or status or retry_after is not None):
            raise ValueError("drop=True closes the connection; it cannot carry an error or status")
        if status is None and retry_after is not None:
            status = 429
        with self._lock:
            self._rules.append(_FailRule(method, error, status, retry_after, drop, times, channel, after_doing_it))

    def mix_faults(self, rate: float, *, seed: int, methods: tuple[str, ...] = ("chat.postMessage", "chat.update"),
                   kinds: tuple[str, ...] = FAULT_KINDS, late_seconds: float = 0.0) -> None:
        """From now on each call of `methods` fails with probability `rate`, in a kind drawn from `kinds`
        (FAULT_KINDS), from dice seeded with `seed`. A "late" answer comes after `late_seconds`: make it longer
        than the client's timeout. Calls that fail are marked in calls() with the kind."""
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown or not 0 <= rate <= 1:
            raise ValueError(f"rate must be within 0..1 and kinds among {FAULT_KINDS}, not {sorted(unknown)}")
        with self._lock:
            self._mix = _FaultMix(rate, tuple(methods), tuple(kinds), late_seconds, random.Random(seed))

    def clear_failures(self) -> None:
        with self._lock:
            self._rules.clear()
            self._mix = None

    def set_delay(self, seconds: float) -> None:
        with self._lock:
            self._delay = max(0.0, seconds)

    # -- Socket Mode ---------------------------------------------------------
    # Slack's WebSocket end is not played here: a test runs one on 127.0.0.1 and names it with
    # use_socket_mode(); apps.connections.open then hands its URL to the app (which token asked is in calls()).
    _socket_mode_url: str | None = None

    def use_socket_mode(self, url: str | None) -> None:
        """Answer apps.connections.open with this ws:// URL on 127.0.0.1 (None: refuse it again)."""
        if url is not None:
            parsed = urlparse(url)
            if parsed.scheme != "ws" or parsed.hostname != LOOPBACK:
                raise ValueError(f"a Socket Mode URL for the stand-in is ws://{LOOPBACK}:..., not {url!r}")
        with self._lock:
            self._socket_mode_url = url

    # -- request handling (called from server threads) ---------------------
    def _handle(self, method: str, args: dict, token: str | None) -> tuple[Answer, float]:
        with self._lock:
            call = Call(method, copy.deepcopy(args), time.monotonic(), token)
            self._calls.append(call)
            rule = next((r for r in self._rules if r.matches(method, args)), None)
            mix = self._mix
            if rule is None and mix is not None and method in mix.methods and mix.dice.random() < mix.rate:
                call.failed, call.fault = True, mix.dice.choice(mix.kinds)
                answer, delay = self._mixed(call.fault, method, args, token, mix)
                call.status = 0 if answer.drop else answer.status
                self._arrived.notify_all()
                return answer, delay
            if rule is not None:
                call.failed = True
                if rule.after_doing_it:
                    self._api(method, args, token)
                answer = self._injected(rule)
            elif method == "response_url":
                answer = self._respond(args)
            else:
                answer = self._api(method, args, token)
            if method != "response_url" and token and not answer.drop:
                # Slack names the token's granted scopes in this header on every Web API answer.
                answer.headers = {**(answer.headers or {}), "x-oauth-scopes": ",".join(self.scopes)}
            call.status = 0 if answer.drop else answer.status
            call.response = copy.deepcopy(answer.body) if isinstance(answer.body, dict) else None
            self._arrived.notify_all()
            return answer, self._delay

    def _mixed(self, kind: str, method: str, args: dict, token: str | None, mix: _FaultMix) -> tuple[Answer, float]:
        if kind.endswith("_after") or kind == "late":
            done = self._api(method, args, token)
            if kind == "late":
                return done, mix.late_seconds
        if kind.startswith("drop"):
            return Answer(drop=True), 0.0
        if kind == "429":
            return Answer(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(mix.dice.randint(1, 3))}), 0.0
        return Answer(mix.dice.choice((500, 502, 503)), {"ok": False, "error": "internal_error"}), 0.0

    def _injected(self, rule: _FailRule) -> Answer:
        if rule.times > 0:
            rule.times -= 1
            if rule.times == 0:
                self._rules.remove(rule)
        if rule.drop:
            return Answer(drop=True)
        status = rule.status or 200
        error = rule.error or {200: "fatal_error", 429: "ratelimited"}.get(status, "internal_error")
        headers = {}
        if status == 429 or rule.retry_after is not None:
            headers["Retry-After"] = str(rule.retry_after if rule.retry_after is not None else 1)
        return Answer(status, {"ok": False, "error": error}, headers)

    def _respond(self, args: dict) -> Answer:
        """A post to a response_url: Slack answers a message it refuses with HTTP 400 and the error's name."""
        body = {k: v for k, v in args.items() if k not in RESPONSE_OPTIONS}
        if self.strict and not args.get("delete_original"):
            try:
                check_message(body)
            except SlackError as error:
                return Answer(400, error.error)
        return Answer(body="ok")

    def _api(self, method: str, args: dict, token: str | None) -> Answer:
        if method == UPLOAD:  # bytes POSTed to an upload URL: no token, and a plain-text answer
            return self._receive_upload(args)
        handler = METHODS.get(method)
        try:
            if not token:
                raise SlackError("not_authed")
            if self.strict:
                check_arguments(method, args)
            self._check_scopes(method)
            self._caller = token
            result = handler(self, args) if handler else {}
            return Answer(body={"ok": True, **result})
        except SlackError as e:
            body: dict[str, Any] = {"ok": False, "error": e.error}
            if e.error == "missing_scope":
                body.update(needed=",".join(ACCEPTED_SCOPES[method]), provided=",".join(self.scopes))
            if e.messages:
                body["response_metadata"] = {"messages": e.messages}
            return Answer(body=body)
        except Exception as e:  # a bug in the stand-in, or args it cannot make sense of
            return Answer(500, {"ok": False, "error": "standin_error", "detail": f"{type(e).__name__}: {e}"})


def _manifest_scopes() -> tuple[str, ...]:
    """app_manifest.yml's bot scopes; none when it is not beside the code (an installed copy without the manifest)."""
    try:
        return read_bot_scopes()
    except (OSError, ValueError):
        return ()
