"""The weekly digest's chart: a PNG that opens, of a fixed size, the same for the same figures, with alt text."""
from __future__ import annotations

import io
import struct
import zlib
from datetime import date, timedelta

import pytest
from PIL import Image
from slack_sdk import WebClient

from bot.reports.chart import ALT_TEXT_LIMIT, AgencyWeeks, weekly_chart
from bot.standin.slack import SlackStandIn

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WEEKS = [date(2026, 11, 2) + timedelta(weeks=i) for i in range(5)]
AGENCIES = [
    AgencyWeeks("Children's social care", [4.0, 5.5, None, 3.2, 6.0], [0.5, 0.6, 0.55, None, 0.7]),
    AgencyWeeks("Health", [8.0, 7.0, 9.0, 10.5, 12.0], [0.2, 0.3, 0.25, 0.4, 0.35]),
    AgencyWeeks("Police", [2.0, 2.5, 1.0, 1.5, 0.0], [0.9, 0.8, 1.0, 0.95, 0.85]),
    AgencyWeeks("Education", [6.0, None, 5.0, 4.0, 3.0], [0.4, 0.45, 0.5, 0.5, 0.6]),
]


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """The PNG's chunks as (type, data), each checked against its CRC."""
    assert png[:8] == PNG_SIGNATURE
    found, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind, data = png[at + 4:at + 8], png[at + 8:at + 8 + length]
        assert struct.unpack(">I", png[at + 8 + length:at + 12 + length])[0] == zlib.crc32(kind + data)
        found.append((kind, data))
        at += 12 + length
    return found


def ihdr_size(png: bytes) -> tuple[int, int]:
    kind, data = chunks(png)[0]
    assert kind == b"IHDR"
    return struct.unpack(">II", data[:8])


def test_the_chart_is_a_png_of_the_stated_size_that_opens_as_an_image():
    chart = weekly_chart(WEEKS, AGENCIES, target_hours=8)
    assert chart.png.startswith(PNG_SIGNATURE)
    assert ihdr_size(chart.png) == (chart.width, chart.height) == (1200, 960)
    assert chunks(chart.png)[-1][0] == b"IEND"
    assert 20_000 < len(chart.png) < 1_000_000
    with Image.open(io.BytesIO(chart.png)) as image:
        image.load()  # decodes every pixel: a truncated or corrupt file fails here
        assert (image.format, image.size) == ("PNG", (1200, 960))
        assert len(image.getcolors(maxcolors=1_000_000) or []) > 10  # drawn on, not a blank page


def test_the_same_figures_give_the_same_bytes_with_no_software_name_or_time_in_the_file():
    first, again = weekly_chart(WEEKS, AGENCIES), weekly_chart(WEEKS, AGENCIES)
    assert first.png == again.png
    kinds = [kind for kind, _ in chunks(first.png)]
    assert b"tIME" not in kinds
    assert not [data for kind, data in chunks(first.png) if kind in (b"tEXt", b"iTXt") and b"Software" in data]


def test_other_figures_give_another_picture():
    changed = [AgencyWeeks(a.agency, [*a.ack_hours[:-1], 20.0], a.outcome_rate) for a in AGENCIES]
    assert weekly_chart(WEEKS, changed).png != weekly_chart(WEEKS, AGENCIES).png


def test_the_alt_text_names_every_agency_its_latest_figures_and_the_slowest():
    alt = weekly_chart(WEEKS, AGENCIES).alt_text
    for agency in AGENCIES:
        assert agency.agency in alt
    assert "30 November 2026" in alt and "2 November 2026" in alt
    assert "Health 12 working hours to acknowledge, 35% with an outcome" in alt
    assert "Police 0 working hours to acknowledge" in alt
    assert alt.endswith("Slowest to acknowledge: Health.")
    assert len(alt) <= ALT_TEXT_LIMIT


def test_with_many_agencies_the_alt_text_still_fits_slacks_limit():
    many = [AgencyWeeks(f"Agency {i} of the partnership", [1.5], [0.25]) for i in range(12)]
    alt = weekly_chart(WEEKS[:1], many).alt_text
    assert len(alt) <= ALT_TEXT_LIMIT and all(a.agency in alt for a in many)
    crowd = [AgencyWeeks(f"Agency {i} with a rather long name", [1.5], [0.25]) for i in range(60)]
    alt = weekly_chart(WEEKS[:1], crowd).alt_text
    assert len(alt) <= ALT_TEXT_LIMIT and "more agencies" in alt


@pytest.mark.parametrize("weeks, agencies", [
    ([], []),
    (WEEKS, []),
    (WEEKS, [AgencyWeeks("Health", [None] * 5, [None] * 5)]),
])
def test_no_figures_give_a_chart_that_says_there_is_no_data(weeks, agencies):
    chart = weekly_chart(weeks, agencies)
    assert ihdr_size(chart.png) == (chart.width, chart.height)
    with Image.open(io.BytesIO(chart.png)) as image:
        image.load()
    assert "No figures for these weeks" in chart.alt_text


def test_a_year_of_weeks_across_new_year_is_drawn():
    weeks = [date(2025, 11, 3) + timedelta(weeks=i) for i in range(52)]
    agencies = [AgencyWeeks(name, [float(i % 9)] * 52, [(i % 10) / 10] * 52)
                for i, name in enumerate(["Health", "Police", "Education"])]
    chart = weekly_chart(weeks, agencies)
    assert ihdr_size(chart.png) == (1200, 960) and "52 weeks" in chart.alt_text


@pytest.mark.parametrize("agency, problem", [
    (AgencyWeeks("Health", [1.0], [0.5]), "one value a week"),
    (AgencyWeeks("Health", [1.0] * 5, [0.5, 0.5, 1.5, 0.5, 0.5]), "between 0 and 1"),
    (AgencyWeeks("Health", [1.0, -2.0, 1.0, 1.0, 1.0], [0.5] * 5), "0 or more"),
    (AgencyWeeks("Health", [1.0, float("nan"), 1.0, 1.0, 1.0], [0.5] * 5), "0 or more"),
])
def test_figures_that_cannot_be_charted_are_refused_by_name(agency, problem):
    with pytest.raises(ValueError, match=problem):
        weekly_chart(WEEKS, [agency])


def test_the_chart_goes_through_slacks_upload_flow_whole_with_its_alt_text():
    chart = weekly_chart(WEEKS, AGENCIES, target_hours=8)
    with SlackStandIn() as standin:
        standin.add_channel("C1", name="coordination", members=[])
        client = WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[])
        client.files_upload_v2(content=chart.png, filename="joinedup-week.png", title="The week in figures",
                               alt_txt=chart.alt_text, channel="C1", initial_comment="This week's figures")
        [shared] = standin.shared_files("C1")
    assert (shared.data, shared.mimetype, shared.alt_txt) == (chart.png, "image/png", chart.alt_text)
    assert ihdr_size(shared.data) == (1200, 960)
    with Image.open(io.BytesIO(shared.data)) as image:
        image.load()
