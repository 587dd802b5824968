"""What the services that act on a record answer, and whose record a form is about."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from storage.models import parse_id


class Done(StrEnum):
    DONE = "done"
    ALREADY = "already"
    NOT_ALLOWED = "not_allowed"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Result:
    done: Done
    reference: str = ""
    message_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Subject:
    """Whose form this is: the sharer's (no agency) or a receiving agency's. Travels as "42:health"."""

    record_id: int
    agency_key: str | None

    def encode(self) -> str:
        return f"{self.record_id}:{self.agency_key or ''}"

    @classmethod
    def decode(cls, text: str) -> "Subject | None":
        record, _, agency = text.partition(":")
        record_id = parse_id(record)
        return cls(record_id, agency or None) if record_id else None
