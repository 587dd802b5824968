"""Partnership figures for board papers: CSV (every figure, each agency and the total), JSON and Markdown; the
same CSV week by week (`weeks`, `as_weekly_csv`), which carries every number the weekly chart (chart.py) draws.

The definitions in docs/admin-guide.md are `definitions_markdown()`, checked by the tests to stay the same.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain.config import Partnership
from bot.reports.figures import FIGURES, Figure
from bot.reports.period import Period, days
from bot.reports.service import TOTAL, Report

FORMATS = ("csv", "json", "md")
CSV_COLUMNS = ("figure", "item", "agency", "value", "measure", "unit", "period_start", "period_end", "definition")
PARTNERSHIP = "partnership"


def _cells(report: Report, partnership: Partnership) -> list[tuple[Figure, str, str, float | None]]:
    """Every figure, for the partnership then each configured agency, each part of a split figure on its own."""
    rows = []
    for figure in FIGURES:
        for item in report.items(figure.name) if figure.split_by else [""]:
            rows.append((figure, item, PARTNERSHIP, report.get(figure.name, TOTAL, item)))
            rows += [(figure, item, agency.key, report.get(figure.name, agency.key, item))
                     for agency in partnership.agencies]
    return rows


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 2)


def as_csv(report: Report, partnership: Partnership) -> str:
    return as_weekly_csv([report], partnership)


def as_weekly_csv(reports: Sequence[Report], partnership: Partnership) -> str:
    """The CSV of each report in turn under one heading; period_start and period_end say which week a row is."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for report in reports:
        for figure, item, agency, value in _cells(report, partnership):
            number = _number(value)
            writer.writerow((figure.name, item, agency, "" if number is None else number, figure.measure,
                             figure.unit, report.period.start.isoformat(), report.period.end.isoformat(),
                             figure.definition))
    return out.getvalue()


def weeks(period: Period, zone: ZoneInfo) -> list[Period]:
    """The period's weeks, Monday to Sunday in the partnership's time zone, the first and last cut to the period:
    the weeks the chart draws and `--by week` counts."""
    first = period.start.astimezone(zone).date()
    last = (period.end.astimezone(zone) - timedelta(microseconds=1)).date()
    found, start = [], first
    while start <= last:
        end = min(start + timedelta(days=6 - start.weekday()), last)
        found.append(days(start, end, zone))
        start = end + timedelta(days=1)
    return found


def as_json(report: Report, partnership: Partnership) -> str:
    figures: dict[str, dict[str, object]] = {}
    for figure, item, agency, value in _cells(report, partnership):
        entry = figures.setdefault(figure.name, {"label": figure.label, "definition": figure.definition,
                                                 "measure": figure.measure, "unit": figure.unit, "values": {}})
        values = entry["values"]
        assert isinstance(values, dict)
        if figure.split_by:
            values.setdefault(agency, {})[item] = _number(value)
        else:
            values[agency] = _number(value)
    return json.dumps({"partnership": partnership.name, "period": {
        "label": report.period.label, "start": report.period.start.isoformat(), "end": report.period.end.isoformat()},
        "as_at": report.now.isoformat(), "acknowledgement_target_working_hours": report.target_hours,
        "figures": figures}, indent=2, ensure_ascii=False) + "\n"


def as_markdown(report: Report, partnership: Partnership) -> str:
    agencies = [PARTNERSHIP, *(agency.key for agency in partnership.agencies)]
    names = ["Partnership", *(agency.name for agency in partnership.agencies)]
    lines = [f"# {partnership.name}: partnership figures, {report.period.label}", "",
             (f"Period {report.period.start:%Y-%m-%d %H:%M} to {report.period.end:%Y-%m-%d %H:%M} UTC; “now” figures "
              f"as at {report.now:%Y-%m-%d %H:%M} UTC; acknowledgement target {report.target_hours:g} working hours."),
             "", "| Figure | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    table: dict[tuple[str, str], dict[str, float | None]] = {}
    for figure, item, agency, value in _cells(report, partnership):
        table.setdefault((figure.label, item), {})[agency] = value
    for (label, item), values in table.items():
        cells = ["–" if values.get(a) is None else f"{_number(values.get(a))}" for a in agencies]
        lines.append(f"| {label}{': ' + item if item else ''} | " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", definitions_markdown()])


def definitions_markdown() -> str:
    """Each figure's name and definition, as docs/admin-guide.md lists them."""
    return "\n".join(f"- `{figure.name}` ({figure.measure}{', ' + figure.unit if figure.unit else ''}): "
                     f"{figure.definition}" for figure in FIGURES) + "\n"


RENDERERS = {"csv": as_csv, "json": as_json, "md": as_markdown}
