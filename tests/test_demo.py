"""`joinedup demo`: the real app, driven over HTTP against the Slack stand-in, printed for a newcomer."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.demo import script as demo
from bot.demo.script import run_demo
from bot.demo.stage import DemoContext, DemoError
from bot.demo.sample import EDUCATION, HEALTH

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def output() -> str:
    out = io.StringIO()
    assert run_demo(out) == 0, out.getvalue()[-3000:]
    return out.getvalue()


def test_the_demo_shows_each_step_a_practitioner_takes(output: str) -> None:
    assert "simulation" in output and "nothing leaves this computer" in output
    assert "Record a conversation" in output  # the form's title
    assert "“Jane Smith” doesn't look like a case reference" in output
    assert "Child's case reference" in output  # the inline error is shown with its field's label
    assert "JU-000001" in output
    assert EDUCATION.name in output and HEALTH.name in output
    assert "Record saved" in output and "Saved as *JU-000001*" in output  # Sam's confirmation
    assert "Your record *JU-000001* about case *CR-12345* is saved" in output  # Sam's status DM
    assert "keeps a written record of face-to-face conversations" in output  # /joinedup help
    assert "app_manifest.yml" in output


def test_the_steps_come_in_order_and_people_are_named_not_numbered(output: str) -> None:
    order = ["Sam types  /record CR-12345", "Jane Smith", "Saved as *JU-000001*", "In #education", "In #health",
             "Sam types  /joinedup help", "What next"]
    positions = [output.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "@Sam Okafor" in output and "@Tia Brennan" in output
    assert "<@U0" not in output and "@U0" not in output


def test_the_output_fits_an_80_column_terminal(output: str) -> None:
    assert [line for line in output.splitlines() if len(line) > 80] == []


def test_acknowledging_is_shown_when_the_posts_carry_the_button(output: str) -> None:
    if "[ Acknowledge receipt ]" not in output:
        pytest.skip("the posts have no Acknowledge receipt button yet")
    if "Tia acknowledges receipt" in output:
        assert "Acknowledged for Education (Oakfield Primary) by @Tia" in output
        assert "1 of 2 acknowledged" in output


def test_the_identifier_check_names_the_nhs_number_before_anything_is_saved(output: str) -> None:
    assert "NHS number (“943 476 5919”)" in output
    assert "takes the NHS number out" in output


def test_the_later_steps_show_glossary_reminder_challenge_outcome_history_and_audit(output: str) -> None:
    assert "Also called: CIN" in output  # /joinedup glossary CIN
    assert "nobody has acknowledged it yet. @Lee Carter, could someone acknowledge it?" in output  # the reminder
    assert "sweep at night or at the weekend sends nothing" in " ".join(output.split())
    assert "Acknowledged for Health by @Nia Hughes" in output  # from the reminder's button
    assert "*I disagree with the risk level*" in output and "Proposed risk level: *Child in need*" in output
    assert "[ Respond ]" in output  # Sam's DM
    assert "Risk level revised from *Early help* to *Child in need* by @Sam" in output  # on the post
    assert "What happened after you shared *JU-000001*" in output  # the outcome request
    assert "*Outcome reported* by @Sam Okafor" in output and "Child in need assessment started" in output
    assert "*History*" in output and "outcome reported by @Sam Okafor" in output  # /joinedup show
    assert "*Audit trail of JU-000001" in output
    assert "@Tia Brennan (U0TIATEACH) · *raised challenge 1 for" in output  # acts in words, names with IDs
    assert "Joined Up · *reminded Health to acknowledge" in output


def test_the_later_steps_come_in_story_order(output: str) -> None:
    order = ["Tia acknowledges receipt", "Olly, who is in no agency", "/joinedup glossary CIN",
             "Joined Up reminds Health", "Tia challenges the risk level", "the follow-up date",
             "Sam types  /joinedup show JU-000001", "/joinedup audit JU-000001", "Sam types  /joinedup help"]
    positions = [output.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_slack_formatting_is_shown_as_a_terminal_can_show_it(output: str) -> None:
    assert re.findall(r":[a-z_]+:", output) == []  # every emoji code is translated
    assert [line for line in output.splitlines() if line.startswith("[ ")] == []  # button rows stay framed


def _strip_buttons(ctx: DemoContext) -> None:
    """Posts as they were before acknowledging existed."""
    for channel, post in ctx.posts.items():
        ctx.posts[channel] = {**post, "blocks": [b for b in post["blocks"] if b.get("type") != "actions"]}


def test_steps_for_features_that_are_not_there_say_nothing() -> None:
    out = io.StringIO()
    steps = [demo.open_the_form, demo.submit_and_share, _strip_buttons, demo.acknowledge, demo.outsider_refused,
             demo.ask_for_help]
    assert run_demo(out, steps=steps) == 0, out.getvalue()[-3000:]
    text = out.getvalue()
    assert "acknowledges receipt" not in text and "Olly" not in text
    assert "3. Sam types  /joinedup help" in text  # numbering carries on without the skipped steps


def test_a_step_that_fails_stops_the_demo_and_says_where() -> None:
    def broken(ctx: DemoContext) -> None:
        raise DemoError("the form did not open")

    out = io.StringIO()
    assert run_demo(out, steps=[demo.introduce, broken, demo.what_next]) == 1
    assert "stopped at step 'broken': the form did not open" in out.getvalue()
    assert "What next" not in out.getvalue()


def test_joinedup_demo_runs_from_the_command_line_with_no_slack_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "JOINEDUP_", "DATABASE_"))}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-m", "bot", "demo"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "JU-000001" in result.stdout
    assert " INFO " not in result.stderr  # the CLI's logging is kept quiet
    assert list(tmp_path.iterdir()) == []  # no database left behind in the working directory
