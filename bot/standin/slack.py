"""A local stand-in for Slack's Web API, reached over real HTTP.

Point the real ``slack_sdk.WebClient`` at it with
``WebClient(token="xoxb-...", base_url=standin.api_url)``. It keeps a small
world (users, channels, DMs, messages, views), answers the methods Joined Up
uses much as Slack does (including Slack's error codes and Block Kit size
limits), records every call, and can be told to fail, throttle or hang up.
Used by ``joinedup demo``, the test suite and the benchmarks.

It only ever listens on 127.0.0.1.
"""
from __future__ import annotations

import base64
import copy
import json
import secrets
import socket
import sys
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOOPBACK = "127.0.0.1"
TEAM_NAME = "Joined Up Stand-in"
TEAM_URL = "https://joinedup-standin.slack.com/"
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_MESSAGE_TEXT = 40000
# Args that carry JSON; slack_sdk sends them as JSON values or, in forms, JSON strings.
JSON_ARGS = ("blocks", "attachments", "view", "metadata")


@dataclass
class Call:
    method: str  # "chat.postMessage", or "response_url" for posts to a response URL
    args: dict  # parsed JSON or form body
    at: float  # time.monotonic() when received
    token: str | None
    failed: bool = False  # answered by a fail() rule
    status: int = 200  # HTTP status sent (0 when the connection was dropped)
    response: dict | None = None  # the JSON answer (None when dropped or not JSON)

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))


class SlackError(Exception):
    """An ``{"ok": false, "error": ...}`` answer."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []


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


@dataclass
class _Answer:
    status: int = 200
    body: dict | str | None = None
    headers: dict | None = None
    drop: bool = False


@dataclass
class _Channel:
    id: str
    name: str
    members: list[str]
    is_private: bool = False
    bot_is_member: bool = True
    archived: bool = False
    im_user: str | None = None  # set for a DM with that user


class SlackStandIn:
    def __init__(self, *, host: str = LOOPBACK, port: int = 0, delay_seconds: float = 0.0,
                 bot_user_id: str = "UJOINEDUP", team_id: str = "T0JOINED") -> None:
        if host != LOOPBACK:
            raise ValueError(f"the Slack stand-in only listens on {LOOPBACK}, not {host!r}")
        self._port, self._delay = port, max(0.0, delay_seconds)
        self.bot_user_id, self.team_id, self.bot_id = bot_user_id, team_id, "BJOINEDUP"
        self._lock = threading.RLock()
        self._arrived = threading.Condition(self._lock)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._users: dict[str, dict] = {}
        self._channels: dict[str, _Channel] = {}
        self._last_ts = 0
        self._view_seq = 0
        self.reset()
        self.add_user(bot_user_id, name="joinedup", real_name="Joined Up")
        self._users[bot_user_id]["is_bot"] = True

    # -- lifecycle --------------------------------------------------------
    def start(self) -> "SlackStandIn":
        if self._server is not None:
            return self
        server = _Server((LOOPBACK, self._port), _Handler)
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
                 real_name: str | None = None, deleted: bool = False) -> None:
        with self._lock:
            self._users[user_id] = {"id": user_id, "name": name, "real_name": real_name or name,
                                    "tz": tz, "deleted": deleted, "is_bot": False}

    def add_channel(self, channel_id: str, *, name: str, members: list[str] | tuple = (),
                    is_private: bool = False, bot_is_member: bool = True, archived: bool = False) -> None:
        with self._lock:
            self._channels[channel_id] = _Channel(channel_id, name, list(members), is_private,
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
        return [c for c in self.calls(method) if not c.ok and c.method != "response_url"]

    def messages(self, channel: str) -> list[dict]:
        with self._lock:
            key = self._channel_key(channel)
            return copy.deepcopy(list(self._messages.get(key, {}).values()))

    def message(self, channel: str, ts: str) -> dict | None:
        with self._lock:
            return copy.deepcopy(self._messages.get(self._channel_key(channel), {}).get(ts))

    def ephemerals(self, user_id: str, channel: str | None = None) -> list[dict]:
        with self._lock:
            key = channel and self._channel_key(channel)
            return copy.deepcopy([e for e in self._ephemerals
                                  if e["user"] == user_id and (key is None or e["channel"] == key)])

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
            self._views: dict[str, dict] = {}
            self._view_users: dict[str, str | None] = {}
            self._home_ids: dict[str, str] = {}
            self._used_triggers: set[str] = set()
            self._trigger_users: dict[str, str | None] = {}
            self._rules: list[_FailRule] = []

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

    def clear_failures(self) -> None:
        with self._lock:
            self._rules.clear()

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

    def _apps_connections_open(self, args: dict) -> dict:
        if self._socket_mode_url is None:
            raise SlackError("standin_socket_mode_off")  # not Slack's: call use_socket_mode(url) first
        return {"url": self._socket_mode_url}

    # -- request handling (called from server threads) ---------------------
    def _handle(self, method: str, args: dict, token: str | None) -> tuple[_Answer, float]:
        with self._lock:
            call = Call(method, copy.deepcopy(args), time.monotonic(), token)
            self._calls.append(call)
            rule = next((r for r in self._rules if r.matches(method, args)), None)
            if rule is not None:
                call.failed = True
                if rule.after_doing_it:
                    self._api(method, args, token)
                answer = self._injected(rule)
            elif method == "response_url":
                answer = _Answer(body="ok")
            else:
                answer = self._api(method, args, token)
            call.status = 0 if answer.drop else answer.status
            call.response = copy.deepcopy(answer.body) if isinstance(answer.body, dict) else None
            self._arrived.notify_all()
            return answer, self._delay

    def _injected(self, rule: _FailRule) -> _Answer:
        if rule.times > 0:
            rule.times -= 1
            if rule.times == 0:
                self._rules.remove(rule)
        if rule.drop:
            return _Answer(drop=True)
        status = rule.status or 200
        error = rule.error or {200: "fatal_error", 429: "ratelimited"}.get(status, "internal_error")
        headers = {}
        if status == 429 or rule.retry_after is not None:
            headers["Retry-After"] = str(rule.retry_after if rule.retry_after is not None else 1)
        return _Answer(status, {"ok": False, "error": error}, headers)

    def _api(self, method: str, args: dict, token: str | None) -> _Answer:
        handler = _METHODS.get(method)
        try:
            if not token:
                raise SlackError("not_authed")
            result = handler(self, args) if handler else {}
            return _Answer(body={"ok": True, **result})
        except SlackError as e:
            body: dict[str, Any] = {"ok": False, "error": e.error}
            if e.messages:
                body["response_metadata"] = {"messages": e.messages}
            return _Answer(body=body)
        except Exception as e:  # a bug in the stand-in, or args it cannot make sense of
            return _Answer(500, {"ok": False, "error": "standin_error", "detail": f"{type(e).__name__}: {e}"})

    # -- world helpers (lock held) -----------------------------------------
    def _user(self, user_id: Any) -> dict:
        user = self._users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            raise SlackError("user_not_found")
        return user

    def _dm(self, user_id: str) -> _Channel:
        user = self._user(user_id)
        if user["deleted"]:
            raise SlackError("user_disabled")
        dm_id = "D" + user_id
        if dm_id not in self._channels:
            self._channels[dm_id] = _Channel(dm_id, user["name"], [user_id, self.bot_user_id],
                                             is_private=True, im_user=user_id)
        return self._channels[dm_id]

    def _resolve(self, channel: Any, *, check_access: bool = True) -> _Channel:
        if not channel or not isinstance(channel, str):
            raise SlackError("channel_not_found")
        if channel in self._channels:
            chan = self._channels[channel]
        elif channel[0] in "UW" and channel in self._users:
            chan = self._dm(channel)
        elif channel[0] == "D" and channel[1:] in self._users:
            chan = self._dm(channel[1:])
        else:
            raise SlackError("channel_not_found")
        if check_access and chan.is_private and not chan.bot_is_member:
            raise SlackError("not_in_channel")
        return chan

    def _channel_key(self, channel: str) -> str:
        """Where a channel's messages are kept: a user id means the DM with that user."""
        return "D" + channel if channel in self._users else channel

    def _members(self, chan: _Channel) -> list[str]:
        bot = [self.bot_user_id] if chan.bot_is_member and self.bot_user_id not in chan.members else []
        return chan.members + bot

    def _next_ts(self) -> str:
        self._last_ts = max(int(time.time() * 1_000_000), self._last_ts + 1)
        return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"

    def _store_message(self, channel_id: str, args: dict, *, user: str) -> dict:
        thread_ts = args.get("thread_ts") or None
        msgs = self._messages.setdefault(channel_id, {})
        if thread_ts is not None:
            if thread_ts not in msgs:
                raise SlackError("thread_not_found")
            thread_ts = msgs[thread_ts]["thread_ts"] or thread_ts  # a reply to a reply joins the thread
            parent = msgs[thread_ts]
            parent["thread_ts"] = thread_ts
            parent["reply_count"] = parent.get("reply_count", 0) + 1
        msg = {"type": "message", "ts": self._next_ts(), "text": args.get("text") or "",
               "blocks": args.get("blocks") or [], "thread_ts": thread_ts, "user": user}
        if isinstance(args.get("metadata"), dict):
            msg["metadata"] = args["metadata"]
        if user == self.bot_user_id:
            msg["bot_id"] = self.bot_id
        msgs[msg["ts"]] = msg
        return msg

    def _find_message(self, args: dict, ts_arg: str = "ts") -> tuple[_Channel, dict]:
        chan = self._resolve(args.get("channel"), check_access=False)
        msg = self._messages.get(chan.id, {}).get(args.get(ts_arg))
        if msg is None:
            raise SlackError("message_not_found")
        return chan, msg

    def _check_content(self, args: dict) -> None:
        if not any(args.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
            raise SlackError("no_text")
        if len(str(args.get("text") or "")) > MAX_MESSAGE_TEXT:
            raise SlackError("msg_too_long")
        if "blocks" in args:
            _check_blocks(args["blocks"], MAX_MESSAGE_BLOCKS)

    def _writable(self, args: dict) -> _Channel:
        self._check_content(args)
        chan = self._resolve(args.get("channel"))
        if chan.archived:
            raise SlackError("is_archived")
        return chan

    def _check_trigger(self, args: dict) -> str | None:
        trigger = args.get("trigger_id") or args.get("interactivity_pointer")
        if not trigger:
            raise SlackError("invalid_arguments", ["[ERROR] missing required field: trigger_id"])
        if "expired" in trigger:
            raise SlackError("expired_trigger_id")
        if trigger in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        self._used_triggers.add(trigger)
        return self._trigger_users.get(trigger)

    def _save_view(self, view: Any, *, user: str | None, view_id: str | None = None) -> dict:
        if not isinstance(view, dict) or not view.get("type"):
            raise SlackError("invalid_arguments", ["[ERROR] missing required field: view"])
        _check_blocks(view.get("blocks", []), MAX_VIEW_BLOCKS, "/view/blocks")
        if view_id is None:
            self._view_seq += 1
            view_id = f"V{self._view_seq:08d}"
        old = self._views.get(view_id, {})
        # Shallow copies are enough: the view came fresh from a request body, and a stored view is replaced,
        # never changed in place.
        stored = {**view, "id": view_id, "team_id": self.team_id, "bot_id": self.bot_id,
                  "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
                  "state": old.get("state", {"values": {}}),
                  "root_view_id": old.get("root_view_id", view_id),
                  "previous_view_id": old.get("previous_view_id"),
                  "external_id": view.get("external_id", old.get("external_id", ""))}
        self._views[view_id] = stored
        self._view_users.setdefault(view_id, user)
        return dict(stored)

    # -- methods --------------------------------------------------------------
    def _auth_test(self, args: dict) -> dict:
        return {"url": TEAM_URL, "team": TEAM_NAME, "user": self._users[self.bot_user_id]["name"],
                "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id,
                "is_enterprise_install": False}

    def _post_message(self, args: dict) -> dict:
        chan = self._writable(args)
        msg = self._store_message(chan.id, args, user=self.bot_user_id)
        # A copy of the top level is enough: later calls set a stored message's keys, never change its values.
        return {"channel": chan.id, "ts": msg["ts"], "message": dict(msg)}

    def _update(self, args: dict) -> dict:
        self._check_content(args)
        chan, msg = self._find_message(args)
        for key in ("text", "blocks"):
            if key in args:
                msg[key] = args[key]
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {"channel": chan.id, "ts": msg["ts"], "text": msg["text"], "message": dict(msg)}

    def _delete(self, args: dict) -> dict:
        chan, msg = self._find_message(args)
        del self._messages[chan.id][msg["ts"]]
        return {"channel": chan.id, "ts": msg["ts"]}

    def _post_ephemeral(self, args: dict) -> dict:
        chan = self._writable(args)
        user = self._user(args.get("user"))["id"]
        if user not in self._members(chan):
            raise SlackError("user_not_in_channel")
        ts = self._next_ts()
        self._ephemerals.append({"channel": chan.id, "user": user, "ts": ts, "text": args.get("text") or "",
                                 "blocks": args.get("blocks") or [], "thread_ts": args.get("thread_ts")})
        return {"message_ts": ts}

    def _permalink(self, args: dict) -> dict:
        chan, msg = self._find_message(args, "message_ts")
        link = f"{TEAM_URL}archives/{chan.id}/p{msg['ts'].replace('.', '')}"
        if msg["thread_ts"] and msg["thread_ts"] != msg["ts"]:
            link += f"?thread_ts={msg['thread_ts']}&cid={chan.id}"
        return {"channel": chan.id, "permalink": link}

    def _open(self, args: dict) -> dict:
        if args.get("channel"):
            return {"channel": {"id": self._resolve(args["channel"]).id}}
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if len(users) != 1:
            raise SlackError("users_list_not_supplied" if not users else "not_supported")
        already = "D" + users[0] in self._channels
        return {"no_op": already, "already_open": already, "channel": {"id": self._dm(users[0]).id}}

    def _conversation_members(self, args: dict) -> dict:
        chan = self._resolve(args.get("channel"), check_access=False)
        if chan.is_private and not chan.bot_is_member:
            raise SlackError("channel_not_found")  # Slack hides private channels the bot is not in
        page, cursor = _paginate(self._members(chan), args)
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _history(self, args: dict) -> dict:
        chan = self._resolve(args.get("channel"))
        if not chan.bot_is_member:
            raise SlackError("not_in_channel")
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        msgs = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
                for m in reversed(self._messages.get(chan.id, {}).values())
                if m["thread_ts"] in (None, m["ts"])
                and (oldest < float(m["ts"]) < latest or inclusive and float(m["ts"]) in (oldest, latest))]
        return _message_page(msgs, args)

    def _replies(self, args: dict) -> dict:
        chan, parent = self._find_message(args)
        root = parent["thread_ts"] or parent["ts"]
        return _message_page([m for m in self._messages[chan.id].values() if root in (m["ts"], m["thread_ts"])], args)

    def _users_info(self, args: dict) -> dict:
        user = self._user(args.get("user"))
        try:
            now = datetime.now(ZoneInfo(user["tz"]))
        except (ZoneInfoNotFoundError, ValueError):
            now = datetime.now(ZoneInfo("UTC"))
        return {"user": {**user, "team_id": self.team_id, "tz_label": now.tzname(),
                         "tz_offset": int(now.utcoffset().total_seconds()),
                         "profile": {"display_name": user["name"], "real_name": user["real_name"]}}}

    def _views_open(self, args: dict) -> dict:  # views.open and views.push
        user = self._check_trigger(args)
        return {"view": self._save_view(args.get("view"), user=user)}

    def _views_update(self, args: dict) -> dict:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = next((vid for vid, v in self._views.items()
                            if v.get("external_id") == args["external_id"]), None)
        if view_id not in self._views:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != self._views[view_id]["hash"]:
            raise SlackError("hash_conflict")
        return {"view": self._save_view(args.get("view"), user=None, view_id=view_id)}

    def _views_publish(self, args: dict) -> dict:
        user = self._user(args.get("user_id"))["id"]
        view = args.get("view")
        if not isinstance(view, dict) or view.get("type") != "home":
            raise SlackError("invalid_arguments", ["[ERROR] views.publish takes a view of type home"])
        current = self._home_ids.get(user)
        if current and args.get("hash") and args["hash"] != self._views[current]["hash"]:
            raise SlackError("hash_conflict")
        saved = self._save_view(view, user=user, view_id=current)
        self._home_ids[user] = saved["id"]
        return {"view": saved}


_METHODS = {
    "auth.test": SlackStandIn._auth_test,
    "chat.postMessage": SlackStandIn._post_message,
    "chat.update": SlackStandIn._update,
    "chat.delete": SlackStandIn._delete,
    "chat.postEphemeral": SlackStandIn._post_ephemeral,
    "chat.getPermalink": SlackStandIn._permalink,
    "conversations.open": SlackStandIn._open,
    "conversations.members": SlackStandIn._conversation_members,
    "conversations.history": SlackStandIn._history,
    "conversations.replies": SlackStandIn._replies,
    "users.info": SlackStandIn._users_info,
    "views.open": SlackStandIn._views_open,
    "views.push": SlackStandIn._views_open,
    "views.update": SlackStandIn._views_update,
    "views.publish": SlackStandIn._views_publish,
    "apps.connections.open": SlackStandIn._apps_connections_open,
}


# -- Block Kit limits -------------------------------------------------------------
def _check_blocks(blocks: Any, max_blocks: int, where: str = "/blocks") -> None:
    """Raise invalid_blocks (with Slack-style messages) for what the real Slack refuses."""
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise SlackError("invalid_blocks_format")
    problems = []
    if len(blocks) > max_blocks:
        problems.append(f"[ERROR] must be less than {max_blocks + 1} items [json-pointer:{where}]")

    def too_long(obj: Any, limit: int, pointer: str) -> None:
        if isinstance(obj, dict) and len(str(obj.get("text", ""))) > limit:
            problems.append(f"[ERROR] must be less than {limit + 1} characters [json-pointer:{pointer}/text]")

    for i, block in enumerate(blocks):
        at = f"{where}/{i}"
        kind = block.get("type")
        if kind == "section":
            if not block.get("text") and not block.get("fields"):
                problems.append(f"[ERROR] must provide either text or fields [json-pointer:{at}]")
            too_long(block.get("text"), MAX_SECTION_TEXT, f"{at}/text")
            if len(block.get("fields") or []) > 10:
                problems.append(f"[ERROR] must be less than 11 items [json-pointer:{at}/fields]")
            for j, f in enumerate(block.get("fields") or []):
                too_long(f, 2000, f"{at}/fields/{j}")
        elif kind == "header":
            too_long(block.get("text"), 150, f"{at}/text")
        elif kind in ("actions", "context"):
            limit = 25 if kind == "actions" else 10
            if len(block.get("elements") or []) > limit:
                problems.append(f"[ERROR] must be less than {limit + 1} items [json-pointer:{at}/elements]")
        if len(str(block.get("block_id", ""))) > 255:
            problems.append(f"[ERROR] must be less than 256 characters [json-pointer:{at}/block_id]")
    if problems:
        raise SlackError("invalid_blocks", problems)


# -- HTTP plumbing ----------------------------------------------------------------
def _paginate(items: list, args: dict) -> tuple[list, str]:
    try:
        start = int(base64.b64decode(args["cursor"]).decode().split(":")[1]) if args.get("cursor") else 0
    except (ValueError, IndexError):
        raise SlackError("invalid_cursor") from None
    try:
        limit = int(args.get("limit") or 0)
    except ValueError:
        raise SlackError("invalid_limit") from None
    limit = min(limit, 1000) if limit > 0 else 100
    end = start + limit
    cursor = base64.b64encode(f"next:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], cursor


def _message_page(msgs: list[dict], args: dict) -> dict:
    page, cursor = _paginate(msgs, args)
    return {"messages": copy.deepcopy(page), "has_more": bool(cursor), "response_metadata": {"next_cursor": cursor}}


def _form(text: str) -> dict:
    return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(text, keep_blank_values=True).items()}


def _parse_args(raw: bytes, content_type: str, query: str = "") -> dict:
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 makes bursts of clients wait a second for SYN retries
    standin: SlackStandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients hanging up are not news
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
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
        try:
            args = _parse_args(raw, self.headers.get("Content-Type", ""), query)
        except ValueError:
            return self._send(_Answer(body={"ok": False, "error": "invalid_json"}))
        token = auth[7:] if auth.startswith("Bearer ") else args.get("token")
        if path.startswith("/api/") and len(path) > 5:
            answer, delay = standin._handle(path[5:], args, token)
        elif path.startswith("/response/"):
            answer, delay = standin._handle("response_url", {**args, "_name": unquote(path[10:])}, token)
        else:
            return self._send(_Answer(404, {"ok": False, "error": "unknown_method"}))
        if delay:
            time.sleep(delay)
        if answer.drop:
            self.close_connection = True  # hang up without a word
            return
        self._send(answer)

    def _send(self, answer: _Answer) -> None:
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
