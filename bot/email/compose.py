"""What an email says: plain text and HTML alternatives of one `EmailMessage`. Pure: no database, no SMTP.

The subject names Joined Up's reference and the agency, never the child: a subject line shows on lock screens,
in mail previews and in mail server logs. What the body carries is the partnership's choice (`[email].content`):
by default why the record is shared, what the agency is asked to do and a personal link; with "full", the whole
written record as well. A copy someone asked for is always the whole record, for their agency's own case file.

An email is written in the voice of the moment (bot/i18n/): the agency's language for its team inbox, the asker's
for a copy. A bilingual email is the whole Welsh text, then the whole English text; its subject is the Welsh
subject, " / ", then the English one.
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
from bot.i18n import ENGLISH, _, in_each_language, ours, speaking, voice
from bot.i18n.dates import welsh_day, welsh_moment
from storage.models import Record

RECORD = "record"  # a record shared with an agency reached by email
REMINDER = "reminder"  # that agency has not acknowledged it yet
COPY = "copy"  # someone asked for the written record at their own work address
AMENDMENT = "amendment"  # the sharer amended a record emailed to the agency
LINK = "link"  # a new link, asked for from a browser the old one was not opened on
KINDS = (RECORD, REMINDER, COPY, AMENDMENT, LINK)


@dataclass(frozen=True)
class Letter:
    """One email's content, in one language, before it becomes a message."""

    subject: str
    paragraphs: list[tuple[str, str]]  # (heading, text); an empty heading is a plain paragraph
    link: str | None = None
    link_words: str = ""
    language: str = ENGLISH


def message_id(key: str, settings: EmailSettings) -> str:
    """The same for every attempt at one owed email, so a copy the relay took twice can be recognised."""
    domain = settings.sender.rpartition("@")[2]
    return f"<joinedup.{hashlib.sha256(key.encode()).hexdigest()[:24]}@{domain}>"


def compose(*, kind: str, key: str, record: Record, partnership: Partnership, to: str, at: datetime,
            agency_key: str | None = None, link: str | None = None, reminder: int = 0) -> EmailMessage:
    settings = partnership.email
    assert settings is not None, "no [email] table: nothing is emailed"
    letters = in_each_language(lambda: _letter(kind, record, partnership, agency_key, link, reminder))
    message = EmailMessage()
    message["Subject"] = " / ".join(letter.subject for letter in letters)
    message["From"] = f"Joined Up <{settings.sender}>"
    message["To"] = to
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id(key, settings)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a sender nobody reads
    plain, rich = [], []
    for letter in letters:
        with speaking(letter.language):
            plain.append(_plain(letter, partnership))
            rich.append(_html(letter, partnership))
    message.set_content("\n----------\n\n".join(plain))
    message.add_alternative("<!DOCTYPE html>"
                            f'<html lang="{letters[0].language}"><body style="font-family: sans-serif">'
                            f"{'<hr>'.join(rich)}</body></html>", subtype="html")
    message["Content-Language"] = ", ".join(letter.language for letter in letters)  # after: it stays on the whole
    return message


def own(text: str) -> str:
    """The partnership's own words in the reader's language (an empty one stays empty)."""
    return ours(text) if text else text


def _agency(partnership: Partnership, key: str | None) -> str:
    agency = partnership.agency(key or "")
    return agency.name if agency else (key or "")


def _full(partnership: Partnership) -> bool:
    return partnership.email is not None and partnership.email.content == "full"


def _letter(kind: str, record: Record, partnership: Partnership, agency_key: str | None, link: str | None,
            reminder: int) -> Letter:
    agency = _agency(partnership, agency_key)
    sharer = _agency(partnership, record.sharer_agency)
    reference = record.reference
    why = "\n".join(f"• {own(purpose)}" for purpose in record.purposes)
    if record.purpose_detail:
        why = f"{why}\n{record.purpose_detail}".strip()
    asked = record.requested_action or _("For information only")
    shared = [(_("Reference"), reference), (_("Shared by"), sharer),
              (_("Why this is shared with you"), why or "—"), (_("What you are asked to do"), asked)]
    link_words = _("Open the record to acknowledge it (with a note if you wish), tell the sharer what you did, "
                   "or ask a question or challenge it")
    language = voice().language
    if kind == COPY:
        return Letter(subject=_("{reference}: your copy of the written record", reference=reference),
                      paragraphs=[("", _("The written record {reference}, as you asked, for your agency's own case "
                                         "file. Keep it as your agency keeps case records.", reference=reference)),
                                  *_whole(record, partnership)], language=language)
    if kind == AMENDMENT:
        return Letter(subject=_("{reference}: amended, for {agency}", reference=reference, agency=agency),
                      paragraphs=[("", _("The sharer has amended the record {reference}, shared with {agency} "
                                         "through Joined Up. Open it to see what changed; earlier versions are "
                                         "kept.", reference=reference, agency=agency)),
                                  *(_whole(record, partnership) if _full(partnership) else [])],
                      link=link, link_words=link_words, language=language)
    if kind == LINK:
        return Letter(subject=_("{reference}: a new link for {agency}", reference=reference, agency=agency),
                      paragraphs=[("", _("Someone asked for a new link to the record {reference}, shared with "
                                         "{agency} through Joined Up, from a browser on which the earlier link had "
                                         "not been opened. The earlier link no longer works, on any device.",
                                         reference=reference, agency=agency)),
                                  ("", _("This new link works on the first device on which you open the record, and "
                                         "then only there. If you did not ask for it, tell the person who shared "
                                         "the record."))],
                      link=link, link_words=link_words, language=language)
    if kind == REMINDER:
        return Letter(subject=_("Reminder: {reference} for {agency} is waiting for acknowledgement",
                                reference=reference, agency=agency),
                      paragraphs=[("", _("{partnership} shared a record with {agency} through Joined Up, and nobody "
                                         "has acknowledged it yet (reminder {number}). The sharer is waiting to know "
                                         "it reached you.", partnership=partnership.name, agency=agency,
                                         number=reminder)), *shared,
                                  *(_whole(record, partnership) if _full(partnership) else [])],
                      link=link, link_words=link_words, language=language)
    body = [("", _("{partnership} has shared a record with {agency} through Joined Up.",
                   partnership=partnership.name, agency=agency)), *shared]
    if _full(partnership):
        body += _whole(record, partnership)
    return Letter(subject=_("{reference}: a record shared with {agency}", reference=reference, agency=agency),
                  paragraphs=body, link=link, link_words=link_words, language=language)


def _when(record: Record, partnership: Partnership) -> tuple[str, str]:
    if voice().language != ENGLISH:
        return welsh_moment(record.occurred_at), welsh_day(record.follow_up_on)
    return (record.occurred_at.astimezone(partnership.zone).strftime("%d %B %Y, %H:%M").lstrip("0"),
            record.follow_up_on.strftime("%d %B %Y").lstrip("0"))


def _whole(record: Record, partnership: Partnership) -> list[tuple[str, str]]:
    """The written record, as an agency's post shows it (people in Slack are named by their agency there)."""
    occurred, follow_up = _when(record, partnership)
    definition = own(record.risk_definition) if record.risk_definition else _("no agreed definition yet")
    rows = [(_("Case reference"), record.case_reference),
            (_("When"), occurred),
            (_("Risk level"), f"{own(record.risk_label)}: {definition}"),
            (_("Others present"), record.others_present or "—"),
            (_("Summary"), record.summary)]
    if record.actions:
        rows.append((_("Actions agreed"), record.actions))
    rows += [(_("Source"), _("Seen or heard first-hand") if record.first_hand else _("Reported by someone else")),
             (_("Lawful basis"), own(record.lawful_basis)),
             (_("Follow-up due"), follow_up)]
    if not record.is_shared:
        rows.append((_("Not shared. The reason recorded"), record.not_shared_reason or ""))
    return rows


def _footer(partnership: Partnership, link: str | None) -> list[str]:
    days = partnership.email.link_days if partnership.email else 30
    lines = [_("This link is personal to you and works for {days} days, on the first device on which you open the "
               "record: please do not forward it.", days=days)] if link else []
    return [*lines, _("Joined Up is not an emergency service. {instructions}",
                      instructions=own(partnership.emergency_instructions))]


def _plain(letter: Letter, partnership: Partnership) -> str:
    parts = [text if not heading else f"{heading}: {text}" if "\n" not in text and len(text) < 60
             else f"{heading}:\n{text}" for heading, text in letter.paragraphs]
    if letter.link:
        parts.append(f"{letter.link_words}:\n{letter.link}")
    parts += _footer(partnership, letter.link)
    return "\n\n".join(parts) + "\n"


def _html(letter: Letter, partnership: Partnership) -> str:
    """One language's part of the HTML body."""
    def paragraph(text: str) -> str:
        return html.escape(text).replace("\n", "<br>")

    parts = [f"<h3>{html.escape(heading)}</h3><p>{paragraph(text)}</p>" if heading else f"<p>{paragraph(text)}</p>"
             for heading, text in letter.paragraphs]
    if letter.link:
        parts.append(f'<p><a href="{html.escape(letter.link, quote=True)}">{html.escape(letter.link_words)}</a></p>')
    parts += [f"<p><small>{paragraph(line)}</small></p>" for line in _footer(partnership, letter.link)]
    return f'<div lang="{letter.language}"><h2>{html.escape(letter.subject)}</h2>{"".join(parts)}</div>'
