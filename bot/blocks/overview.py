"""App Home, `/joinedup mine` and `/joinedup show`: each person's own work. Pure builders."""
from __future__ import annotations

from typing import Any

from bot.blocks.challenge import KINDS, STATES, revision_lines
from bot.blocks.outcome import REPORT_OUTCOME, TELL_SHARER, agency_results, outcome_blocks, sharer_outcomes
from bot.blocks.record_post import agency_name, delivery_line, record_details, record_heading
from bot.blocks.text import button, context, day, divider, escape, header, line_sections, mention, section, \
    slack_date
from bot.domain.config import Partnership
from bot.domain.glossary import Term
from bot.services.overview import COUNT_UP_TO, OpenChallenge, OutcomeDue, Overview, RecordHistory, ResultDue, Shared, \
    Waiting
from bot.blocks.ids import Action, LanguageAction
from bot.i18n import ENGLISH, WELSH, N_, _, ngettext, ours, speaking

MESSAGE_BLOCKS = 50
HOME_BLOCKS = 100
FURTHEST = 10_000  # the furthest offset a 'Show older' button may carry: beyond it, none is shown
EMPTY = N_("Nothing here. After a conversation about a child, use `/record` to record it and share it.")
# Each language by its own name, never translated: whoever cannot read the other finds their own.
LANGUAGE_NAMES = ((WELSH, "Cymraeg", LanguageAction.SPEAK_WELSH), (ENGLISH, "English", LanguageAction.SPEAK_ENGLISH))


def _waiting_block(item: Waiting) -> dict[str, Any]:
    block = section(_("*{reference}* · case {case} · _{risk}_\nFor *{agency}* from {sharer} ({sharer_agency}), {when}",
                      reference=item.reference, case=escape(item.case_reference), risk=escape(ours(item.risk_label)),
                      agency=escape(item.agency_name), sharer=mention(item.sharer_id),
                      sharer_agency=escape(item.sharer_agency),
                      when=slack_date(item.shared_at, '{date_short_pretty} {time}')))
    block["accessory"] = button(_("Acknowledge"), Action.ACKNOWLEDGE, str(item.share_id), style="primary")
    return block


def _shared_blocks(item: Shared) -> list[dict[str, Any]]:
    lines = [_("*{reference}* · case {case} · {when}", reference=item.reference, case=escape(item.case_reference),
               when=slack_date(item.created_at, '{date_short_pretty}'))]
    lines += [delivery_line(d) for d in item.deliveries] if item.is_shared else [_("Recorded only, not shared")]
    return line_sections("", lines)


def _more(kind: str, shown_to: int, total: int, overview: Overview, counted_all: bool) -> list[dict[str, Any]]:
    if shown_to >= total or shown_to > FURTHEST:
        return []
    waiting = shown_to if kind == "waiting" else overview.waiting_offset
    shared = shown_to if kind == "shared" else overview.shared_offset
    label = ngettext("Show older ({n} more)", "Show older ({n} more)", total - shown_to) if counted_all else \
        _("Show older")
    return [{"type": "actions", "elements": [button(label, Action.HOME_MORE, f"{waiting}:{shared}")]}]


def _total(total: int, counted_all: bool) -> str:
    """A list's length as counted: "more than 1,000" where it was counted only so far (bot/services/overview.py)."""
    return str(total) if counted_all else _("more than {count}", count=format(COUNT_UP_TO, ","))


def _outcome_due_block(item: OutcomeDue) -> dict[str, Any]:
    block = section(_("*{reference}* · case {case} · follow-up was due {day}", reference=item.reference,
                      case=escape(item.case_reference), day=day(item.follow_up_on)))
    block["accessory"] = button(_(REPORT_OUTCOME), Action.REPORT_OUTCOME, f"{item.record_id}:", style="primary")
    return block


def _result_due_block(item: ResultDue) -> dict[str, Any]:
    block = section(_("*{reference}* · case {case} · acknowledged for *{agency}* {when}", reference=item.reference,
                      case=escape(item.case_reference), agency=escape(item.agency_name),
                      when=slack_date(item.acknowledged_at, '{date_short_pretty}')))
    block["accessory"] = button(_(TELL_SHARER), Action.REPORT_OUTCOME, f"{item.record_id}:{item.agency_key}")
    return block


def _challenge_block(item: OpenChallenge, *, answer: bool) -> dict[str, Any]:
    block = section(_("*{reference}* · from {person} ({agency}) · {state} · {when}", reference=item.reference,
                      person=mention(item.raised_by), agency=escape(item.agency_name),
                      state=_(STATES.get(item.state, item.state)),
                      when=slack_date(item.raised_at, '{date_short_pretty}')))
    if answer:
        block["accessory"] = button(_("Respond"), Action.RESPOND_CHALLENGE, str(item.challenge_id), style="primary")
    return block


def overview_blocks(overview: Overview) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if overview.to_answer:
        blocks.append(section(_("*Questions waiting for an answer* ({count}): about records you shared or your agency "
                                "received; you may answer any of them", count=len(overview.to_answer))))
        blocks += [_challenge_block(item, answer=True) for item in overview.to_answer]
        blocks.append(divider())
    if overview.raised:
        blocks.append(section(_("*Your questions and challenges* ({count})", count=len(overview.raised))))
        blocks += [_challenge_block(item, answer=False) for item in overview.raised]
        blocks.append(divider())
    if overview.outcomes_due:
        blocks.append(section(_("*Outcomes due* ({count}): the outcome for the child, for every agency you shared with",
                                count=len(overview.outcomes_due))))
        blocks += [_outcome_due_block(item) for item in overview.outcomes_due]
        blocks.append(divider())
    if overview.results_due:
        blocks.append(section(_("*Tell the sharer what your agency did* ({count}): records that asked your agency "
                                "to act", count=len(overview.results_due))))
        blocks += [_result_due_block(item) for item in overview.results_due]
        blocks.append(divider())
    if overview.belongs_to_an_agency:
        blocks.append(section(_("*Waiting for your agency* ({count})",
                                count=_total(overview.waiting_total, overview.waiting_counted_all))))
        blocks += [_waiting_block(w) for w in overview.waiting] or [
            context(_("Everything shared with your agency has been acknowledged."))]
        blocks += _more("waiting", overview.waiting_offset + len(overview.waiting), overview.waiting_total, overview,
                        overview.waiting_counted_all)
        blocks.append(divider())
    blocks.append(section(_("*Shared by you* ({count})",
                            count=_total(overview.shared_total, overview.shared_counted_all))))
    blocks += [block for s in overview.shared for block in _shared_blocks(s)] or [context(_(EMPTY))]
    blocks += _more("shared", overview.shared_offset + len(overview.shared), overview.shared_total, overview,
                    overview.shared_counted_all)
    return blocks


def language_blocks(current: str) -> list[dict[str, Any]]:
    """Where the partnership offers both: Cymraeg or English, the person's own marked. The prompt is in both
    languages whichever is chosen, so someone who cannot read the one chosen still finds the way back."""
    with speaking("cy+en"):
        prompt = _("Your language in Joined Up")
    buttons = [button(f"✓ {name}" if code == current else name, action, code,
                      style="primary" if code == current else None) for code, name, action in LANGUAGE_NAMES]
    return [context(prompt), {"type": "actions", "block_id": "language", "elements": buttons}]


def home_view(overview: Overview, below: list[dict[str, Any]] | None = None, *,
              language: str | None = None) -> dict[str, Any]:
    """Their own work, then any part below it (an admin's partnership figures), cut to App Home's 100 blocks.
    `language`: the person's language where the partnership offers a choice (None: no choice is shown)."""
    top = [header("Joined Up"),
           {"type": "actions", "elements": [button(_("Record a conversation"), Action.OPEN_RECORD_FORM, "home",
                                                   style="primary")]}]
    if language is not None:
        top += language_blocks(language)
    own = top + overview_blocks(overview)
    return {"type": "home", "blocks": own + (below or [])[:max(0, HOME_BLOCKS - len(own))]}


def mine_message(overview: Overview) -> tuple[str, list[dict[str, Any]]]:
    text = _("{waiting} waiting for your agency, {shared} shared by you",
             waiting=_total(overview.waiting_total, overview.waiting_counted_all),
             shared=_total(overview.shared_total, overview.shared_counted_all))
    blocks = overview_blocks(overview)
    if len(blocks) > MESSAGE_BLOCKS:
        blocks = blocks[: MESSAGE_BLOCKS - 1] + [context(_("There is more in Joined Up's App Home."))]
    return text, blocks


def parse_more(value: str) -> tuple[int, int]:
    """The offsets a 'Show older' button carries; anything odd starts again at the newest."""
    waiting, _, shared = value.partition(":")
    if waiting.isascii() and waiting.isdigit() and shared.isascii() and shared.isdigit():
        return min(int(waiting), FURTHEST), min(int(shared), FURTHEST)
    return 0, 0


def history_blocks(history: RecordHistory, partnership: Partnership, terms: list[Term]) -> list[dict[str, Any]]:
    record = history.record
    events = [(record.created_at, _("recorded by {person}", person=mention(record.sharer_id)))]
    events += [(post.sent_at, _("posted to *{agency}*", agency=escape(agency_name(partnership, post.agency_key or ""))))
               for post in history.posts if post.kind == "agency_post" and post.sent_at]
    events += [(d.acknowledged_at, _("acknowledged for *{agency}* by {person}", agency=escape(d.agency_name),
                                     person=mention(d.acknowledged_by)))
               for d in history.deliveries if d.acknowledged_at and d.acknowledged_by]
    events += [(d.acknowledged_at, _("note from *{agency}* for the sharer: {note}", agency=escape(d.agency_name),
                                     note=escape(d.note[:300])))
               for d in history.deliveries if d.acknowledged_at and d.note]
    events += [(o.reported_at, _("outcome reported by {person}: the outcome for the child",
                                 person=mention(o.reported_by))) for o in sharer_outcomes(record)]
    events += [(o.reported_at, _("*{agency}* told the sharer what they did ({person})",
                                 agency=escape(agency_name(partnership, o.agency_key or "")),
                                 person=mention(o.reported_by))) for o in agency_results(record)]
    for challenge in history.challenges:
        events.append((challenge.raised_at, _("{person} asked: _{kind}_: {text}", person=mention(challenge.raised_by),
                                              kind=_(KINDS.get(challenge.kind, challenge.kind)),
                                              text=escape(challenge.text[:300]))))
        events += [(r.responded_at, _("{person} answered: {text}", person=mention(r.responded_by),
                                      text=escape(r.text[:300]))) for r in challenge.responses]
        if challenge.closed_at:
            events.append((challenge.closed_at, _closed(challenge.state, mention(challenge.raised_by))))
    for revision, line in zip(record.revisions, revision_lines(record.revisions)):
        earlier = revision.previous.get("summary")
        events.append((revision.revised_at, line + ("\n   " + _("_Earlier summary:_ {summary}",
                                                                 summary=escape(earlier[:500])) if earlier else "")))
    lines = [f"• {slack_date(at, '{date_short_pretty} {time}')}: {what}" for at, what in sorted(events, key=lambda e: e[0])[:40]]
    status = [delivery_line(d) for d in history.deliveries] or [_("Recorded only, not shared")]
    if record.is_shared:
        status.append(_(":bookmark_tabs: The outcome for the child: reported") if sharer_outcomes(record) else
                      _(":hourglass_flowing_sand: The outcome for the child: the sharer's to report, from {day}",
                        day=day(record.follow_up_on)))
    blocks = [record_heading(record), *record_details(record, partnership, terms), divider(),
              *line_sections(_("Where it stands"), status), *line_sections(_("History"), lines)][:MESSAGE_BLOCKS]
    # What came of it (the outcome for the child, then the agencies' latest results), each whole, in the room left.
    for outcome in [*sharer_outcomes(record)[-1:], *reversed(agency_results(record)[-3:])]:
        shown = [divider(), *outcome_blocks(outcome, agency_name(partnership, outcome.agency_key)
                                            if outcome.agency_key else None)]
        if len(blocks) + len(shown) > MESSAGE_BLOCKS:
            break
        blocks += shown
    return blocks


def _closed(state: str, person: str) -> str:
    if state == "resolved":
        return _("challenge resolved by {person}", person=person)
    if state == "escalated":
        return _("challenge escalated by {person}", person=person)
    return _("challenge closed by {person}", person=person)
