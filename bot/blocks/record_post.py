"""What each agency sees in its channel, and what the sharer sees in their DM. Pure: no database, no Slack."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.blocks.challenge import level as theirs, revision_lines
from bot.blocks.glossary import shown
from bot.blocks.menu import menu_option, overflow
from bot.blocks.outcome import REPORT_OUTCOME, TELL_SHARER, agency_results, outcome_blocks, sharer_outcomes
from bot.blocks.text import bold, one_line, button, clip, context, day, divider, escape, fields, header, line_sections, \
    long_text_sections, mention, section, sections, slack_date
from bot.domain.config import Partnership
from bot.domain.glossary import Term
from bot.blocks.ids import Action
from bot.i18n import N_, _, each_language
from bot.i18n.dates import day_text
from storage.models import Record, Share

MAX_BLOCKS = 50
EMAIL_ME_A_COPY = N_("Email me a copy")


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
    return "\n".join(f"• {theirs(item)}" for item in items)


def record_details(record: Record, partnership: Partnership, terms: list[Term]) -> list[dict[str, Any]]:
    """The body of a record, shared by every agency's post and by /joinedup show."""
    who = [mention(u) for u in record.participants]
    if record.others_present:
        who.append(escape(record.others_present))
    why = _bullets(record.purposes)
    if record.purpose_detail:
        why = f"{why}\n{escape(record.purpose_detail)}".strip()
    asked = escape(record.requested_action) if record.requested_action else _("For information only")
    blocks: list[dict[str, Any]] = [
        fields((_("When"), slack_date(record.occurred_at)),
               (_("Shared by"), f"{mention(record.sharer_id)}, {escape(agency_name(partnership, record.sharer_agency))}"),
               (_("Risk level"), theirs(record.risk_label))),
        *sections(bold(_("Who was there")) + "\n" + (", ".join(who) or "—")),
        context(each_language(lambda: " ".join([f"*{theirs(record.risk_label)}*", _("means:"),
                                                 theirs(record.risk_definition) or _("no agreed definition yet")]))),
    ]
    if record.is_shared:
        blocks += sections(bold(_("Why this is shared with you")) + "\n" + (why or "—"))
        blocks += sections(bold(_("What you are asked to do")) + "\n" + asked)
    else:
        blocks += sections(bold(_("Not shared. The reason recorded")) + "\n" + escape(record.not_shared_reason or ""))
    blocks += long_text_sections(_("Summary"), record.summary)
    if record.actions:
        blocks += long_text_sections(_("Actions agreed"), record.actions)
    blocks.append(fields(
        (_("Source"), _("Seen or heard first-hand") if record.first_hand else _("Reported by someone else")),
        (_("Lawful basis"), theirs(record.lawful_basis)),
        (_("Follow-up due"), day(record.follow_up_on)),
    ))
    if terms:
        # Each term in the reader's language, whichever language it was written in: a Welsh term in a summary is
        # defined for an English reader in English.
        blocks.append(context(bold(_("Terms used")), *(f"*{escape(name)}*: {escape(definition)}"
                                                       for name, definition in map(shown, terms[:9]))))
    return blocks


def record_heading(record: Record) -> dict[str, Any]:
    return header(_("{reference} · case {case}", reference=record.reference, case=record.case_reference))


def agency_post(record: Record, share: Share, partnership: Partnership, terms: list[Term]) -> tuple[str, list[dict[str, Any]]]:
    """The record, what came of it for the child, this agency's own results (other agencies' are theirs and the
    sharer's), and the agency's one next step."""
    name = agency_name(partnership, share.agency_key)
    text = one_line(_("{reference}: a record shared with {agency}", reference=record.reference, agency=escape(name)))
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
    challenge = menu_option(one_line(_("Ask or challenge")), Action.ASK_OR_CHALLENGE, subject)
    copy = [menu_option(one_line(_(EMAIL_ME_A_COPY)), Action.EMAIL_COPY, str(share.record_id))] if email_copy else []
    if share.acknowledged_at is not None and share.acknowledged_by:
        blocks = [context(each_language(lambda: _(
            ":white_check_mark: Acknowledged for {agency} by {person}, {when}", agency=escape(name),
            person=mention(share.acknowledged_by),
            when=slack_date(share.acknowledged_at, '{date_short_pretty} {time}'))))]
        if share.acknowledgement_note:
            blocks += long_text_sections(_("Note from {agency} for the sharer", agency=escape(name)),
                                         share.acknowledgement_note)
        tell = button(one_line(_(TELL_SHARER)), Action.REPORT_OUTCOME, subject, style=None if results else "primary")
        return [*blocks, {"type": "actions", "block_id": f"result_{share.id}", "elements": [
            tell, overflow(Action.POST_MENU, [challenge, *copy])]},
            context(_("Your result goes to the sharer; the outcome for the child is theirs."))]
    value = str(share.id)
    return [
        context(_("Waiting for {agency} to acknowledge receipt.", agency=escape(name))),
        {"type": "actions", "block_id": f"acknowledge_{share.id}", "elements": [
            button(one_line(_("Acknowledge receipt")), Action.ACKNOWLEDGE, value, style="primary"),
            overflow(Action.POST_MENU, [menu_option(one_line(_("Acknowledge with a note")),
                                                    Action.ACKNOWLEDGE_WITH_NOTE, value), challenge, *copy]),
        ]},
        context(_("More in the ⋯ menu: acknowledge with a note, or ask or challenge, or email yourself a copy.")
                if email_copy else _("More in the ⋯ menu: acknowledge with a note, or ask or challenge.")),
    ]


def delivery_line(delivery: Delivery, *, detail: bool = False) -> str:
    """How one agency's copy stands. With detail, the agency's note and latest result, in short (the sharer's
    status message); without, only that there are some (App Home, `/joinedup show`)."""
    name = f"*{escape(delivery.agency_name)}*"
    if delivery.acknowledged_by and delivery.acknowledged_at:
        who = escape(delivery.acknowledged_as) if delivery.acknowledged_as else mention(delivery.acknowledged_by)
        line = _(":white_check_mark: {agency}: acknowledged by {person}, {when}", agency=name, person=who,
                 when=slack_date(delivery.acknowledged_at, '{date_short_pretty} {time}'))
        if not detail:
            return " · ".join([line, *([_("with a note")] if delivery.note else []),
                               *([_("told you what they did")] if delivery.result else [])])
        if delivery.note:
            line += "\n>" + _italic(_("Their note:")) + " " + _digest(delivery.note)
        if delivery.result:
            line += "\n>" + _italic(_("What they did:")) + " " + _digest(delivery.result)
        return line
    if not delivery.in_slack:
        return f"{_EMAIL_ICONS.get(delivery.email_state or '', ':email:')} {name}: {_emailed(delivery)}"
    return _slack_line(delivery, name) + (f"; {_emailed(delivery, short=True)}" if delivery.email else "")


_EMAIL_ICONS = {"sent": ":email:", "retrying": ":arrows_counterclockwise:", "failed": ":warning:",
                "pending": ":outbox_tray:"}
# How an email to an agency's team inbox stands, short (after the line for its channel) and in full.
_EMAILED_SHORT = {"sent": N_("emailed to {address}"),
                  "failed": N_("emailed to {address} (*not delivered*: the mail server refused it)"),
                  "retrying": N_("emailed to {address} (retrying)"), "cancelled": N_("emailed to {address} (not sent)"),
                  "pending": N_("emailed to {address} (sending…)")}
_EMAILED = {"failed": N_("emailed to {address}: *not delivered*, the mail server refused it. The record is safe in "
                         "Joined Up; admins are told"),
            "retrying": N_("emailed to {address}: retrying, the mail server has not taken it yet"),
            "cancelled": N_("emailed to {address}: not sent"), "pending": N_("emailed to {address}: sending…")}


def _italic(label: str) -> str:
    return "\n".join(f"_{line}_" for line in label.split("\n"))


def _emailed(delivery: Delivery, *, short: bool = False) -> str:
    """How the email to an agency's team inbox stands; short, after the line for its channel."""
    address = escape(delivery.email) if delivery.email else _("its team inbox")
    state = delivery.email_state or ""
    if short:
        return _(_EMAILED_SHORT.get(state, _EMAILED_SHORT["pending"]), address=address)
    if state == "sent":
        return _("emailed to {address}, waiting for acknowledgement (and told you what they did)", address=address) \
            if delivery.result else _("emailed to {address}, waiting for acknowledgement", address=address)
    return _(_EMAILED.get(state, _EMAILED["pending"]), address=address)


def _slack_line(delivery: Delivery, name: str) -> str:
    if delivery.state == "sent":
        posted = _("posted")
        link = f"<{delivery.permalink}|{posted}>" if delivery.permalink else posted
        if delivery.result:
            return _(":hourglass_flowing_sand: {agency}: {posted}, waiting for acknowledgement (and told you what "
                     "they did)", agency=name, posted=link)
        return _(":hourglass_flowing_sand: {agency}: {posted}, waiting for acknowledgement", agency=name, posted=link)
    if delivery.state == "failed":
        return _(":warning: {agency}: *not delivered*: {problem}", agency=name,
                 problem=escape(delivery.problem) if delivery.problem else _("Slack did not accept it"))
    if delivery.attempts:
        return _(":arrows_counterclockwise: {agency}: delayed, Slack has not accepted it yet; retrying automatically",
                 agency=name)
    return _(":outbox_tray: {agency}: posting…", agency=name)


DIGEST = 200


def _digest(text: str) -> str:
    """Someone's words in short, on one line: what does not fit is in `/joinedup show`, and said to be."""
    flat = " ".join(text.split())
    if len(flat) <= DIGEST:
        return escape(flat)
    return escape(clip(flat, DIGEST)) + " " + _italic(_("(the rest is in `/joinedup show`)"))


def sharer_status(record: Record, deliveries: list[Delivery], *,
                  email_copy: bool = False) -> tuple[str, list[dict[str, Any]]]:
    if record.is_shared:
        counts = dict(done=sum(1 for d in deliveries if d.acknowledged_at), total=len(deliveries))
        blocks = [section(_("Your record *{reference}* about case *{case}* is saved. {done} of {total} acknowledged.",
                            reference=record.reference, case=escape(record.case_reference), **counts)),
                  *line_sections("", [delivery_line(d, detail=True) for d in deliveries])]
        text = one_line(_("{reference}: {done} of {total} acknowledged", reference=record.reference, **counts))
    else:
        blocks = [section(_("Your record *{reference}* about case *{case}* is saved. It was not shared, and your "
                            "reason is recorded.", reference=record.reference, case=escape(record.case_reference)))]
        text = one_line(_("{reference}: recorded, not shared", reference=record.reference))
    reported = sharer_outcomes(record)
    if reported:
        blocks.append(context(_(":bookmark_tabs: The outcome for the child was reported by {person}, {when}.",
                                person=mention(reported[-1].reported_by),
                                when=slack_date(reported[-1].reported_at, '{date_short_pretty}'))))
    elif record.is_shared:
        blocks.append(context(_("*The outcome for the child* is yours to report: Joined Up will ask you for it on "
                                "{day}, whatever the agencies tell you they did, unless you report it before then.",
                                day=day(record.follow_up_on))))
    else:
        blocks.append(context(_("Follow-up due {day}.", day=day(record.follow_up_on))))
    blocks.append(context(_("See the whole record with `/joinedup show {reference}`.", reference=record.reference)))
    report = [button(one_line(_(REPORT_OUTCOME)), Action.REPORT_OUTCOME, f"{record.id}:")] \
        if record.is_shared and not reported else []
    copy = [button(one_line(_(EMAIL_ME_A_COPY)), Action.EMAIL_COPY, str(record.id))] if email_copy else []
    blocks.append({"type": "actions", "elements": [
        *report, button(one_line(_("Amend this record")), Action.AMEND_RECORD, str(record.id)), *copy]})
    return text, blocks


def note_to_sharer(record: Record, share: Share, name: str) -> tuple[str, list[dict[str, Any]]]:
    """A reply under the sharer's status message: an agency acknowledged with a note for them. The mention brings
    the thread to the sharer's notice; the notification line names only the reference and the agency."""
    text = one_line(_("{sharer} {agency} acknowledged {reference} with a note for you",
                      sharer=mention(record.sharer_id), agency=escape(name), reference=record.reference))
    by = [mention(share.acknowledged_by)] if share.acknowledged_by else []
    when = [slack_date(share.acknowledged_at, "{date_short_pretty} {time}")] if share.acknowledged_at else []
    return text, [
        section(_(":memo: *{agency}* acknowledged *{reference}* (case {case}) with a note for you: {who}",
                  agency=escape(name), reference=record.reference, case=escape(record.case_reference),
                  who=", ".join([*by, *when]))),
        *long_text_sections(_("Their note"), share.acknowledgement_note or ""),
        context(_("It is on your status message above too, and on {agency}'s post.", agency=escape(name))),
    ]


def delivery_problem(record: Record, message_id: int, agency: str, channel: str, fix: str,
                     *, fixed: bool) -> tuple[str, list[dict[str, Any]]]:
    text = one_line(_("{reference} could not be posted to {agency}", reference=record.reference, agency=escape(agency)))
    link = "<#" + channel + ">"
    if fixed:
        return text, [section(_(":arrows_counterclockwise: *{reference}* for *{agency}* is being delivered again.",
                                reference=record.reference, agency=escape(agency)))]
    return text, [
        section(_(":warning: *{reference}* could not be posted to *{agency}* ({channel}): {problem}. The record is "
                  "safe in Joined Up. Once that is fixed, try again.", reference=record.reference,
                  agency=escape(agency), channel=link, problem=escape(fix))),
        {"type": "actions", "elements": [button(one_line(_("Try again")), Action.RETRY_DELIVERY, str(message_id),
                                                style="primary")]},
    ]


def email_problem(record: Record, agency: str, address: str, error: str,
                  *, copy: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """The relay refused an email for good: for a copy, the person who asked; else the sharer and the admins."""
    if copy:
        text = one_line(_("Your copy of {reference} could not be emailed", reference=record.reference))
        return text, [section(_(":warning: Your copy of *{reference}* could not be emailed to {address}: the mail "
                                "server refused it ({error}). Nothing else was sent; the record is safe in Joined Up.",
                                reference=record.reference, address=escape(address), error=escape(error)))]
    text = one_line(_("{reference} could not be emailed to {agency}", reference=record.reference,
                      agency=escape(agency)))
    return text, [section(_(":warning: *{reference}* could not be emailed to *{agency}* ({address}): the mail server "
                            "refused it ({error}). The record is safe in Joined Up. Check the address with the agency; "
                            "an admin corrects it in the configuration.", reference=record.reference,
                            agency=escape(agency), address=escape(address), error=escape(error)))]


def tombstone(record: Record) -> tuple[str, list[dict[str, Any]]]:
    removed = day_text(record.purged_at.date(), record.purged_at.strftime("%d %b %Y").lstrip("0")) \
        if record.purged_at else _("an earlier date")
    text = one_line(_("{reference} was removed under the retention policy on {day}.", reference=record.reference,
                      day=removed))
    return text, [context(_(":wastebasket: {reference} was removed under the retention policy on {day}. Its audit "
                            "trail is kept.", reference=record.reference, day=removed))]


def _fit(body: list[dict[str, Any]], tail: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Never more than Slack's 50 blocks: the heading and the acknowledgement at the end always stay."""
    if len(body) + len(tail) <= MAX_BLOCKS:
        return body + tail
    return body[: MAX_BLOCKS - len(tail) - 1] + [context(_("… the rest is in `/joinedup show`."))] + tail
