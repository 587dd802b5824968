"""How much each form's text may hold, in one place: the forms' max_length and the services' checks both read it.

Slack enforces a text box's max_length, but a replayed or altered submission can carry more, so every save checks
again before it writes. A field stored in a sized column (VARCHAR) may hold what its column holds, read from
storage.models: PostgreSQL refuses longer text where SQLite would keep it, so the check is ours, and the answer the
same on both. Free text is stored as TEXT, which has no size: its limits are Slack's longest text box, and a
shorter one for reasons and notes.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks.ids import Field
from storage.models import Challenge, ChallengeResponse, Outcome, Record, Revision, Share

LONG_TEXT = 3000  # the most a Slack text box takes
SHORT_TEXT = 500


def size(column: Any) -> int | None:
    """The number of characters a mapped column holds, or None for TEXT (any length)."""
    return getattr(column.property.columns[0].type, "length", None)


@dataclass(frozen=True)
class TextField:
    name: str  # as a sentence names it: "Keep {name} within …"
    column: Any  # where it is stored
    longest: int


def _stored_in(name: str, column: Any, free_text: int = SHORT_TEXT) -> TextField:
    return TextField(name, column, size(column) or free_text)


TEXT_FIELDS: dict[Field, TextField] = {
    Field.CASE_REFERENCE: _stored_in("the case reference", Record.case_reference),
    Field.OTHERS_PRESENT: _stored_in("the others who were there", Record.others_present),
    Field.NOT_SHARED_REASON: _stored_in("the reason for not sharing", Record.not_shared_reason),
    Field.PURPOSE_DETAIL: _stored_in("your own words on why you are sharing", Record.purpose_detail),
    Field.REQUESTED_ACTION: _stored_in("the action you are asking for", Record.requested_action),
    Field.SUMMARY: _stored_in("the summary", Record.summary, LONG_TEXT),
    Field.ACTIONS: _stored_in("the actions", Record.actions, LONG_TEXT),
    Field.IDENTIFIERS_REASON: _stored_in("the reason for the identifiers", Record.identifiers_reason),
    Field.NOTE: _stored_in("the note", Share.acknowledgement_note),
    Field.WHAT_HAPPENED: _stored_in("what happened", Outcome.what_happened, LONG_TEXT),
    Field.WHAT_CHANGED: _stored_in("what changed for the child", Outcome.what_changed, LONG_TEXT),
    Field.CHALLENGE_TEXT: _stored_in("your question or challenge", Challenge.text, LONG_TEXT),
    Field.RESPONSE_TEXT: _stored_in("your answer", ChallengeResponse.text, LONG_TEXT),
    Field.AMEND_REASON: _stored_in("the reason for the amendment", Revision.reason),
}


def longest(field: Field) -> int:
    return TEXT_FIELDS[field].longest


def too_long(texts: Mapping[Field, str]) -> dict[Field, str]:
    """For each field whose text is longer than it may be, a message that names the field; nothing of the text."""
    return {field: f"Keep {TEXT_FIELDS[field].name} within {longest(field):,} characters (this has {len(text):,})."
            for field, text in texts.items() if len(text) > longest(field)}


class Unstorable(ValueError):
    """A value from the request itself (not typed into the form) that its column cannot hold: a damaged or altered
    submission, which sending again would not mend. The message names the column, never the value."""


def require_fit(*pairs: tuple[Any, object]) -> None:
    """Each (column, value): the value is text its column can hold on either database (PostgreSQL stores no NUL),
    or nothing is written."""
    for column, value in pairs:
        longest_allowed = size(column)
        if not isinstance(value, str) or not value or "\x00" in value or (
                longest_allowed is not None and len(value) > longest_allowed):
            raise Unstorable(f"{column.class_.__tablename__}.{column.key}")
