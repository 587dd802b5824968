"""Partnership figures in Welsh: periods named and read in Welsh, every figure's name in the reader's language."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.blocks.report import report_blocks
from bot.demo.sample import sample_partnership
from bot.i18n import speaking
from bot.reports.figures import FIGURES
from bot.reports.period import PeriodError, parse_period
from bot.reports.service import Report, Value
from bot.standin.rules import check_message

ZONE = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize("welsh, english", [("yr wythnos hon", "this week"), ("30 diwrnod diwethaf", "last 30 days"),
                                            ("y 7 diwrnod diwethaf", "last 7 days")])
def test_welsh_words_name_the_same_period_as_english(welsh: str, english: str) -> None:
    assert parse_period(welsh, NOW, ZONE) == parse_period(english, NOW, ZONE)


def test_a_period_is_named_in_the_readers_language() -> None:
    week, last = parse_period("this week", NOW, ZONE), parse_period("last 30 days", NOW, ZONE)
    assert week.label == "this week (23 Nov 2026 on)"
    with speaking("cy"):
        assert week.label == "yr wythnos hon (o 23 Tach 2026 ymlaen)"
        assert last.label == "y 30 diwrnod diwethaf (26 Hyd 2026 i 24 Tach 2026)"
    with speaking("cy+en"):
        assert week.label == "yr wythnos hon (o 23 Tach 2026 ymlaen)\nthis week (23 Nov 2026 on)"


def test_a_period_nobody_can_read_is_refused_in_welsh_with_welsh_examples() -> None:
    with speaking("cy"), pytest.raises(PeriodError, match="Ni all Joined Up ddweud pa gyfnod.*yr wythnos hon"):
        parse_period("ddoe", NOW, ZONE)


def test_the_report_names_every_figure_in_welsh_within_slacks_limits() -> None:
    partnership = sample_partnership()
    values = tuple(Value(figure, "", agency, 3.0) for figure in FIGURES if not figure.split_by
                   for agency in (None, *(a.key for a in partnership.agencies)))
    report = Report(parse_period("this week", NOW, ZONE), NOW, 8.0, values)
    with speaking("cy"):
        text, blocks = report_blocks(report, partnership, [a.key for a in partnership.agencies])
    check_message({"text": text, "blocks": blocks})
    said = "\n".join(b["text"]["text"] for b in blocks if "text" in b and isinstance(b["text"], dict))
    for welsh in ("Cofnodion a wnaed", "Amser i gydnabod (canolrif)", "oriau gwaith", "Methiannau anfon"):
        assert welsh in said
    for english in ("Records made", "working hours", "Delivery failures"):
        assert english not in said
