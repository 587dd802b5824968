"""`joinedup report --format png`: the weekly chart as a PNG file; and `--format csv --by week`, which carries every
number the chart draws, on the seeded history of test_reports.py (Monday 21 to Thursday 31 December 2026)."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from PIL import Image

from bot.cli import main
from bot.demo.sample import sample_toml
from bot.reports import chart
from bot.reports.export import weeks
from bot.reports.period import days
from tests.test_reports import NOW, PARTNERSHIP, seed

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    from storage.db import Database
    db = Database(f"sqlite:///{tmp_path}/joinedup.db")
    db.migrate()
    seed(db)
    db.dispose()
    (tmp_path / "joinedup.toml").write_text(sample_toml(), encoding="utf-8")
    monkeypatch.setenv("JOINEDUP_CONFIG", str(tmp_path / "joinedup.toml"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/joinedup.db")

    def run(*args: str):
        code = main(["report", "--from", "2026-12-21", "--to", "2026-12-31", "--at", NOW.isoformat(), *args])
        return code, capsys.readouterr()
    return run


def test_the_png_is_a_picture_matplotlib_and_pil_can_read(cli, tmp_path):
    path = tmp_path / "figures.png"

    code, out = cli("--format", "png", "--output", str(path))

    assert code == 0, out.err
    assert out.out == "" and f"to {path}" in out.err and "alt text" in out.err
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.size == (1200, 960)
    from matplotlib.image import imread
    assert imread(io.BytesIO(data), format="png").shape[:2] == (960, 1200)


def test_a_png_without_a_file_is_refused_naming_the_option(cli, tmp_path):
    code, out = cli("--format", "png")

    assert code == 2 and out.out == ""
    assert "--output" in out.err and "png" in out.err
    assert not list(tmp_path.glob("*.png"))


def test_by_week_is_for_the_csv(cli):
    code, out = cli("--format", "json", "--by", "week")
    assert code == 2 and "--by week is for --format csv" in out.err


def test_the_weeks_run_monday_to_sunday_cut_to_the_period():
    period = days(date(2026, 12, 2), date(2026, 12, 31), PARTNERSHIP.zone)  # a Wednesday to a Thursday
    found = [(w.start.astimezone(PARTNERSHIP.zone).date().day, w.end.astimezone(PARTNERSHIP.zone).date().day)
             for w in weeks(period, PARTNERSHIP.zone)]
    assert found == [(2, 7), (7, 14), (14, 21), (21, 28), (28, 1)]  # [start, end): the last ends on 1 January


def test_the_weekly_csv_carries_every_number_the_chart_draws(cli, tmp_path, monkeypatch):
    drawn = []
    real = chart.weekly_chart

    def watched(weeks, agencies, **kwargs):
        drawn.append((list(weeks), list(agencies), kwargs))
        return real(weeks, agencies, **kwargs)
    monkeypatch.setattr(chart, "weekly_chart", watched)

    code, out = cli("--format", "png", "--output", str(tmp_path / "figures.png"))
    assert code == 0, out.err
    code, out = cli("--format", "csv", "--by", "week")
    assert code == 0, out.err

    (charted, agencies, kwargs), = drawn
    rows = list(csv.DictReader(io.StringIO(out.out)))
    starts = sorted({r["period_start"] for r in rows})
    assert charted == [date(2026, 12, 21), date(2026, 12, 28)] and len(starts) == 2
    assert kwargs["target_hours"] == 8

    def cell(figure, agency, week):
        text = next(r["value"] for r in rows if (r["figure"], r["agency"], r["item"], r["period_start"]) ==
                    (figure, agency, "", starts[week]))
        return None if text == "" else float(text)

    names = {a.name: a.key for a in PARTNERSHIP.agencies}
    assert [a.agency for a in agencies] == list(names)
    for line in agencies:
        key = names[line.agency]
        for week in range(len(charted)):
            assert line.ack_hours[week] == cell("working_hours_to_acknowledge_median", key, week)
            shared, with_outcome = cell("records_shared", key, week), cell("records_with_outcome", key, week)
            assert line.outcome_rate[week] == (with_outcome / shared if shared else None)
    # Worked out by hand (test_reports.py's seed): every record was made in the first week.
    by_name = {names[a.agency]: a for a in agencies}
    assert by_name["social-care"].ack_hours == [4.25, None] and by_name["education"].ack_hours == [13, None]
    assert [by_name[k].outcome_rate[0] for k in ("social-care", "health", "education", "police")] == [1, 1, 0, None]
    # The weeks add up to the period.
    assert cell("records_made", "partnership", 0) + cell("records_made", "partnership", 1) == 4
