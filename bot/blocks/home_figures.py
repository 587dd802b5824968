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
from bot.i18n import N_, _
from bot.reports.service import TOTAL, Report

TITLE = N_("Partnership")
MOST_NAMED = 8  # agencies named in an overdue line
MOST_BLOCKS = 12  # the part's own ceiling; App Home's 100 is checked where the parts are put together
# Each overdue figure: its line, and its line with the agencies that have some (in {agencies}).
OVERDUE = (("overdue_acknowledgements_now", N_("• Acknowledgements overdue: *{count}*"),
            N_("• Acknowledgements overdue: *{count}* (by the receiving agency: {agencies})")),
           ("overdue_outcomes_now", N_("• Outcomes overdue: *{count}*"),
            N_("• Outcomes overdue: *{count}* (by the sharer's agency: {agencies})")),
           ("overdue_challenges_now", N_("• Challenges overdue: *{count}*"),
            N_("• Challenges overdue: *{count}* (by the challenging agency: {agencies})")))
POINTER = N_("Other periods, each agency beside the partnership, and what each figure means: "
             "`/joinedup report last 30 days` or `/joinedup report 2026-11-01..2026-11-30`.")
COUNTED = N_("Counted at {when}, and again every minute.")
COUNTED_NOW = N_("Counted at {when}.")
UNCOUNTED = N_("This week's partnership figures could not be counted just now; everything above is up to date. "
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
        _("• Records shared: *{count}*", count=_count(get('records_shared'))),
        _("• Posts acknowledged: *{acknowledged}* of {received}; within the {target}-working-hour target: "
          "*{within}*", acknowledged=_count(acknowledged), received=_count(received),
          target=format(report.target_hours, "g"), within=_count(get('posts_acknowledged_within_target'))),
        _("• Time to acknowledge: median *{median}* working hours, 90th percentile *{p90}*",
          median=_hours(get('working_hours_to_acknowledge_median')),
          p90=_hours(get('working_hours_to_acknowledge_p90'))),
        _("• Slowest to acknowledge: *{agency}* (median {hours} working hours)",
          agency=_agency_name(partnership, slowest[0]), hours=_hours(slowest[1])) if slowest else
        _("• Slowest to acknowledge: nothing acknowledged yet"),
        _("• Outcome rate: no records shared yet") if rate is None else
        _("• Outcome rate: *{rate}* of records shared have an outcome for the child ({with_outcome} of {shared})",
          rate=format(rate, ".0%"), with_outcome=_count(get('records_with_outcome')),
          shared=_count(get('records_shared'))),
        _("• Challenges: *{raised}* raised, *{still_open}* still open (not resolved or escalated)",
          raised=_count(get("challenges_raised")), still_open=_count(open_challenges)),
    ]


def overdue_lines(report: Report, partnership: Partnership) -> list[str]:
    """Each overdue figure for the partnership, then each agency with any, the most overdue first."""
    lines = []
    for name, alone, by_agency in OVERDUE:
        counts = [(report.get(name, agency.key) or 0, i, agency.key) for i, agency in enumerate(partnership.agencies)]
        named = [f"{_agency_name(partnership, key)} {_count(n)}" for n, _, key in
                 sorted(counts, key=lambda c: (-c[0], c[1])) if n]
        if len(named) > MOST_NAMED:  # the most overdue; the rest are in `/joinedup report`
            named = [*named[:MOST_NAMED], _("and {more} more agencies", more=len(named) - MOST_NAMED)]
        count = _count(report.get(name))
        lines.append(_(by_agency, count=count, agencies=", ".join(named)) if named else _(alone, count=count))
    return lines


def partnership_blocks(figures: Report | None, partnership: Partnership, *,
                       kept: bool = True) -> list[dict[str, Any]]:
    """The part below an admin's own work, ending with when its figures were counted (the report's moment) and, if
    `kept`, that the scheduled job counts them each minute; a short note instead when they could not be counted."""
    if figures is None:
        return [divider(), header(_(TITLE)), context(_(UNCOUNTED))]
    week = escape(figures.period.label)
    last = context(_(COUNTED if kept else COUNTED_NOW, when=slack_date(figures.now, "{time}")), _(POINTER))
    blocks = [divider(), header(_(TITLE)),
              *line_sections(_("This week, {week}", week=week), this_week_lines(figures, partnership)),
              *line_sections(_("Overdue now, across the partnership (as at {when})",
                               when=slack_date(figures.now, '{date_short_pretty} {time}')),
                             overdue_lines(figures, partnership)),
              last]
    if len(blocks) > MOST_BLOCKS:
        blocks = [*blocks[:MOST_BLOCKS - 1], last]
    return blocks
