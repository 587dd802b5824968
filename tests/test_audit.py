"""The audit trail: every act, who, when, from where; never content; only ever appended."""
from __future__ import annotations

import inspect

import bot.services.audit as audit_module
from bot.cli import main
from bot.demo.sample import ADMIN, EDUCATION, HEALTH, SAM, TIA
from bot.standin.signed_requests import find_action
from bot.processes.sweep import Sweeper
from bot.blocks.ids import Action, Field
from storage.models import AuditEvent
from tests.test_reminders import at

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


def test_admins_read_a_trail_in_slack_and_others_are_refused(joinedup):
    joinedup.record()

    admin = joinedup.slack.command("/joinedup", "audit JU-000001", user=ADMIN.user_id).json()
    sharer = joinedup.slack.command("/joinedup", "audit JU-000001", user=SAM.user_id).body  # plain text

    assert "*created*" in str(admin["blocks"]) and f"<@{SAM.user_id}>" in str(admin["blocks"])
    assert "Only the partnership's Joined Up admins" in sharer and "created" not in sharer


def test_joinedup_audit_prints_a_records_trail(joinedup, monkeypatch, capsys):
    joinedup.record()
    monkeypatch.setenv("DATABASE_URL", joinedup.db.url)

    assert main(["audit", "JU-000001"]) == 0
    printed = capsys.readouterr().out

    assert "created" in printed and "posted" in printed and SAM.user_id in printed
    assert main(["audit", "JU-000404"]) == 1


def test_the_application_has_no_way_to_change_or_delete_audit_events():
    source = inspect.getsource(audit_module)

    assert "delete(" not in source and "update(AuditEvent" not in source and ".action =" not in source
    assert [name for name, _ in inspect.getmembers(audit_module, inspect.isfunction)
            if name not in ("audit", "entry", "append", "trail", "select", "sql_update", "insert", "bindparam")] == []
