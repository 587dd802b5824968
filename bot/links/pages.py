"""The page a link opens, as HTML: after the GOV.UK Design System's patterns and wording. Pure: no database.

Everything typed by anyone is escaped here, once, as it is put into the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from pathlib import Path
from string import Template
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from bot.blocks.challenge import KINDS
from bot.blocks.outcome import NEXT_STEPS, TELL_SHARER

TEMPLATES = Path(__file__).with_name("templates")
PAGE = Template((TEMPLATES / "page.html").read_text(encoding="utf-8"))
STYLESHEET = (TEMPLATES / "page.css").read_bytes()
PERSONAL = ("This link is personal to you: do not forward it. It works only on this device, the first that opened "
            "the record. "
            "What you do here is recorded with your email address and reaches the person who shared the record.")
NEW_LINK = "new-link"
OPEN = "open"

ACKNOWLEDGE, RESULT, CHALLENGE = "acknowledge", "result", "challenge"
DONE = {ACKNOWLEDGE: "You have acknowledged receipt. The person who shared the record has been told.",
        RESULT: "What you did has been sent to the person who shared the record.",
        CHALLENGE: "Your question or challenge has been sent. The person who shared the record will answer it."}


@dataclass(frozen=True)
class RecordView:
    """What the receiving agency sees of a record, as its post in Slack shows it."""
    reference: str
    case_reference: str
    agency_name: str
    sharer_agency_name: str
    occurred_at: datetime
    who: Sequence[str]
    purposes: Sequence[str]
    purpose_detail: str
    requested_action: str
    first_hand: bool
    lawful_basis: str
    summary: str
    actions: str
    risk_label: str
    risk_definition: str
    follow_up_on: date
    acknowledged: str | None  # "by … on …", once someone has
    note: str | None
    results: Sequence[str] = ()
    revisions: Sequence[str] = ()


@dataclass(frozen=True)
class Context:
    partnership: str
    zone: ZoneInfo
    emergency: str
    expires_at: datetime
    risk_levels: Sequence[tuple[str, str, str]]  # key, label, definition
    check_identifiers: bool
    csrf: str
    submission: str
    assets: str = "../link-assets"


@dataclass
class Errors:
    """Problems with the one form just sent: by field id, in the order the fields appear."""
    form: str = ""
    fields: dict[str, str] = field(default_factory=dict)


def when(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def on_day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def page(title: str, body: str, *, partnership: str, assets: str = "../link-assets", footer: str = PERSONAL) -> bytes:
    return PAGE.substitute(title=escape(title), body=body, partnership=escape(partnership), assets=assets,
                           footer=escape(footer)).encode("utf-8")


def unusable(partnership: str) -> bytes:
    """One page for every link that does not work, whatever the reason: nothing of any record."""
    return page("This link does not work – Joined Up", (
        '<h1>This link does not work</h1>'
        '<p>The link may have expired, been replaced by a newer email, or been stopped, or it may have been copied '
        'wrongly.</p>'
        '<p>If you still need the record, ask the person who shared it, or your partnership’s Joined Up '
        'administrator, to send it to you again.</p>'
        '<p>If a child is in immediate danger, call 999.</p>'), partnership=partnership, footer="Joined Up")


def first(partnership: str, *, agency: str, csrf: str) -> bytes:
    """What an unbound link shows on GET: nothing of the record, and one button whose POST binds the link to this
    browser. Mail systems that open links to check them see only this, so they use nothing up."""
    return page("Open the record – Joined Up", (
        f'<h1>A record has been shared with {escape(agency)}</h1>'
        '<p>Open the record on the device you will use to read and act on it. The link will then work only on '
        'this device.</p>'
        f'<form method="post" novalidate><input type="hidden" name="act" value="{OPEN}">'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        '<button type="submit" class="button">Open the record</button></form>'
        '<p>If a child is in immediate danger, call 999.</p>'),
        partnership=partnership, footer="This link is personal to you: do not forward it.")


def elsewhere(partnership: str, *, inbox: str, csrf: str, next_at: str | None) -> bytes:
    """For a browser the link was not first opened on: nothing of the record, and a way to a new link that goes
    only to the link's own inbox."""
    if next_at:
        offer = (f'<p>A new link was emailed to {escape(inbox)} a few minutes ago. Open it from that email. You can '
                 f'ask for another after {escape(next_at)}.</p>')
    else:
        offer = ('<p>If you are the person it was sent to, we can email a new link to the same inbox. The link you '
                 'have will then stop working, on every device.</p>'
                 f'<form method="post" novalidate><input type="hidden" name="act" value="{NEW_LINK}">'
                 f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
                 f'<button type="submit" class="button">Email a new link to {escape(inbox)}</button></form>')
    return page("This link has been opened on another device – Joined Up", (
        '<h1>This link has already been opened on another device</h1>'
        '<p>To keep the record safe, a link works only on the first device that opens the record. If that was you, '
        'open the link on that device.</p>' + offer +
        '<p>If a child is in immediate danger, call 999.</p>'), partnership=partnership, footer="Joined Up")


def renewed(partnership: str, *, inbox: str) -> bytes:
    return page("A new link has been emailed – Joined Up", (
        '<h1>A new link has been emailed</h1>'
        f'<p>We have emailed a new link to {escape(inbox)}. Open it from that email: it will work on the first '
        'device that opens the record.</p><p>The link you used to reach this page no longer works.</p>'),
        partnership=partnership, footer="Joined Up")


def refused(partnership: str, *, status_title: str, heading: str, text: str) -> bytes:
    return page(f"{status_title} – Joined Up", f"<h1>{escape(heading)}</h1><p>{escape(text)}</p>",
                partnership=partnership, footer="Joined Up")


def record_page(view: RecordView, ctx: Context, *, errors: Errors | None = None,
                values: Mapping[str, str] | None = None, done: str = "") -> bytes:
    errors, values = errors or Errors(), values or {}
    parts = [_error_summary(errors)] if errors.fields else []
    if done in DONE:
        parts.append(_success(DONE[done]))
    parts += [f'<h1><span class="caption">{escape(view.reference)} · case {escape(view.case_reference)}</span>'
              f'Record shared with {escape(view.agency_name)}</h1>',
              f'<div class="warning-text">{escape(ctx.emergency)}</div>',
              _details(view, ctx),
              _acknowledge(view, ctx, errors, values),
              _result(view, ctx, errors, values),
              _challenge(ctx, errors, values),
              f'<p class="hint">This link works until {escape(when(ctx.expires_at, ctx.zone))}.</p>']
    title = f"{'Error: ' if errors.fields else ''}{view.reference} shared with {view.agency_name} – Joined Up"
    return page(title, "\n".join(parts), partnership=ctx.partnership, assets=ctx.assets)


def _row(key: str, value: str) -> str:
    return (f'<div class="summary-list__row"><dt class="summary-list__key">{escape(key)}</dt>'
            f'<dd class="summary-list__value">{escape(value) or "—"}</dd></div>')


def _details(view: RecordView, ctx: Context) -> str:
    why = "\n".join([*(f"• {p}" for p in view.purposes), *([view.purpose_detail] if view.purpose_detail else [])])
    rows = [("Reference", view.reference), ("Case reference", view.case_reference),
            ("Shared by", view.sharer_agency_name), ("When the conversation took place", when(view.occurred_at, ctx.zone)),
            ("Who was there", ", ".join(view.who)), ("Why this is shared with you", why),
            ("What you are asked to do", view.requested_action or "For information only"),
            ("Lawful basis", view.lawful_basis),
            ("Source", "Seen or heard first-hand" if view.first_hand else "Reported by someone else"),
            ("Summary", view.summary), ("Actions agreed", view.actions),
            ("Risk level", f"{view.risk_label}: {view.risk_definition or 'no agreed definition yet'}"),
            ("Follow-up due", on_day(view.follow_up_on))]
    rows += [("Changed since it was shared", "\n".join(view.revisions))] if view.revisions else []
    rows += [("What you have told the sharer", "\n\n".join(view.results))] if view.results else []
    return '<dl class="summary-list">' + "".join(_row(k, v) for k, v in rows if k != "Actions agreed" or v) + "</dl>"


def _hidden(ctx: Context, act: str) -> str:
    return (f'<input type="hidden" name="act" value="{act}">'
            f'<input type="hidden" name="csrf" value="{escape(ctx.csrf)}">'
            f'<input type="hidden" name="submission" value="{escape(ctx.submission)}">')


def _textarea(errors: Errors, values: Mapping[str, str], id_: str, label: str, hint: str = "", rows: int = 5) -> str:
    error = errors.fields.get(id_)
    described = " ".join(x for x in (f"{id_}-hint" if hint else "", f"{id_}-error" if error else "") if x)
    return (f'<div class="form-group{" form-group--error" if error else ""}">'
            f'<label class="label" for="{id_}">{escape(label)}</label>'
            + (f'<div class="hint" id="{id_}-hint">{escape(hint)}</div>' if hint else "")
            + (f'<p class="error-message" id="{id_}-error"><span class="visually-hidden">Error:</span> '
               f'{escape(error)}</p>' if error else "")
            + f'<textarea id="{id_}" name="{id_}" rows="{rows}"'
            + (' class="textarea--error"' if error else "")
            + (f' aria-describedby="{described}"' if described else "")
            + f'>{escape(values.get(id_, ""))}</textarea></div>')


def _radios(errors: Errors, values: Mapping[str, str], id_: str, legend: str, options: Mapping[str, str]) -> str:
    error = errors.fields.get(id_)
    items = "".join(
        f'<div class="radios__item"><input type="radio" id="{id_ if i == 0 else f"{id_}-{i + 1}"}" name="{id_}" '
        f'value="{escape(key)}"{" checked" if values.get(id_) == key else ""}>'
        f'<label for="{id_ if i == 0 else f"{id_}-{i + 1}"}">{escape(label)}</label></div>'
        for i, (key, label) in enumerate(options.items()))
    return (f'<div class="form-group{" form-group--error" if error else ""}"><fieldset'
            + (f' aria-describedby="{id_}-error"' if error else "") + f'><legend>{escape(legend)}</legend>'
            + (f'<p class="error-message" id="{id_}-error"><span class="visually-hidden">Error:</span> '
               f'{escape(error)}</p>' if error else "")
            + f'{items}</fieldset></div>')


def _identifiers_reason(ctx: Context, errors: Errors, values: Mapping[str, str], form: str) -> str:
    id_ = f"{form}-identifiers-reason"
    if not ctx.check_identifiers or (errors.form != form and not values.get(id_)):
        return ""
    return _textarea(errors, values, id_, "Identifiers: only if they are necessary",
                     "Say why an NHS number, address, phone number or date of birth must be in this record, "
                     "or remove it from the text.", rows=3)


def _acknowledge(view: RecordView, ctx: Context, errors: Errors, values: Mapping[str, str]) -> str:
    heading = '<h2 id="acknowledge">Acknowledge receipt</h2>'
    if view.acknowledged:
        note = f'<p>Your note for the sharer: {escape(view.note)}</p>' if view.note else ""
        return f'{heading}<p>Acknowledged {escape(view.acknowledged)}.</p>{note}'
    return (f'{heading}<form method="post" novalidate>{_hidden(ctx, ACKNOWLEDGE)}'
            + _textarea(errors, values, "ack-note", "Note for the person who shared it (optional)",
                        "For example, who will act on it. The note goes only to the sharer.", rows=3)
            + '<button type="submit" class="button">Acknowledge receipt</button></form>')


def _result(view: RecordView, ctx: Context, errors: Errors, values: Mapping[str, str]) -> str:
    return (f'<h2 id="result">{escape(TELL_SHARER)}</h2>'
            '<p>Your result goes to the person who shared the record. The outcome for the child is theirs to '
            'report.</p>'
            f'<form method="post" novalidate>{_hidden(ctx, RESULT)}'
            + _textarea(errors, values, "result-what-happened", "What did you do?")
            + _textarea(errors, values, "result-what-changed", "What changed for the child (optional)", rows=3)
            + _radios(errors, values, "result-next-step", "Is anything more needed?", NEXT_STEPS)
            + _identifiers_reason(ctx, errors, values, RESULT)
            + '<button type="submit" class="button">Send to the sharer</button></form>')


def _challenge(ctx: Context, errors: Errors, values: Mapping[str, str]) -> str:
    id_, error = "challenge-risk", errors.fields.get("challenge-risk")
    options = '<option value="">Choose a risk level</option>' + "".join(
        f'<option value="{escape(key)}"{" selected" if values.get(id_) == key else ""}>{escape(label)}</option>'
        for key, label, _ in ctx.risk_levels)
    definitions = "".join(f"<li><strong>{escape(label)}</strong>: {escape(definition)}</li>"
                          for _, label, definition in ctx.risk_levels if definition)
    risk = (f'<div class="form-group{" form-group--error" if error else ""}">'
            f'<label class="label" for="{id_}">If you disagree with the risk level: the level you propose</label>'
            + (f'<p class="error-message" id="{id_}-error"><span class="visually-hidden">Error:</span> '
               f'{escape(error)}</p>' if error else "")
            + f'<select id="{id_}" name="{id_}"' + (f' class="select--error" aria-describedby="{id_}-error"'
                                                     if error else "")
            + f'>{options}</select></div>' + (f'<ul class="hint">{definitions}</ul>' if definitions else ""))
    return ('<h2 id="challenge">Ask a question or challenge</h2>'
            '<p>Anyone who receives a record can question it. The person who shared it must answer.</p>'
            f'<form method="post" novalidate>{_hidden(ctx, CHALLENGE)}'
            + _radios(errors, values, "challenge-kind", "What is it?", KINDS)
            + _textarea(errors, values, "challenge-text", "Your question or challenge",
                        "Say what you think and why, as you would in a meeting.")
            + risk + _identifiers_reason(ctx, errors, values, CHALLENGE)
            + '<button type="submit" class="button">Send question or challenge</button></form>')


def _error_summary(errors: Errors) -> str:
    items = "".join(f'<li><a href="#{id_}">{escape(message)}</a></li>' for id_, message in errors.fields.items())
    return ('<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">'
            '<h2 id="error-summary-title">There is a problem</h2>'
            f'<ul>{items}</ul></div>')


def _success(text: str) -> str:
    return ('<div class="notification-banner" role="alert" aria-labelledby="notification-banner-title">'
            '<h2 class="notification-banner__title" id="notification-banner-title">Success</h2>'
            f'<div class="notification-banner__content"><p class="notification-banner__heading">{escape(text)}</p>'
            '</div></div>')
