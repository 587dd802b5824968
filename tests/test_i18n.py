"""The i18n core: a voice per reader, gettext catalogues read through Babel, the partnership's own words and
overrides, Welsh dates. The catalogues themselves are checked in tests/test_translations.py."""
from __future__ import annotations

import threading
from datetime import date, datetime, timezone

from bot.blocks.text import day, slack_date
from bot.i18n import N_, Voice, _, language, ngettext, ours, speaking, using
from bot.i18n.voice import both

MOMENT = datetime(2026, 12, 3, 16, 30, tzinfo=timezone.utc)


def test_english_is_the_default_and_is_written_in_the_code() -> None:
    assert language() == "en"
    assert _("Summary") == "Summary"
    assert _("Shared by {name}", name="<@U1>") == "Shared by <@U1>"


def test_a_missing_message_is_shown_in_english_rather_than_not_at_all() -> None:
    with speaking("cy"):
        assert _("A sentence no catalogue holds") == "A sentence no catalogue holds"


def test_the_partnerships_override_wins_in_its_language_only() -> None:
    reader = Voice(language="cy", overrides={"cy": {"Summary": "Crynodeb y sgwrs"}})
    with using(reader):
        assert _("Summary") == "Crynodeb y sgwrs"
    with using(Voice(language="en", overrides=reader.overrides)):
        assert _("Summary") == "Summary"


def test_an_english_override_rewords_english() -> None:
    with using(Voice(language="en", overrides={"en": {"Summary": "What was said"}})):
        assert _("Summary") == "What was said"


def test_bilingual_puts_welsh_first_on_one_line_when_short_and_on_two_when_long() -> None:
    assert both(["Crynodeb", "Summary"]) == "Crynodeb / Summary"
    long_welsh, long_english = "Mae hon yn frawddeg hir iawn yn Gymraeg", "This is a very long sentence in English"
    assert both([long_welsh, long_english]) == f"{long_welsh}\n{long_english}"
    assert both(["OK", "OK"]) == "OK"


def test_placeholders_are_filled_after_the_languages_are_joined() -> None:
    overrides = {"cy": {"Shared by {name}": "Rhannwyd gan {name}"}}
    with using(Voice(language="cy+en", overrides=overrides)):
        assert _("Shared by {name}", name="Sam") == "Rhannwyd gan Sam / Shared by Sam"


def test_english_plurals_take_the_form_for_each_number() -> None:
    assert ngettext("{n} post", "{n} posts", 1) == "1 post"
    assert ngettext("{n} post", "{n} posts", 3) == "3 posts"


def test_the_partnerships_own_words_come_in_the_readers_language() -> None:
    words = {"High risk": "Risg uchel"}
    with using(Voice(language="cy", words=words)):
        assert ours("High risk") == "Risg uchel"
        assert ours("Something the partnership gave no Welsh for") == "Something the partnership gave no Welsh for"
    with using(Voice(language="cy+en", words=words)):
        assert ours("High risk") == "Risg uchel / High risk"
    with using(Voice(language="en", words=words)):
        assert ours("High risk") == "High risk"


def test_a_marked_constant_is_itself_until_shown() -> None:
    assert N_("Summary") == "Summary"


def test_dates_are_slacks_tokens_in_english_and_written_out_in_welsh() -> None:
    assert slack_date(MOMENT).startswith("<!date^")
    with speaking("cy"):
        assert slack_date(MOMENT) == "Iau 3 Rhag 2026 am 16:30"
        assert day(date(2026, 12, 11)) == "Gwen 11 Rhag 2026"
    with speaking("cy+en"):
        assert slack_date(MOMENT).startswith("Iau 3 Rhag 2026 am 16:30 / <!date^")
        assert day(date(2026, 12, 11)) == "Gwen 11 Rhag 2026 / Fri 11 Dec 2026"


def test_welsh_dates_are_told_in_the_partnerships_time_zone() -> None:
    summer = datetime(2026, 7, 1, 8, 0, tzinfo=timezone.utc)
    with using(Voice(language="cy", timezone="Europe/London")):
        assert slack_date(summer).endswith("am 09:00")


def test_each_thread_keeps_its_own_voice() -> None:
    seen: dict[str, str] = {}

    def reader(name: str, code: str, ready: threading.Barrier) -> None:
        with speaking(code):
            ready.wait()
            seen[name] = language()

    ready = threading.Barrier(2)
    threads = [threading.Thread(target=reader, args=(n, c, ready)) for n, c in (("a", "cy"), ("b", "en"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"a": "cy", "b": "en"}
    assert language() == "en"
