"""The weekly digest's chart in Welsh and bilingual: what it draws, its alt text (Welsh first, within Slack's limit),
and the comment and title it is shared with, in the coordination channel's language."""
from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from itertools import combinations
from typing import Any

import pytest
from PIL import Image

from bot.demo.sample import SAM, sample_partnership
from bot.domain.clock import FixedClock
from bot.domain.digest_config import DigestSettings
from bot.edge.client import slack_client
from bot.i18n import speaking
from bot.processes.executors import InlineExecutor
from bot.processes.sweep import Sweeper
from bot.reports import chart
from bot.reports.chart import ALT_TEXT_LIMIT, AgencyWeeks, digest_comment, digest_title, weekly_chart
from bot.services.wiring import build_services
from storage.db import Database
from tests.conftest import BOT_TOKEN
from tests.test_chart import AGENCIES, PNG_SIGNATURE, WEEKS, ihdr_size

ENGLISH_ALT = weekly_chart(WEEKS, AGENCIES, target_hours=8).alt_text
# Sentences and phrases of the English alt text that must not be left in the Welsh.
ENGLISH_PHRASES = ("Acknowledgements and outcomes", "two line charts", "working hours to acknowledge",
                   "with an outcome", "Slowest to acknowledge", "In the week beginning", "November", "Bottom:")
WELSH_TITLE = "Cydnabyddiaethau a chanlyniadau, fesul asiantaeth, wythnos wrth wythnos"
FORTY = [AgencyWeeks(f"Asiantaeth {i} y bartneriaeth / Partnership agency {i}", [1.5 + i, 2.0], [0.25, None])
         for i in range(40)]


def drawn_texts(monkeypatch: pytest.MonkeyPatch, weeks: list[date], agencies: list[AgencyWeeks],
                **options: Any) -> tuple[list[Any], Any]:
    """Every text the chart draws (each a matplotlib Text, shown and not empty), and the renderer it was drawn by."""
    figures = []
    real = chart._png

    def keep(figure: Any) -> bytes:
        figures.append(figure)
        return real(figure)

    monkeypatch.setattr(chart, "_png", keep)
    weekly_chart(weeks, agencies, **options)
    [figure] = figures
    from matplotlib.text import Text
    unseen = set()  # the labels of ticks a locator placed beyond the axis's limits, which are not drawn
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            unseen |= {id(label) for tick in axis.get_major_ticks() if not low - 1e-9 <= tick.get_loc() <= high + 1e-9
                       for label in (tick.label1, tick.label2)}
    texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in unseen]
    return texts, figure.canvas.get_renderer()


def assert_none_overlap_and_all_fit(texts: list[Any], renderer: Any) -> None:
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    for text, box in boxes:
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= 1200 and box.y1 <= 960, (text, box)
    for (one, a), (other, b) in combinations(boxes, 2):
        assert not a.overlaps(b), (one, other)


# -- in Welsh ------------------------------------------------------------------------------------------------------
def test_the_chart_in_welsh_is_the_same_size_png_with_welsh_alt_text():
    with speaking("cy"):
        welsh = weekly_chart(WEEKS, AGENCIES, target_hours=8)
    assert welsh.png.startswith(PNG_SIGNATURE) and ihdr_size(welsh.png) == (welsh.width, welsh.height) == (1200, 960)
    with Image.open(io.BytesIO(welsh.png)) as image:
        image.load()
        assert (image.format, image.size) == ("PNG", (1200, 960))
    assert welsh.png != weekly_chart(WEEKS, AGENCIES, target_hours=8).png  # its words are drawn in Welsh
    alt = welsh.alt_text
    assert alt.startswith(WELSH_TITLE + ": dau siart llinell dros y 5 wythnos")
    assert "2 Tachwedd 2026" in alt and "30 Tachwedd 2026" in alt
    assert "Health 12 awr waith i gydnabod, 35% â chanlyniad" in alt and alt.endswith("Arafaf i gydnabod: Health.")
    assert all(agency.agency in alt for agency in AGENCIES)  # agency names are never translated
    assert not [phrase for phrase in ENGLISH_PHRASES if phrase in alt]
    assert not [sentence for sentence in ENGLISH_ALT.split(". ") if sentence in alt]
    assert len(alt) <= ALT_TEXT_LIMIT


def test_every_word_drawn_is_welsh(monkeypatch):
    with speaking("cy"):
        texts, renderer = drawn_texts(monkeypatch, WEEKS, AGENCIES, target_hours=8)
    shown = [t.get_text() for t in texts]
    for welsh in (WELSH_TITLE, "Amser i gydnabod (canolrif, mewn oriau gwaith)", "Oriau gwaith", "Cyfradd canlyniadau",
                  "Targed: 8 awr", "Wythnos yn dechrau (2026)", "2 Tach", "30 Tach", "Health"):
        assert welsh in shown, welsh
    english = ("Working hours", "Outcome rate", "Target", "Week beginning", "Nov", "Time to acknowledge", "Records")
    assert not [s for s in shown if any(word in s for word in english)]
    assert_none_overlap_and_all_fit(texts, renderer)


def test_the_month_of_each_week_is_welsh_and_a_year_apart_is_told(monkeypatch):
    weeks = [date(2025, 12, 22) + timedelta(weeks=i) for i in range(3)]
    with speaking("cy"):
        texts, _ = drawn_texts(monkeypatch, weeks, [AgencyWeeks("Police", [1.0, 2.0, 3.0], [0.5, 0.5, 0.5])])
    shown = [t.get_text() for t in texts]
    assert {"22 Rhag\n2025", "29 Rhag\n2025", "5 Ion\n2026", "Wythnos yn dechrau"} <= set(shown)


def test_without_figures_the_welsh_chart_says_so_in_welsh(monkeypatch):
    with speaking("cy"):
        nothing = weekly_chart(WEEKS, [])
        texts, _ = drawn_texts(monkeypatch, WEEKS, [])
    assert nothing.alt_text == f"{WELSH_TITLE}. Dim ffigurau ar gyfer yr wythnosau hyn: ni chafodd dim ei rannu, " \
                               "ei gydnabod na'i ddilyn i fyny."
    assert ihdr_size(nothing.png) == (1200, 960)
    assert {"Dim data", "Ni chafodd dim ei rannu, ei gydnabod na'i ddilyn i fyny."} <= {t.get_text() for t in texts}


def test_a_single_week_and_fractions_of_hours_in_welsh():
    with speaking("cy"):
        alt = weekly_chart(WEEKS[-1:], [AgencyWeeks("Health", [1.5], [None]),
                                        AgencyWeeks("Police", [None], [0.5])]).alt_text
    assert "dros yr wythnos sy'n dechrau 30 Tachwedd 2026" in alt
    assert "Health 1.5 awr waith i gydnabod, dim cofnodion i'w dilyn i fyny" in alt
    assert "Police dim wedi'i gydnabod, 50% â chanlyniad" in alt


def test_with_too_many_agencies_the_welsh_says_how_many_more():
    crowd = [AgencyWeeks(f"Asiantaeth {i} ag enw go hir", [1.5], [0.25]) for i in range(60)]
    with speaking("cy"):
        alt = weekly_chart(WEEKS[:1], crowd).alt_text
    assert len(alt) <= ALT_TEXT_LIMIT and "asiantaeth arall" in alt and "more agencies" not in alt


# -- bilingual -----------------------------------------------------------------------------------------------------
def test_the_bilingual_alt_text_is_the_welsh_then_the_english():
    with speaking("cy+en"):
        both = weekly_chart(WEEKS, AGENCIES, target_hours=8)
    welsh, english = both.alt_text.split("\n")
    assert welsh.startswith(WELSH_TITLE) and welsh.endswith("Arafaf i gydnabod: Health.")
    assert english.startswith("Acknowledgements and outcomes, by agency, week by week: two line charts")
    assert "30 Tachwedd 2026" in welsh and "30 November 2026" in english and "November" not in welsh
    assert "Health 12 awr/35%" in welsh and "Health 12 h/35%" in english  # both shortened alike to fit
    assert len(both.alt_text) <= ALT_TEXT_LIMIT
    assert ihdr_size(both.png) == (1200, 960)


def test_with_forty_agencies_the_bilingual_alt_text_starts_with_welsh_and_fits():
    with speaking("cy+en"):
        alt = weekly_chart(WEEKS[:2], FORTY, target_hours=8).alt_text
    assert alt.startswith(WELSH_TITLE) and len(alt) <= ALT_TEXT_LIMIT
    welsh, english = alt.split("\n")
    assert "asiantaeth arall" in welsh and "more agencies" in english
    shown = [sum(a.agency in text for a in FORTY) for text in (welsh, english)]
    assert shown[0] == shown[1] > 0  # the same agencies named in each


def test_where_both_languages_cannot_fit_the_welsh_is_kept():
    long_names = [AgencyWeeks(f"Asiantaeth {i} " + "â enw hir iawn " * 14, [1.5], [0.25]) for i in range(3)]
    with speaking("cy+en"):
        alt = weekly_chart(WEEKS[:1], long_names).alt_text
    assert alt.startswith(WELSH_TITLE) and len(alt) <= ALT_TEXT_LIMIT
    assert "two line charts" not in alt and "\n" not in alt


def test_bilingual_labels_are_drawn_without_overlapping(monkeypatch):
    with speaking("cy+en"):
        texts, renderer = drawn_texts(monkeypatch, WEEKS, AGENCIES, target_hours=8)
    shown = [t.get_text() for t in texts]
    for label in (f"{WELSH_TITLE}\nAcknowledgements and outcomes, by agency, week by week",
                  "Oriau gwaith\nWorking hours", "Targed: 8 awr / Target: 8 h", "2 Tach\n2 Nov",
                  "Wythnos yn dechrau (2026) / Week beginning (2026)"):
        assert label in shown, label
    assert_none_overlap_and_all_fit(texts, renderer)


def test_a_bilingual_year_of_weeks_is_drawn_without_overlapping(monkeypatch):
    weeks = [date(2025, 11, 3) + timedelta(weeks=i) for i in range(52)]
    agencies = [AgencyWeeks(name, [float(i % 9)] * 52, [(i % 10) / 10] * 52)
                for i, name in enumerate(["Health", "Police", "Education", "Children's social care"])]
    with speaking("cy+en"):
        texts, renderer = drawn_texts(monkeypatch, weeks, agencies, target_hours=8)
    assert "3 Tach\n3 Nov\n2025" in [t.get_text() for t in texts]
    assert_none_overlap_and_all_fit(texts, renderer)


def test_without_figures_the_bilingual_alt_text_says_so_in_welsh_then_english():
    with speaking("cy+en"):
        alt = weekly_chart([], []).alt_text
    welsh, english = alt.split("\n")
    assert welsh.startswith(WELSH_TITLE) and "Dim ffigurau" in welsh
    assert english == "Acknowledgements and outcomes, by agency, week by week. No figures for these weeks: nothing " \
                      "was shared, acknowledged or followed up."


# -- the digest's comment and title --------------------------------------------------------------------------------
def test_the_comment_and_title_in_each_language():
    last = date(2026, 11, 29)
    english = digest_comment(5, last)
    assert english == ("Acknowledgements and outcomes by agency over the 5 weeks to 29 Nov 2026, for the weekly "
                       "digest above. The image's description says the same in words.")
    assert digest_title("2026-W48") == "Weekly digest chart, 2026-W48"
    with speaking("cy"):
        welsh, title = digest_comment(5, last), digest_title("2026-W48")
    assert welsh.startswith("Cydnabyddiaethau a chanlyniadau fesul asiantaeth dros y 5 wythnos hyd at Sul 29 Tach 2026")
    assert "crynodeb wythnosol uchod" in welsh and "weekly digest" not in welsh and "Nov" not in welsh
    assert title == "Siart y crynodeb wythnosol, 2026-W48"
    with speaking("cy+en"):
        both, title = digest_comment(5, last), digest_title("2026-W48")
    assert both == f"{welsh}\n{english}"
    assert title == "Siart y crynodeb wythnosol / Weekly digest chart, 2026-W48"


# -- shared in the coordination channel's language -------------------------------------------------------------------
COORD = "C0COORD"
MONDAY_9AM = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["cy", "cy+en"])
def shared(request: pytest.FixtureRequest, database: Database, standin: Any) -> Iterator[tuple[str, Any, Any]]:
    """The digest's chart as a Welsh (or bilingual) partnership's coordination channel receives it."""
    partnership = sample_partnership()
    languages = replace(partnership.languages, default="cy", bilingual=request.param == "cy+en")
    partnership = replace(partnership, digest=DigestSettings(channel=COORD), languages=languages)
    standin.add_channel(COORD, name="coordination", members=[SAM.user_id])
    clock = FixedClock(MONDAY_9AM)
    db = Database(database.url)
    services = build_services(partnership=partnership, db=db, clock=clock, work=InlineExecutor(),
                              client=slack_client(BOT_TOKEN, standin.api_url))
    for _ in range(4):
        Sweeper(services).run()
        clock.advance(minutes=1)
    [stored] = standin.shared_files(COORD)
    [message] = [m for m in standin.messages(COORD) if m.get("files")]
    yield request.param, stored, message
    db.dispose()


def test_the_digest_shares_its_chart_in_the_channels_language(shared):
    language, stored, message = shared
    assert (Image.open(io.BytesIO(stored.data)).size, stored.mimetype) == ((1200, 960), "image/png")
    assert stored.alt_txt.startswith(WELSH_TITLE) and len(stored.alt_txt) <= ALT_TEXT_LIMIT
    assert stored.title.startswith("Siart y crynodeb wythnosol") and stored.title.endswith(", 2026-W48")
    assert message["text"].startswith("Cydnabyddiaethau a chanlyniadau fesul asiantaeth dros y 5 wythnos hyd at")
    assert message["files"][0]["alt_txt"] == stored.alt_txt
    if language == "cy":
        assert "two line charts" not in stored.alt_txt and "weekly digest above" not in message["text"]
    else:
        assert "\nAcknowledgements and outcomes, by agency, week by week" in stored.alt_txt
        assert "weekly digest above" in message["text"].split("\n")[1]
