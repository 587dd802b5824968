"""What each agency sees in its channel, and what the sharer sees in their DM. Pure: no database, no Slack."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.blocks.challenge import revision_lines
from bot.blocks.menu import menu_option, overflow
from bot.blocks.outcome import REPORT_OUTCOME, TELL_SHARER, agency_results, outcome_blocks, sharer_outcomes
from bot.blocks.text import button, clip, context, day, divider, escape, fields, header, line_sections, \
    long_text_sections, mention, section, sections, slack_date
from bot.domain.config import Partnership
from bot.domain.glossary import Term
from bot.blocks.ids import Action
from storage.models import Record, Share

MAX_BLOCKS = 50
EMAIL_ME_A_COPY = "Email me a copy"


@dataclass(frozen=True)
class Delivery:
    """How one agency's copy of a record stands, for the sharer."""

    agency_name: str
    state: str  # "pending", "sent" or "failed"
    attempts: int
    permalink: str | None
    problem: str | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    note: str | None = None  # the agency's note for the sharer, with its acknowledgement
    result: str | None = None  # what the agency last told the sharer it did
    in_slack: bool = True  # False for an agency reached only by email
    email: str | None = None  # the team inbox it was emailed to
    email_state: str | None = None  # "pending", "retrying", "sent", "failed" or "cancelled"
    acknowledged_as: str | None = None  # who acknowledged, where not a Slack user: "<address> (by email link)"


def agency_name(partnership: Partnership, key: str) -> str:
    agency = partnership.agency(key)
    return agency.name if agency else key


def _bullets(items: list[str]) -> str:
    return "\n".join(f"• {escape(item)}" for item in items)


def record_details(record: Record, partnership: Partnership, terms: list[Term]) -> list[dict[str, Any]]:
    """The body of a record, shared by every agency's post and by /joinedup show."""
    who = [mention(u) for u in record.participants]
    if record.others_present:
        who.append(escape(record.others_present))
    why = _bullets(record.purposes)
    if record.purpose_detail:
        why = f"{why}\n{escape(record.purpose_detail)}".strip()
    asked = escape(record.requested_action) if record.requested_action else "For information only"
    blocks: list[dict[str, Any]] = [
        fields(("When", slack_date(record.occurred_at)),
               ("Shared by", f"{mention(record.sharer_id)}, {escape(agency_name(partnership, record.sharer_agency))}"),
               ("Risk level", escape(record.risk_label))),
        *sections(f"*Who was there*\n{', '.join(who) or '—'}"),
        context(f"*{escape(record.risk_label)}* means: {escape(record.risk_definition or 'no agreed definition yet')}"),
    ]
    if record.is_shared:
        blocks += sections(f"*Why this is shared with you*\n{why or '—'}")
        blocks.append(section(f"*What you are asked to do*\n{asked}"))
    else:
        blocks.append(section(f"*Not shared. The reason recorded*\n{escape(record.not_shared_reason or '')}"))
    blocks += long_text_sections("Summary", record.summary)
    if record.actions:
        blocks += long_text_sections("Actions agreed", record.actions)
    blocks.append(fields(
        ("Source", "Seen or heard first-hand" if record.first_hand else "Reported by someone else"),
        ("Lawful basis", escape(record.lawful_basis)),
        ("Follow-up due", day(record.follow_up_on)),
    ))
    if terms:
        blocks.append(context("*Terms used*", *(f"*{escape(t.term)}*: {escape(t.definition)}" for t in terms[:9])))
    return blocks


def record_heading(record: Record) -> dict[str, Any]:
    return header(f"{record.reference} · case {record.case_reference}")


def agency_post(record: Record, share: Share, partnership: Partnership, terms: list[Term]) -> tuple[str, list[dict[str, Any]]]:
    """The record, what came of it for the child, this agency's own results (other agencies' are theirs and the
    sharer's), and the agency's one next step."""
    name = agency_name(partnership, share.agency_key)
    text = f"{record.reference}: a record shared with {escape(name)}"
    results = agency_results(record, share.agency_key)
    shown = sorted([*sharer_outcomes(record)[-2:], *results[-2:]], key=lambda outcome: outcome.id)
    outcomes = [block for outcome in shown
                for block in outcome_blocks(outcome, name if outcome.agency_key else None)]
    changes = [context(line) for line in revision_lines(record.revisions[-5:])]
    body = [record_heading(record), *changes, *record_details(record, partnership, terms), *outcomes, divider()]
    return text, _fit(body, acknowledgement_blocks(share, name, results=len(results),
                                                   email_copy=partnership.email is not None))


def acknowledgement_blocks(share: Share, name: str, *, results: int = 0,
                           email_copy: bool = False) -> list[dict[str, Any]]:
    """One primary button: *Acknowledge receipt* until someone has, then *Tell the sharer what we did*. The rest
    are in the ⋯ menu beside it. Everyone in the channel sees them; each checks the clicker's right when used."""
    subject = f"{share.record_id}:{share.agency_key}"
    challenge = menu_option("Ask or challenge", Action.ASK_OR_CHALLENGE, subject)
    copy = [menu_option(EMAIL_ME_A_COPY, Action.EMAIL_COPY, str(share.record_id))] if email_copy else []
    if share.acknowledged_at is not None and share.acknowledged_by:
        blocks = [context(f":white_check_mark: Acknowledged for {escape(name)} by {mention(share.acknowledged_by)}, "
                          f"{slack_date(share.acknowledged_at, '{date_short_pretty} {time}')}")]
        if share.acknowledgement_note:
            blocks += long_text_sections(f"Note from {escape(name)} for the sharer", share.acknowledgement_note)
        tell = button(TELL_SHARER, Action.REPORT_OUTCOME, subject, style=None if results else "primary")
        return [*blocks, {"type": "actions", "block_id": f"result_{share.id}", "elements": [
            tell, overflow(Action.POST_MENU, [challenge, *copy])]},
            context("Your result goes to the sharer; the outcome for the child is theirs.")]
    value = str(share.id)
    return [
        context(f"Waiting for {escape(name)} to acknowledge receipt."),
        {"type": "actions", "block_id": f"acknowledge_{share.id}", "elements": [
            button("Acknowledge receipt", Action.ACKNOWLEDGE, value, style="primary"),
            overflow(Action.POST_MENU, [menu_option("Acknowledge with a note", Action.ACKNOWLEDGE_WITH_NOTE, value),
                                        challenge, *copy]),
        ]},
        context("More in the ⋯ menu: acknowledge with a note, or ask or challenge"
                + (", or email yourself a copy." if email_copy else ".")),
    ]


def delivery_line(delivery: Delivery, *, detail: bool = False) -> str:
    """How one agency's copy stands. With detail, the agency's note and latest result, in short (the sharer's
    status message); without, only that there are some (App Home, `/joinedup show`)."""
    name = f"*{escape(delivery.agency_name)}*"
    if delivery.acknowledged_by and delivery.acknowledged_at:
        who = escape(delivery.acknowledged_as) if delivery.acknowledged_as else mention(delivery.acknowledged_by)
        line = (f":white_check_mark: {name}: acknowledged by {who}, "
                f"{slack_date(delivery.acknowledged_at, '{date_short_pretty} {time}')}")
        if not detail:
            return line + (" · with a note" if delivery.note else "") + (" · told you what they did"
                                                                        if delivery.result else "")
        if delivery.note:
            line += f"\n>_Their note:_ {_digest(delivery.note)}"
        if delivery.result:
            line += f"\n>_What they did:_ {_digest(delivery.result)}"
        return line
    if not delivery.in_slack:
        return f"{_EMAIL_ICONS.get(delivery.email_state or '', ':email:')} {name}: {_emailed(delivery)}"
    return _slack_line(delivery, name) + (f"; {_emailed(delivery, short=True)}" if delivery.email else "")


_EMAIL_ICONS = {"sent": ":email:", "retrying": ":arrows_counterclockwise:", "failed": ":warning:",
                "pending": ":outbox_tray:"}


def _emailed(delivery: Delivery, *, short: bool = False) -> str:
    """How the email to an agency's team inbox stands; short, after the line for its channel."""
    to = f"emailed to {escape(delivery.email or 'its team inbox')}"
    state = delivery.email_state
    if short:
        return to + {"sent": "", "failed": " (*not delivered*: the mail server refused it)",
                     "retrying": " (retrying)", "cancelled": " (not sent)"}.get(state or "", " (sending…)")
    if state == "sent":
        return f"{to}, waiting for acknowledgement" + (" (and told you what they did)" if delivery.result else "")
    if state == "failed":
        return f"{to}: *not delivered*, the mail server refused it. The record is safe in Joined Up; admins are told"
    if state == "retrying":
        return f"{to}: retrying, the mail server has not taken it yet"
    if state == "cancelled":
        return f"{to}: not sent"
    return f"{to}: sending…"


def _slack_line(delivery: Delivery, name: str) -> str:
    if delivery.state == "sent":
        link = f"<{delivery.permalink}|posted>" if delivery.permalink else "posted"
        told = " (and told you what they did)" if delivery.result else ""
        return f":hourglass_flowing_sand: {name}: {link}, waiting for acknowledgement{told}"
    if delivery.state == "failed":
        return f":warning: {name}: *not delivered*: {escape(delivery.problem or 'Slack did not accept it')}"
    if delivery.attempts:
        return f":arrows_counterclockwise: {name}: delayed, Slack has not accepted it yet; retrying automatically"
    return f":outbox_tray: {name}: posting…"


DIGEST = 200


def _digest(text: str) -> str:
    """Someone's words in short, on one line: what does not fit is in `/joinedup show`, and said to be."""
    flat = " ".join(text.split())
    if len(flat) <= DIGEST:
        return escape(flat)
    return f"{escape(clip(flat, DIGEST))} _(the rest is in `/joinedup show`)_"


def sharer_status(record: Record, deliveries: list[Delivery], *,
                  email_copy: bool = False) -> tuple[str, list[dict[str, Any]]]:
    if record.is_shared:
        acknowledged = sum(1 for d in deliveries if d.acknowledged_at)
        summary = f"{acknowledged} of {len(deliveries)} acknowledged"
        blocks = [section(f"Your record *{record.reference}* about case *{escape(record.case_reference)}* is saved. "
                          f"{summary}."),
                  *line_sections("", [delivery_line(d, detail=True) for d in deliveries])]
        text = f"{record.reference}: {summary}"
    else:
        blocks = [section(f"Your record *{record.reference}* about case *{escape(record.case_reference)}* is saved. "
                          "It was not shared, and your reason is recorded.")]
        text = f"{record.reference}: recorded, not shared"
    reported = sharer_outcomes(record)
    if reported:
        blocks.append(context(f":bookmark_tabs: The outcome for the child was reported by "
                              f"{mention(reported[-1].reported_by)}, "
                              f"{slack_date(reported[-1].reported_at, '{date_short_pretty}')}."))
    elif record.is_shared:
        blocks.append(context(f"*The outcome for the child* is yours to report: Joined Up will ask you for it on "
                              f"{day(record.follow_up_on)}, whatever the agencies tell you they did, unless you "
                              f"report it before then."))
    else:
        blocks.append(context(f"Follow-up due {day(record.follow_up_on)}."))
    blocks.append(context(f"See the whole record with `/joinedup show {record.reference}`."))
    report = [button(REPORT_OUTCOME, Action.REPORT_OUTCOME, f"{record.id}:")] if record.is_shared and not reported else []
    copy = [button(EMAIL_ME_A_COPY, Action.EMAIL_COPY, str(record.id))] if email_copy else []
    blocks.append({"type": "actions", "elements": [
        *report, button("Amend this record", Action.AMEND_RECORD, str(record.id)), *copy]})
    return text, blocks


def note_to_sharer(record: Record, share: Share, name: str) -> tuple[str, list[dict[str, Any]]]:
    """A reply under the sharer's status message: an agency acknowledged with a note for them. The mention brings
    the thread to the sharer's notice; the notification line names only the reference and the agency."""
    text = f"{mention(record.sharer_id)} {escape(name)} acknowledged {record.reference} with a note for you"
    by = f"{mention(share.acknowledged_by)}, " if share.acknowledged_by else ""
    when = slack_date(share.acknowledged_at, "{date_short_pretty} {time}") if share.acknowledged_at else ""
    return text, [
        section(f":memo: *{escape(name)}* acknowledged *{record.reference}* (case {escape(record.case_reference)}) "
                f"with a note for you: {by}{when}"),
        *long_text_sections("Their note", share.acknowledgement_note or ""),
        context(f"It is on your status message above too, and on {escape(name)}'s post."),
    ]


def delivery_problem(record: Record, message_id: int, agency: str, channel: str, fix: str,
                     *, fixed: bool) -> tuple[str, list[dict[str, Any]]]:
    text = f"{record.reference} could not be posted to {escape(agency)}"
    if fixed:
        return text, [section(f":arrows_counterclockwise: *{record.reference}* for *{escape(agency)}* is being "
                              "delivered again.")]
    return text, [
        section(f":warning: *{record.reference}* could not be posted to *{escape(agency)}* (<#{channel}>): "
                f"{escape(fix)}. The record is safe in Joined Up. Once that is fixed, try again."),
        {"type": "actions", "elements": [button("Try again", Action.RETRY_DELIVERY, str(message_id), style="primary")]},
    ]


def email_problem(record: Record, agency: str, address: str, error: str,
                  *, copy: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """The relay refused an email for good: for a copy, the person who asked; else the sharer and the admins."""
    if copy:
        text = f"Your copy of {record.reference} could not be emailed"
        return text, [section(f":warning: Your copy of *{record.reference}* could not be emailed to "
                              f"{escape(address)}: the mail server refused it ({escape(error)}). Nothing else was "
                              "sent; the record is safe in Joined Up.")]
    text = f"{record.reference} could not be emailed to {escape(agency)}"
    return text, [section(f":warning: *{record.reference}* could not be emailed to *{escape(agency)}* "
                          f"({escape(address)}): the mail server refused it ({escape(error)}). The record is safe in "
                          "Joined Up. Check the address with the agency; an admin corrects it in the configuration.")]


def tombstone(record: Record) -> tuple[str, list[dict[str, Any]]]:
    removed = record.purged_at.strftime("%d %b %Y").lstrip("0") if record.purged_at else "an earlier date"
    text = f"{record.reference} was removed under the retention policy on {removed}."
    return text, [context(f":wastebasket: {text} Its audit trail is kept.")]


def _fit(body: list[dict[str, Any]], tail: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Never more than Slack's 50 blocks: the heading and the acknowledgement at the end always stay."""
    if len(body) + len(tail) <= MAX_BLOCKS:
        return body + tail
    return body[: MAX_BLOCKS - len(tail) - 1] + [context("… the rest is in `/joinedup show`.")] + tail
