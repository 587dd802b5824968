"""`joinedup report`: the partnership figures for whole days, as CSV (for the period or each week), JSON, Markdown,
or the weekly chart as a PNG file, whose every number the CSV `--by week` for the same days carries."""
from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from bot.domain.config import MissingSetting, Settings, load_partnership
from bot.operations.preflight import existing_database
from bot.reports import chart
from bot.reports.export import RENDERERS, as_weekly_csv, weeks
from bot.reports.period import PeriodError, days
from bot.reports.service import PartnershipFigures
from bot.services.records import calendar_for

NO_OUTPUT = ("--format png writes a picture, which a terminal cannot show: name the file with --output, "
             "e.g. --output figures.png")


def write_report(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    """Figures "now" are as at `now`; the rest are about the days --from to --to."""
    if args.format == "png" and not args.output:
        raise MissingSetting(NO_OUTPUT)
    if args.by == "week" and args.format not in ("csv", "png"):
        raise MissingSetting(f"--by week is for --format csv (the chart, --format png, is always by week), "
                             f"not --format {args.format}")
    partnership = load_partnership(settings.config_path)
    try:
        period = days(date.fromisoformat(args.start), date.fromisoformat(args.end), partnership.zone)
    except (ValueError, PeriodError) as error:
        raise MissingSetting(f"--from {args.start} --to {args.end}: {error}; write days like 2026-11-01") from None
    by_week = args.format == "png" or args.by == "week"
    db = existing_database(settings.database_url, command="report")
    try:
        figures = PartnershipFigures(db=db, partnership=partnership, calendar=calendar_for(partnership))
        reports = figures.reports(weeks(period, partnership.zone) if by_week else [period], now)
    finally:
        db.dispose()
    if args.format == "png":
        picture = chart.weekly_chart(*chart.chart_figures(reports, partnership), target_hours=reports[0].target_hours)
        _write(args.output, picture.png)
        print(f"joinedup: wrote the weekly chart ({picture.width}×{picture.height} PNG, {len(reports)} week(s)) to "
              f"{args.output}; `--format csv --by week` for the same days carries its numbers. Its alt text: "
              f"{picture.alt_text}", file=sys.stderr)
        return 0
    text = as_weekly_csv(reports, partnership) if args.format == "csv" else RENDERERS[args.format](reports[0],
                                                                                                  partnership)
    if args.output:
        _write(args.output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return 0


def _write(path: str, content: bytes) -> None:
    try:
        Path(path).write_bytes(content)
    except OSError as error:
        raise MissingSetting(f"--output {path}: cannot write it ({error.strerror or error})") from None
