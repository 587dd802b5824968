"""Partnership figures as an ephemeral summary: the partnership's totals, and each agency's figures beside them.

Admins see every agency; an agency's leads see their own agencies. Every line is one figure of the registry
(bot/reports/figures.py), named as the CSV and docs/admin-guide.md name it.
"""
from __future__ import annotations

from typing import Any

from bot.blocks.text import context, escape, header, line_sections
from bot.domain.config import Partnership
from bot.i18n import N_, _, ours
from bot.i18n.dates import moment_text
from bot.reports.figures import COUNT, FIGURES, Figure
from bot.reports.service import TOTAL, Report

MOST_BLOCKS = 50
FEW_AGENCIES = 3
REFUSED = N_("Only the partnership's Joined Up admins and agencies' leads can see partnership figures, and Joined Up "
             "doesn't count you as either. If you lead an agency, ask an admin to name you as one of its leads.")


def bad_period(message: str) -> str:
    return message + "\n" + _("For example: `/joinedup report this week`, `/joinedup report last 30 days` or "
                              "`/joinedup report 2026-11-01..2026-11-30`.")


def shown(figure: Figure, value: float | None) -> str:
    if value is None:
        return "–"
    if figure.measure == COUNT:
        return f"{value:,.0f}"
    return f"{value:,.1f} {_(figure.unit)}"


def _item_label(figure: Figure, item: str, partnership: Partnership) -> str:
    level = partnership.risk_level(item) if figure.split_by == "risk level" else None
    return ours(level.label if level else item)  # a risk level or a purpose: the partnership's own words


def _lines(report: Report, partnership: Partnership, agency: str | None, splits: bool = True) -> list[str]:
    """One line a figure (and one a part of a split figure): the agency's value, then the partnership's."""
    lines = []
    for figure in FIGURES:
        if figure.split_by and not splits:
            continue
        for item in report.items(figure.name) if figure.split_by else [""]:
            label = f"{_(figure.label)}: {_item_label(figure, item, partnership)}" if item else _(figure.label)
            total = shown(figure, report.get(figure.name, TOTAL, item))
            if agency is None:
                lines.append(f"• {escape(label)}: *{total}*")
            else:
                lines.append(_("• {label}: *{value}* (partnership {total})", label=escape(label),
                               value=shown(figure, report.get(figure.name, agency, item)), total=total))
    return lines


def report_blocks(report: Report, partnership: Partnership, agencies: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """The summary for someone who may see these agencies' figures (admins: every agency)."""
    title = _("Partnership figures: {period}", period=report.period.label)
    blocks: list[dict[str, Any]] = [header(title[:150])]
    blocks += line_sections(_("{partnership}: the whole partnership", partnership=escape(partnership.name)),
                            _lines(report, partnership, None))
    splits = len(agencies) <= FEW_AGENCIES  # for many agencies, each split once, in the partnership's section
    for key in agencies:
        agency = partnership.agency(key)
        if agency is not None:
            blocks += line_sections(_("{agency}, beside the partnership", agency=escape(agency.name)),
                                    _lines(report, partnership, key, splits))
    at = moment_text(report.now, f"<!date^{int(report.now.timestamp())}^{{date_short_pretty}} {{time}}|"
                                 f"{report.now:%Y-%m-%d %H:%M} UTC>")
    note = context(_("Acknowledgement target: {target} working hours. “Now” figures are as at {when}. "
                     "Each figure's definition: docs/admin-guide.md, “Partnership figures”, or "
                     "`joinedup report --format md`.", target=format(report.target_hours, "g"), when=at))
    if len(blocks) >= MOST_BLOCKS:
        blocks = blocks[:MOST_BLOCKS - 2] + [context(_("More agencies than fit here: use `joinedup report --format csv`."))]
    return escape(title), [*blocks, note]
