"""Block Kit as plain terminal text: "what each person would see" in the demo.

Not a faithful renderer, just a readable one: headers are underlined, buttons
look like ``[ Label ]``, inputs like ``Label: ____``, and Slack's mrkdwn escapes
and ``<...>`` tokens are turned back into what a reader would see.
"""
from __future__ import annotations

import re
import textwrap
from typing import Any

_TOKEN = re.compile(r"<([^<>]*)>")
_INPUT_KINDS = {
    "plain_text_input": "text", "number_input": "number", "email_text_input": "email",
    "url_text_input": "url", "datepicker": "date", "timepicker": "time", "datetimepicker": "date and time",
    "static_select": "choose one", "multi_static_select": "choose any",
    "users_select": "choose a person", "multi_users_select": "choose people",
    "conversations_select": "choose a conversation", "channels_select": "choose a channel",
    "radio_buttons": "choose one", "checkboxes": "tick any",
}


def render_blocks(blocks: list[dict] | None, *, text: str | None = None, width: int = 80,
                  names: dict[str, str] | None = None) -> str:
    """Block Kit blocks as plain text lines; `text` is shown when there are no blocks."""
    if not blocks:
        return _wrap(mrkdwn(text or "", names), width)
    parts = [_block(b, width, names or {}) for b in blocks]
    return "\n".join(p for p in parts if p is not None)


def render_view(view: dict, *, width: int = 80, names: dict[str, str] | None = None) -> str:
    """A modal or home tab: title, blocks, then the close/submit buttons."""
    lines = []
    title = _plain(view.get("title"))
    if title:
        lines += [title, "=" * min(len(title), width)]
    lines.append(render_blocks(view.get("blocks") or [], width=width, names=names))
    buttons = [f"[ {_plain(view.get(k))} ]" for k in ("close", "submit") if view.get(k)]
    if buttons:
        lines += ["-" * min(width, 40), "  ".join(buttons)]
    return "\n".join(lines)


def mrkdwn(text: str, names: dict[str, str] | None = None) -> str:
    """Slack's mrkdwn with its <...> tokens and &-escapes turned into readable text."""
    names = names or {}

    def token(match: re.Match) -> str:
        body = match.group(1)
        target, _, label = body.partition("|")
        if target.startswith("@"):
            return "@" + (names.get(target[1:]) or label or target[1:])
        if target.startswith("#"):
            return "#" + (label or names.get(target[1:]) or target[1:])
        if target.startswith("!date^"):
            return label or target.split("^")[1]
        if target.startswith("!subteam^"):
            return label or "@" + target.split("^")[1]
        if target.startswith("!"):
            return "@" + target[1:]
        return f"{label} ({target})" if label and label != target else target

    text = _TOKEN.sub(token, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: Any, names: dict[str, str]) -> str:
    """A text object: mrkdwn is decoded, plain_text shown as is."""
    if not isinstance(obj, dict):
        return str(obj or "")
    if obj.get("type") == "mrkdwn":
        return mrkdwn(obj.get("text", ""), names)
    return str(obj.get("text", ""))


def _plain(obj: Any) -> str:
    return _text(obj, {})


def _wrap(text: str, width: int, indent: str = "") -> str:
    lines = []
    for line in text.split("\n"):
        lines.append(textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent,
                                   break_long_words=False, break_on_hyphens=False) or indent.rstrip())
    return "\n".join(lines)


def _element(el: dict, names: dict[str, str]) -> str:
    kind = el.get("type", "")
    if kind == "button":
        return f"[ {_plain(el.get('text'))} ]"
    if kind == "image":
        return f"[image: {el.get('alt_text', '')}]"
    if kind == "overflow":
        return "[ ... ]"
    if kind in ("mrkdwn", "plain_text"):
        return _text(el, names)
    label = _plain(el.get("placeholder")) or _INPUT_KINDS.get(kind, kind)
    return f"[ {label} v ]"


def _options(el: dict) -> list[str]:
    kind = el.get("type")
    mark = {"radio_buttons": "( ) ", "checkboxes": "[ ] "}.get(kind, "- ")
    options = list(el.get("options") or [])
    for group in el.get("option_groups") or []:
        options += group.get("options") or []
    return [mark + _plain(o.get("text")) for o in options]


def _block(block: dict, width: int, names: dict[str, str]) -> str | None:
    kind = block.get("type")
    if kind == "header":
        title = _plain(block.get("text"))
        return f"{title}\n{'=' * min(len(title), width)}"
    if kind == "divider":
        return "-" * width
    if kind == "section":
        parts = []
        if block.get("text"):
            parts.append(_wrap(_text(block["text"], names), width))
        for field in block.get("fields") or []:
            parts.append(_wrap(_text(field, names), width, "  "))
        accessory = block.get("accessory")
        if accessory:
            parts.append("  " + _element(accessory, names))
        return "\n".join(parts)
    if kind == "context":
        return _wrap("  ·  ".join(_element(e, names) for e in block.get("elements") or []), width, "  ")
    if kind == "actions":
        return "  ".join(_element(e, names) for e in block.get("elements") or [])
    if kind == "input":
        return _input(block, width, names)
    if kind == "image":
        return f"[image: {block.get('alt_text', '')}]"
    if kind == "rich_text":
        return _wrap(_rich(block.get("elements") or [], names), width)
    return f"[{kind} block]"


def _input(block: dict, width: int, names: dict[str, str]) -> str:
    el = block.get("element") or {}
    kind = el.get("type", "")
    label = _plain(block.get("label"))
    detail = _INPUT_KINDS.get(kind, kind)
    if el.get("multiline"):
        detail += ", several lines"
    if block.get("optional"):
        detail += ", optional"
    lines = [f"{label}: ____  ({detail})"]
    lines += ["    " + o for o in _options(el)]
    if block.get("hint"):
        lines.append(_wrap(_plain(block["hint"]), width, "    "))
    return "\n".join(lines)


def _rich(elements: list[dict], names: dict[str, str], depth: int = 0) -> str:
    out = []
    for el in elements:
        kind = el.get("type")
        if kind == "rich_text_list":
            for item in el.get("elements") or []:
                out.append("  " * depth + "• " + _rich([item], names, depth + 1))
        elif kind == "rich_text_quote":
            out.append("> " + _rich_inline(el.get("elements") or [], names))
        elif kind == "rich_text_preformatted":
            out.append(_rich_inline(el.get("elements") or [], names))
        else:  # rich_text_section
            out.append(_rich_inline(el.get("elements") or [], names))
    return "\n".join(out)


def _rich_inline(elements: list[dict], names: dict[str, str]) -> str:
    pieces = []
    for el in elements:
        kind = el.get("type")
        if kind == "text":
            pieces.append(el.get("text", ""))
        elif kind == "link":
            label = el.get("text")
            pieces.append(f"{label} ({el['url']})" if label else el.get("url", ""))
        elif kind == "user":
            pieces.append("@" + names.get(el.get("user_id", ""), el.get("user_id", "")))
        elif kind == "channel":
            pieces.append("#" + names.get(el.get("channel_id", ""), el.get("channel_id", "")))
        elif kind == "emoji":
            pieces.append(f":{el.get('name', '')}:")
        elif kind == "date":
            pieces.append(el.get("fallback", str(el.get("timestamp", ""))))
        else:
            pieces.append(el.get("text", ""))
    return "".join(pieces)
