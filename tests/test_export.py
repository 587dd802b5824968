"""`joinedup export`: a child's records whole, for the case file, a subject access request or an inspection."""
from __future__ import annotations

import csv
import io
import json
import socket
from datetime import datetime, timedelta

import pytest

from bot.cli import main
from bot.demo.sample import EDUCATION, HEALTH, NIA, SAM, SOCIAL_CARE, TIA, sample_partnership
from bot.blocks.ids import Action, Field
from storage.models import AuditEvent
from tests.test_challenges import challenge, click, sharers_dm, submit_latest_form
from tests.conftest import BOT_TOKEN
from tests.test_reminders import acknowledge, at

OTHER_CHILD = "CR-55555"


def partnership_toml() -> str:
    """The sample partnership, written as a configuration file."""
    p = sample_partnership()
    lines = [f'[organisation]\nname = "{p.name}"\ntimezone = "Europe/London"\n']
    for agency in p.agencies:
        lines.append(f'[[agencies]]\nkey = "{agency.key}"\nname = "{agency.name}"\nchannel = "{agency.channel}"\n'
                     f"leads = {json.dumps(list(agency.leads))}\n")
    for level in p.risk_levels:
        lines.append(f'[[risk_levels]]\nkey = "{level.key}"\nlabel = "{level.label}"\n'
                     f"definition = {json.dumps(level.definition)}\nurgent = {str(level.urgent).lower()}\n")
    return "\n".join(lines)


@pytest.fixture
def cli(joinedup, monkeypatch, tmp_path):
    """Run `joinedup ARGS` in-process against the test database, as the user "ig.officer", with Slack (the
    stand-in, over HTTP) there to name people."""
    config = tmp_path / "joinedup.toml"
    config.write_text(partnership_toml(), encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", joinedup.db.url)
    monkeypatch.setenv("JOINEDUP_CONFIG", str(config))
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", joinedup.standin.api_url)
    monkeypatch.setattr("getpass.getuser", lambda: "ig.officer")
    return main


def a_childs_whole_history(joinedup) -> None:
    """JU-000001 for CR-12345: acknowledged, an outcome, a challenge answered with a revision, an amendment,
    each five minutes after the last; then JU-000002 for another child."""
    def later() -> None:
        joinedup.clock.set(joinedup.clock.now() + timedelta(minutes=5))

    joinedup.record()
    later()
    acknowledge(joinedup, EDUCATION.channel, TIA.user_id)
    later()
    acknowledge(joinedup, HEALTH.channel, NIA.user_id)  # a post offers to tell the sharer once acknowledged
    post = joinedup.posts(HEALTH.channel)[0]
    click(joinedup, post, Action.REPORT_OUTCOME, NIA.user_id, HEALTH.channel)
    submit_latest_form(joinedup, NIA.user_id, {Field.WHAT_HAPPENED: "School nurse visit booked for Thursday.",
                                               Field.NEXT_STEP: "further_action"})
    later()
    challenge(joinedup)
    later()
    click(joinedup, sharers_dm(joinedup, "asks about"), Action.RESPOND_CHALLENGE, SAM.user_id, "DU0SAMSW")
    submit_latest_form(joinedup, SAM.user_id, {Field.RESPONSE_TEXT: "Agreed: attendance changes the picture.",
                                               Field.REVISED_RISK: "child-in-need"})
    later()
    status = joinedup.standin.messages(SAM.user_id)[0]
    click(joinedup, status, Action.AMEND_RECORD, SAM.user_id, "DU0SAMSW")
    submit_latest_form(joinedup, SAM.user_id, {Field.SUMMARY: "Met at school on Monday, not Tuesday. No breakfast.",
                                               Field.AMEND_REASON: "The day was wrong"})
    later()
    joinedup.record(**{Field.CASE_REFERENCE: OTHER_CHILD, Field.SUMMARY: "Another child altogether."})


def test_a_childs_json_export_holds_only_that_childs_records_with_every_part(joinedup, cli, capsys):
    a_childs_whole_history(joinedup)

    assert cli(["export", "--child", " cr-12345 "]) == 0
    out = capsys.readouterr()
    document = json.loads(out.out)

    assert document["exported_by"] == "ig.officer"
    assert document["partnership"] == "Anyshire Children's Partnership"
    assert document["query"]["child"] == "CR-12345" and document["query"]["time_zone"] == "Europe/London"
    [record] = document["records"]
    assert record["reference"] == "JU-000001" and record["case_reference"] == "CR-12345"
    assert record["created_at"] == "2026-11-24T10:00:00+00:00"
    assert record["sharer"] == SAM.user_id and record["sharer_agency"] == "Children's Social Care"
    assert record["source"] == "first-hand"
    assert record["risk"]["key"] == "child-in-need" and record["risk"]["label"] == "Child in need"
    assert record["summary"] == "Met at school on Monday, not Tuesday. No breakfast."
    assert record["purged_at"] is None and record["note"] is None
    assert {(d["agency"], d["channel"], d["state"]) for d in record["deliveries"]} == {
        ("Education (Oakfield Primary)", EDUCATION.channel, "sent"), ("Health", HEALTH.channel, "sent")}
    assert all(d["permalink"] and d["posted_at"] for d in record["deliveries"])
    ack, _ = record["acknowledgements"]  # Education's, then Health's
    assert (ack["agency"], ack["acknowledged_by"], ack["acknowledged_at"]) == (
        "Education (Oakfield Primary)", TIA.user_id, "2026-11-24T10:05:00+00:00")
    [outcome] = record["outcomes"]
    assert outcome["agency"] == "Health" and outcome["what_happened"] == "School nurse visit booked for Thursday."
    assert outcome["next_step"] == "Further action is needed"
    [raised] = record["challenges"]
    assert raised["raised_by"] == TIA.user_id and raised["kind"] == "I disagree with the risk level"
    assert "eight days" in raised["text"] and raised["proposed_risk_label"] == "Child in need"
    assert [r["text"] for r in raised["responses"]] == ["Agreed: attendance changes the picture."]
    risk, amendment = record["revisions"]
    assert risk["kind"] == "risk level" and risk["previous"]["risk_label"] == "Early help"
    assert risk["current"]["risk_label"] == "Child in need" and "attendance" in risk["reason"]
    assert amendment["kind"] == "amendment" and amendment["reason"] == "The day was wrong"
    assert amendment["previous"]["summary"].startswith("Met at school. The child said")
    assert amendment["current"]["summary"] == "Met at school on Monday, not Tuesday. No breakfast."
    actions = [event["action"] for event in record["audit"]]
    assert {"created", "posted", "acknowledged", "outcome reported", "challenged", "risk level revised",
            "amended"} <= set(actions)
    assert "Another child altogether" not in out.out and OTHER_CHILD not in out.out
    assert "exported 1 record(s) for CR-12345 as json" in out.err and "note:" not in out.err


def test_a_json_export_names_people_agencies_times_and_acts_for_people_beside_the_machines_fields(
        joinedup, cli, capsys):
    a_childs_whole_history(joinedup)

    assert cli(["export", "--child", "CR-12345"]) == 0
    document = json.loads(capsys.readouterr().out)
    [record] = document["records"]

    assert document["names"] == "people are named as Slack knows them, with their Slack user ID"
    assert (record["sharer"], record["sharer_readable"]) == (SAM.user_id, f"{SAM.name} ({SAM.user_id})")
    assert (record["created_at"], record["created_at_readable"]) == ("2026-11-24T10:00:00+00:00",
                                                                     "24 Nov 2026 10:00 GMT")
    ack, _ = record["acknowledgements"]  # Education's, then Health's
    assert ack["acknowledged_by_readable"] == f"{TIA.name} ({TIA.user_id})"
    assert ack["acknowledged_at_readable"] == "24 Nov 2026 10:05 GMT"
    assert record["outcomes"][0]["reported_by_readable"] == f"{NIA.name} ({NIA.user_id})"
    assert record["challenges"][0]["raised_by_readable"] == f"{TIA.name} ({TIA.user_id})"
    assert {r["revised_by_readable"] for r in record["revisions"]} == {f"{SAM.name} ({SAM.user_id})"}
    acts = {(e["action"], e["actor_readable"], e["action_readable"]) for e in record["audit"]}
    assert ("created", f"{SAM.name} ({SAM.user_id})",
            f"recorded and shared with {EDUCATION.name}, {HEALTH.name}") in acts
    assert ("posted", "Joined Up", f"posted to {HEALTH.name} (channel {HEALTH.channel})") in acts
    assert ("acknowledged", f"{TIA.name} ({TIA.user_id})", f"acknowledged for {EDUCATION.name}") in acts
    assert ("outcome reported", f"{NIA.name} ({NIA.user_id})", f"told the sharer what {HEALTH.name} did") in acts
    assert ("challenged", f"{TIA.name} ({TIA.user_id})",
            f"raised challenge 1 for {EDUCATION.name}: “I disagree with the risk level”") in acts
    assert all(not e["action_readable"].startswith(e["action"] + ":") for e in record["audit"])
    # Each person was asked of Slack once, however often they appear.
    asked = [c.args["user"] for c in joinedup.standin.calls("users.info")]
    assert len(asked) == len(set(asked))


def test_in_the_summer_times_are_british_summer_time_and_named_so(joinedup, cli, capsys):
    joinedup.clock.set(at(2026, 6, 30, 23, 30))
    joinedup.record()

    assert cli(["export", "--all"]) == 0
    [record] = json.loads(capsys.readouterr().out)["records"]

    assert (record["created_at"], record["created_at_readable"]) == ("2026-06-30T23:30:00+00:00",
                                                                     "1 Jul 2026 00:30 BST")


def test_without_slack_people_are_shown_by_id_alone_with_a_note_saying_why(joinedup, cli, capsys, monkeypatch):
    joinedup.record()
    with socket.socket() as closed:  # a loopback port nobody listens on: Slack cannot be reached
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("SLACK_API_URL", f"http://127.0.0.1:{port}/api/")

    assert cli(["export", "--child", "CR-12345"]) == 0
    out = capsys.readouterr()
    document = json.loads(out.out)
    [record] = document["records"]

    assert record["sharer"] == record["sharer_readable"] == SAM.user_id
    assert "people are shown by their Slack user ID alone: Slack could not be asked" in document["names"]
    [note] = [line for line in out.err.splitlines() if "note:" in line]
    assert note.startswith("joinedup: note: people are shown by their Slack user ID alone")


def test_without_a_token_people_are_shown_by_id_alone_and_slack_is_not_asked(joinedup, cli, capsys, monkeypatch):
    joinedup.record()
    monkeypatch.delenv("SLACK_BOT_TOKEN")

    assert cli(["export", "--child", "CR-12345"]) == 0
    document = json.loads(capsys.readouterr().out)

    assert document["records"][0]["sharer_readable"] == SAM.user_id
    assert document["names"] == "people are shown by their Slack user ID alone: SLACK_BOT_TOKEN is not set"
    assert joinedup.standin.count("users.info") == 0


def test_when_slack_refuses_the_token_it_is_asked_once_and_people_are_shown_by_id(joinedup, cli, capsys):
    joinedup.record()
    acknowledge(joinedup, EDUCATION.channel, TIA.user_id)
    before = joinedup.standin.count("users.info")
    joinedup.standin.fail("users.info", error="invalid_auth", times=-1)

    assert cli(["export", "--child", "CR-12345"]) == 0
    document = json.loads(capsys.readouterr().out)

    assert joinedup.standin.count("users.info") == before + 1
    assert document["records"][0]["acknowledgements"][0]["acknowledged_by_readable"] == TIA.user_id
    assert "(invalid_auth)" in document["names"]


def test_someone_slack_does_not_know_is_shown_by_id_and_everyone_else_by_name(joinedup, cli, capsys):
    joinedup.record()
    acknowledge(joinedup, EDUCATION.channel, TIA.user_id)
    joinedup.standin.fail("users.info", error="user_not_found", times=1)  # the first person asked: the sharer

    assert cli(["export", "--child", "CR-12345"]) == 0
    document = json.loads(capsys.readouterr().out)
    [record] = document["records"]

    assert record["sharer_readable"] == SAM.user_id
    assert record["acknowledgements"][0]["acknowledged_by_readable"] == f"{TIA.name} ({TIA.user_id})"
    assert document["names"] == f"1 user ID(s) are not in this Slack workspace and are shown alone: {SAM.user_id}"


def test_a_name_given_as_the_childs_reference_is_refused_and_not_repeated(joinedup, cli, capsys):
    joinedup.record()

    assert cli(["export", "--child", "Jane Smith"]) == 2
    out = capsys.readouterr()

    [line] = out.err.splitlines()
    assert line.startswith("joinedup: --child takes a case reference like CR-12345")
    assert "never use a child's name as a reference" in line
    assert "JANE" not in line.upper() and "SMITH" not in line.upper() and out.out == ""
    assert joinedup.standin.count("users.info") == 0
    with joinedup.db.read() as session:
        assert session.query(AuditEvent).filter(AuditEvent.action == "exported").count() == 0


def test_a_reference_is_judged_by_the_partnerships_own_case_reference_pattern(joinedup, cli, capsys, tmp_path):
    joinedup.record()
    config = tmp_path / "joinedup.toml"
    config.write_text(partnership_toml().replace(
        'timezone = "Europe/London"\n',
        "timezone = \"Europe/London\"\ncase_reference_pattern = '^LA[0-9]{6}$'\ncase_reference_example = \"LA123456\"\n"),
        encoding="utf-8")

    assert cli(["export", "--child", "CR-12345"]) == 2
    assert "like LA123456" in capsys.readouterr().err
    assert cli(["export", "--child", "la654321"]) == 0
    assert "no records for LA654321" in capsys.readouterr().err


def test_a_childs_csv_export_reads_in_a_spreadsheet_one_row_per_entry_in_time_order(joinedup, cli, capsys):
    a_childs_whole_history(joinedup)

    assert cli(["export", "--child", "CR-12345", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))

    assert list(rows[0]) == ["reference", "case_reference", "when", "when_readable", "entry", "who", "who_readable",
                             "agency", "details"]
    assert {row["reference"] for row in rows} == {"JU-000001"}
    assert rows[0]["entry"] == "record" and rows[0]["who"] == SAM.user_id
    assert rows[0]["who_readable"] == f"{SAM.name} ({SAM.user_id})"
    assert rows[0]["when_readable"] == "24 Nov 2026 10:00 GMT"
    assert "Case reference: CR-12345" in rows[0]["details"].splitlines()
    assert f"Shared by: {SAM.name} ({SAM.user_id}), {SOCIAL_CARE.name}" in rows[0]["details"].splitlines()
    assert "Recorded: 24 Nov 2026 10:00 GMT" in rows[0]["details"].splitlines()
    assert "Risk level: Child in need (child-in-need)" in rows[0]["details"].splitlines()
    moments = [datetime.fromisoformat(row["when"]) for row in rows]
    assert moments == sorted(moments)
    acts = [row["entry"] for row in rows if row["entry"] not in ("audit", "delivery")]
    assert acts == ["record", "acknowledgement", "acknowledgement", "outcome", "challenge", "response", "revision",
                    "revision"]
    assert [row["entry"] for row in rows].count("delivery") == 2
    ack = next(row for row in rows if row["entry"] == "acknowledgement")
    assert (ack["who"], ack["agency"]) == (TIA.user_id, "Education (Oakfield Primary)")
    assert (ack["who_readable"], ack["when_readable"]) == (f"{TIA.name} ({TIA.user_id})", "24 Nov 2026 10:05 GMT")
    audited = [(row["who_readable"], row["details"]) for row in rows if row["entry"] == "audit"]
    assert (f"{TIA.name} ({TIA.user_id})", f"acknowledged for {EDUCATION.name} (button)") in audited
    assert ("Joined Up", f"posted to {HEALTH.name} (channel {HEALTH.channel}) (delivery)") in audited
    assert "Agreed: attendance changes the picture." in next(r for r in rows if r["entry"] == "response")["details"]
    amendment = [row for row in rows if row["entry"] == "revision"][-1]["details"]
    assert "The day was wrong" in amendment and "Summary was: Met at school. The child said" in amendment


def test_all_exports_every_child_and_the_dates_are_days_in_the_partnerships_time_zone(joinedup, cli, capsys):
    joinedup.clock.set(at(2026, 6, 30, 23, 30))  # 00:30 on 1 July in London (BST)
    joinedup.record(**{Field.CASE_REFERENCE: "CR-00001"})
    joinedup.clock.set(at(2026, 7, 2, 10, 0))
    joinedup.record(**{Field.CASE_REFERENCE: "CR-00002"})
    joinedup.clock.set(at(2026, 7, 3, 10, 0))
    joinedup.record(**{Field.CASE_REFERENCE: "CR-00001"})

    def references(*args: str) -> list[str]:
        assert cli(["export", *args]) == 0
        return [r["reference"] for r in json.loads(capsys.readouterr().out)["records"]]

    assert references("--all") == ["JU-000001", "JU-000002", "JU-000003"]
    assert references("--all", "--from", "2026-07-01", "--to", "2026-07-02") == ["JU-000001", "JU-000002"]
    assert references("--all", "--from", "2026-07-02") == ["JU-000002", "JU-000003"]
    assert references("--all", "--to", "2026-06-30") == []
    assert references("--child", "CR-00001", "--to", "2026-07-02") == ["JU-000001"]


def test_without_a_configuration_the_export_still_works_in_utc_with_agency_keys(joinedup, monkeypatch, capsys,
                                                                               tmp_path):
    joinedup.clock.set(at(2026, 6, 30, 23, 30))
    joinedup.record()
    monkeypatch.setenv("DATABASE_URL", joinedup.db.url)
    monkeypatch.delenv("JOINEDUP_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./joinedup.toml here

    assert main(["export", "--all", "--from", "2026-06-30", "--to", "2026-06-30"]) == 0
    out = capsys.readouterr()
    document = json.loads(out.out)

    assert document["partnership"] is None and document["query"]["time_zone"] == "UTC"
    [record] = document["records"]
    assert record["sharer_agency"] == "social-care"
    assert {d["agency"] for d in record["deliveries"]} == {"education", "health"}
    assert "warning: could not load" in out.err


def test_the_export_is_itself_in_each_records_audit_trail(joinedup, cli, capsys, tmp_path):
    a_childs_whole_history(joinedup)
    written = tmp_path / "case-file.csv"

    assert cli(["export", "--child", "CR-12345", "--format", "csv", "--output", str(written),
                "--from", "2026-11-01"]) == 0
    assert cli(["export", "--all"]) == 0
    printed = capsys.readouterr()

    assert printed.out.count('"reference": "JU-0000') == 2  # only the second export went to stdout
    rows = list(csv.DictReader(io.StringIO(written.read_text(encoding="utf-8-sig"))))
    assert {row["reference"] for row in rows} == {"JU-000001"}
    with joinedup.db.read() as session:
        exported = [(e.record_id, e.actor, e.surface, e.detail) for e in
                    session.query(AuditEvent).filter(AuditEvent.action == "exported").order_by(AuditEvent.id)]
    assert exported == [(1, "ig.officer", "command line", "export --child, csv, from 2026-11-01"),
                        (1, "ig.officer", "command line", "export --all, json"),
                        (2, "ig.officer", "command line", "export --all, json")]
    assert cli(["export", "--child", "CR-12345"]) == 0
    audit = json.loads(capsys.readouterr().out)["records"][0]["audit"]
    assert [e["detail"] for e in audit if e["action"] == "exported"] == [
        "export --child, csv, from 2026-11-01", "export --all, json"]


def test_without_a_login_name_the_exporter_is_the_command_line(joinedup, cli, monkeypatch, capsys):
    joinedup.record()

    def no_login() -> str:
        raise OSError("no login name")

    monkeypatch.setattr("getpass.getuser", no_login)

    assert cli(["export", "--child", "CR-12345"]) == 0
    assert json.loads(capsys.readouterr().out)["exported_by"] == "command line"
    with joinedup.db.read() as session:
        assert session.query(AuditEvent).filter(AuditEvent.action == "exported").one().actor == "command line"


def test_a_child_with_no_records_exports_nothing_says_so_and_succeeds(joinedup, cli, capsys):
    joinedup.record()

    assert cli(["export", "--child", "CR-99999", "--format", "csv"]) == 0
    out = capsys.readouterr()

    assert list(csv.DictReader(io.StringIO(out.out))) == []
    assert "no records for CR-99999" in out.err
    with joinedup.db.read() as session:
        assert session.query(AuditEvent).filter(AuditEvent.action == "exported").count() == 0


@pytest.mark.parametrize("args, words", [
    ([], "exactly one of --child"),
    (["--child", "CR-12345", "--all"], "exactly one of --child"),
    (["--child", "   "], "--child needs the child's case reference"),
    (["--all", "--from", "24/11/2026"], "--from '24/11/2026' is not a date"),
    (["--all", "--to", "2026-02-30"], "--to '2026-02-30' is not a date"),
    (["--all", "--from", "2026-12-01", "--to", "2026-11-01"], "is after --to"),
    (["--all", "--format", "xlsx"], "--format 'xlsx' is not a format"),
    (["--all", "--output", "/no/such/folder/out.json"], "--output /no/such/folder/out.json: cannot write it"),
], ids=["neither", "both", "blank-child", "bad-from", "impossible-to", "backwards", "format", "output"])
def test_bad_arguments_give_one_line_and_exit_2(joinedup, cli, capsys, args, words):
    joinedup.record()

    assert cli(["export", *args]) == 2
    out = capsys.readouterr()

    assert out.out == ""
    [line] = out.err.splitlines()
    assert line.startswith("joinedup: ") and words in line
    with joinedup.db.read() as session:
        assert session.query(AuditEvent).filter(AuditEvent.action == "exported").count() == 0


def test_a_record_removed_under_the_retention_policy_is_exported_with_a_note_that_its_content_was_removed(
        joinedup, cli, capsys):
    joinedup.record()
    acknowledge(joinedup, EDUCATION.channel, TIA.user_id)
    joinedup.clock.set(at(2033, 1, 1, 0, 0))
    joinedup.services.retention.purge(1)

    assert cli(["export", "--all"]) == 0
    [record] = json.loads(capsys.readouterr().out)["records"]
    assert cli(["export", "--all", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))

    assert record["reference"] == "JU-000001" and record["purged_at"] == "2033-01-01T00:00:00+00:00"
    assert record["note"] == "The content of this record was removed under the retention policy on 2033-01-01."
    assert record["summary"] == "" and "breakfast" not in json.dumps(record)
    assert [a["agency"] for a in record["acknowledgements"]] == ["Education (Oakfield Primary)"]
    assert "purged" in [e["action"] for e in record["audit"]]
    assert "Note: The content of this record was removed" in rows[0]["details"]
