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
from bot.services.overview import OpenChallenge, OutcomeDue, Overview, RecordHistory, ResultDue, Shared, Waiting
from bot.blocks.ids import Action

MESSAGE_BLOCKS = 50
HOME_BLOCKS = 100
EMPTY = "Nothing here. After a conversation about a child, use `/record` to record it and share it."


def _waiting_block(item: Waiting) -> dict[str, Any]:
    block = section(f"*{item.reference}* · case {escape(item.case_reference)} · _{escape(item.risk_label)}_\n"
                    f"For *{escape(item.agency_name)}* from {mention(item.sharer_id)} ({escape(item.sharer_agency)}), "
                    f"{slack_date(item.shared_at, '{date_short_pretty} {time}')}")
    block["accessory"] = button("Acknowledge", Action.ACKNOWLEDGE, str(item.share_id), style="primary")
    return block


def _shared_blocks(item: Shared) -> list[dict[str, Any]]:
    lines = [f"*{item.reference}* · case {escape(item.case_reference)} · "
             f"{slack_date(item.created_at, '{date_short_pretty}')}"]
    lines += [delivery_line(d) for d in item.deliveries] if item.is_shared else ["Recorded only, not shared"]
    return line_sections("", lines)


def _more(kind: str, shown_to: int, total: int, overview: Overview) -> list[dict[str, Any]]:
    if shown_to >= total:
        return []
    waiting = shown_to if kind == "waiting" else overview.waiting_offset
    shared = shown_to if kind == "shared" else overview.shared_offset
    return [{"type": "actions", "elements": [
        button(f"Show older ({total - shown_to} more)", Action.HOME_MORE, f"{waiting}:{shared}")]}]


def _outcome_due_block(item: OutcomeDue) -> dict[str, Any]:
    block = section(f"*{item.reference}* · case {escape(item.case_reference)} · follow-up was due {day(item.follow_up_on)}")
    block["accessory"] = button(REPORT_OUTCOME, Action.REPORT_OUTCOME, f"{item.record_id}:", style="primary")
    return block


def _result_due_block(item: ResultDue) -> dict[str, Any]:
    block = section(f"*{item.reference}* · case {escape(item.case_reference)} · acknowledged for "
                    f"*{escape(item.agency_name)}* {slack_date(item.acknowledged_at, '{date_short_pretty}')}")
    block["accessory"] = button(TELL_SHARER, Action.REPORT_OUTCOME, f"{item.record_id}:{item.agency_key}")
    return block


def _challenge_block(item: OpenChallenge, *, answer: bool) -> dict[str, Any]:
    block = section(f"*{item.reference}* · from {mention(item.raised_by)} ({escape(item.agency_name)}) · "
                    f"{STATES.get(item.state, item.state)} · {slack_date(item.raised_at, '{date_short_pretty}')}")
    if answer:
        block["accessory"] = button("Respond", Action.RESPOND_CHALLENGE, str(item.challenge_id), style="primary")
    return block


def overview_blocks(overview: Overview) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if overview.to_answer:
        blocks.append(section(f"*Questions waiting for an answer* ({len(overview.to_answer)}): about records you "
                              "shared or your agency received; you may answer any of them"))
        blocks += [_challenge_block(item, answer=True) for item in overview.to_answer]
        blocks.append(divider())
    if overview.raised:
        blocks.append(section(f"*Your questions and challenges* ({len(overview.raised)})"))
        blocks += [_challenge_block(item, answer=False) for item in overview.raised]
        blocks.append(divider())
    if overview.outcomes_due:
        blocks.append(section(f"*Outcomes due* ({len(overview.outcomes_due)}): the outcome for the child, for every "
                              "agency you shared with"))
        blocks += [_outcome_due_block(item) for item in overview.outcomes_due]
        blocks.append(divider())
    if overview.results_due:
        blocks.append(section(f"*Tell the sharer what your agency did* ({len(overview.results_due)}): records "
                              "that asked your agency to act"))
        blocks += [_result_due_block(item) for item in overview.results_due]
        blocks.append(divider())
    if overview.belongs_to_an_agency:
        blocks.append(section(f"*Waiting for your agency* ({overview.waiting_total})"))
        blocks += [_waiting_block(w) for w in overview.waiting] or [context("Everything shared with your agency "
                                                                             "has been acknowledged.")]
        blocks += _more("waiting", overview.waiting_offset + len(overview.waiting), overview.waiting_total, overview)
        blocks.append(divider())
    blocks.append(section(f"*Shared by you* ({overview.shared_total})"))
    blocks += [block for s in overview.shared for block in _shared_blocks(s)] or [context(EMPTY)]
    blocks += _more("shared", overview.shared_offset + len(overview.shared), overview.shared_total, overview)
    return blocks


def home_view(overview: Overview, below: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Their own work, then any part below it (an admin's partnership figures), cut to App Home's 100 blocks."""
    top = [header("Joined Up"),
           {"type": "actions", "elements": [button("Record a conversation", Action.OPEN_RECORD_FORM, "home",
                                                   style="primary")]}]
    own = top + overview_blocks(overview)
    return {"type": "home", "blocks": own + (below or [])[:max(0, HOME_BLOCKS - len(own))]}


def mine_message(overview: Overview) -> tuple[str, list[dict[str, Any]]]:
    text = f"{overview.waiting_total} waiting for your agency, {overview.shared_total} shared by you"
    blocks = overview_blocks(overview)
    if len(blocks) > MESSAGE_BLOCKS:
        blocks = blocks[: MESSAGE_BLOCKS - 1] + [context("There is more in Joined Up's App Home.")]
    return text, blocks


def parse_more(value: str) -> tuple[int, int]:
    """The offsets a 'Show older' button carries; anything odd starts again at the newest."""
    waiting, _, shared = value.partition(":")
    if waiting.isascii() and waiting.isdigit() and shared.isascii() and shared.isdigit():
        return min(int(waiting), 10_000), min(int(shared), 10_000)
    return 0, 0


def history_blocks(history: RecordHistory, partnership: Partnership, terms: list[Term]) -> list[dict[str, Any]]:
    record = history.record
    events = [(record.created_at, f"recorded by {mention(record.sharer_id)}")]
    events += [(post.sent_at, f"posted to *{escape(agency_name(partnership, post.agency_key or ''))}*")
               for post in history.posts if post.kind == "agency_post" and post.sent_at]
    events += [(d.acknowledged_at, f"acknowledged for *{escape(d.agency_name)}* by {mention(d.acknowledged_by)}")
               for d in history.deliveries if d.acknowledged_at and d.acknowledged_by]
    events += [(d.acknowledged_at, f"note from *{escape(d.agency_name)}* for the sharer: {escape(d.note[:300])}")
               for d in history.deliveries if d.acknowledged_at and d.note]
    events += [(o.reported_at, f"outcome reported by {mention(o.reported_by)}: the outcome for the child")
               for o in sharer_outcomes(record)]
    events += [(o.reported_at, f"*{escape(agency_name(partnership, o.agency_key or ''))}* told the sharer what they "
                               f"did ({mention(o.reported_by)})") for o in agency_results(record)]
    for challenge in history.challenges:
        events.append((challenge.raised_at, f"{mention(challenge.raised_by)} asked: "
                                            f"_{KINDS.get(challenge.kind, challenge.kind)}_: {escape(challenge.text[:300])}"))
        events += [(r.responded_at, f"{mention(r.responded_by)} answered: {escape(r.text[:300])}")
                   for r in challenge.responses]
        if challenge.closed_at:
            events.append((challenge.closed_at, f"challenge {challenge.state} by {mention(challenge.raised_by)}"))
    for revision, line in zip(record.revisions, revision_lines(record.revisions)):
        earlier = revision.previous.get("summary")
        events.append((revision.revised_at, line + (f"\n   _Earlier summary:_ {escape(earlier[:500])}" if earlier else "")))
    lines = [f"• {slack_date(at, '{date_short_pretty} {time}')}: {what}" for at, what in sorted(events, key=lambda e: e[0])[:40]]
    status = [delivery_line(d) for d in history.deliveries] or ["Recorded only, not shared"]
    if record.is_shared:
        status.append(":bookmark_tabs: The outcome for the child: reported" if sharer_outcomes(record) else
                      f":hourglass_flowing_sand: The outcome for the child: the sharer's to report, from "
                      f"{day(record.follow_up_on)}")
    blocks = [record_heading(record), *record_details(record, partnership, terms), divider(),
              *line_sections("Where it stands", status), *line_sections("History", lines)][:MESSAGE_BLOCKS]
    # What came of it (the outcome for the child, then the agencies' latest results), each whole, in the room left.
    for outcome in [*sharer_outcomes(record)[-1:], *reversed(agency_results(record)[-3:])]:
        shown = [divider(), *outcome_blocks(outcome, agency_name(partnership, outcome.agency_key)
                                            if outcome.agency_key else None)]
        if len(blocks) + len(shown) > MESSAGE_BLOCKS:
            break
        blocks += shown
    return blocks
