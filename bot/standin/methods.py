"""The Web API methods the stand-in answers, on its small world of users, channels, messages and views, as Slack
answers them (Slack's error names included). Called with the stand-in's lock held."""
from __future__ import annotations

import base64
import copy
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.standin.files import FileMethods
from bot.standin.rules import SlackError, check_message, check_view

TEAM_NAME = "Joined Up Stand-in"
TEAM_URL = "https://joinedup-standin.slack.com/"


@dataclass
class Channel:
    id: str
    name: str
    members: list[str]
    is_private: bool = False
    bot_is_member: bool = True
    archived: bool = False
    im_user: str | None = None  # set for a DM with that user


class WebApiMethods(FileMethods):
    """The world's state is set up by SlackStandIn, which answers each request with these methods."""
    bot_user_id: str
    bot_id: str
    strict: bool
    team_id: str
    _users: dict[str, dict]
    _channels: dict[str, Channel]
    _messages: dict[str, dict[str, dict]]
    _ephemerals: list[dict]
    _notifications: list[dict]
    _views: dict[str, dict]
    _view_users: dict[str, str | None]
    _home_ids: dict[str, str]
    _used_triggers: set[str]
    _trigger_users: dict[str, str | None]
    _last_ts: int
    _view_seq: int
    _socket_mode_url: str | None

    def _apps_connections_open(self, args: dict) -> dict:
        if self._socket_mode_url is None:
            raise SlackError("standin_socket_mode_off")  # not Slack's: call use_socket_mode(url) first
        return {"url": self._socket_mode_url}

    def _user(self, user_id: Any) -> dict:
        user = self._users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            raise SlackError("user_not_found")
        return user

    def _dm(self, user_id: str) -> Channel:
        user = self._user(user_id)
        if user["deleted"]:
            raise SlackError("user_disabled")
        dm_id = "D" + user_id
        if dm_id not in self._channels:
            self._channels[dm_id] = Channel(dm_id, user["name"], [user_id, self.bot_user_id],
                                             is_private=True, im_user=user_id)
        return self._channels[dm_id]

    def _resolve(self, channel: Any, *, check_access: bool = True) -> Channel:
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

    def _members(self, chan: Channel) -> list[str]:
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

    def _find_message(self, args: dict, ts_arg: str = "ts") -> tuple[Channel, dict]:
        chan = self._resolve(args.get("channel"), check_access=False)
        msg = self._messages.get(chan.id, {}).get(args.get(ts_arg))
        if msg is None:
            raise SlackError("message_not_found")
        return chan, msg

    def _check_content(self, args: dict) -> None:
        if self.strict:
            check_message(args)
        elif not any(args.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
            raise SlackError("no_text")

    def _writable(self, args: dict) -> Channel:
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
        if self.strict:
            check_view(view)
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
        # Since 2026-07-13 desktop notifications take their text from a message's blocks first, and phones from
        # `text`; edits notify no one. https://docs.slack.dev/changelog/2026/07/13/notification-changes
        self._notifications.append({"channel": chan.id, "ts": msg["ts"], "mobile": msg["text"],
                                    "desktop": "\n".join(_texts(msg["blocks"])) or msg["text"]})
        # A copy of the top level is enough: later calls set a stored message's keys, never change its values.
        return {"channel": chan.id, "ts": msg["ts"], "message": dict(msg)}

    def _update(self, args: dict) -> dict:
        self._check_content(args)
        chan, msg = self._find_message(args)
        if msg.get("user") != self.bot_user_id:
            raise SlackError("cant_update_message")  # an app may edit only its own messages
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
        self._conversation_id(args)
        chan = self._resolve(args.get("channel"))
        self._check_history_scope(chan)
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
        self._conversation_id(args)
        chan, parent = self._find_message(args)
        self._check_history_scope(chan)
        root = parent["thread_ts"] or parent["ts"]
        return _message_page([m for m in self._messages[chan.id].values() if root in (m["ts"], m["thread_ts"])], args)

    @staticmethod
    def _conversation_id(args: dict) -> None:
        """Reading a conversation takes its ID: a user's ID, which chat.postMessage accepts for a DM, is not one."""
        if str(args.get("channel") or "")[:1] in ("U", "W"):
            raise SlackError("channel_not_found")

    def _check_history_scope(self, chan: Channel) -> None:
        """Reading a conversation needs the history scope of its kind: channels:, groups:, or im:history for a DM.
        https://docs.slack.dev/reference/methods/conversations.history"""
        needed = "im:history" if chan.im_user else "groups:history" if chan.is_private else "channels:history"
        if needed not in getattr(self, "scopes", ()):
            raise SlackError("missing_scope")

    def _check_scopes(self, method: str) -> None:
        """A method that needs a scope refuses a token granted none of those it accepts."""
        scopes: tuple[str, ...] = getattr(self, "scopes", ())
        accepted = ACCEPTED_SCOPES.get(method)
        if accepted and not set(accepted) & set(scopes):
            raise SlackError("missing_scope")

    def _conversations_info(self, args: dict) -> dict:
        """https://docs.slack.dev/reference/methods/conversations.info: a private channel the app is not in is
        channel_not_found, as if it did not exist."""
        chan = self._resolve(args.get("channel"), check_access=False)
        if chan.is_private and not chan.bot_is_member and chan.im_user is None:
            raise SlackError("channel_not_found")
        if chan.im_user is not None:
            return {"channel": {"id": chan.id, "is_im": True, "user": chan.im_user, "is_user_deleted": False}}
        info: dict[str, Any] = {"id": chan.id, "name": chan.name, "is_channel": True, "is_group": False,
                                "is_im": False, "is_mpim": False, "is_private": chan.is_private,
                                "is_archived": chan.archived, "is_general": False, "is_member": chan.bot_is_member,
                                "context_team_id": self.team_id}
        if str(args.get("include_num_members", "")).lower() in ("1", "true"):
            info["num_members"] = len(self._members(chan))
        return {"channel": info}

    def _users_info(self, args: dict) -> dict:
        user = self._user(args.get("user"))
        try:
            now = datetime.now(ZoneInfo(user["tz"]))
        except (ZoneInfoNotFoundError, ValueError):
            now = datetime.now(ZoneInfo("UTC"))
        profile = {"display_name": user["name"], "real_name": user["real_name"]}
        if user.get("email") and "users:read.email" in getattr(self, "scopes", ()):  # Slack's rule for the field
            profile["email"] = user["email"]
        shown = {key: value for key, value in user.items() if key != "email"}
        return {"user": {**shown, "team_id": self.team_id, "tz_label": now.tzname(),
                         "tz_offset": int(now.utcoffset().total_seconds()), "profile": profile}}

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


METHODS = {
    "auth.test": WebApiMethods._auth_test,
    "chat.postMessage": WebApiMethods._post_message,
    "chat.update": WebApiMethods._update,
    "chat.delete": WebApiMethods._delete,
    "chat.postEphemeral": WebApiMethods._post_ephemeral,
    "chat.getPermalink": WebApiMethods._permalink,
    "conversations.open": WebApiMethods._open,
    "conversations.members": WebApiMethods._conversation_members,
    "conversations.history": WebApiMethods._history,
    "conversations.replies": WebApiMethods._replies,
    "conversations.info": WebApiMethods._conversations_info,
    "users.info": WebApiMethods._users_info,
    "views.open": WebApiMethods._views_open,
    "views.push": WebApiMethods._views_open,
    "views.update": WebApiMethods._views_update,
    "views.publish": WebApiMethods._views_publish,
    "apps.connections.open": WebApiMethods._apps_connections_open,
    "files.getUploadURLExternal": WebApiMethods._get_upload_url,
    "files.completeUploadExternal": WebApiMethods._complete_upload,
}


# The scopes each method accepts (any one will do), from its page on docs.slack.dev; listed only for the methods
# `joinedup doctor`, delivery's look-ups and file uploads call. A token granted none of them is answered
# missing_scope.
ACCEPTED_SCOPES: dict[str, tuple[str, ...]] = {
    "conversations.history": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.replies": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.info": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "users.info": ("users:read",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
}


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


def _texts(value: Any) -> list[str]:
    """Every piece of text in blocks, in order: all that a notification made from them could show."""
    if isinstance(value, dict):
        own = [value["text"]] if isinstance(value.get("text"), str) else []
        return own + [t for key, item in value.items() if key != "text" or not own for t in _texts(item)]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []
