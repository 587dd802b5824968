"""Safe text for Block Kit: user words are escaped and never parsed into mentions or links."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

from bot.i18n import _
from bot.i18n.dates import day_text, moment_text

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
CONTEXT_LIMIT = 2000
FIELD_LIMIT = 2000
CONTINUED = "…"


def escape(text: str) -> str:
    """Slack decodes only these three; everything else is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(CONTINUED)].rstrip() + CONTINUED


def plain(text: str, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    # verbatim stops Slack turning typed "@here", "#channel" or bare URLs into live mentions and links.
    return {"type": "mrkdwn", "text": clip(text, limit) or " ", "verbatim": True}


def bold(label: str) -> str:
    """A label in bold: line by line, as a bilingual label may take two lines and Slack's bold does not span them."""
    return "\n".join(f"*{line}*" for line in label.split("\n"))


def one_line(text: str) -> str:
    """A notification line (a message's `text`) stays one line: bilingual, its two languages side by side."""
    return " / ".join(text.split("\n"))


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, HEADER_LIMIT)}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def fields(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {"type": "section", "fields": [mrkdwn(f"*{label}*\n{value}", FIELD_LIMIT) for label, value in pairs]}


def context(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(t, CONTEXT_LIMIT) for t in texts if t][:10] or [mrkdwn(" ")]}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    element = {"type": "button", "text": plain(text, 75), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def long_text_sections(title: str, body: str) -> list[dict[str, Any]]:
    """A titled piece of user text, split over as many sections as it needs, never cut short."""
    escaped = escape(body.strip()) or "—"
    first_room = SECTION_LIMIT - len(f"{bold(title)}\n")
    chunks = _split(escaped, first_room, SECTION_LIMIT)
    blocks = [section(f"{bold(title)}\n{chunks[0]}")]
    blocks += [section(chunk) for chunk in chunks[1:]]
    return blocks


def sections(text: str) -> list[dict[str, Any]]:
    """Safe mrkdwn (escaped user text, mentions) over as many sections as it needs, never cut short: split at a
    line break or a space, so no mention is cut in two."""
    return [section(chunk) for chunk in _split(text.strip() or "—", SECTION_LIMIT, SECTION_LIMIT)]


def _split(text: str, first: int, rest: int) -> list[str]:
    chunks, room = [], first
    while len(text) > room:
        cut = text.rfind("\n", room // 2, room)
        if cut == -1:
            cut = text.rfind(" ", room // 2, room)
        if cut == -1:
            cut = room
        while text[cut - 1] == "&" or "&" in text[max(0, cut - 4):cut] and ";" not in text[text.rfind("&", 0, cut):cut]:
            cut -= 1  # never split an escape such as &amp;
        chunks.append(text[:cut].rstrip())
        text, room = text[cut:].lstrip(), rest
    chunks.append(text)
    return chunks


def line_sections(title: str, lines: list[str]) -> list[dict[str, Any]]:
    """Lines packed into as few sections as Slack's 3,000-character limit allows, none cut short; under a bold
    title unless it is empty."""
    blocks, chunk = [], bold(title) if title else ""
    for line in (clip(line, SECTION_LIMIT - 1) for line in lines):
        if chunk and len(chunk) + len(line) + 1 > SECTION_LIMIT:
            blocks.append(section(chunk))
            chunk = line
        else:
            chunk = f"{chunk}\n{line}" if chunk else line
    return [*blocks, section(chunk)]


# Someone who acted through an emailed link (bot/links/) is no Slack user: "link:<id>", shown by their address.
LINK_ACTOR = "link:"
_link_address: Callable[[str], str | None] = lambda _actor: None


def name_link_holders(address_of: Callable[[str], str | None]) -> None:
    """How mention() finds the address a link actor stands for (set where the database is known)."""
    global _link_address
    _link_address = address_of


def mention(user_id: str) -> str:
    if user_id.startswith(LINK_ACTOR):
        return _("{address} (by email link)", address=escape(_link_address(user_id) or _("someone")))
    return f"<@{user_id}>"


def slack_date(moment: datetime, pattern: str = "{date_short_pretty} at {time}") -> str:
    """Shown in each viewer's own time zone by Slack (the fallback is UTC); written out in Welsh for Welsh, as
    Slack's date tokens have no Welsh."""
    fallback = moment.strftime("%a %d %b %Y %H:%M UTC")
    return moment_text(moment, f"<!date^{int(moment.timestamp())}^{pattern}|{fallback}>")


def day(value: date) -> str:
    return day_text(value, value.strftime("%a %d %b %Y").replace(" 0", " "))


def notice(text: str) -> list[dict[str, Any]]:
    """A message's first post: its notification line alone, so a desktop notification (which reads a message's
    blocks first) shows no more than a phone's (which reads `text`). The content follows as an edit, which Slack
    does not notify."""
    return [section(text)]  # mrkdwn, as `text` is: escaped the same way, shown the same way
