"""The weekly digest without Slack: when it is due, what it says (within Slack's limits), and that its numbers are
the partnership figures' for its week."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.blocks.digest import MOST_AGENCIES, DigestFigures, Row, average, digest_blocks, trend
from bot.demo.sample import sample_partnership
from bot.domain.digest_config import DigestSettings
from bot.domain.workcalendar import WorkingCalendar
from bot.reports.digest import DigestContent, DigestWeek, latest_due, week_of
from bot.reports.period import days
from bot.reports.service import TOTAL, PartnershipFigures
from bot.services.records import calendar_for
from bot.standin.rules import check_message
from tests.test_reports import seed

LONDON = ZoneInfo("Europe/London")
PARTNERSHIP = replace(sample_partnership(), digest=DigestSettings(channel="C0COORD"))
SETTINGS = PARTNERSHIP.digest
CALENDAR = WorkingCalendar()


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def due(now: datetime, settings: DigestSettings = SETTINGS) -> DigestWeek | None:
    return latest_due(now.astimezone(timezone.utc), settings, CALENDAR, PARTNERSHIP)


# -- when it is due ----------------------------------------------------------------------------------------------
def test_the_digest_is_due_at_nine_on_monday_in_london_and_covers_the_week_before():
    week = due(london(2026, 11, 30, 9, 0))
    assert week.key == "digest:2026-W48" and week.first == date(2026, 11, 23) and week.last == date(2026, 11, 29)
    assert week.moment == london(2026, 11, 30, 9, 0)


def test_at_a_minute_to_nine_the_new_week_is_not_yet_due():
    assert due(london(2026, 11, 30, 8, 59)).key == "digest:2026-W47"  # last week's, already owed


def test_in_summer_time_nine_is_nine_in_london():
    assert due(london(2026, 6, 15, 9, 0)).moment == datetime(2026, 6, 15, 8, 0, tzinfo=timezone.utc)
    assert due(london(2026, 6, 15, 8, 59)).first == date(2026, 6, 1)


def test_on_easter_monday_it_waits_for_tuesday_at_nine():
    # Easter Monday 2027 is 29 March, a bank holiday in England and Wales.
    assert due(london(2027, 3, 29, 9, 0)).key == "digest:2027-W11"
    assert due(london(2027, 3, 30, 8, 59)).key == "digest:2027-W11"
    week = due(london(2027, 3, 30, 9, 0))
    assert week.key == "digest:2027-W12" and week.first == date(2027, 3, 22) and week.moment == london(2027, 3, 30, 9)


def test_over_christmas_it_waits_for_the_first_working_day():
    # Monday 28 December 2026 is the Boxing Day substitute holiday.
    assert due(london(2026, 12, 29, 9, 0)).moment == london(2026, 12, 29, 9, 0)


def test_a_configured_day_and_time_are_used():
    settings = DigestSettings(channel="C0COORD", weekday=2, at=datetime(2026, 1, 1, 14, 30).time())
    assert due(london(2026, 12, 2, 14, 29), settings).first == date(2026, 11, 16)
    week = due(london(2026, 12, 2, 14, 30), settings)
    assert week.first == date(2026, 11, 23) and week.moment == london(2026, 12, 2, 14, 30)


def test_after_weeks_without_a_sweep_only_the_latest_week_is_due():
    assert due(london(2026, 12, 17, 12, 0)).key == "digest:2026-W50"


def test_a_key_names_its_week_and_its_moment():
    week = week_of("digest-chart:2026-W52", SETTINGS, CALENDAR, PARTNERSHIP)
    assert week.first == date(2026, 12, 21) and week.moment == london(2026, 12, 29, 9, 0)
    assert week.file_name == "joinedup-digest-2026-W52.png"


# -- what it says -------------------------------------------------------------------------------------------------
def row(name: str, **values) -> Row:
    return Row(name, **values)


def figures(agencies: int = 4, **total) -> DigestFigures:
    rows = tuple((row(f"Agency {i} <&>", shared=i, acknowledged=i, within_target=i - 1, median_hours=float(i),
                      p90_hours=2.0 * i, outcome_rate=0.5, overdue_now=1, challenges=i % 2),
                  row(f"Agency {i} <&>", median_hours=float(i) + 1)) for i in range(1, agencies + 1))
    return DigestFigures(partnership="Oakfield", first=date(2026, 11, 23), last=date(2026, 11, 29),
                         moment=datetime(2026, 11, 30, 9, tzinfo=timezone.utc), target_hours=8,
                         total=row("Oakfield", **{"shared": 10, "acknowledged": 8, "median_hours": 4.0, **total}),
                         total_before=row("Oakfield", shared=6, acknowledged=8.2, median_hours=5.0),
                         agencies=rows)


def all_text(blocks: list[dict]) -> str:
    return "\n".join(str(b.get("text", {}).get("text", "")) + " ".join(e.get("text", "") for e in b.get("elements", []))
                     for b in blocks)


def test_the_digest_says_each_trend_in_words_and_names_the_slowest_agency():
    text, blocks = digest_blocks(figures())
    shown = all_text(blocks)
    assert "week beginning 23 Nov 2026" in text and "Oakfield" not in text
    assert "Records shared: *10* (↑ up from a 4-week average of 6)" in shown
    assert "Posts acknowledged: *8* (about the same as the 4-week average (8.2))" in shown
    assert "Time to acknowledge, median: *4.0 h* (↓ down from a 4-week average of 5.0 h)" in shown
    assert "*Slowest to acknowledge:* Agency 4 &lt;&amp;&gt;, a median of 4.0 h" in shown
    assert shown.count("• *Agency") == 4


def test_trends_are_about_the_same_within_a_little_and_silent_without_a_figure():
    assert trend(None, 3.0, str, close=0.5) == ""
    assert trend(2.0, None, str, close=0.5) == "no earlier average"
    assert trend(0.404, 0.40, lambda v: f"{v:.0%}", close=0.005).startswith("about the same")


def test_the_average_of_earlier_weeks_counts_every_week_but_times_only_where_there_were_some():
    weeks = [Row("x", shared=4, median_hours=2.0), Row("x", shared=0), Row("x", shared=2, median_hours=4.0), Row("x")]
    before = average(weeks, "x")
    assert (before.shared, before.median_hours, before.outcome_rate) == (1.5, 3.0, None)


@pytest.mark.parametrize("agencies", [0, 1, MOST_AGENCIES, 200])
def test_the_digest_keeps_within_slacks_limits_for_any_number_of_agencies(agencies):
    text, blocks = digest_blocks(figures(agencies))
    assert len(blocks) <= 50
    check_message({"text": text, "blocks": blocks})  # the stand-in's rules: what Slack refuses, it refuses
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    shown = all_text(blocks)
    assert shown.count("• *Agency") == min(agencies, MOST_AGENCIES)
    if agencies > MOST_AGENCIES:
        assert f"and {agencies - MOST_AGENCIES} more agencies" in shown


def test_a_week_with_nothing_acknowledged_says_so():
    empty = replace(figures(0), total=Row("Oakfield"), total_before=Row("Oakfield"))
    assert "no agency acknowledged a post shared this week" in all_text(digest_blocks(empty)[1])


# -- its numbers are the partnership figures' ---------------------------------------------------------------------
def test_the_digests_numbers_are_the_reports_for_its_week(database):
    seed(database)  # December 2026, from tests/test_reports.py
    content = DigestContent(db=database, partnership=PARTNERSHIP, calendar=calendar_for(PARTNERSHIP))
    week = content.week("digest:2026-W52")  # 21 to 27 December; due Tuesday 29th (28th is a bank holiday)
    report = PartnershipFigures(db=database, partnership=PARTNERSHIP, calendar=calendar_for(PARTNERSHIP)).report(
        days(date(2026, 12, 21), date(2026, 12, 27), PARTNERSHIP.zone), week.moment)
    digest = content.digest_figures(week)
    pairs = [(digest.total, TOTAL), *((this, agency.key) for (this, _), agency in
                                      zip(digest.agencies, PARTNERSHIP.agencies))]
    assert report.get("records_shared") > 0 and report.get("posts_acknowledged") > 0
    for shown, agency in pairs:
        assert shown.shared == report.get("records_shared", agency)
        assert shown.acknowledged == report.get("posts_acknowledged", agency)
        assert shown.within_target == report.get("posts_acknowledged_within_target", agency)
        assert shown.median_hours == report.get("working_hours_to_acknowledge_median", agency)
        assert shown.p90_hours == report.get("working_hours_to_acknowledge_p90", agency)
        assert shown.overdue_now == report.get("overdue_acknowledgements_now", agency)
        assert shown.challenges == report.get("challenges_raised", agency)
        shared = report.get("records_shared", agency)
        assert shown.outcome_rate == (report.get("records_with_outcome", agency) / shared if shared else None)
    rendered = content.render(_message("digest", "digest:2026-W52"))
    assert f"Records shared: *{report.get('records_shared'):.0f}*" in all_text(rendered.blocks)
    earlier = content.reports(week)[:-1]
    assert [r.period.start.astimezone(PARTNERSHIP.zone).date() for r in earlier] == [
        date(2026, 11, 23) + timedelta(weeks=n) for n in range(4)]


def _message(kind: str, key: str):
    from storage.models import SlackMessage
    return SlackMessage(kind=kind, key=key, target="C0COORD")
