"""Block Kit as a self-contained HTML page that looks like Slack: the pictures of what each person sees.

An honest approximation, not Slack's renderer: headers, sections (text, fields, an accessory), context,
dividers, actions, inputs (with what was typed, hints and errors), images as their alt text, rich text, and
Slack's mrkdwn (bold, italic, strike, code, quotes, links, mentions, dates, emoji as small badges). Pure: text in,
text out, no files, fonts or network. Everything typed is escaped, so `<script>` in a summary is shown as text.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

_TOKEN = re.compile(r"<([^<>\n]*)>")
_HOLD = re.compile("\x00(\\d+)\x00")
_CODE_BLOCK = re.compile(r"```(.+?)```", re.DOTALL)
_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_EMOJI = re.compile(r":([a-z][a-z0-9_+\-]*):")
_LINK_SCHEMES = ("http://", "https://", "mailto:")
# Slack's emoji as badges of a symbol the page's own fonts have (no emoji font, no images): name -> (symbol, colour).
EMOJI = {
    "white_check_mark": ("✔", "#2eb67d"), "hourglass_flowing_sand": ("◔", "#c58a00"), "warning": ("⚠", "#c58a00"),
    "rotating_light": ("!", "#e01e5a"), "outbox_tray": ("✉", "#1d9bd1"), "arrows_counterclockwise": ("↻", "#1d9bd1"),
    "no_entry": ("✖", "#e01e5a"), "lock": ("●", "#616061"), "information_source": ("i", "#1d9bd1"),
    "alarm_clock": ("◔", "#e01e5a"), "raising_hand": ("?", "#1d9bd1"), "speech_balloon": ("”", "#1d9bd1"),
    "bookmark_tabs": ("≡", "#616061"), "arrow_up": ("▲", "#e01e5a"), "wastebasket": ("✖", "#616061"),
    "pencil2": ("✎", "#c58a00"),
}
_DATE_PARTS = {
    "date_num": "%Y-%m-%d", "date": "{day} %B %Y", "date_short": "{day} %b %Y", "date_long": "%A {day} %B %Y",
    "date_pretty": "{day} %B %Y", "date_short_pretty": "{day} %b %Y", "date_long_pretty": "%A {day} %B %Y",
    "time": "%H:%M", "time_secs": "%H:%M:%S",
}


@dataclass(frozen=True)
class Look:
    """How references are shown: people's and channels' names by id, and the readers' time zone for dates."""

    names: Mapping[str, str] = field(default_factory=dict)
    zone: tzinfo | None = None


PLAIN = Look()  # names shown as their ids, dates as Slack's fallback text


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _slack_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def emoji_html(name: str) -> str:
    symbol, colour = EMOJI.get(name, ("", ""))
    if not symbol:
        return f'<span class="emoji unknown">:{esc(name)}:</span>'
    return f'<span class="emoji" style="background:{colour}" title=":{esc(name)}:">{esc(symbol)}</span>'


def _emoji(escaped: str) -> str:
    return _EMOJI.sub(lambda m: emoji_html(m.group(1)), escaped)


def format_date(timestamp: int, pattern: str, zone: tzinfo | None) -> str:
    at = datetime.fromtimestamp(timestamp, zone or UTC)

    def part(match: re.Match[str]) -> str:
        shape = _DATE_PARTS.get(match.group(1))
        return at.strftime(shape.replace("{day}", str(at.day))) if shape else match.group(0)

    return re.sub(r"\{(\w+)\}", part, pattern)


def token_html(body: str, look: Look) -> str:
    """One of Slack's <...> tokens: a mention, a channel, a date, a broadcast or a link."""
    target, _, label = body.partition("|")
    label = _slack_unescape(label)
    if target.startswith("@"):
        return f'<span class="mention">@{esc(look.names.get(target[1:]) or label or target[1:])}</span>'
    if target.startswith("#"):
        return f'<span class="mention">#{esc(label or look.names.get(target[1:]) or target[1:])}</span>'
    if target.startswith("!date^"):
        pieces = target.split("^")
        try:
            return esc(format_date(int(pieces[1]), _slack_unescape(pieces[2]), look.zone)) if look.zone \
                else esc(label or pieces[1])
        except (IndexError, ValueError, OverflowError):
            return esc(label or target)
    if target.startswith("!subteam^"):
        return f'<span class="mention">{esc(label or "@" + target.split("^")[1])}</span>'
    if target.startswith("!"):
        return f'<span class="mention">@{esc(target[1:])}</span>'
    url = _slack_unescape(target)
    if url.lower().startswith(_LINK_SCHEMES):
        return f'<a href="{esc(url)}">{esc(label or url)}</a>'
    return esc(_slack_unescape(body))


def mrkdwn_html(text: str, look: Look = PLAIN) -> str:
    """Slack's mrkdwn (as Joined Up writes it: the user's <, > and & escaped) as HTML."""
    held: list[str] = []

    def hold(fragment: str) -> str:
        held.append(fragment)
        return f"\x00{len(held) - 1}\x00"

    text = _TOKEN.sub(lambda m: hold(token_html(m.group(1), look)), str(text).replace("\x00", ""))
    text = esc(_slack_unescape(text))
    text = _CODE_BLOCK.sub(lambda m: hold(f"<pre>{m.group(1).strip(chr(10))}</pre>"), text)
    text = _CODE.sub(lambda m: hold(f"<code>{m.group(1)}</code>"), text)
    text = _BOLD.sub(r"<b>\1</b>", text)
    text = _ITALIC.sub(r"<i>\1</i>", text)
    text = _STRIKE.sub(r"<s>\1</s>", text)
    text = _emoji(text)
    lines, out, quote = text.split("\n"), [], []
    for line in lines:
        if line.startswith("&gt;"):
            quote.append(line[4:].lstrip())
            continue
        if quote:
            out.append(f"<blockquote>{'<br>'.join(quote)}</blockquote>")
            quote = []
        out.append(line + "<br>")
    if quote:
        out.append(f"<blockquote>{'<br>'.join(quote)}</blockquote>")
    joined = "".join(out)
    joined = joined.removesuffix("<br>")
    while _HOLD.search(joined):
        joined = _HOLD.sub(lambda m: held[int(m.group(1))], joined)
    return joined


def text_html(obj: Any, look: Look = PLAIN) -> str:
    """A text object: mrkdwn formatted, plain_text as typed (with emoji codes shown when `emoji` allows)."""
    if isinstance(obj, str):
        return esc(obj)
    if not isinstance(obj, dict):
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn_html(str(obj.get("text", "")), look)
    shown = esc(obj.get("text", ""))
    return _emoji(shown) if obj.get("emoji", True) else shown


# -- blocks -------------------------------------------------------------------------------------------------------

def blocks_html(blocks: list[dict[str, Any]] | None, look: Look = PLAIN, *,
                values: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None) -> str:
    """Blocks as HTML; `values` (a view's state.values) fills the inputs, `errors` goes under them in red."""
    return "\n".join(_block(b, look, values or {}, errors or {}) for b in blocks or [] if isinstance(b, dict))


def _block(block: dict[str, Any], look: Look, values: Mapping[str, Any], errors: Mapping[str, str]) -> str:
    kind = block.get("type")
    if kind == "header":
        return f'<div class="header">{text_html(block.get("text"), look)}</div>'
    if kind == "divider":
        return '<hr class="divider">'
    if kind == "section":
        parts = []
        if block.get("text"):
            parts.append(f'<div class="text">{text_html(block["text"], look)}</div>')
        if block.get("fields"):
            parts.append('<div class="fields">' + "".join(
                f'<div class="field">{text_html(f, look)}</div>' for f in block["fields"]) + "</div>")
        accessory = (f'<div class="accessory">{_element(block["accessory"], look)}</div>'
                     if block.get("accessory") else "")
        return f'<div class="section"><div class="body">{"".join(parts)}</div>{accessory}</div>'
    if kind == "context":
        return '<div class="context">' + "".join(
            f'<span class="bit">{_context_element(e, look)}</span>' for e in block.get("elements") or []) + "</div>"
    if kind == "actions":
        return '<div class="actions">' + "".join(_element(e, look) for e in block.get("elements") or []) + "</div>"
    if kind == "input":
        return _input(block, look, values, errors)
    if kind == "image":
        return f'<div class="image">[image: {esc(block.get("alt_text", ""))}]</div>'
    if kind == "rich_text":
        return f'<div class="text">{_rich(block.get("elements") or [], look)}</div>'
    return f'<div class="context">[{esc(kind)} block]</div>'


def _context_element(element: dict[str, Any], look: Look) -> str:
    if element.get("type") == "image":
        return f'<span class="thumb" title="{esc(element.get("alt_text", ""))}"></span>'
    return text_html(element, look)


def _button(element: dict[str, Any], look: Look) -> str:
    style = element.get("style")
    kind = f"button {style}" if style in ("primary", "danger") else "button"
    return f'<span class="{kind}">{text_html(element.get("text"), look)}</span>'


def _element(element: dict[str, Any], look: Look, state: Mapping[str, Any] | None = None) -> str:
    """An interactive element, showing `state` (what was chosen or typed) or else its initial value."""
    kind = element.get("type", "")
    state = state or {}
    placeholder = text_html(element.get("placeholder"), look)
    if kind == "button":
        return _button(element, look)
    if kind == "overflow":
        return '<span class="button overflow">⋯</span>'
    if kind == "image":
        return f'<span class="thumb big" title="{esc(element.get("alt_text", ""))}"></span>'
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        value = state.get("value") if "value" in state else element.get("initial_value")
        box = "textarea" if element.get("multiline") else "textbox"
        shown = (f'<span class="typed">{esc(value)}</span>' if value
                 else f'<span class="placeholder">{placeholder}</span>')
        return f'<div class="{box}">{shown}</div>'
    if kind in ("radio_buttons", "checkboxes"):
        return _choices(element, look, state)
    if kind == "datepicker":
        chosen = state.get("selected_date") if "selected_date" in state else element.get("initial_date")
        return _select(_date(chosen) if chosen else "", placeholder or "Select a date", "▦")
    if kind == "timepicker":
        chosen = state.get("selected_time") if "selected_time" in state else element.get("initial_time")
        return _select(esc(chosen or ""), placeholder or "Select time", "◔")
    if kind == "datetimepicker":
        moment = state.get("selected_date_time") if "selected_date_time" in state else element.get("initial_date_time")
        if isinstance(moment, int) and not isinstance(moment, bool):
            date_part = esc(format_date(moment, "{date_short}", look.zone))
            time_part = esc(format_date(moment, "{time}", look.zone))
        else:
            date_part = time_part = ""
        return (f'<div class="pair">{_select(date_part, "Select a date", "▦")}'
                f'{_select(time_part, "Select time", "◔")}</div>')
    if kind.startswith("multi_"):
        return _multi(element, look, state, placeholder)
    if kind.endswith("_select"):
        option = state.get("selected_option") if "selected_option" in state else element.get("initial_option")
        user = state.get("selected_user") or element.get("initial_user")
        shown = text_html(option.get("text"), look) if isinstance(option, dict) else (
            f'<span class="mention">@{esc(look.names.get(user, user))}</span>' if user else "")
        return _select(shown, placeholder or "Select an item", "▾")
    return f'<span class="placeholder">[{esc(kind)}]</span>'


def _select(shown: str, placeholder: str, mark: str) -> str:
    inner = shown or f'<span class="placeholder">{placeholder}</span>'
    return f'<div class="select"><span>{inner}</span><span class="mark">{mark}</span></div>'


def _date(iso: str) -> str:
    try:
        day = datetime.strptime(str(iso), "%Y-%m-%d")
    except ValueError:
        return esc(iso)
    return esc(f"{day.day} {day:%b %Y}")


def _multi(element: dict[str, Any], look: Look, state: Mapping[str, Any], placeholder: str) -> str:
    if element.get("type") == "multi_users_select":
        users = state.get("selected_users") if "selected_users" in state else element.get("initial_users")
        chips = [f'<span class="chip">{esc(look.names.get(u, u))}</span>' for u in users or []]
    else:
        options = state.get("selected_options") if "selected_options" in state else element.get("initial_options")
        chips = [f'<span class="chip">{text_html(o.get("text"), look)}</span>' for o in options or []
                 if isinstance(o, dict)]
    return _select("".join(chips), placeholder or "Select items", "▾")


def _choices(element: dict[str, Any], look: Look, state: Mapping[str, Any]) -> str:
    radio = element.get("type") == "radio_buttons"
    if radio:
        picked = state.get("selected_option") if "selected_option" in state else element.get("initial_option")
        chosen = {picked.get("value")} if isinstance(picked, dict) else set()
    else:
        picked = state.get("selected_options") if "selected_options" in state else element.get("initial_options")
        chosen = {o.get("value") for o in picked or [] if isinstance(o, dict)}
    rows = []
    for option in element.get("options") or []:
        on = option.get("value") in chosen
        mark = f'<span class="{"radio" if radio else "check"}{" on" if on else ""}"></span>'
        description = (f'<div class="description">{text_html(option["description"], look)}</div>'
                       if option.get("description") else "")
        rows.append(f'<div class="choice">{mark}<div>{text_html(option.get("text"), look)}{description}</div></div>')
    return f'<div class="choices">{"".join(rows)}</div>'


def _input(block: dict[str, Any], look: Look, values: Mapping[str, Any], errors: Mapping[str, str]) -> str:
    element = block.get("element") or {}
    entered = values.get(block.get("block_id", ""), {})
    state = entered.get(element.get("action_id", "value"), {}) if isinstance(entered, dict) else {}
    optional = ' <span class="optional">(optional)</span>' if block.get("optional") else ""
    error = errors.get(block.get("block_id", ""))
    hint = f'<div class="hint">{text_html(block["hint"], look)}</div>' if block.get("hint") else ""
    shown_error = f'<div class="error">{esc(error)}</div>' if error else ""
    return (f'<div class="input{" invalid" if error else ""}"><div class="label">'
            f'{text_html(block.get("label"), look)}{optional}</div>'
            f'{_element(element, look, state if isinstance(state, dict) else {})}{shown_error}{hint}</div>')


def _rich(elements: list[dict[str, Any]], look: Look) -> str:
    out = []
    for element in elements:
        kind = element.get("type")
        inner = element.get("elements") or []
        if kind == "rich_text_list":
            tag = "ol" if element.get("style") == "ordered" else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{_rich([item], look)}</li>" for item in inner) + f"</{tag}>")
        elif kind == "rich_text_quote":
            out.append(f"<blockquote>{_inline(inner, look)}</blockquote>")
        elif kind == "rich_text_preformatted":
            out.append(f"<pre>{_inline(inner, look)}</pre>")
        else:
            out.append(f"<div>{_inline(inner, look)}</div>")
    return "".join(out)


def _inline(elements: list[dict[str, Any]], look: Look) -> str:
    pieces = []
    for element in elements:
        kind = element.get("type")
        if kind == "link":
            url = str(element.get("url", ""))
            label = esc(element.get("text") or url)
            piece = f'<a href="{esc(url)}">{label}</a>' if url.lower().startswith(_LINK_SCHEMES) else label
        elif kind in ("user", "channel"):
            found = str(element.get(f"{kind}_id", ""))
            mark = "@" if kind == "user" else "#"
            piece = f'<span class="mention">{mark}{esc(look.names.get(found, found))}</span>'
        elif kind == "emoji":
            piece = emoji_html(str(element.get("name", "")))
        elif kind == "broadcast":
            piece = f'<span class="mention">@{esc(element.get("range", ""))}</span>'
        else:
            piece = esc(element.get("text", "")).replace("\n", "<br>")
        style = element.get("style") or {}
        for key, tag in (("code", "code"), ("strike", "s"), ("italic", "i"), ("bold", "b")):
            if style.get(key):
                piece = f"<{tag}>{piece}</{tag}>"
        pieces.append(piece)
    return "".join(pieces)
