"""Partnership figures as an ephemeral summary: the partnership's totals, and each agency's figures beside them.

Admins see every agency; an agency's leads see their own agencies. Every line is one figure of the registry
(bot/reports/figures.py), named as the CSV and docs/admin-guide.md name it.
"""
from __future__ import annotations

from typing import Any

from bot.blocks.text import context, escape, header, line_sections
from bot.domain.config import Partnership
from bot.reports.figures import COUNT, FIGURES, Figure
from bot.reports.service import TOTAL, Report

MOST_BLOCKS = 50
FEW_AGENCIES = 3
REFUSED = ("Only the partnership's Joined Up admins and agencies' leads can see partnership figures, and Joined Up "
           "doesn't count you as either. If you lead an agency, ask an admin to name you as one of its leads.")


def bad_period(message: str) -> str:
    return f"{message}\nFor example: `/joinedup report this week`, `/joinedup report last 30 days` or " \
           f"`/joinedup report 2026-11-01..2026-11-30`."


def shown(figure: Figure, value: float | None) -> str:
    if value is None:
        return "–"
    if figure.measure == COUNT:
        return f"{value:,.0f}"
    return f"{value:,.1f} {figure.unit}"


def _item_label(figure: Figure, item: str, partnership: Partnership) -> str:
    level = partnership.risk_level(item) if figure.split_by == "risk level" else None
    return level.label if level else item


def _lines(report: Report, partnership: Partnership, agency: str | None, splits: bool = True) -> list[str]:
    """One line a figure (and one a part of a split figure): the agency's value, then the partnership's."""
    lines = []
    for figure in FIGURES:
        if figure.split_by and not splits:
            continue
        for item in report.items(figure.name) if figure.split_by else [""]:
            label = f"{figure.label}: {_item_label(figure, item, partnership)}" if item else figure.label
            total = shown(figure, report.get(figure.name, TOTAL, item))
            if agency is None:
                lines.append(f"• {escape(label)}: *{total}*")
            else:
                lines.append(f"• {escape(label)}: *{shown(figure, report.get(figure.name, agency, item))}* "
                             f"(partnership {total})")
    return lines


def report_blocks(report: Report, partnership: Partnership, agencies: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """The summary for someone who may see these agencies' figures (admins: every agency)."""
    title = f"Partnership figures: {report.period.label}"
    blocks: list[dict[str, Any]] = [header(title[:150])]
    blocks += line_sections(f"{escape(partnership.name)}: the whole partnership", _lines(report, partnership, None))
    splits = len(agencies) <= FEW_AGENCIES  # for many agencies, each split once, in the partnership's section
    for key in agencies:
        agency = partnership.agency(key)
        if agency is not None:
            blocks += line_sections(f"{escape(agency.name)}, beside the partnership",
                                    _lines(report, partnership, key, splits))
    note = context(f"Acknowledgement target: {report.target_hours:g} working hours. “Now” figures are as at "
                   f"<!date^{int(report.now.timestamp())}^{{date_short_pretty}} {{time}}|{report.now:%Y-%m-%d %H:%M} UTC>. "
                   "Each figure's definition: docs/admin-guide.md, “Partnership figures”, or "
                   "`joinedup report --format md`.")
    if len(blocks) >= MOST_BLOCKS:
        blocks = blocks[:MOST_BLOCKS - 2] + [context("More agencies than fit here: use `joinedup report --format csv`.")]
    return escape(title), [*blocks, note]
