"""`joinedup doctor`: one line per check, against the Slack stand-in over HTTP and a real database.

The real slack_sdk client talks to the stand-in; what Slack would say (a scope missing, a channel the bot is not
in, a deactivated person) is set up in the stand-in's world, never patched into the client.
"""
from __future__ import annotations

import socket
import sqlite3

import pytest
import yaml
from alembic import command
from slack_sdk.errors import SlackApiError

from bot.cli import main
from bot.demo.sample import ADMIN, EDUCATION, HEALTH, LEE, POLICE, SAM, populate, sample_partnership, sample_toml
from bot.domain.manifest import MANIFEST, ManifestError, bot_scopes, read_bot_scopes
from bot.edge.client import slack_client
from bot.operations.preflight import head_revision
from storage.db import Database, alembic_config
from tests.conftest import BOT_TOKEN

MANIFEST_SCOPES = tuple(yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["oauth_config"]["scopes"]["bot"])


def everyone(partnership=None) -> set[str]:
    partnership = partnership or sample_partnership()
    return {*partnership.admins, *(u for a in partnership.agencies for u in (*a.leads, *a.members))}


@pytest.fixture
def place(tmp_path, standin, monkeypatch):
    """A configuration, a migrated SQLite database and a token for the stand-in, as an operator would set them."""
    config = tmp_path / "joinedup.toml"
    config.write_text(sample_toml(), encoding="utf-8")
    url = f"sqlite:///{tmp_path}/joinedup.db"
    Database(url).migrate()
    for name, value in (("SLACK_BOT_TOKEN", BOT_TOKEN), ("SLACK_API_URL", standin.api_url), ("DATABASE_URL", url),
                        ("JOINEDUP_CONFIG", str(config))):
        monkeypatch.setenv(name, value)
    return tmp_path


def doctor(capsys, *args: str) -> tuple[int, list[str]]:
    status = main(["doctor", *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and out.err == ""
    lines = out.out.splitlines()
    checks, summary = lines[:-1], lines[-1]
    assert all(line.startswith(("ok: ", "problem: ")) for line in checks), lines
    assert all(" fix: " in line for line in checks if line.startswith("problem: ")), lines
    assert summary.startswith("joinedup doctor: ")
    return status, checks


def problems(checks: list[str]) -> list[str]:
    return [line for line in checks if line.startswith("problem: ")]


# --- all good -------------------------------------------------------------------------------------

def test_a_sound_installation_passes_every_check_and_exits_0(place, standin, capsys):
    status, checks = doctor(capsys)

    assert status == 0, checks
    assert problems(checks) == []
    for agency in sample_partnership().agencies:
        assert [line for line in checks if line.startswith(f"ok: agencies[{agency.key}] ({agency.name}): ")
                and "Joined Up is a member" in line]
    assert any(f"every bot scope app_manifest.yml asks for ({len(MANIFEST_SCOPES)})" in line for line in checks)
    assert any(f"{len(everyone())} of {len(everyone())} people" in line for line in checks)
    assert any("answers and is at schema revision" in line for line in checks)
    # Every check was a real call to Slack: one auth.test, a conversations.info per agency, a users.info per person.
    assert standin.count("auth.test") == 1
    assert standin.count("conversations.info", answered_ok=True) == len(sample_partnership().agencies)
    assert {c.args["user"] for c in standin.calls("users.info")} == everyone()


# --- Slack ----------------------------------------------------------------------------------------

def test_a_token_without_a_scope_the_manifest_asks_for_is_a_problem_naming_the_scope(place, standin, capsys):
    standin.scopes = tuple(scope for scope in MANIFEST_SCOPES if scope != "groups:history")

    status, checks = doctor(capsys)

    assert status == 1
    [line] = problems(checks)
    assert line.startswith("problem: the token lacks 1 bot scope(s) that app_manifest.yml asks for: groups:history.")
    assert "reinstall the app" in line and "SLACK_BOT_TOKEN" in line


def test_a_token_without_channels_read_cannot_check_channels_and_says_so(place, standin, capsys):
    standin.scopes = tuple(s for s in MANIFEST_SCOPES if s not in ("channels:read", "groups:read"))

    status, checks = doctor(capsys)

    assert status == 1
    assert any("channels:read, groups:read" in line for line in problems(checks))
    assert sum("lacks channels:read and groups:read" in line for line in problems(checks)) == 4


def test_a_private_channel_the_bot_is_not_in_and_a_public_one_it_left_are_problems_naming_the_agency(
        place, standin, capsys):
    standin.add_channel(HEALTH.channel, name="health", members=[LEE.user_id], is_private=True, bot_is_member=False)
    standin.add_channel(POLICE.channel, name="police", bot_is_member=False)
    standin.add_channel(EDUCATION.channel, name="education", archived=True)

    status, checks = doctor(capsys)

    assert status == 1
    health, police, education = (next(line for line in problems(checks) if f"agencies[{a.key}] ({a.name})" in line)
                                 for a in (HEALTH, POLICE, EDUCATION))
    assert f"channel {HEALTH.channel} was not found, or it is private and Joined Up is not in it" in health
    assert "/invite @Joined Up" in health and f"agencies[{HEALTH.key}].channel" in health
    assert "Joined Up is not a member of it" in police and "fix: type /invite @Joined Up in the channel" in police
    assert "is archived" in education
    assert len(problems(checks)) == 3


def test_a_deactivated_lead_and_an_unknown_admin_are_problems_naming_their_keys(place, standin, capsys, tmp_path):
    standin.add_user(LEE.user_id, name="lee", real_name=LEE.name, deleted=True)
    config = tmp_path / "joinedup.toml"
    config.write_text(sample_toml().replace(f'admins = ["{ADMIN.user_id}"]', f'admins = ["{ADMIN.user_id}", "U0NOBODY"]'),
                      encoding="utf-8")

    status, checks = doctor(capsys)

    assert status == 1
    unknown, deactivated = problems(checks)  # admins first, then each agency's leads and members
    assert deactivated.startswith(f"problem: agencies[{HEALTH.key}].leads[0]: {LEE.user_id} ({LEE.name}) is "
                                  "deactivated in Slack.")
    assert unknown.startswith("problem: organisation.admins[1]: U0NOBODY is not a user in this Slack workspace.")
    assert "Copy member ID" in unknown
    assert any(f"{len(everyone()) - 1} of {len(everyone()) + 1} people" in line for line in checks)


def test_a_person_named_under_several_keys_is_looked_up_once_and_named_under_each(place, standin, capsys, tmp_path):
    standin.add_user(SAM.user_id, name="sam", real_name=SAM.name, deleted=True)
    config = tmp_path / "joinedup.toml"
    config.write_text(sample_toml().replace(f'admins = ["{ADMIN.user_id}"]', f'admins = ["{SAM.user_id}"]'),
                      encoding="utf-8")

    status, checks = doctor(capsys)

    [line] = problems(checks)
    assert line.startswith(f"problem: organisation.admins[0] and agencies[social-care].leads[0]: {SAM.user_id} ")
    assert [c.args["user"] for c in standin.calls("users.info")].count(SAM.user_id) == 1


def test_a_token_slack_refuses_is_one_problem_and_slack_is_not_asked_further(place, standin, capsys):
    standin.fail("auth.test", error="invalid_auth")

    status, checks = doctor(capsys)

    assert status == 1
    [line] = problems(checks)
    assert line.startswith("problem: Slack refused SLACK_BOT_TOKEN (invalid_auth).")
    assert standin.count("conversations.info") == standin.count("users.info") == 0
    assert any(line.startswith("ok: the database") for line in checks)


def test_slack_out_of_reach_is_one_problem_and_no_stray_log_lines(place, standin, capsys, monkeypatch):
    with socket.socket() as closed:  # a loopback port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("SLACK_API_URL", f"http://127.0.0.1:{port}/api/")

    status, checks = doctor(capsys)  # which also finds nothing on stderr: slack_sdk's log line is kept back

    assert status == 1
    [line] = problems(checks)
    assert line.startswith(f"problem: could not reach Slack at http://127.0.0.1:{port}/api/ (ConnectionRefusedError")


def test_without_a_token_the_slack_checks_are_one_problem(place, standin, capsys, monkeypatch):
    monkeypatch.delenv("SLACK_BOT_TOKEN")

    status, checks = doctor(capsys)

    assert status == 1
    assert [line.split(".")[0] for line in problems(checks)] == [
        "problem: SLACK_BOT_TOKEN is not set, so nothing in Slack could be checked"]
    assert standin.calls() == []


def test_a_configuration_with_errors_is_a_problem_pointing_to_check_config(place, standin, capsys, tmp_path):
    (tmp_path / "joinedup.toml").write_text(sample_toml().replace(f'channel = "{POLICE.channel}"', 'channel = "#police"'),
                                            encoding="utf-8")

    status, checks = doctor(capsys)

    assert status == 1
    [line] = problems(checks)
    assert "has 1 error(s), the first agencies[police].channel: '#police' is not a channel ID" in line
    assert "fix: run joinedup check-config --config" in line


# --- the database ---------------------------------------------------------------------------------

def test_an_unmigrated_database_is_a_problem_saying_run_migrate(place, standin, capsys, tmp_path, monkeypatch):
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{empty}")

    status, checks = doctor(capsys)

    assert status == 1
    [line] = problems(checks)
    assert "answers but has no Joined Up schema (it was never migrated)" in line
    assert line.endswith("fix: run joinedup migrate (take a joinedup backup first)")


def test_a_database_migrated_to_an_older_revision_is_a_problem_naming_both_revisions(
        place, standin, capsys, tmp_path, monkeypatch):
    older = f"sqlite:///{tmp_path}/older.db"
    db = Database(older)
    with db.engine.connect() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        connection.commit()
    db.dispose()
    monkeypatch.setenv("DATABASE_URL", older)

    status, checks = doctor(capsys)

    [line] = problems(checks)
    assert f"is at schema revision 0006; this version of Joined Up needs {head_revision()}" in line \
        and "joinedup migrate" in line


def test_a_missing_database_file_is_a_problem_and_is_not_created(place, standin, capsys, tmp_path, monkeypatch):
    missing = tmp_path / "nowhere.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")

    status, checks = doctor(capsys)

    [line] = problems(checks)
    assert "does not exist yet" in line and "joinedup migrate" in line
    assert not missing.exists()


def test_a_database_server_that_does_not_answer_is_a_problem(place, standin, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://joinedup@127.0.0.1:9/joinedup?connect_timeout=2")

    status, checks = doctor(capsys)

    [line] = problems(checks)
    assert line.startswith("problem: the database postgresql://joinedup@127.0.0.1:9/joinedup") and "does not answer" in line


def test_a_postgresql_database_at_head_passes(place, standin, capsys, monkeypatch, postgres_url):
    monkeypatch.setenv("DATABASE_URL", postgres_url)

    status, checks = doctor(capsys)

    assert status == 0, checks


# --- the manifest and the stand-in ---------------------------------------------------------------

def test_the_manifests_bot_scopes_are_read_as_pyyaml_reads_them():
    assert read_bot_scopes() == MANIFEST_SCOPES


@pytest.mark.parametrize("text, scopes", [
    ("oauth_config:\n  scopes:\n    bot:\n    - a:b   # why\n    - 'c.d'\n  other: x\n", ("a:b", "c.d")),
    ("oauth_config:\n  scopes:\n    user: [x]\n    bot: [\"a\", b]\n", ("a", "b")),
    ("x:\n  bot:\n    - elsewhere\noauth_config:\n  scopes:\n    bot:\n      - im:write\nsettings:\n  - z\n", ("im:write",)),
])
def test_the_scope_reader_agrees_with_pyyaml_on_other_layouts(text, scopes):
    assert bot_scopes(text) == scopes == tuple(yaml.safe_load(text)["oauth_config"]["scopes"]["bot"])


def test_a_manifest_without_bot_scopes_is_refused():
    with pytest.raises(ManifestError):
        bot_scopes("oauth_config:\n  scopes:\n    user:\n      - a\n")


def test_the_standin_names_the_tokens_scopes_and_answers_conversations_info_as_slack_does(standin):
    client = slack_client(BOT_TOKEN, standin.api_url)
    standin.add_channel("G0SECRET", name="secret", is_private=True, bot_is_member=False)

    assert client.auth_test().headers["x-oauth-scopes"] == ",".join(MANIFEST_SCOPES)
    channel = client.conversations_info(channel=HEALTH.channel, include_num_members=True)["channel"]
    assert {k: channel[k] for k in ("id", "name", "is_private", "is_member", "is_archived")} == {
        "id": HEALTH.channel, "name": HEALTH.key, "is_private": False, "is_member": True, "is_archived": False}
    for channel_id in ("G0SECRET", "C0NOWHERE"):
        with pytest.raises(SlackApiError) as refused:
            client.conversations_info(channel=channel_id)
        assert refused.value.response["error"] == "channel_not_found"
        assert refused.value.response.headers["x-oauth-scopes"]
    with pytest.raises(SlackApiError) as refused:
        client.api_call("conversations.info", params={"channel": HEALTH.channel, "types": "public_channel"})
    assert refused.value.response["error"] == "invalid_arguments"

    standin.scopes = ("chat:write",)
    with pytest.raises(SlackApiError) as refused:
        client.users_info(user=SAM.user_id)
    assert (refused.value.response["error"], refused.value.response["needed"]) == ("missing_scope", "users:read")
    standin.reset()
    populate(standin)
    assert client.users_info(user=SAM.user_id)["ok"]
