"""Slack's form-encoded request bodies, read in C.

A form submission or a button click arrives as `payload=<the JSON, percent-encoded>`: 25 kB with 5,000 escapes for
the record form. urllib decodes those one at a time in Python, which cost more than anything else in answering
a submission. Turning each `%XX` into quoted-printable's `=XX` lets binascii decode it in C instead. The result
is exactly urllib's (`parse_qsl(keep_blank_values=True)`); a body it could not read the same way is left to urllib.
"""
from __future__ import annotations

import binascii
import json
from typing import Any
from urllib.parse import parse_qsl


def form_fields(body: bytes) -> dict[str, str]:
    """The fields of an application/x-www-form-urlencoded body, the last of a repeated name winning."""
    fields: dict[str, str] = {}
    for pair in body.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        decoded_name, decoded_value = _decoded(name), _decoded(value)
        if decoded_name is None or decoded_value is None:
            return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        fields[decoded_name] = decoded_value
    return fields


def _decoded(text: bytes) -> str | None:
    """Percent-decoded; None unless every `%` starts a valid escape and nothing else means something to
    quoted-printable (`=`, line breaks) or lies outside ASCII."""
    if b"%" not in text:
        return text.replace(b"+", b" ").decode("ascii") if text.isascii() else None
    if not text.isascii() or b"=" in text or b"\n" in text or b"\r" in text:
        return None
    decoded = binascii.a2b_qp(text.replace(b"+", b" ").replace(b"%", b"="))
    # Each valid escape shortens the text by two; one that is not (`%`, `%4`, `%zz`) by less.
    if len(decoded) != len(text) - 2 * text.count(b"%"):
        return None
    return decoded.decode("utf-8", "replace")


def slack_body(raw: str, content_type: str | None) -> dict[str, Any] | None:
    """The request as Bolt reads it: an interaction's `payload` JSON, or a slash command's fields. None for a
    JSON body (Events API), which Bolt parses itself."""
    if raw.startswith("{") or (content_type or "").split(";")[0].strip().lower() == "application/json":
        return None
    fields = form_fields(raw.encode())
    payload = fields.get("payload")
    return json.loads(payload) if payload is not None else fields
