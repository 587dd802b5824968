"""What an email says: plain text and HTML alternatives of one `EmailMessage`. Pure: no database, no SMTP.

The subject names Joined Up's reference and the agency, never the child: a subject line shows on lock screens,
in mail previews and in mail server logs. What the body carries is the partnership's choice (`[email].content`):
by default why the record is shared, what the agency is asked to do and a personal link; with "full", the whole
written record as well. A copy someone asked for is always the whole record, for their agency's own case file.
"""
from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from bot.domain.config import Partnership
from bot.domain.email_config import EmailSettings
from storage.models import Record

RECORD = "record"  # a record shared with an agency reached by email
REMINDER = "reminder"  # that agency has not acknowledged it yet
COPY = "copy"  # someone asked for the written record at their own work address
AMENDMENT = "amendment"  # the sharer amended a record emailed to the agency
LINK = "link"  # a new link, asked for from a browser the old one was not opened on
KINDS = (RECORD, REMINDER, COPY, AMENDMENT, LINK)


@dataclass(frozen=True)
class Letter:
    """One email's content, before it becomes a message."""

    subject: str
    paragraphs: list[tuple[str, str]]  # (heading, text); an empty heading is a plain paragraph
    link: str | None = None
    link_words: str = ""


def message_id(key: str, settings: EmailSettings) -> str:
    """The same for every attempt at one owed email, so a copy the relay took twice can be recognised."""
    domain = settings.sender.rpartition("@")[2]
    return f"<joinedup.{hashlib.sha256(key.encode()).hexdigest()[:24]}@{domain}>"


def compose(*, kind: str, key: str, record: Record, partnership: Partnership, to: str, at: datetime,
            agency_key: str | None = None, link: str | None = None, reminder: int = 0) -> EmailMessage:
    settings = partnership.email
    assert settings is not None, "no [email] table: nothing is emailed"
    letter = _letter(kind, record, partnership, agency_key, link, reminder)
    message = EmailMessage()
    message["Subject"] = letter.subject
    message["From"] = f"Joined Up <{settings.sender}>"
    message["To"] = to
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id(key, settings)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a sender nobody reads
    message.set_content(_plain(letter, partnership))
    message.add_alternative(_html(letter, partnership), subtype="html")
    return message


def _agency(partnership: Partnership, key: str | None) -> str:
    agency = partnership.agency(key or "")
    return agency.name if agency else (key or "")


def _letter(kind: str, record: Record, partnership: Partnership, agency_key: str | None, link: str | None,
            reminder: int) -> Letter:
    agency = _agency(partnership, agency_key)
    sharer = _agency(partnership, record.sharer_agency)
    why = "\n".join(f"• {purpose}" for purpose in record.purposes)
    if record.purpose_detail:
        why = f"{why}\n{record.purpose_detail}".strip()
    asked = record.requested_action or "For information only"
    shared = [("Reference", record.reference), ("Shared by", sharer), ("Why this is shared with you", why or "—"),
              ("What you are asked to do", asked)]
    link_words = ("Open the record to acknowledge it (with a note if you wish), tell the sharer what you did, "
                  "or ask a question or challenge it")
    if kind == COPY:
        return Letter(subject=f"{record.reference}: your copy of the written record",
                      paragraphs=[("", f"The written record {record.reference}, as you asked, for your agency's "
                                       "own case file. Keep it as your agency keeps case records."),
                                  *_whole(record, partnership)])
    if kind == AMENDMENT:
        full = partnership.email is not None and partnership.email.content == "full"
        return Letter(subject=f"{record.reference}: amended, for {agency}",
                      paragraphs=[("", f"The sharer has amended the record {record.reference}, shared with {agency} "
                                       "through Joined Up. Open it to see what changed; earlier versions are kept."),
                                  *(_whole(record, partnership) if full else [])],
                      link=link, link_words=link_words)
    if kind == LINK:
        return Letter(subject=f"{record.reference}: a new link for {agency}",
                      paragraphs=[("", f"Someone asked for a new link to the record {record.reference}, shared with "
                                       f"{agency} through Joined Up, from a browser on which the earlier link had not "
                                       "been opened. The earlier link no longer works, on any device."),
                                  ("", "This new link works on the first device on which you open the record, and then only there. "
                                       "If you did not ask for it, tell the person who shared the record.")],
                      link=link, link_words=link_words)
    if kind == REMINDER:
        return Letter(subject=f"Reminder: {record.reference} for {agency} is waiting for acknowledgement",
                      paragraphs=[("", f"{partnership.name} shared a record with {agency} through Joined Up, and "
                                       f"nobody has acknowledged it yet (reminder {reminder}). The sharer is waiting "
                                       "to know it reached you."), *shared,
                                  *(_whole(record, partnership) if partnership.email and
                                    partnership.email.content == "full" else [])],
                      link=link, link_words=link_words)
    body = [("", f"{partnership.name} has shared a record with {agency} through Joined Up."), *shared]
    if partnership.email and partnership.email.content == "full":
        body += _whole(record, partnership)
    return Letter(subject=f"{record.reference}: a record shared with {agency}", paragraphs=body, link=link,
                  link_words=link_words)


def _whole(record: Record, partnership: Partnership) -> list[tuple[str, str]]:
    """The written record, as an agency's post shows it (people in Slack are named by their agency there)."""
    rows = [("Case reference", record.case_reference),
            ("When", record.occurred_at.astimezone(partnership.zone).strftime("%d %B %Y, %H:%M").lstrip("0")),
            ("Risk level", f"{record.risk_label}: {record.risk_definition or 'no agreed definition yet'}"),
            ("Others present", record.others_present or "—"),
            ("Summary", record.summary)]
    if record.actions:
        rows.append(("Actions agreed", record.actions))
    rows += [("Source", "Seen or heard first-hand" if record.first_hand else "Reported by someone else"),
             ("Lawful basis", record.lawful_basis),
             ("Follow-up due", record.follow_up_on.strftime("%d %B %Y").lstrip("0"))]
    if not record.is_shared:
        rows.append(("Not shared. The reason recorded", record.not_shared_reason or ""))
    return rows


def _footer(partnership: Partnership, link: str | None) -> list[str]:
    days = partnership.email.link_days if partnership.email else 30
    lines = [f"This link is personal to you and works for {days} days, on the first device on which you open the record: please do "
             "not forward it."] if link else []
    return [*lines, f"Joined Up is not an emergency service. {partnership.emergency_instructions}"]


def _plain(letter: Letter, partnership: Partnership) -> str:
    parts = [text if not heading else f"{heading}: {text}" if "\n" not in text and len(text) < 60
             else f"{heading}:\n{text}" for heading, text in letter.paragraphs]
    if letter.link:
        parts.append(f"{letter.link_words}:\n{letter.link}")
    parts += _footer(partnership, letter.link)
    return "\n\n".join(parts) + "\n"


def _html(letter: Letter, partnership: Partnership) -> str:
    def paragraph(text: str) -> str:
        return html.escape(text).replace("\n", "<br>")

    parts = [f"<h3>{html.escape(heading)}</h3><p>{paragraph(text)}</p>" if heading else f"<p>{paragraph(text)}</p>"
             for heading, text in letter.paragraphs]
    if letter.link:
        parts.append(f'<p><a href="{html.escape(letter.link, quote=True)}">{html.escape(letter.link_words)}</a></p>')
    parts += [f"<p><small>{paragraph(line)}</small></p>" for line in _footer(partnership, letter.link)]
    return ("<!DOCTYPE html><html><body style=\"font-family: sans-serif\">"
            f"<h2>{html.escape(letter.subject)}</h2>{''.join(parts)}</body></html>")
