"""Pictures of what each person sees: the HTML renderer (pure), and the whole run with headless Chromium."""
from __future__ import annotations

import re
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.blocks.text import button, context, escape, header, plain, section
from bot.demo import pictures
from bot.demo.slack_html import Look, blocks_html, mrkdwn_html, text_html
from bot.demo.slack_page import Frame, Shown, home_page, message_page, modal_page

LONDON = ZoneInfo("Europe/London")
LOOK = Look(names={"U0SAMSW": "Sam Okafor", "C0SCHOOL": "education"}, zone=LONDON)
FRAME = Frame(caption="Tia sees", workspace="Anyshire", channels=("education",), active="education")
EXPECTED = ["01-record-form", "02-form-with-errors", "03-agency-post", "04-app-home", "05-status-message",
            "06-acknowledged-post", "07-glossary", "08-outcome-request"]


# -- the renderer ----------------------------------------------------------------------------------------------------

def test_a_script_in_a_summary_is_shown_as_text():
    summary = '<script>alert("x")</script> & <b>bold?</b>'
    page = message_page(FRAME, "# education", [Shown([section(f"*Summary*\n{escape(summary)}")])], LOOK)
    assert "<script" not in page and "<b>bold?</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold?&lt;/b&gt;" in page
    # Not escaped for Slack at all, Slack would read <script> as a token: still only text here.
    assert "<script" not in mrkdwn_html("<script>alert(1)</script>")
    assert "<script" not in text_html(plain("<script>alert(1)</script>"))
    assert "<script" not in blocks_html([{"type": "actions", "elements": [button("<script>", "a", "v")]}])


def test_mentions_channels_and_links_are_rendered():
    shown = mrkdwn_html("From <@U0SAMSW> and <@U0NOBODY> in <#C0SCHOOL|education>: see "
                        "<https://example.org/guide?a=1&amp;b=2|the &lt;guide&gt;> or <mailto:ig@example.org>", LOOK)
    assert '<span class="mention">@Sam Okafor</span>' in shown
    assert '<span class="mention">@U0NOBODY</span>' in shown  # someone unknown: their id, as Slack's fallback
    assert '<span class="mention">#education</span>' in shown
    assert '<a href="https://example.org/guide?a=1&amp;b=2">the &lt;guide&gt;</a>' in shown
    assert '<a href="mailto:ig@example.org">mailto:ig@example.org</a>' in shown


def test_only_web_and_mail_links_become_links():
    shown = mrkdwn_html('<javascript:alert(1)|click> <https://x.org/"onmouseover="a|y>')
    assert "<a href=\"javascript" not in shown and "click" in shown
    assert 'href="https://x.org/&quot;onmouseover=&quot;a"' in shown


def test_bold_italic_strike_code_quotes_and_line_breaks():
    shown = mrkdwn_html("*bold* _italic_ ~gone~ `code` snake_case_name 2*3*4\n&gt; quoted\nafter")
    assert "<b>bold</b> <i>italic</i> <s>gone</s> <code>code</code> snake_case_name 2*3*4" in shown
    assert "<blockquote>quoted</blockquote>after" in shown
    assert mrkdwn_html("*<@U0SAMSW>*", LOOK) == '<b><span class="mention">@Sam Okafor</span></b>'
    assert mrkdwn_html("`*not bold*`") == "<code>*not bold*</code>"


def test_dates_are_shown_in_the_readers_time_zone_or_as_slacks_fallback():
    moment = int(datetime(2026, 7, 1, 9, 30, tzinfo=LONDON).timestamp())
    token = f"<!date^{moment}^{{date_short_pretty}} at {{time}}|1 July 2026>"
    assert mrkdwn_html(token, LOOK) == "1 Jul 2026 at 09:30"
    assert mrkdwn_html(token) == "1 July 2026"


def test_emoji_are_badges_and_times_are_not_emoji():
    shown = mrkdwn_html(":white_check_mark: at 10:00:00 :no_such_emoji:")
    assert 'title=":white_check_mark:"' in shown and "10:00:00" in shown
    assert '<span class="emoji unknown">:no_such_emoji:</span>' in shown


def test_blocks_headers_fields_context_and_buttons():
    shown = blocks_html([header("JU-000001"), {"type": "section", "fields": [{"type": "mrkdwn", "text": "*When*\nnow"}]},
                         context("Waiting for <@U0SAMSW>"), {"type": "divider"},
                         {"type": "actions", "elements": [button("Acknowledge", "ack", "1", style="primary")]},
                         {"type": "mystery"}], LOOK)
    assert '<div class="header">JU-000001</div>' in shown
    assert '<div class="field"><b>When</b><br>now</div>' in shown
    assert 'Waiting for <span class="mention">@Sam Okafor</span>' in shown
    assert '<span class="button primary">Acknowledge</span>' in shown
    assert "[mystery block]" in shown


def test_a_modal_shows_what_was_typed_and_the_errors_under_their_fields():
    view = {"type": "modal", "title": plain("Record a conversation"), "submit": plain("Save and share"),
            "blocks": [{"type": "input", "block_id": "summary", "label": plain("Summary"), "optional": False,
                        "hint": plain("Facts first"),
                        "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                    "placeholder": plain("Type here")}},
                       {"type": "input", "block_id": "who", "label": plain("Who"), "optional": True,
                        "element": {"type": "multi_users_select", "action_id": "value"}}]}
    values = {"summary": {"value": {"type": "plain_text_input", "value": "NHS <943>"}},
              "who": {"value": {"type": "multi_users_select", "selected_users": ["U0SAMSW"]}}}
    page = modal_page(FRAME, view, LOOK, values=values, errors={"summary": "Remove the NHS number <here>."})
    assert "Record a conversation" in page and "Save and share" in page and "Cancel" in page
    assert '<span class="typed">NHS &lt;943&gt;</span>' in page
    assert '<div class="error">Remove the NHS number &lt;here&gt;.</div>' in page
    assert '<div class="input invalid">' in page and "(optional)" in page and "Facts first" in page
    assert '<span class="chip">Sam Okafor</span>' in page
    assert "Type here" not in page  # the placeholder gives way to what was typed


def test_pages_are_self_contained():
    pages = [message_page(FRAME, "# education", [Shown(None, "hello", only_you=True)], LOOK),
             home_page(FRAME, {"type": "home", "blocks": [section("hi")]}, LOOK),
             modal_page(FRAME, {"type": "modal", "title": plain("t"), "blocks": []}, LOOK)]
    for page in pages:
        assert page.startswith("<!DOCTYPE html>")
        assert not re.search(r"<script|<link|@import|url\(|src=", page)
    assert "Only visible to you" in pages[0]


# -- the whole run -------------------------------------------------------------------------------------------------

def test_the_pictures_are_joined_ups_real_output():
    found = {p.name: p for p in pictures.collect()}
    assert list(found) == EXPECTED
    assert all("<script" not in p.html for p in found.values())
    assert "Child&#x27;s case reference" in found["01-record-form"].html
    assert 'class="input invalid"' in found["02-form-with-errors"].html
    assert "JU-000001" in found["03-agency-post"].html and "Acknowledge receipt" in found["03-agency-post"].html
    assert "Acknowledged for Education" in found["06-acknowledged-post"].html
    assert "Report outcome" in found["08-outcome-request"].html
    assert "Only visible to you" in found["07-glossary"].html


def test_without_chromium_the_command_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert pictures.main([str(tmp_path / "out")]) == 2
    assert "apt-get install chromium" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="no `chromium` binary on PATH (apt-get install chromium) to take the screenshots")
def test_the_pictures_command_writes_a_png_for_each_moment_and_an_index(tmp_path):
    assert pictures.main([str(tmp_path)]) == 0
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        png = tmp_path / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = pictures.png_size(png)
        assert width == pictures.WIDTH and pictures.MIN_HEIGHT <= height <= pictures.MAX_HEIGHT, (name, width, height)
        assert 5_000 < png.stat().st_size < 600_000, name
        assert f"({name}.png)" in index
    assert index.count("**Who sees it:**") == len(EXPECTED)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*(f"{n}.png" for n in EXPECTED), "index.md"])
