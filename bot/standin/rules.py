"""What Slack refuses, with Slack's error names: a method's arguments, a message, a view, and the answers an app
gives to a slash command or a form submission.

Every check is on by default; `SlackStandIn(strict=False)` relaxes them only for a test of what Joined Up does
when Slack refuses something.
"""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from bot.standin.blockkit import HOME, MESSAGE, MODAL, block_problems

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
# chat.postMessage: "truncate messages containing more than 40,000 characters"; above it Slack says msg_too_long.
# https://docs.slack.dev/reference/methods/chat.postMessage
MAX_MESSAGE_TEXT = 40000
MAX_ATTACHMENTS = 100
# https://docs.slack.dev/reference/views/modal-views and .../methods/views.open ("view_too_large": over 250 kb)
MAX_VIEW_BYTES = 250 * 1000
MAX_VIEW_TEXT = 24  # title, submit, close
MAX_PRIVATE_METADATA = 3000
MAX_ID = 255  # callback_id, external_id
# An event_type may hold letters, numbers, underscores and hyphens; otherwise Slack ignores the metadata and
# warns invalid_metadata_schema. https://docs.slack.dev/messaging/message-metadata
EVENT_TYPE = re.compile(r"[A-Za-z0-9_-]+")
ARGUMENTS = Path(__file__).with_name("method_arguments.json")  # from each method's page on docs.slack.dev
# Any method takes these: the token (slack_sdk sends it in a header, older clients in the body), and the
# workspace, which Bolt's per-request clients add to every call (an org-wide app must name it).
ALWAYS_ALLOWED = {"token", "team_id"}


class SlackError(Exception):
    """An ``{"ok": false, "error": ...}`` answer."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []


@cache
def _arguments() -> dict[str, dict[str, Any]]:
    return json.loads(ARGUMENTS.read_text(encoding="utf-8"))


def check_arguments(method: str, args: dict[str, Any]) -> None:
    """Only the arguments Slack defines for the method, and every required one."""
    known = _arguments().get(method)
    if known is None:
        return
    unknown = sorted(set(args) - set(known["required"]) - set(known["optional"]) - ALWAYS_ALLOWED)
    missing = [name for name in known["required"] if args.get(name) in (None, "")]
    if unknown or missing:
        raise SlackError("invalid_arguments", [f"[ERROR] unknown argument: {name}" for name in unknown]
                         + [f"[ERROR] missing required field: {name}" for name in missing])


def check_message(args: dict[str, Any]) -> list[str]:
    """A message as chat.postMessage, chat.update, chat.postEphemeral or a response_url takes it. Returns Slack's
    warnings (the message is taken, with what they name ignored); raises what Slack refuses."""
    text = args.get("text")
    if args.get("markdown_text") and (text or args.get("blocks")):
        raise SlackError("markdown_text_conflict")
    if not any(args.get(key) for key in ("text", "blocks", "attachments", "markdown_text")):
        raise SlackError("no_text")
    if text is not None and not isinstance(text, str):
        raise SlackError("invalid_arguments", ["[ERROR] must be a string [json-pointer:/text]"])
    if len(text or "") > MAX_MESSAGE_TEXT:
        raise SlackError("msg_too_long")
    if "blocks" in args:
        if not isinstance(args["blocks"], list):
            raise SlackError("invalid_blocks_format")
        problems = block_problems(args["blocks"], MESSAGE, "/blocks")
        if problems:
            raise SlackError("invalid_blocks", problems)
    _check_attachments(args.get("attachments"))
    return _metadata_warnings(args)


def _check_attachments(attachments: Any) -> None:
    if attachments is None:
        return
    if not isinstance(attachments, list) or not all(isinstance(a, dict) for a in attachments):
        raise SlackError("invalid_attachments")
    if len(attachments) > MAX_ATTACHMENTS:
        raise SlackError("too_many_attachments")
    problems = [problem for i, attachment in enumerate(attachments) if "blocks" in attachment
                for problem in block_problems(attachment["blocks"], MESSAGE, f"/attachments/{i}/blocks")]
    if problems:
        raise SlackError("invalid_attachments", problems)


def _metadata_warnings(args: dict[str, Any]) -> list[str]:
    """Slack refuses metadata of the wrong shape, and ignores (with a warning) an event_type it cannot use."""
    metadata = args.get("metadata")
    if metadata is None or metadata == {}:
        return []
    if not (isinstance(metadata, dict) and isinstance(metadata.get("event_type"), str)
            and isinstance(metadata.get("event_payload"), dict) and set(metadata) <= {"event_type", "event_payload"}):
        raise SlackError("invalid_metadata_format")
    if not EVENT_TYPE.fullmatch(metadata["event_type"]):
        args.pop("metadata")
        return ["invalid_metadata_schema"]
    return []


def check_view(view: Any, *, error: str = "invalid_arguments") -> None:
    """A modal or a Home tab as views.open, views.push, views.update and views.publish take it."""
    if not isinstance(view, dict) or view.get("type") not in (MODAL, HOME):
        raise SlackError(error, ["[ERROR] must be a modal or home view [json-pointer:/view/type]"])
    if len(json.dumps(view, ensure_ascii=False).encode("utf-8")) > MAX_VIEW_BYTES:
        raise SlackError("view_too_large")
    blocks = view.get("blocks", [])
    problems = block_problems(blocks, view["type"], "/view/blocks")
    problems += _view_frame(view, blocks if isinstance(blocks, list) else [])
    if problems:
        raise SlackError(error, problems)


def _view_frame(view: dict[str, Any], blocks: list[Any]) -> list[str]:
    problems = []
    kind = view["type"]
    for key in ("title", "submit", "close"):
        text = view.get(key)
        if text is None:
            if key == "title" and kind == MODAL:
                problems.append("[ERROR] missing required field: title [json-pointer:/view/title]")
            continue
        if kind == HOME and key != "title":
            problems.append(f"[ERROR] a home view has no {key} [json-pointer:/view/{key}]")
        if not (isinstance(text, dict) and text.get("type") == "plain_text" and isinstance(text.get("text"), str)
                and 0 < len(text["text"]) <= MAX_VIEW_TEXT):
            problems.append(f"[ERROR] must be plain_text of 1–{MAX_VIEW_TEXT} characters [json-pointer:/view/{key}]")
    if kind == MODAL and view.get("submit") is None and any(b.get("type") == "input" for b in blocks if isinstance(b, dict)):
        problems.append("[ERROR] must define `submit` to use an `input` block in modals [json-pointer:/view/submit]")
    if len(str(view.get("private_metadata") or "")) > MAX_PRIVATE_METADATA:
        problems.append(f"[ERROR] must be less than {MAX_PRIVATE_METADATA + 1} characters "
                        "[json-pointer:/view/private_metadata]")
    for key in ("callback_id", "external_id"):
        if len(str(view.get(key) or "")) > MAX_ID:
            problems.append(f"[ERROR] must be less than {MAX_ID + 1} characters [json-pointer:/view/{key}]")
    if sum(1 for b in blocks if isinstance(b, dict) and (b.get("element") or {}).get("focus_on_load")) > 1:
        problems.append("[ERROR] only one element may have focus_on_load [json-pointer:/view/blocks]")
    return problems


def check_submission_answer(answer: dict[str, Any], submitted: dict[str, Any]) -> None:
    """What an app answers to a view_submission, against the view that was submitted.
    https://docs.slack.dev/surfaces/modals ("errors" are keyed by the block_id of input blocks in the view)."""
    action = answer.get("response_action")
    if action == "errors":
        inputs = {b.get("block_id") for b in submitted.get("blocks", []) if b.get("type") == "input"}
        errors = answer.get("errors")
        if not isinstance(errors, dict) or not errors:
            raise SlackError("invalid_arguments", ["[ERROR] errors must be an object [json-pointer:/errors]"])
        strays = sorted(key for key in errors if key not in inputs)
        if strays:
            raise SlackError("invalid_arguments", [f"[ERROR] no input block with block_id {key} "
                                                   f"[json-pointer:/errors/{key}]" for key in strays])
        if not all(isinstance(v, str) and v for v in errors.values()):
            raise SlackError("invalid_arguments", ["[ERROR] each error must be text [json-pointer:/errors]"])
    elif action in ("update", "push"):
        check_view(answer.get("view"))
    elif action not in (None, "clear"):
        raise SlackError("invalid_arguments", [f"[ERROR] unknown response_action: {action}"])
