"""Whether a request body has the shape Slack gives its kind, and how a failure is named in one log line.

Listeners read the fields Slack always sends (who clicked, the trigger_id, the form's id) without checking each
one again: a body that lacks them, or holds them with the wrong type, is not from Slack's own sending, and is
refused with a 400 before any listener sees it. What is logged about a request is only ever its kind, the name
of a field at fault and, for a failure, the exception's type and where in the code it was raised: never a value
from the body, nor an exception's message, either of which may be a case reference or something typed.
"""
from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

# Every top-level `type` Slack sends to a request URL, whether or not Joined Up listens for it.
SLACK_TYPES = frozenset({
    "event_callback", "url_verification", "app_rate_limited", "block_actions", "block_suggestion",
    "view_submission", "view_closed", "shortcut", "message_action", "interactive_message", "dialog_submission",
    "dialog_cancellation", "dialog_suggestion", "workflow_step_edit"})
SLASH_COMMAND = "slash_command"

_OBJECT, _TEXT, _LIST = dict, str, list
# A Slack user's id ("U0SAMSW", or "W…" in Enterprise Grid). Ids are logged and stored: nothing else passes as one.
USER_ID = re.compile(r"[UW][A-Z0-9]+")
_ROOT = Path(__file__).resolve().parent.parent.parent  # the project: bot/, handlers/, storage/


def payload_kind(body: Any) -> str:
    """The request's kind, fit for a log line: one of Slack's type names, "slash_command" or "unknown"."""
    if not isinstance(body, dict):
        return "unknown"
    kind = body.get("type")
    if isinstance(kind, str) and kind in SLACK_TYPES:
        return kind
    return SLASH_COMMAND if "type" not in body and "command" in body else "unknown"


def shape_problem(body: Any) -> str | None:
    """None if the body has the shape Slack sends for its kind; otherwise the field at fault, named by path."""
    if not isinstance(body, dict):
        return "the body is not an object"
    kind = payload_kind(body)
    if kind == "unknown":
        return "no type Slack sends, and no command"
    check = _CHECKS.get(kind, _callback_id if kind in _LEGACY else None)
    # Bolt's own middleware looks into `event` whatever the kind.
    return _first(_present(body, "event", _OBJECT), check(body) if check else None)


def where(error: BaseException) -> str:
    """Where the error was raised, as file:line: the innermost line of Joined Up's own code and, when the error
    came from a library below it, that library's line too."""
    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ else []
    if not frames:
        return "an unknown line"
    ours = [frame for frame in frames if _is_ours(frame.filename)]
    innermost = _place(frames[-1].filename, frames[-1].lineno)
    if not ours:
        return innermost
    own = _place(ours[-1].filename, ours[-1].lineno)
    return own if ours[-1] is frames[-1] else f"{own}, in {innermost}"


def _is_ours(filename: str) -> bool:
    path = Path(filename).resolve()
    return path.is_relative_to(_ROOT) and "site-packages" not in path.parts and ".venv" not in path.parts


def _place(filename: str, line: int | None) -> str:
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        shown = Path(*parts[parts.index("site-packages") + 1:])
    elif path.resolve().is_relative_to(_ROOT):
        shown = path.resolve().relative_to(_ROOT)
    else:
        shown = Path(path.name)
    return f"{shown.as_posix()}:{line}"


# --- each kind's fields, as Slack sends them ----------------------------------------------------------

def _wrong(body: dict[str, Any], path: str, kind: type, *, required: bool = True) -> str | None:
    """The problem with the field at `path` (dotted), if any: missing when required, or of the wrong type. An
    optional field may also be null, which every listener reads as absent."""
    value: Any = body
    for name in path.split("."):
        if not isinstance(value, dict) or name not in value:
            return f"{path} is missing" if required else None
        value = value[name]
    if value is None and not required:
        return None
    return None if isinstance(value, kind) else f"{path} is not {_NAMES[kind]}"


def _present(body: dict[str, Any], name: str, kind: type) -> str | None:
    """The problem with a top-level field that may be left out but, when sent, is never null."""
    return None if name not in body or isinstance(body[name], kind) else f"{name} is not {_NAMES[kind]}"


_NAMES = {dict: "an object", str: "text", list: "a list"}


def _response_url(body: dict[str, Any], *, required: bool = False) -> str | None:
    """A response_url, when one is sent, is where replies are posted: an absolute http(s) address."""
    url = body.get("response_url")
    if url is None:
        return "response_url is missing" if required else None
    if not isinstance(url, str):
        return "response_url is not text"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "response_url is not an address"
    return None if parts.scheme in ("https", "http") and parts.hostname else "response_url is not an address"


def _first(*problems: str | None) -> str | None:
    return next((problem for problem in problems if problem), None)


def _user_id(body: dict[str, Any], path: str) -> str | None:
    value: Any = body
    for name in path.split("."):
        value = value[name]
    return None if USER_ID.fullmatch(value) else f"{path} is not a Slack user's id"


def _user(body: dict[str, Any]) -> str | None:
    return _first(_wrong(body, "user", _OBJECT), _wrong(body, "user.id", _TEXT)) or _user_id(body, "user.id")


def _slash_command(body: dict[str, Any]) -> str | None:
    return _first(*(_wrong(body, name, _TEXT) for name in ("command", "user_id", "trigger_id")),
                  _user_id(body, "user_id") if isinstance(body.get("user_id"), str) else None,
                  _wrong(body, "text", _TEXT, required=False), _response_url(body, required=True))


def _block_actions(body: dict[str, Any]) -> str | None:
    problem = _first(_user(body), _wrong(body, "trigger_id", _TEXT), _wrong(body, "actions", _LIST),
                     *(_wrong(body, name, _OBJECT, required=False) for name in ("container", "view", "channel",
                                                                                "message", "state")),
                     _wrong(body, "view.id", _TEXT, required=False), _response_url(body))
    if problem:
        return problem
    if not body["actions"]:
        return "actions is empty"
    for action in body["actions"]:
        if not isinstance(action, dict):
            return "an action is not an object"
        if not isinstance(action.get("action_id"), str):
            return "an action's action_id is not text"
    return None


def _view(body: dict[str, Any]) -> str | None:
    problem = _first(_user(body), _wrong(body, "view", _OBJECT),
                     *(_wrong(body, f"view.{name}", _TEXT) for name in ("id", "type", "callback_id")),
                     _wrong(body, "view.private_metadata", _TEXT, required=False),
                     _wrong(body, "view.hash", _TEXT, required=False),
                     _wrong(body, "view.state", _OBJECT, required=False),
                     _wrong(body, "view.state.values", _OBJECT, required=False),
                     _wrong(body, "view.blocks", _LIST, required=False))
    if problem:
        return problem
    for block in body["view"].get("blocks") or []:
        if not isinstance(block, dict):
            return "a block of view.blocks is not an object"
        if not all(isinstance(block.get(name, ""), str) for name in ("type", "block_id")):
            return "a block's type or block_id is not text"
        if not isinstance(block.get("element", {}), dict):
            return "a block's element is not an object"
    return None


def _shortcut(body: dict[str, Any]) -> str | None:
    return _first(_user(body), _wrong(body, "callback_id", _TEXT), _wrong(body, "trigger_id", _TEXT),
                  _response_url(body),
                  _wrong(body, "channel", _OBJECT, required=False), _wrong(body, "message", _OBJECT, required=False))


def _event_callback(body: dict[str, Any]) -> str | None:
    problem = _first(_wrong(body, "event", _OBJECT), _wrong(body, "event.type", _TEXT),
                     _wrong(body, "event_id", _TEXT, required=False))
    if problem or body["event"]["type"] != "app_home_opened":
        return problem
    return (_first(_wrong(body, "event.user", _TEXT), _wrong(body, "event.tab", _TEXT, required=False))
            or _user_id(body, "event.user"))


def _url_verification(body: dict[str, Any]) -> str | None:
    return _wrong(body, "challenge", _TEXT)


def _callback_id(body: dict[str, Any]) -> str | None:
    return _wrong(body, "callback_id", _TEXT)


# Kinds Joined Up has no listener for, whose callback_id Bolt reads to see whether a listener wants them.
_LEGACY = frozenset({"interactive_message", "dialog_submission", "dialog_cancellation", "workflow_step_edit"})


_CHECKS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    SLASH_COMMAND: _slash_command, "block_actions": _block_actions, "view_submission": _view,
    "view_closed": _view, "shortcut": _shortcut, "message_action": _shortcut, "event_callback": _event_callback,
    "url_verification": _url_verification,
}
