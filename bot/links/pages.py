"""The page a link opens, as HTML: after the GOV.UK Design System's patterns and wording. Pure: no database.

Everything typed by anyone is escaped here, once, as it is put into the page. Every fixed text is said in the voice
of the request (bot/links/web.py sets it): the link's agency's language, or the one chosen with the page's switch.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from pathlib import Path
from string import Template
from typing import Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo

from bot.blocks.challenge import KINDS
from bot.blocks.outcome import NEXT_STEPS, TELL_SHARER
from bot.i18n import ENGLISH, WELSH, N_, _, ours, voice
from bot.i18n.dates import welsh_day, welsh_moment

TEMPLATES = Path(__file__).with_name("templates")
PAGE = Template((TEMPLATES / "page.html").read_text(encoding="utf-8"))
STYLESHEET = (TEMPLATES / "page.css").read_bytes()
PERSONAL = N_("This link is personal to you: do not forward it. It works only on this device, the first that opened "
              "the record. "
              "What you do here is recorded with your email address and reaches the person who shared the record.")
NEW_LINK = "new-link"
_SUBMIT = ' type="submit" class="button"'
OPEN = "open"
LANGUAGE_NAMES = {WELSH: "Cymraeg", ENGLISH: "English"}  # each in its own language, never translated
# Whether the page offers a switch between Cymraeg and English: where the partnership or the agency works in Welsh.
_switch: ContextVar[bool] = ContextVar("language_switch", default=False)

ACKNOWLEDGE, RESULT, CHALLENGE = "acknowledge", "result", "challenge"
DONE = {ACKNOWLEDGE: N_("You have acknowledged receipt. The person who shared the record has been told."),
        RESULT: N_("What you did has been sent to the person who shared the record."),
        CHALLENGE: N_("Your question or challenge has been sent. The person who shared the record will answer it.")}


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
    acknowledged: str | None  # "Acknowledged by … on ….", once someone has
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


def own(text: str) -> str:
    """The partnership's own words in the reader's language (an empty one stays empty)."""
    return ours(text) if text else text


def when(moment: datetime, zone: ZoneInfo) -> str:
    if voice().language != ENGLISH:
        return welsh_moment(moment)
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def clock_time(moment: datetime, zone: ZoneInfo) -> str:
    """The time of day alone: "4:30pm", or "16:30" in Welsh."""
    local = moment.astimezone(zone)
    if voice().language != ENGLISH:
        return f"{local:%H:%M}"
    return f"{local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def on_day(value: date) -> str:
    return welsh_day(value) if voice().language != ENGLISH else f"{value.day} {value:%B %Y}"


@contextmanager
def offering_switch(offered: bool) -> Iterator[None]:
    token = _switch.set(offered)
    try:
        yield
    finally:
        _switch.reset(token)


def _language_switch() -> str:
    """GOV.UK's language switch: the page's language, then a link to the same page in the other."""
    if not _switch.get():
        return ""
    now = WELSH if voice().language != ENGLISH else ENGLISH
    other = ENGLISH if now == WELSH else WELSH
    label, said = escape(_("Language")), _tag("span", _("Language:"), ' class="visually-hidden"')
    return (f'<nav class="language-switch" aria-label="{label}"><ul><li>{said} '
            f'<span aria-current="true">{LANGUAGE_NAMES[now]}</span></li>'
            f'<li><a href="?lang={other}" hreflang="{other}" lang="{other}">{LANGUAGE_NAMES[other]}</a></li>'
            '</ul></nav>')


def page(title: str, body: str, *, partnership: str, assets: str = "../link-assets",
         footer: str | None = None) -> bytes:
    return PAGE.substitute(lang=WELSH if voice().language != ENGLISH else ENGLISH, title=escape(title), body=body,
                           partnership=escape(partnership), assets=assets, switch=_language_switch(),
                           skip=escape(_("Skip to main content")),
                           footer=escape(_(PERSONAL) if footer is None else footer)).encode("utf-8")


def _tag(name: str, text: str, attributes: str = "") -> str:
    """One element holding text, escaped."""
    return f"<{name}{attributes}>{escape(text)}</{name}>"


def _paragraph(text: str) -> str:
    return _tag("p", text)


def _emergency() -> str:
    return _paragraph(_("If a child is in immediate danger, call 999."))


def _form_open(act: str, csrf: str, button: str) -> str:
    return (f'<form method="post" novalidate><input type="hidden" name="act" value="{act}">'
            f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
            f'<button type="submit" class="button">{escape(button)}</button></form>')


def unusable(partnership: str) -> bytes:
    """One page for every link that does not work, whatever the reason: nothing of any record."""
    return page(_("This link does not work – Joined Up"), (
        _tag("h1", _("This link does not work"))
        + _paragraph(_("The link may have expired, been replaced by a newer email, or been stopped, or it may have "
                       "been copied wrongly."))
        + _paragraph(_("If you still need the record, ask the person who shared it, or your partnership’s Joined Up "
                       "administrator, to send it to you again."))
        + _emergency()), partnership=partnership, footer="Joined Up")


def first(partnership: str, *, agency: str, csrf: str) -> bytes:
    """What an unbound link shows on GET: nothing of the record, and one button whose POST binds the link to this
    browser. Mail systems that open links to check them see only this, so they use nothing up."""
    return page(_("Open the record – Joined Up"), (
        _tag("h1", _("A record has been shared with {agency}", agency=agency))
        + _paragraph(_("Open the record on the device you will use to read and act on it. The link will then work "
                       "only on this device."))
        + _form_open(OPEN, csrf, _("Open the record")) + _emergency()),
        partnership=partnership, footer=_("This link is personal to you: do not forward it."))


def elsewhere(partnership: str, *, inbox: str, csrf: str, next_at: str | None) -> bytes:
    """For a browser the link was not first opened on: nothing of the record, and a way to a new link that goes
    only to the link's own inbox."""
    if next_at:
        offer = _paragraph(_("A new link was emailed to {inbox} a few minutes ago. Open it from that email. You can "
                             "ask for another after {time}.", inbox=inbox, time=next_at))
    else:
        offer = (_paragraph(_("If you are the person it was sent to, we can email a new link to the same inbox. The "
                              "link you have will then stop working, on every device."))
                 + _form_open(NEW_LINK, csrf, _("Email a new link to {inbox}", inbox=inbox)))
    return page(_("This link has been opened on another device – Joined Up"), (
        _tag("h1", _("This link has already been opened on another device"))
        + _paragraph(_("To keep the record safe, a link works only on the first device that opens the record. If that "
                       "was you, open the link on that device.")) + offer + _emergency()),
        partnership=partnership, footer="Joined Up")


def renewed(partnership: str, *, inbox: str) -> bytes:
    return page(_("A new link has been emailed – Joined Up"), (
        _tag("h1", _("A new link has been emailed"))
        + _paragraph(_("We have emailed a new link to {inbox}. Open it from that email: it will work on the first "
                       "device that opens the record.", inbox=inbox))
        + _paragraph(_("The link you used to reach this page no longer works."))),
        partnership=partnership, footer="Joined Up")


def refused(partnership: str, *, status_title: str, heading: str, text: str) -> bytes:
    return page(f"{status_title} – Joined Up", f"<h1>{escape(heading)}</h1><p>{escape(text)}</p>",
                partnership=partnership, footer="Joined Up")


def record_page(view: RecordView, ctx: Context, *, errors: Errors | None = None,
                values: Mapping[str, str] | None = None, done: str = "") -> bytes:
    errors, values = errors or Errors(), values or {}
    parts = [_error_summary(errors)] if errors.fields else []
    if done in DONE:
        parts.append(_success(_(DONE[done])))
    caption = _("{reference} · case {case_reference}", reference=view.reference, case_reference=view.case_reference)
    parts += [f'<h1><span class="caption">{escape(caption)}</span>'
              + escape(_("Record shared with {agency}", agency=view.agency_name)) + '</h1>',
              f'<div class="warning-text">{escape(own(ctx.emergency))}</div>',
              _details(view, ctx),
              _acknowledge(view, ctx, errors, values),
              _result(view, ctx, errors, values),
              _challenge(ctx, errors, values),
              _tag("p", _("This link works until {moment}.", moment=when(ctx.expires_at, ctx.zone)), ' class="hint"')]
    title = _("{reference} shared with {agency}", reference=view.reference, agency=view.agency_name)
    if errors.fields:
        title = _("Error: {title}", title=title)
    return page(f"{title} – Joined Up", "\n".join(parts), partnership=ctx.partnership, assets=ctx.assets)


def _row(key: str, value: str) -> str:
    return (f'<div class="summary-list__row"><dt class="summary-list__key">{escape(key)}</dt>'
            f'<dd class="summary-list__value">{escape(value) or "—"}</dd></div>')


def _details(view: RecordView, ctx: Context) -> str:
    why = "\n".join([*(f"• {own(p)}" for p in view.purposes), *([view.purpose_detail] if view.purpose_detail else [])])
    definition = own(view.risk_definition) if view.risk_definition else _("no agreed definition yet")
    rows = [(_("Reference"), view.reference), (_("Case reference"), view.case_reference),
            (_("Shared by"), view.sharer_agency_name),
            (_("When the conversation took place"), when(view.occurred_at, ctx.zone)),
            (_("Who was there"), ", ".join(view.who)), (_("Why this is shared with you"), why),
            (_("What you are asked to do"), view.requested_action or _("For information only")),
            (_("Lawful basis"), own(view.lawful_basis)),
            (_("Source"), _("Seen or heard first-hand") if view.first_hand else _("Reported by someone else")),
            (_("Summary"), view.summary)]
    rows += [(_("Actions agreed"), view.actions)] if view.actions else []
    rows += [(_("Risk level"), f"{own(view.risk_label)}: {definition}"),
             (_("Follow-up due"), on_day(view.follow_up_on))]
    rows += [(_("Changed since it was shared"), "\n".join(view.revisions))] if view.revisions else []
    rows += [(_("What you have told the sharer"), "\n\n".join(view.results))] if view.results else []
    return '<dl class="summary-list">' + "".join(_row(k, v) for k, v in rows) + "</dl>"


def _hidden(ctx: Context, act: str) -> str:
    return (f'<input type="hidden" name="act" value="{act}">'
            f'<input type="hidden" name="csrf" value="{escape(ctx.csrf)}">'
            f'<input type="hidden" name="submission" value="{escape(ctx.submission)}">')


def _error(id_: str, error: str) -> str:
    said = _tag("span", _("Error:"), ' class="visually-hidden"')
    return f'<p class="error-message" id="{id_}-error">{said} {escape(error)}</p>'


def _textarea(errors: Errors, values: Mapping[str, str], id_: str, label: str, hint: str = "", rows: int = 5) -> str:
    error = errors.fields.get(id_)
    described = " ".join(x for x in (f"{id_}-hint" if hint else "", f"{id_}-error" if error else "") if x)
    return (f'<div class="form-group{" form-group--error" if error else ""}">'
            f'<label class="label" for="{id_}">{escape(label)}</label>'
            + (f'<div class="hint" id="{id_}-hint">{escape(hint)}</div>' if hint else "")
            + (_error(id_, error) if error else "")
            + f'<textarea id="{id_}" name="{id_}" rows="{rows}"'
            + (' class="textarea--error"' if error else "")
            + (f' aria-describedby="{described}"' if described else "")
            + f'>{escape(values.get(id_, ""))}</textarea></div>')


def _radios(errors: Errors, values: Mapping[str, str], id_: str, legend: str, options: Mapping[str, str]) -> str:
    error = errors.fields.get(id_)
    items = "".join(
        f'<div class="radios__item"><input type="radio" id="{id_ if i == 0 else f"{id_}-{i + 1}"}" name="{id_}" '
        f'value="{escape(key)}"{" checked" if values.get(id_) == key else ""}>'
        f'<label for="{id_ if i == 0 else f"{id_}-{i + 1}"}">{escape(_(label))}</label></div>'
        for i, (key, label) in enumerate(options.items()))
    return (f'<div class="form-group{" form-group--error" if error else ""}"><fieldset'
            + (f' aria-describedby="{id_}-error"' if error else "") + f'><legend>{escape(legend)}</legend>'
            + (_error(id_, error) if error else "")
            + f'{items}</fieldset></div>')


def _identifiers_reason(ctx: Context, errors: Errors, values: Mapping[str, str], form: str) -> str:
    id_ = f"{form}-identifiers-reason"
    if not ctx.check_identifiers or (errors.form != form and not values.get(id_)):
        return ""
    return _textarea(errors, values, id_, _("Identifiers: only if they are necessary"),
                     _("Say why an NHS number, address, phone number or date of birth must be in this record, "
                       "or remove it from the text."), rows=3)


def _acknowledge(view: RecordView, ctx: Context, errors: Errors, values: Mapping[str, str]) -> str:
    heading = _tag("h2", _("Acknowledge receipt"), ' id="acknowledge"')
    if view.acknowledged:
        note = _paragraph(_("Your note for the sharer: {note}", note=view.note)) if view.note else ""
        return f'{heading}<p>{escape(view.acknowledged)}</p>{note}'
    return (f'{heading}<form method="post" novalidate>{_hidden(ctx, ACKNOWLEDGE)}'
            + _textarea(errors, values, "ack-note", _("Note for the person who shared it (optional)"),
                        _("For example, who will act on it. The note goes only to the sharer."), rows=3)
            + _tag("button", _("Acknowledge receipt"), _SUBMIT) + "</form>")


def _result(view: RecordView, ctx: Context, errors: Errors, values: Mapping[str, str]) -> str:
    return (_tag("h2", _(TELL_SHARER), ' id="result"')
            + _paragraph(_("Your result goes to the person who shared the record. The outcome for the child is "
                           "theirs to report."))
            + f'<form method="post" novalidate>{_hidden(ctx, RESULT)}'
            + _textarea(errors, values, "result-what-happened", _("What did you do?"))
            + _textarea(errors, values, "result-what-changed", _("What changed for the child (optional)"), rows=3)
            + _radios(errors, values, "result-next-step", _("Is anything more needed?"), NEXT_STEPS)
            + _identifiers_reason(ctx, errors, values, RESULT)
            + _tag("button", _("Send to the sharer"), _SUBMIT) + "</form>")


def _challenge(ctx: Context, errors: Errors, values: Mapping[str, str]) -> str:
    id_, error = "challenge-risk", errors.fields.get("challenge-risk")
    options = _tag("option", _("Choose a risk level"), ' value=""') + "".join(
        f'<option value="{escape(key)}"{" selected" if values.get(id_) == key else ""}>{escape(own(label))}</option>'
        for key, label, _definition in ctx.risk_levels)
    definitions = "".join(f"<li><strong>{escape(own(label))}</strong>: {escape(own(definition))}</li>"
                          for _key, label, definition in ctx.risk_levels if definition)
    label = _("If you disagree with the risk level: the level you propose")
    risk = (f'<div class="form-group{" form-group--error" if error else ""}">'
            f'<label class="label" for="{id_}">{escape(label)}</label>'
            + (_error(id_, error) if error else "")
            + f'<select id="{id_}" name="{id_}"' + (f' class="select--error" aria-describedby="{id_}-error"'
                                                     if error else "")
            + f'>{options}</select></div>' + (f'<ul class="hint">{definitions}</ul>' if definitions else ""))
    return (_tag("h2", _("Ask a question or challenge"), ' id="challenge"')
            + _paragraph(_("Anyone who receives a record can question it. The person who shared it must answer."))
            + f'<form method="post" novalidate>{_hidden(ctx, CHALLENGE)}'
            + _radios(errors, values, "challenge-kind", _("What is it?"), KINDS)
            + _textarea(errors, values, "challenge-text", _("Your question or challenge"),
                        _("Say what you think and why, as you would in a meeting."))
            + risk + _identifiers_reason(ctx, errors, values, CHALLENGE)
            + _tag("button", _("Send question or challenge"), _SUBMIT) + "</form>")


def _error_summary(errors: Errors) -> str:
    items = "".join(f'<li><a href="#{id_}">{escape(message)}</a></li>' for id_, message in errors.fields.items())
    return ('<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">'
            + _tag("h2", _("There is a problem"), ' id="error-summary-title"') +
            f'<ul>{items}</ul></div>')


def _success(text: str) -> str:
    return ('<div class="notification-banner" role="alert" aria-labelledby="notification-banner-title">'
            + _tag("h2", _("Success"), ' class="notification-banner__title" id="notification-banner-title"') +
            f'<div class="notification-banner__content"><p class="notification-banner__heading">{escape(text)}</p>'
            '</div></div>')
