"""Reading Slack's view.state.values, whatever arrives: every form's answers are read through this."""
from __future__ import annotations

from typing import Any

from bot.blocks.ids import VALUE


class FormState:
    """Reads Slack's view.state.values, tolerating anything missing or of the wrong type."""

    def __init__(self, values: Any) -> None:
        self.values = values if isinstance(values, dict) else {}

    def has(self, block: str) -> bool:
        """Whether the form showed this input: Slack sends a state for every input block in the view."""
        return isinstance(self.values.get(block), dict)

    def element(self, block: str, action: str = VALUE) -> dict[str, Any]:
        found = self.values.get(block)
        found = found.get(action) if isinstance(found, dict) else None
        return found if isinstance(found, dict) else {}

    def text(self, block: str) -> str:
        value = self.element(block).get("value")
        if not isinstance(value, str):
            return ""
        # JSON can carry a lone surrogate, and a NUL, which no keyboard types and PostgreSQL cannot store: the
        # surrogate is shown as "?" and the NUL dropped, rather than a save that could never succeed.
        return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "").strip()

    def chosen(self, block: str, action: str = VALUE) -> str | None:
        selected = self.element(block, action).get("selected_option")
        value = selected.get("value") if isinstance(selected, dict) else None
        return value if isinstance(value, str) else None

    def chosen_many(self, block: str, action: str = VALUE) -> list[str]:
        selected = self.element(block, action).get("selected_options")
        if not isinstance(selected, list):
            return []
        return [o["value"] for o in selected if isinstance(o, dict) and isinstance(o.get("value"), str)]
