"""What Slack refuses: Block Kit's limits, checked as Slack checks them, with Slack's error names."""
from __future__ import annotations

from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_MESSAGE_TEXT = 40000


class SlackError(Exception):
    """An ``{"ok": false, "error": ...}`` answer."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []


def check_blocks(blocks: Any, max_blocks: int, where: str = "/blocks") -> None:
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
