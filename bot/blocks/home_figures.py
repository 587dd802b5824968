"""App Home's "Partnership" part, for admins: this week's key figures and what is overdue now. Pure builders.

Every number is a figure of the registry (bot/reports/figures.py) for the partnership, or one worked out from
two of them: the outcome rate is records_with_outcome ÷ records_shared, and challenges still open are those
raised this week less those resolved or escalated. The part is a handful of blocks whatever the partnership's
size (agencies are lines in a section), so it fits beside a full App Home.
"""
from __future__ import annotations

from typing import Any

from bot.blocks.text import context, divider, escape, header, line_sections, slack_date
from bot.domain.config import Partnership
from bot.reports.service import TOTAL, Report

TITLE = "Partnership"
MOST_NAMED = 8  # agencies named in an overdue line
MOST_BLOCKS = 12  # the part's own ceiling; App Home's 100 is checked where the parts are put together
OVERDUE = (("overdue_acknowledgements_now", "Acknowledgements overdue", "by the receiving agency"),
           ("overdue_outcomes_now", "Outcomes overdue", "by the sharer's agency"),
           ("overdue_challenges_now", "Challenges overdue", "by the challenging agency"))
POINTER = ("Other periods, each agency beside the partnership, and what each figure means: "
           "`/joinedup report last 30 days` or `/joinedup report 2026-11-01..2026-11-30`.")
UNCOUNTED = ("This week's partnership figures could not be counted just now; everything above is up to date. "
             "Try `/joinedup report this week` in a minute.")


def _count(value: float | None) -> str:
    return f"{value or 0:,.0f}"


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}".removesuffix(".0")


def _agency_name(partnership: Partnership, key: str) -> str:
    agency = partnership.agency(key)
    return escape(agency.name if agency else key)


def slowest_to_acknowledge(report: Report, partnership: Partnership) -> tuple[str, float] | None:
    """The agency with the longest median time to acknowledge this period (the first configured, on a tie)."""
    timed = [(value, agency.key) for agency in partnership.agencies
             if (value := report.get("working_hours_to_acknowledge_median", agency.key)) is not None]
    if not timed:
        return None
    value, key = max(timed, key=lambda t: t[0])  # max keeps the first of equals
    return key, value


def outcome_rate(report: Report, agency: str | None = TOTAL) -> float | None:
    """Records shared in the period with an outcome for the child, as a share of those shared; None if none were."""
    shared = report.get("records_shared", agency) or 0
    return None if not shared else (report.get("records_with_outcome", agency) or 0) / shared


def this_week_lines(report: Report, partnership: Partnership) -> list[str]:
    get = report.get
    received, acknowledged = get("posts_received"), get("posts_acknowledged")
    rate = outcome_rate(report)
    slowest = slowest_to_acknowledge(report, partnership)
    open_challenges = max(0, (get("challenges_raised") or 0) - (get("challenges_resolved") or 0)
                          - (get("challenges_escalated") or 0))
    return [
        f"• Records shared: *{_count(get('records_shared'))}*",
        f"• Posts acknowledged: *{_count(acknowledged)}* of {_count(received)}; within the "
        f"{report.target_hours:g}-working-hour target: *{_count(get('posts_acknowledged_within_target'))}*",
        f"• Time to acknowledge: median *{_hours(get('working_hours_to_acknowledge_median'))}* working hours, "
        f"90th percentile *{_hours(get('working_hours_to_acknowledge_p90'))}*",
        "• Slowest to acknowledge: " + (f"*{_agency_name(partnership, slowest[0])}* (median {_hours(slowest[1])} "
                                        "working hours)" if slowest else "nothing acknowledged yet"),
        "• Outcome rate: " + ("no records shared yet" if rate is None else
                              f"*{rate:.0%}* of records shared have an outcome for the child "
                              f"({_count(get('records_with_outcome'))} of {_count(get('records_shared'))})"),
        f"• Challenges: *{_count(get('challenges_raised'))}* raised, *{_count(open_challenges)}* still open "
        "(not resolved or escalated)",
    ]


def overdue_lines(report: Report, partnership: Partnership) -> list[str]:
    """Each overdue figure for the partnership, then each agency with any, the most overdue first."""
    lines = []
    for name, label, whose in OVERDUE:
        counts = [(report.get(name, agency.key) or 0, i, agency.key) for i, agency in enumerate(partnership.agencies)]
        named = [f"{_agency_name(partnership, key)} {_count(n)}" for n, _, key in
                 sorted(counts, key=lambda c: (-c[0], c[1])) if n]
        if len(named) > MOST_NAMED:  # the most overdue; the rest are in `/joinedup report`
            named = [*named[:MOST_NAMED], f"and {len(named) - MOST_NAMED} more agencies"]
        by = f" ({whose}: {', '.join(named)})" if named else ""
        lines.append(f"• {label}: *{_count(report.get(name))}*{by}")
    return lines


def partnership_blocks(figures: Report | None, partnership: Partnership) -> list[dict[str, Any]]:
    """The part below an admin's own work; a short note instead when the figures could not be counted."""
    if figures is None:
        return [divider(), header(TITLE), context(UNCOUNTED)]
    week = escape(figures.period.label)
    blocks = [divider(), header(TITLE),
              *line_sections(f"This week, {week}", this_week_lines(figures, partnership)),
              *line_sections(f"Overdue now, across the partnership (as at "
                             f"{slack_date(figures.now, '{date_short_pretty} {time}')})",
                             overdue_lines(figures, partnership)),
              context(POINTER)]
    if len(blocks) > MOST_BLOCKS:
        blocks = [*blocks[:MOST_BLOCKS - 1], context(POINTER)]
    return blocks
