"""The audit trail: every act, who, when, from where; never content; only ever appended."""
from __future__ import annotations

import inspect

import bot.services.audit as audit_module
from bot.cli import main
from bot.demo.sample import ADMIN, EDUCATION, HEALTH, SAM, TIA, sample_toml
from bot.services.audit import Act
from bot.services.readable import act_in_words
from bot.standin.signed_requests import find_action
from bot.processes.sweep import Sweeper
from bot.blocks.ids import Action, Field
from storage.models import AuditEvent
from tests.conftest import BOT_TOKEN
from tests.test_reminders import acknowledge, at

SUMMARY = "Unmistakable summary words that must never reach the audit trail."


def acts(joinedup) -> list[tuple[str, str, str]]:
    with joinedup.db.read() as session:
        return [(e.actor, e.action, e.surface) for e in session.query(AuditEvent).order_by(AuditEvent.id)]


def test_every_act_on_a_record_is_in_its_trail_with_who_and_where(joinedup):
    joinedup.standin.fail("chat.postMessage", error="not_in_channel", channel=HEALTH.channel, times=-1)
    joinedup.record(**{Field.SUMMARY: SUMMARY})
    post = joinedup.posts(EDUCATION.channel)[0]
    joinedup.slack.click(post, find_action(post["blocks"], Action.ACKNOWLEDGE), user=TIA.user_id,
                         channel=EDUCATION.channel)
    joinedup.slack.command("/joinedup", "show JU-000001", user=SAM.user_id)
    joinedup.clock.set(at(2026, 12, 8, 9, 0))
    Sweeper(joinedup.services).run()

    trail = acts(joinedup)

    assert (SAM.user_id, "created", "form") in trail
    assert ("system", "posted", "delivery") in trail
    assert ("system", "delivery failed", "delivery") in trail
    assert (TIA.user_id, "acknowledged", "button") in trail
    assert (SAM.user_id, "viewed", "slash command") in trail
    assert ("system", "outcome requested", "sweep") in trail
    with joinedup.db.read() as session:
        assert all("Unmistakable" not in (e.detail or "") for e in session.query(AuditEvent))


def test_admins_read_a_trail_in_slack_in_words_and_others_are_refused(joinedup):
    joinedup.record()
    post = joinedup.posts(EDUCATION.channel)[0]
    joinedup.slack.click(post, find_action(post["blocks"], Action.ACKNOWLEDGE), user=TIA.user_id,
                         channel=EDUCATION.channel)

    admin = joinedup.slack.command("/joinedup", "audit JU-000001", user=ADMIN.user_id).json()
    sharer = joinedup.slack.command("/joinedup", "audit JU-000001", user=SAM.user_id).body  # plain text

    lines = "\n".join(block["text"]["text"] for block in admin["blocks"]).splitlines()
    assert (f"• 24 Nov 2026 10:00 GMT · <@{SAM.user_id}> ({SAM.user_id}) · "
            f"*recorded and shared with {EDUCATION.name}, {HEALTH.name}* (form)") in lines
    assert (f"• 24 Nov 2026 10:00 GMT · <@{TIA.user_id}> ({TIA.user_id}) · *acknowledged for {EDUCATION.name}* "
            "(button)") in lines
    assert f"• 24 Nov 2026 10:00 GMT · Joined Up · *posted to {HEALTH.name} (channel {HEALTH.channel})* (delivery)" \
        in lines
    assert "Only the partnership's Joined Up admins" in sharer and "recorded" not in sharer


def test_a_failed_delivery_reads_in_words_naming_the_agencys_channel(joinedup):
    joinedup.standin.fail("chat.postMessage", error="not_in_channel", channel=HEALTH.channel, times=-1)
    joinedup.record()

    admin = joinedup.slack.command("/joinedup", "audit JU-000001", user=ADMIN.user_id).json()

    assert (f"*could not deliver the record's post to {HEALTH.name}'s channel ({HEALTH.channel}): Slack said "
            "not_in_channel*") in str(admin["blocks"])


def test_joinedup_audit_prints_a_records_trail_in_words_with_names_and_the_partnerships_time(
        joinedup, monkeypatch, capsys, tmp_path):
    joinedup.record()
    joinedup.clock.set(at(2026, 11, 24, 10, 7))
    acknowledge(joinedup, EDUCATION.channel, TIA.user_id)
    (tmp_path / "joinedup.toml").write_text(sample_toml(), encoding="utf-8")
    for name, value in (("DATABASE_URL", joinedup.db.url), ("JOINEDUP_CONFIG", str(tmp_path / "joinedup.toml")),
                        ("SLACK_BOT_TOKEN", BOT_TOKEN), ("SLACK_API_URL", joinedup.standin.api_url)):
        monkeypatch.setenv(name, value)

    assert main(["audit", "JU-000001"]) == 0
    printed = capsys.readouterr()
    lines = printed.out.splitlines()

    assert lines[0] == (f"24 Nov 2026 10:00 GMT · {SAM.name} ({SAM.user_id}) · recorded and shared with "
                        f"{EDUCATION.name}, {HEALTH.name} (form)")
    assert f"24 Nov 2026 10:07 GMT · {TIA.name} ({TIA.user_id}) · acknowledged for {EDUCATION.name} (button)" in lines
    assert f"24 Nov 2026 10:00 GMT · Joined Up · posted to {HEALTH.name} (channel {HEALTH.channel}) (delivery)" in lines
    assert printed.err == ""
    assert main(["audit", "JU-000404"]) == 1


def test_joinedup_audit_without_slack_or_a_configuration_shows_ids_keys_and_utc_and_says_so(
        joinedup, monkeypatch, capsys, tmp_path):
    joinedup.record()
    monkeypatch.setenv("DATABASE_URL", joinedup.db.url)
    monkeypatch.setenv("JOINEDUP_CONFIG", str(tmp_path / "missing.toml"))
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)

    assert main(["audit", "JU-000001"]) == 0
    printed = capsys.readouterr()

    assert printed.out.splitlines()[0] == (f"24 Nov 2026 10:00 UTC · {SAM.user_id} · recorded and shared with "
                                           f"{EDUCATION.key}, {HEALTH.key} (form)")
    assert printed.err.splitlines() == [
        f"joinedup: warning: could not load {tmp_path / 'missing.toml'}: times are in UTC and agencies are named by "
        "their keys",
        "joinedup: note: people are shown by their Slack user ID alone: SLACK_BOT_TOKEN is not set"]
    assert joinedup.standin.count("users.info") == 0


def test_every_act_has_words_of_its_own():
    """Each act, with a detail of the shape its service writes, reads as a sentence rather than as stored."""
    agencies = {"health": "Health", "education": "Education"}
    details = {
        Act.CREATED: "shared with education, health", Act.POSTED: "to health (C0HEALTH)",
        Act.DELIVERY_FAILED: "agency_post to C0HEALTH: not_in_channel", Act.VIEWED: "/joinedup show",
        Act.ACKNOWLEDGED: "for health with a note", Act.REMINDED: "health, reminder 2, leads told",
        Act.OUTCOME_REQUESTED: "request 1", Act.OUTCOME_REPORTED: "for health",
        Act.CHALLENGED: "risk_level, for health (challenge 3)", Act.RESPONDED: "challenge 3",
        Act.RESOLVED: "challenge 3", Act.ESCALATED: "challenge 3", Act.REVISED: "revision 2",
        Act.AMENDED: "revision 3", Act.EXPORTED: "export --all, json",
        Act.PURGED: "content removed; 4 Slack message(s) replaced", Act.LINK_REVOKED: "email link 7",
        Act.LINK_RENEWED: "email link 7, opened on another device",
        Act.EMAILED: "record to health by email", Act.COPY_EMAILED: "a copy to U0SAMSW's work address",
    }
    assert set(details) == set(Act)
    words = {act: act_in_words(act, detail, agencies=agencies) for act, detail in details.items()}
    assert [act for act, detail in details.items() if words[act] == f"{act}: {detail}"] == []  # none as stored
    assert words[Act.ACKNOWLEDGED] == "acknowledged for Health with a note"
    assert words[Act.CHALLENGED] == "raised challenge 3 for Health: “I disagree with the risk level”"
    assert words[Act.CREATED] == "recorded and shared with Education, Health"
    assert act_in_words(Act.CREATED, "recorded only, not shared", agencies=agencies) == \
        "recorded, and not shared with any agency"
    assert act_in_words(Act.REMINDED, "challenge 3 unanswered, reminder 1", agencies=agencies) == \
        "reminded the sharer that challenge 3 is unanswered (reminder 1)"
    assert act_in_words("something new", "as stored", agencies=agencies) == "something new: as stored"


def test_the_application_has_no_way_to_change_or_delete_audit_events():
    source = inspect.getsource(audit_module)

    assert "delete(" not in source and "update(AuditEvent" not in source and ".action =" not in source
    assert [name for name, _ in inspect.getmembers(audit_module, inspect.isfunction)
            if name not in ("audit", "entry", "append", "trail", "select", "sql_update", "insert", "bindparam")] == []
