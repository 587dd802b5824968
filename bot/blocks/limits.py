"""How much each form's text may hold, in one place: the forms' max_length and the services' checks both read it.

Slack enforces a text box's max_length, but a replayed or altered submission can carry more, so every save checks
again before it writes. A field stored in a sized column (VARCHAR) may hold what its column holds, read from
storage.models: PostgreSQL refuses longer text where SQLite would keep it, so the check is ours, and the answer the
same on both. Free text is stored as TEXT, which has no size: its limits are Slack's longest text box, and a
shorter one for reasons and notes.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.blocks.ids import Field
from bot.i18n import BILINGUAL, N_, _, in_each_language, voice
from storage.models import Challenge, ChallengeResponse, Outcome, Record, Revision, Share

LONG_TEXT = 3000  # the most a Slack text box takes
SHORT_TEXT = 500


def size(column: Any) -> int | None:
    """The number of characters a mapped column holds, or None for TEXT (any length)."""
    return getattr(column.property.columns[0].type, "length", None)


@dataclass(frozen=True)
class TextField:
    too_long: str  # the whole sentence, "Keep {name} within …", with {longest} and {length}; marked for the catalogue
    column: Any  # where it is stored
    longest: int

    @property
    def name(self) -> str:
        """The field as the English sentence names it."""
        return self.too_long.removeprefix("Keep ").removesuffix(" within {longest} characters (this has {length}).")


def _stored_in(too_long: str, column: Any, free_text: int = SHORT_TEXT) -> TextField:
    return TextField(too_long, column, size(column) or free_text)


TEXT_FIELDS: dict[Field, TextField] = {
    Field.CASE_REFERENCE: _stored_in(
        N_("Keep the case reference within {longest} characters (this has {length})."), Record.case_reference),
    Field.OTHERS_PRESENT: _stored_in(
        N_("Keep the others who were there within {longest} characters (this has {length})."),
        Record.others_present),
    Field.NOT_SHARED_REASON: _stored_in(
        N_("Keep the reason for not sharing within {longest} characters (this has {length})."),
        Record.not_shared_reason),
    Field.PURPOSE_DETAIL: _stored_in(
        N_("Keep your own words on why you are sharing within {longest} characters (this has {length})."),
        Record.purpose_detail),
    Field.REQUESTED_ACTION: _stored_in(
        N_("Keep the action you are asking for within {longest} characters (this has {length})."),
        Record.requested_action),
    Field.SUMMARY: _stored_in(
        N_("Keep the summary within {longest} characters (this has {length})."), Record.summary, LONG_TEXT),
    Field.ACTIONS: _stored_in(
        N_("Keep the actions within {longest} characters (this has {length})."), Record.actions, LONG_TEXT),
    Field.IDENTIFIERS_REASON: _stored_in(
        N_("Keep the reason for the identifiers within {longest} characters (this has {length})."),
        Record.identifiers_reason),
    Field.NOTE: _stored_in(
        N_("Keep the note within {longest} characters (this has {length})."), Share.acknowledgement_note),
    Field.WHAT_HAPPENED: _stored_in(
        N_("Keep what happened within {longest} characters (this has {length})."), Outcome.what_happened,
        LONG_TEXT),
    Field.WHAT_CHANGED: _stored_in(
        N_("Keep what changed for the child within {longest} characters (this has {length})."),
        Outcome.what_changed, LONG_TEXT),
    Field.CHALLENGE_TEXT: _stored_in(
        N_("Keep your question or challenge within {longest} characters (this has {length})."), Challenge.text,
        LONG_TEXT),
    Field.RESPONSE_TEXT: _stored_in(
        N_("Keep your answer within {longest} characters (this has {length})."), ChallengeResponse.text,
        LONG_TEXT),
    Field.AMEND_REASON: _stored_in(
        N_("Keep the reason for the amendment within {longest} characters (this has {length})."),
        Revision.reason),
}


def longest(field: Field) -> int:
    return TEXT_FIELDS[field].longest


def too_long(texts: Mapping[Field, str]) -> dict[Field, str]:
    """For each field whose text is longer than it may be, a message that names the field; nothing of the text."""
    return {field: _(TEXT_FIELDS[field].too_long, longest=format(longest(field), ","), length=format(len(text), ","))
            for field, text in texts.items() if len(text) > longest(field)}


def fitting(limit: int, message: str, *, say: Callable[..., str] = _, **values: Any) -> str:
    """A title, button, option or placeholder in the reader's language, on one line. Slack allows it only `limit`
    characters: bilingual, it is "Welsh / English" where both fit, and Welsh alone where they do not (Welsh first,
    as the Welsh Language Standards ask), never the English cut off half-way."""
    if voice().language != BILINGUAL:
        return say(message, **values)
    welsh, english = in_each_language(lambda: say(message, **values))
    together = welsh if welsh == english else f"{welsh} / {english}"
    return together if len(together) <= limit else welsh


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

