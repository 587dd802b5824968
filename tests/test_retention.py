"""Retention: content removed from the database and from Slack, audit metadata kept."""
from __future__ import annotations

from datetime import timedelta

from bot.cli import main
from bot.demo.sample import EDUCATION, HEALTH, SAM, TIA
from bot.standin.signed_requests import find_action
from bot.processes.sweep import Sweeper
from storage.models import AuditEvent, Record, Share
from tests.test_config import example_text

KEEP = timedelta(days=2190)


def test_a_record_past_retention_disappears_from_the_database_and_from_slack_leaving_its_audit_metadata(joinedup):
    joinedup.record()
    post = joinedup.posts(EDUCATION.channel)[0]
    joinedup.slack.click(post, find_action(post["blocks"], "acknowledge"), user=TIA.user_id, channel=EDUCATION.channel)
    joinedup.clock.advance(days=KEEP.days + 1)

    report = Sweeper(joinedup.services).run()

    assert report.purged == 1
    with joinedup.db.read() as session:
        record = session.get(Record, 1)
        assert record.summary == "" and record.case_reference == "" and record.purged_at is not None
        assert all(s.acknowledgement_note is None for s in session.query(Share))
        actions = [e.action for e in session.query(AuditEvent).filter(AuditEvent.record_id == 1)]
    assert actions[0] == "created" and "acknowledged" in actions and actions[-1] == "purged"
    for channel in (EDUCATION.channel, HEALTH.channel):
        blocks = str(joinedup.standin.message(channel, joinedup.posts(channel)[0]["ts"])["blocks"])
        assert "JU-000001 was removed under the retention policy" in blocks
        assert "breakfast" not in blocks and "CR-12345" not in blocks
    assert "removed under the retention policy" in str(joinedup.standin.messages(SAM.user_id)[0]["blocks"])


def test_activity_keeps_a_record_and_reading_it_does_not(joinedup):
    joinedup.record()
    joinedup.clock.advance(days=KEEP.days - 10)
    post = joinedup.posts(EDUCATION.channel)[0]
    joinedup.slack.click(post, find_action(post["blocks"], "acknowledge"), user=TIA.user_id, channel=EDUCATION.channel)
    joinedup.clock.advance(days=20)
    joinedup.slack.command("/joinedup", "show JU-000001", user=SAM.user_id)

    assert joinedup.services.retention.expired() == []
    joinedup.clock.advance(days=KEEP.days)
    assert [e.reference for e in joinedup.services.retention.expired()] == ["JU-000001"]


def test_dry_run_lists_what_would_go_and_changes_nothing(joinedup, monkeypatch, capsys, tmp_path):
    joinedup.record()
    monkeypatch.setenv("DATABASE_URL", joinedup.db.url)
    monkeypatch.setenv("JOINEDUP_CONFIG", str(tmp_path / "j.toml"))
    (tmp_path / "j.toml").write_text(example_text().replace("keep_for_days = 2190", "keep_for_days = 30"),
                                     encoding="utf-8")

    assert main(["retention", "--dry-run"]) == 0
    assert "0 record(s) would be removed" in capsys.readouterr().out

    with joinedup.db.write() as session:
        record = session.get(Record, 1)
        record.created_at -= timedelta(days=60)
        record.last_activity_at -= timedelta(days=60)
        for event in session.query(AuditEvent):
            event.at -= timedelta(days=60)
    assert main(["retention", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "JU-000001" in out and "1 record(s) would be removed" in out
    with joinedup.db.read() as session:
        assert session.get(Record, 1).purged_at is None
