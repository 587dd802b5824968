"""Short replies: help, refusals and apologies."""
from __future__ import annotations

from typing import Any

from bot.blocks.text import context, escape, plain, section

HELP = (
    "*Joined Up* keeps a written record of face-to-face conversations about a child and shares it with the right agencies.\n"
    "• `/record` (or `/record CR-12345`): record a conversation and share it\n"
    "• `/joinedup mine`: what is waiting for your agency and what you have shared\n"
    "• `/joinedup show JU-000042`: a whole record with its history\n"
    "• `/joinedup glossary [term]`: the partnership's agreed definitions\n"
    "• `/joinedup help`: this message"
)


def help_blocks(unknown: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    blocks = []
    if unknown:
        blocks.append(section(f"I don't know `{escape(unknown[:40])}`. Here is what I can do:"))
    blocks.append(section(HELP))
    blocks.append(context("Joined Up is not an emergency service. If a child is in immediate danger, call 999."))
    return "Joined Up: how to use it", blocks


def problem_view() -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain("Not saved yet", 24),
        "close": plain("Back to my record", 24),
        "blocks": [section("Something went wrong on our side and your record was *not saved*. "
                           "Go back to your record (your text is still there) and press *Save and share* again. "
                           "If it keeps happening, tell your Joined Up administrator.")],
    }


def form_unavailable(reason: str) -> str:
    return (f"Sorry, the form could not open ({reason}). Please type the command again: "
            "Slack only allows a few seconds to open it.")
