"""The audit trail as people read it: a line per act, IDs and metadata only."""
from __future__ import annotations

from typing import Any

from bot.blocks.text import escape, line_sections, mention, slack_date
from storage.models import AuditEvent, format_reference


def audit_lines(events: list[AuditEvent]) -> list[str]:
    """For the command line: one line per act, times in UTC."""
    return [f"{e.at:%Y-%m-%d %H:%M:%S} UTC  {e.actor:<12} {e.action:<20} {e.surface:<14} {e.detail}".rstrip()
            for e in events]


def audit_blocks(record_id: int, events: list[AuditEvent]) -> tuple[str, list[dict[str, Any]]]:
    reference = format_reference(record_id)
    lines = [f"• {slack_date(e.at, '{date_short_pretty} {time}')} · "
             f"{'Joined Up' if e.actor == 'system' else mention(e.actor)} · *{escape(e.action)}* "
             f"({escape(e.surface)}){': ' + escape(e.detail) if e.detail else ''}" for e in events]
    return f"Audit trail of {reference}", line_sections(f"Audit trail of {reference} ({len(events)} acts)", lines)[:50]
