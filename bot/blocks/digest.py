"""The weekly digest as Block Kit: the week's figures for the partnership and each agency, each beside the
average of the four weeks before, and the agency slowest to acknowledge.

Pure: it is given the figures (bot/reports/digest.py works them out) and returns (text, blocks) within Slack's
limits, 50 blocks a message and 3,000 characters a section. A trend is said in words and an arrow, never by
colour alone. A partnership with many agencies shows the first MOST_AGENCIES and says how many more there are.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.blocks.text import context, divider, escape, header, line_sections, section, slack_date

MOST_BLOCKS = 50
MOST_AGENCIES = 25  # one line each: a partnership with more is folded to a count and a pointer to the full report
WEEKS_BEFORE = 4  # the trend is against the average of this many weeks before


@dataclass(frozen=True)
class Row:
    """One week's figures for the partnership or one agency. None: nothing to measure (no time, no rate)."""
    name: str
    shared: float = 0  # records shared (by the agency's sharers)
    acknowledged: float = 0  # posts acknowledged (by the receiving agency)
    within_target: float = 0  # of those, acknowledged within the target
    median_hours: float | None = None  # working hours to acknowledge
    p90_hours: float | None = None
    outcome_rate: float | None = None  # records with an outcome for the child, of records shared, 0..1
    overdue_now: float = 0  # acknowledgements overdue at the digest's moment
    challenges: float = 0  # challenges raised


@dataclass(frozen=True)
class DigestFigures:
    partnership: str
    first: date  # the Monday of the week covered
    last: date  # its Sunday
    moment: datetime  # when the digest is due: the "now" of the overdue figures
    target_hours: float
    total: Row
    total_before: Row  # the average of the WEEKS_BEFORE weeks before
    agencies: tuple[tuple[Row, Row], ...]  # (this week, the average before), in the configured order


def average(rows: list[Row], name: str) -> Row:
    """The weeks' average: counts over every week, times and rates over the weeks that had one."""
    def mean(values: list[float | None], *, every_week: bool) -> float | None:
        known = [v for v in values if v is not None]
        if every_week:
            return sum(known) / len(rows) if rows else None
        return sum(known) / len(known) if known else None

    counts = ("shared", "acknowledged", "within_target", "overdue_now", "challenges")
    measures = ("median_hours", "p90_hours", "outcome_rate")
    return Row(name, **{f: mean([getattr(r, f) for r in rows], every_week=True) or 0 for f in counts},
               **{f: mean([getattr(r, f) for r in rows], every_week=False) for f in measures})


def _count(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} h"


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def trend(now: float | None, before: float | None, shown: Any, *, close: float) -> str:
    """This week against the average before, in words: "up from 3.5", "down from 40%", "about the same"."""
    if now is None or before is None:
        return "no earlier average" if now is not None else ""
    if abs(now - before) < close:
        return f"about the same as the {WEEKS_BEFORE}-week average ({shown(before)})"
    direction = "↑ up" if now > before else "↓ down"
    return f"{direction} from a {WEEKS_BEFORE}-week average of {shown(before)}"


def _with_trend(label: str, value: str, words: str) -> str:
    return f"• {label}: *{value}*" + (f" ({words})" if words else "")


def total_lines(week: Row, before: Row, target_hours: float) -> list[str]:
    return [
        _with_trend("Records shared", _count(week.shared), trend(week.shared, before.shared, _count, close=0.5)),
        _with_trend("Posts acknowledged", _count(week.acknowledged),
                    trend(week.acknowledged, before.acknowledged, _count, close=0.5)),
        _with_trend(f"Acknowledged within the {target_hours:g}-working-hour target", _count(week.within_target),
                    trend(week.within_target, before.within_target, _count, close=0.5)),
        _with_trend("Time to acknowledge, median", _hours(week.median_hours),
                    trend(week.median_hours, before.median_hours, _hours, close=0.05)),
        _with_trend("Time to acknowledge, 90th percentile", _hours(week.p90_hours),
                    trend(week.p90_hours, before.p90_hours, _hours, close=0.05)),
        _with_trend("Outcome rate (records with an outcome for the child)", _rate(week.outcome_rate),
                    trend(week.outcome_rate, before.outcome_rate, _rate, close=0.005)),
        _with_trend("Acknowledgements overdue now", _count(week.overdue_now), ""),
        _with_trend("Challenges raised", _count(week.challenges),
                    trend(week.challenges, before.challenges, _count, close=0.5)),
    ]


def agency_line(week: Row, before: Row) -> str:
    """One agency in one line: the week's figures, and its time to acknowledge against its own average."""
    speed = trend(week.median_hours, before.median_hours, _hours, close=0.05)
    return (f"• *{escape(week.name)}*: {_count(week.shared)} shared · {_count(week.acknowledged)} acknowledged "
            f"({_count(week.within_target)} within target) · median {_hours(week.median_hours)}, "
            f"90th percentile {_hours(week.p90_hours)}" + (f" ({speed})" if speed else "")
            + f" · outcomes {_rate(week.outcome_rate)} · {_count(week.overdue_now)} overdue now · "
            f"{_count(week.challenges)} challenge{'' if week.challenges == 1 else 's'}")


def slowest(figures: DigestFigures) -> str:
    timed = [(week.median_hours, week.name) for week, _ in figures.agencies if week.median_hours is not None]
    if not timed:
        return "*Slowest to acknowledge:* no agency acknowledged a post shared this week."
    hours = max(hours for hours, _ in timed)
    names = [escape(name) for h, name in timed if h == hours]
    return (f"*Slowest to acknowledge:* {' and '.join(names)}, a median of {_hours(hours)} "
            f"(the target is {figures.target_hours:g} working hours).")


def digest_text(figures: DigestFigures) -> str:
    """The notification line: which week, and nothing else."""
    return f"Weekly digest of partnership figures: the week beginning {figures.first:%-d %b %Y}"


def digest_blocks(figures: DigestFigures) -> tuple[str, list[dict[str, Any]]]:
    period = f"{figures.first:%-d %b} to {figures.last:%-d %b %Y}"
    blocks: list[dict[str, Any]] = [header(f"Weekly digest: {period}")]
    blocks += line_sections(f"{escape(figures.partnership)}: the whole partnership",
                            total_lines(figures.total, figures.total_before, figures.target_hours))
    blocks.append(section(slowest(figures)))
    shown, folded = figures.agencies[:MOST_AGENCIES], len(figures.agencies) - MOST_AGENCIES
    if shown:
        blocks.append(divider())
        blocks += line_sections("By agency", [agency_line(week, before) for week, before in shown])
    if folded > 0:
        blocks.append(context(f"…and {folded} more agencies: `/joinedup report {figures.first:%Y-%m-%d}.."
                              f"{figures.last:%Y-%m-%d}` shows every agency."))
    note = context(f"Trends compare the week with the average of the {WEEKS_BEFORE} weeks before it, as their figures "
                   f"stand now. Times are working hours from sharing. “Overdue now” is as at "
                   f"{slack_date(figures.moment)}. Each figure's definition: docs/admin-guide.md, “Partnership figures”.")
    blocks = blocks[:MOST_BLOCKS - 1] + [note]
    return digest_text(figures), blocks
