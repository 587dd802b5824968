"""The ⋯ menu beside a post's one primary button: the less frequent actions, without crowding a phone's screen.

Slack sends a choice from an overflow menu as the menu's own action_id with `selected_option.value`, not a button's
`value`. Each option's value names the button it stands for and carries that button's value, IDs only
("ask_or_challenge:42:health"), so one listener hands the choice to the button's own listener.
"""
from __future__ import annotations

from typing import Any

from bot.blocks.ids import Action
from bot.blocks.text import plain

MOST_OPTIONS = 5  # Slack's limit for an overflow menu


def menu_option(text: str, action: Action, value: str) -> dict[str, Any]:
    return {"text": plain(text, 75), "value": f"{action}:{value}"}


def overflow(block_action: Action, options: list[dict[str, Any]]) -> dict[str, Any]:
    assert 1 <= len(options) <= MOST_OPTIONS, "Slack takes one to five options in an overflow menu"
    return {"type": "overflow", "action_id": block_action, "options": options}


def chosen(action: dict[str, Any]) -> tuple[str, str]:
    """The button a menu choice stands for, and its value; ("", "") for anything else."""
    selected = action.get("selected_option")
    value = selected.get("value") if isinstance(selected, dict) else None
    if not isinstance(value, str):
        return "", ""
    name, _, rest = value.partition(":")
    return name, rest
