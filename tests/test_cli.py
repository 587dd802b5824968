"""The `joinedup` command, run for real in a clean environment, as an operator would run it.

Each test spawns one Python process (about a second), so there are few of them. None of them reach Slack:
every command here stops, by design, before it would make a network call.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "joinedup.example.toml"
CREDENTIALS = {"SLACK_BOT_TOKEN": "xoxb-not-a-real-token", "SLACK_SIGNING_SECRET": "not-a-real-secret"}


def joinedup(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` in `cwd` with only PATH, PYTHONPATH and the variables given."""
    clean = {"PATH": os.environ.get("PATH", os.defpath), "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8", **env}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=clean, capture_output=True,
                          text=True, encoding="utf-8", timeout=60)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single `joinedup: …` line a failed command must print to stderr, with exit status 2."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("joinedup: ")
    assert result.returncode == 2
    return lines[0]


# --- check-config ---------------------------------------------------------------------------------

def test_check_config_flags_each_placeholder_id_left_from_the_example_file(tmp_path: Path) -> None:
    from tests.test_config import _example_data, placeholders_in

    result = joinedup(tmp_path, "check-config", "--config", str(EXAMPLE))

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    placeholders = placeholders_in(_example_data())
    assert [line.split(": ")[2] for line in lines[:-1]] == [key for key, _ in placeholders]
    assert all(f"{EXAMPLE}: error: {key}: {placeholder!r} is a placeholder from joinedup.example.toml: replace it "
               in line for line, (key, placeholder) in zip(lines[:-1], placeholders, strict=True))
    assert lines[-1] == f"{EXAMPLE}: {len(placeholders)} error(s): Joined Up will not start until they are fixed"


def test_check_config_accepts_the_example_file_with_its_ids_replaced(tmp_path: Path) -> None:
    from tests.test_config import example_text

    path = tmp_path / "joinedup.toml"
    path.write_text(example_text(), encoding="utf-8")
    result = joinedup(tmp_path, "check-config", "--config", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(": OK (4 agencies, 4 risk levels)")
    assert "error" not in result.stdout and "warning" not in result.stdout


def test_check_config_prints_every_problem_on_its_own_line_naming_the_file_and_key(tmp_path: Path) -> None:
    from tests.test_config import REAL_IDS, example_text

    text = example_text()
    for old, new in (('timezone = "Europe/London"', 'timezone = "London"'),
                     (f'channel = "{REAL_IDS["C0HEALTH01"]}"', 'channel = "#health"'),
                     ('holiday_region = "England and Wales"', 'holiday_region = "UK"'),
                     ("[reminders]\n", "[reminders]\nescalate_after = 4\n"),
                     ('definition = "Emerging needs', 'unagreed = "Emerging needs')):
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")

    result = joinedup(tmp_path, "check-config", "--config", str(path))

    assert result.returncode != 0
    lines = result.stdout.splitlines()
    for key in ("organisation.timezone", "agencies[health].channel", "working_hours.holiday_region",
                "reminders.escalate_after", "risk_levels[1].unagreed"):
        assert [line for line in lines if line.startswith(f"{path}: error: {key}: ")], (key, result.stdout)
    assert [line for line in lines if line.startswith(f"{path}: warning: risk_levels[1].definition: ")]
    assert lines[-1] == f"{path}: 5 error(s): Joined Up will not start until they are fixed"


# --- serve and socket: missing settings stop with one line ----------------------------------------

def test_serve_without_a_bot_token_stops_with_one_line_naming_slack_bot_token(tmp_path: Path) -> None:
    line = one_line_error(joinedup(tmp_path, "serve"))
    assert line.startswith("joinedup: SLACK_BOT_TOKEN is not set: ")


def test_serve_without_a_signing_secret_stops_with_one_line_naming_slack_signing_secret(tmp_path: Path) -> None:
    line = one_line_error(joinedup(tmp_path, "serve", SLACK_BOT_TOKEN="xoxb-not-a-real-token"))
    assert line.startswith("joinedup: SLACK_SIGNING_SECRET is not set: ")


def test_socket_without_an_app_token_stops_with_one_line_naming_slack_app_token(tmp_path: Path) -> None:
    line = one_line_error(joinedup(tmp_path, "socket", **CREDENTIALS))
    assert line.startswith("joinedup: SLACK_APP_TOKEN is not set: ")


def test_serve_without_the_config_file_stops_with_one_line_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "etc" / "joinedup.toml"
    line = one_line_error(joinedup(tmp_path, "serve", JOINEDUP_CONFIG=str(missing), **CREDENTIALS))
    assert line.startswith(f"joinedup: {missing}: file not found")
    assert line.count(str(missing)) == 1
    assert not (tmp_path / "joinedup.db").exists()


def test_serve_refuses_oauth_client_credentials_with_one_line(tmp_path: Path) -> None:
    line = one_line_error(joinedup(tmp_path, "serve", SLACK_CLIENT_ID="123.456", SLACK_CLIENT_SECRET="shh",
                                   **CREDENTIALS))
    assert "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set" in line and "unset both" in line


# --- migrate and sweep ----------------------------------------------------------------------------

def test_migrate_creates_the_schema_in_the_database_url(tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    result = joinedup(tmp_path, "migrate", DATABASE_URL=f"sqlite:///{database}")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("joinedup: the database is up to date")
    with sqlite3.connect(database) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert {"alembic_version", "records", "shares", "slack_messages", "sharer_preferences"} <= tables
    assert len(version) == 1
    assert not (tmp_path / "joinedup.db").exists()


def test_sweep_at_a_moment_that_is_not_a_date_stops_with_one_line(tmp_path: Path) -> None:
    line = one_line_error(joinedup(tmp_path, "sweep", "--at", "not-a-date", SLACK_BOT_TOKEN="xoxb-not-a-real-token"))
    assert line.startswith("joinedup: --at 'not-a-date' is not an ISO 8601 moment")


def test_a_database_url_that_cannot_be_used_gives_one_line_and_no_traceback(tmp_path: Path) -> None:
    for url in ("nonsense", f"sqlite:///{tmp_path}/missing-folder/x.db"):
        assert "DATABASE_URL" in one_line_error(joinedup(tmp_path, "migrate", DATABASE_URL=url))


def test_serve_runs_one_web_worker_on_sqlite_and_leaves_a_core_to_delivery_on_postgresql() -> None:
    from bot.processes.server import default_workers

    assert [default_workers(True, cpus) for cpus in (1, 2, 8)] == [1, 1, 1]
    assert [default_workers(False, cpus) for cpus in (1, 2, 8)] == [1, 1, 7]
