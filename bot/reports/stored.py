"""A report as JSON text, to be kept in the database and read back as the same Report: every value (its figure's
name, item, agency and value) and the acknowledgement target. The period and the moment it was counted are kept
beside it, in columns of their own (storage.models.CountedFigures).

A report kept by another version of Joined Up, whose figures are not exactly today's, reads back as None: the
reader counts again rather than show a figure as 0 that was never counted.
"""
from __future__ import annotations

import json
from datetime import datetime

from bot.reports.figures import BY_NAME
from bot.reports.period import Period
from bot.reports.service import Report, Value


def report_json(report: Report) -> str:
    return json.dumps({"figures": sorted(BY_NAME), "target_hours": report.target_hours,
                       "values": [[v.figure.name, v.item, v.agency, v.value] for v in report.values]},
                      separators=(",", ":"))


def report_from_json(text: str, period: Period, now: datetime) -> Report | None:
    kept = json.loads(text)
    if kept.get("figures") != sorted(BY_NAME):
        return None
    values = tuple(Value(BY_NAME[name], item, agency, value) for name, item, agency, value in kept["values"])
    return Report(period, now, float(kept["target_hours"]), values)
