"""Requests shaped as Slack sends them (form posts, interactions, events), signed and sent over real HTTP.

Used by `joinedup demo`, the benchmarks and the tests to drive Joined Up exactly as Slack would.
"""
from __future__ import annotations

import http.client
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote, urlencode

from slack_sdk.signature import SignatureVerifier

from bot.blocks.ids import VALUE
from bot.standin.rules import check_message, check_submission_answer

TEAM = {"id": "T0JOINED", "domain": "anyshire"}
APP_ID = "A0JOINEDUP"


@dataclass
class Reply:
    status: int
    body: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackSender:
    """Sends what Slack would send, to one Joined Up server."""

    def __init__(self, host: str, port: int, signing_secret: str, response_url: str,
                 new_trigger: Callable[[str], str], *, strict: bool = True) -> None:
        """`strict` holds Joined Up's answers to Slack's rules, as the stand-in holds its calls: an answer Slack would
        refuse raises SlackError here."""
        self.host, self.port, self.strict = host, port, strict
        self.new_trigger = new_trigger  # Slack issues a trigger_id per interaction; the stand-in knows whose
        self.signer = SignatureVerifier(signing_secret)
        self.response_url = response_url

    def post(self, body: str, content_type: str, *, timestamp: int | None = None, signature: str | None = None,
             headers: dict[str, str] | None = None, path: str = "/slack/events") -> Reply:
        timestamp = int(time.time()) if timestamp is None else timestamp
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature or self.signer.generate_signature(timestamp=str(timestamp), body=body),
            **(headers or {}),
        }
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request("POST", path, body=body.encode("utf-8"), headers=all_headers)
            response = connection.getresponse()
            return Reply(response.status, response.read().decode("utf-8"), dict(response.getheaders()))
        finally:
            connection.close()

    def get(self, path: str) -> Reply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return Reply(response.status, response.read().decode("utf-8"), dict(response.getheaders()))
        finally:
            connection.close()

    def command(self, command: str, text: str = "", *, user: str, channel: str = "C0SOCIAL",
                trigger_id: str | None = None, **kw: Any) -> Reply:
        fields = {
            "token": "verification-token-unused", "team_id": TEAM["id"], "team_domain": TEAM["domain"],
            "channel_id": channel, "channel_name": "social-care", "user_id": user, "user_name": user.lower(),
            "command": command, "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
            "response_url": self.response_url, "trigger_id": trigger_id or self.new_trigger(user),
        }
        reply = self.post(urlencode(fields), "application/x-www-form-urlencoded", **kw)
        if self.strict and reply.status == 200 and reply.body.startswith("{"):
            check_message({k: v for k, v in reply.json().items() if k != "response_type"})
        return reply

    def interaction(self, payload: dict[str, Any], **kw: Any) -> Reply:
        return self.post(f"payload={quote(json.dumps(payload))}", "application/x-www-form-urlencoded", **kw)

    def submit(self, view: dict[str, Any], values: dict[str, Any], *, user: str, **kw: Any) -> Reply:
        reply = self.interaction(view_submission(view, values, user=user, trigger_id=self.new_trigger(user)), **kw)
        if self.strict and reply.status == 200 and reply.body.startswith("{"):
            check_submission_answer(reply.json(), view)
        return reply

    def click(self, message: dict[str, Any], action: dict[str, Any], *, user: str, channel: str, **kw: Any) -> Reply:
        return self.interaction(block_actions(message, action, user=user, channel=channel,
                                              response_url=self.response_url, trigger_id=self.new_trigger(user)), **kw)

    def shortcut(self, callback_id: str, *, user: str, trigger_id: str | None = None, **kw: Any) -> Reply:
        """A global shortcut, chosen from the composer's shortcuts menu or from search."""
        return self.interaction(global_shortcut(callback_id, user=user, trigger_id=trigger_id or self.new_trigger(user)),
                                **kw)

    def message_shortcut(self, callback_id: str, message: dict[str, Any], *, user: str, channel: str,
                         trigger_id: str | None = None, **kw: Any) -> Reply:
        """A message shortcut, chosen from `message`'s "More actions" menu in `channel`."""
        return self.interaction(message_shortcut(callback_id, message, user=user, channel=channel,
                                                 response_url=self.response_url,
                                                 trigger_id=trigger_id or self.new_trigger(user)), **kw)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None, **kw: Any) -> Reply:
        envelope = {
            "token": "verification-token-unused", "team_id": TEAM["id"], "api_app_id": APP_ID, "event": event,
            "type": "event_callback", "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()), "authorizations": [
                {"enterprise_id": None, "team_id": TEAM["id"], "user_id": "UJOINEDUP", "is_bot": True}],
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.post(json.dumps(envelope), "application/json", headers=headers, **kw)


def user_object(user_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": TEAM["id"]}


def view_submission(view: dict[str, Any], values: dict[str, Any], *, user: str, trigger_id: str) -> dict[str, Any]:
    return {
        "type": "view_submission", "team": TEAM, "user": user_object(user), "api_app_id": APP_ID,
        "token": "verification-token-unused", "trigger_id": trigger_id,
        "view": {**view, "state": {"values": values}, "team_id": TEAM["id"], "app_id": APP_ID,
                 "private_metadata": view.get("private_metadata", ""), "hash": view.get("hash", "1.abc"),
                 "previous_view_id": None, "root_view_id": view["id"], "bot_id": "BJOINEDUP"},
        "response_urls": [], "is_enterprise_install": False, "enterprise": None,
    }


def global_shortcut(callback_id: str, *, user: str, trigger_id: str) -> dict[str, Any]:
    """As Slack sends a global shortcut: no channel, no message, no response_url
    (https://docs.slack.dev/reference/interaction-payloads/shortcuts-interaction-payload)."""
    return {
        "type": "shortcut", "token": "verification-token-unused", "action_ts": f"{time.time():.6f}", "team": TEAM,
        "user": {"id": user, "username": user.lower(), "team_id": TEAM["id"]},
        "is_enterprise_install": False, "enterprise": None, "callback_id": callback_id, "trigger_id": trigger_id,
    }


def message_shortcut(callback_id: str, message: dict[str, Any], *, user: str, channel: str, response_url: str,
                     trigger_id: str) -> dict[str, Any]:
    """As Slack sends a message shortcut (type `message_action`): the whole message, its channel and a response_url
    (same page; the message as bolt-python's tests carry it, with `text`, `blocks`, `user` or `bot_id`)."""
    shown = {"type": "message", "ts": message["ts"], "text": message.get("text", ""), "team": TEAM["id"]}
    shown.update({k: message[k] for k in ("user", "bot_id", "blocks", "thread_ts", "client_msg_id") if k in message})
    return {
        "type": "message_action", "token": "verification-token-unused", "action_ts": f"{time.time():.6f}",
        "team": TEAM, "user": {"id": user, "name": user.lower(), "team_id": TEAM["id"]},
        "channel": {"id": channel, "name": "agency"}, "is_enterprise_install": False, "enterprise": None,
        "callback_id": callback_id, "trigger_id": trigger_id, "message_ts": message["ts"], "message": shown,
        "response_url": response_url,
    }


def block_actions(message: dict[str, Any], action: dict[str, Any], *, user: str, channel: str,
                  response_url: str, trigger_id: str) -> dict[str, Any]:
    return {
        "type": "block_actions", "user": user_object(user), "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
        "trigger_id": trigger_id, "team": TEAM, "enterprise": None,
        "is_enterprise_install": False, "channel": {"id": channel, "name": "agency"},
        "message": {"type": "message", "user": "UJOINEDUP", "ts": message["ts"], "bot_id": "BJOINEDUP",
                    "text": message.get("text", ""), "blocks": message.get("blocks", [])},
        "state": {"values": {}}, "response_url": response_url,
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
    }


def find_action(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    """The element with this action_id, as a block_actions `actions[0]` entry; or else the option of an overflow
    menu that stands for it (its value is "<action_id>:<the button's value>", see bot/blocks/menu.py), as Slack
    sends a choice from the menu: the menu's action_id, with `selected_option`."""
    elements = [(block, element) for block in blocks if block.get("type") == "actions"
                for element in block.get("elements", [])]
    for block, element in elements:
        if element.get("action_id") == action_id:
            return {"action_id": action_id, "block_id": block.get("block_id"), "type": element["type"],
                    "text": element.get("text"), "value": element.get("value")}
    for block, element in elements:
        for option in element.get("options", []) if element.get("type") == "overflow" else []:
            if str(option.get("value", "")).partition(":")[0] == action_id:
                return {"action_id": element["action_id"], "block_id": block.get("block_id"), "type": "overflow",
                        "selected_option": option}
    raise AssertionError(f"no {action_id!r} button in these blocks")


def fill(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """view.state.values for every input in `view`, as Slack builds them; answers by block_id.

    An answer is a string (text), a list (multi-selects, checkboxes), an int (datetimepicker) or an option
    value for selects and radio buttons. Inputs without an answer keep their initial value, like Slack.
    """
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        answer = answers.get(block["block_id"], _initial(element))
        values[block["block_id"]] = {element.get("action_id", VALUE): _state(element, answer)}
    return values


def _initial(element: dict[str, Any]) -> Any:
    for key in ("initial_value", "initial_date", "initial_date_time", "initial_users"):
        if key in element:
            return element[key]
    if "initial_option" in element:
        return element["initial_option"]["value"]
    if "initial_options" in element:
        return [o["value"] for o in element["initial_options"]]
    return None


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    for option in element.get("options", []):
        if option["value"] == value:
            return option
    return {"text": {"type": "plain_text", "text": value}, "value": value}


def _state(element: dict[str, Any], answer: Any) -> dict[str, Any]:
    kind = element["type"]
    if kind == "plain_text_input":
        return {"type": kind, "value": answer}
    if kind == "datetimepicker":
        return {"type": kind, "selected_date_time": answer}
    if kind == "datepicker":
        return {"type": kind, "selected_date": answer}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": answer or []}
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": _option(element, answer) if answer is not None else None}
    if kind in ("multi_static_select", "checkboxes"):
        return {"type": kind, "selected_options": [_option(element, v) for v in answer or []]}
    raise AssertionError(f"no state shape for {kind}")
