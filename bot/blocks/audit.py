"""The audit trail as people read it: a line per act, in words, with agencies by name and people by name beside
their IDs, at times in the partnership's time zone. IDs and metadata only: never a record's content."""
from __future__ import annotations

import re
from datetime import timezone
from typing import Any

from bot.blocks.text import escape, line_sections, mention
from bot.domain.config import USER_ID, Partnership
from bot.i18n import _, ngettext
from bot.services.readable import SYSTEM_NAME, Names, act_in_words, agency_words, moment
from storage.models import AuditEvent, format_reference


def audit_lines(events: list[AuditEvent], *, partnership: Partnership | None = None,
                names: Names | None = None) -> list[str]:
    """For the command line: one line per act. Without a partnership, times are in UTC and agencies by key."""
    names = names or Names(None)
    zone = partnership.zone if partnership else timezone.utc
    agencies, channels = agency_words(partnership)
    return [f"{moment(e.at, zone)} · {names.actor(e.actor)} · "
            f"{act_in_words(e.action, e.detail, agencies=agencies, channels=channels, person=names)} ({e.surface})"
            for e in events]


def audit_blocks(record_id: int, events: list[AuditEvent],
                 partnership: Partnership | None = None) -> tuple[str, list[dict[str, Any]]]:
    """For /joinedup audit: Slack shows each <@mention> by name; the ID stays beside it."""
    reference = format_reference(record_id)
    zone = partnership.zone if partnership else timezone.utc
    agencies, channels = agency_words(partnership)
    lines = [f"• {moment(e.at, zone)} · {_who(e.actor)} · *{_act(e, agencies, channels)}* ({escape(e.surface)})"
             for e in events]
    title = ngettext("Audit trail of {reference} ({n} act)", "Audit trail of {reference} ({n} acts)", len(events),
                     reference=reference)
    return _("Audit trail of {reference}", reference=reference), line_sections(title, lines)[:50]


def _person(user_id: str) -> str:
    return f"{mention(user_id)} ({user_id})"


def _who(actor: str) -> str:
    if actor == "system":
        return _(SYSTEM_NAME)
    return _person(actor) if USER_ID.match(actor) else _("{login} (login on the server)", login=escape(actor))


def _act(event: AuditEvent, agencies: dict[str, str], channels: dict[str, str]) -> str:
    """The act in words, escaped for Slack, with any person in it as a mention (marked, escaped, then put in)."""
    words = act_in_words(event.action, event.detail, agencies=agencies, channels=channels,
                         person=lambda user_id: f"\x00{user_id}\x00")
    return _MARKED.sub(lambda found: _person(found[1]), escape(words))


_MARKED = re.compile("\x00([UW][A-Z0-9]+)\x00")
