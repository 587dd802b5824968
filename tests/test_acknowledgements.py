"""Acknowledging receipt, agency by agency, over HTTP."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

import pytest

from bot.blocks import refusals
from bot.demo.sample import EDUCATION, HEALTH, LEE, NIA, OUTSIDER, SAM, TIA
from bot.demo.sample import populate
from bot.standin.signed_requests import find_action, fill
from bot.standin.slack import SlackStandIn
from bot.blocks.ids import Action, Callback, Field
from storage.models import Share, SlackMessage
from tests.conftest import start_joinedup


def shared_record(joinedup):
    assert joinedup.record().status == 200
    return joinedup.posts(EDUCATION.channel)[0], joinedup.posts(HEALTH.channel)[0]


def click(joinedup, post, channel, user, action=Action.ACKNOWLEDGE):
    return joinedup.slack.click(post, find_action(post["blocks"], action), user=user, channel=channel)


def ephemeral_replies(joinedup):
    return [c.args.get("text", "") for c in joinedup.standin.calls("response_url")]


def test_a_member_acknowledges_and_the_post_and_the_sharers_one_status_message_show_it(joinedup):
    education, _ = shared_record(joinedup)

    assert click(joinedup, education, EDUCATION.channel, TIA.user_id).status == 200

    updated = joinedup.standin.message(EDUCATION.channel, education["ts"])
    assert f"Acknowledged for Education (Oakfield Primary) by <@{TIA.user_id}>" in str(updated["blocks"])
    assert Action.ACKNOWLEDGE not in str(updated["blocks"]), "the button must be gone"
    status = joinedup.standin.messages(SAM.user_id)
    assert len(status) == 1, "one status message per record, updated in place"
    assert "1 of 2 acknowledged" in str(status[0]["blocks"])
    assert f"acknowledged by <@{TIA.user_id}>" in str(status[0]["blocks"])
    assert "Health*: <https://" in str(status[0]["blocks"]), "Health is still pending, with its link"


def test_someone_outside_the_agency_is_told_why_and_nothing_changes(joinedup):
    _, health = shared_record(joinedup)
    updates_before = joinedup.standin.count("chat.update")

    click(joinedup, health, HEALTH.channel, OUTSIDER.user_id)

    assert ephemeral_replies(joinedup)[-1] == refusals.ACKNOWLEDGE
    assert joinedup.standin.count("chat.update") == updates_before
    with joinedup.db.read() as session:
        assert all(s.acknowledged_at is None for s in session.query(Share).all())


def test_the_lead_counts_as_a_member_even_outside_the_channel(joinedup):
    joinedup.standin.add_channel(HEALTH.channel, name="health", members=[NIA.user_id])  # Lee is not in it
    _, health = shared_record(joinedup)

    click(joinedup, health, HEALTH.channel, LEE.user_id)

    assert "by <@U0LEELEAD>" in str(joinedup.standin.message(HEALTH.channel, health["ts"])["blocks"])


def test_a_second_click_on_a_stale_copy_records_nothing_new_and_says_who_was_first(joinedup):
    _, health = shared_record(joinedup)
    click(joinedup, health, HEALTH.channel, NIA.user_id)
    updates = joinedup.standin.count("chat.update")

    click(joinedup, health, HEALTH.channel, LEE.user_id)  # the copy still showing the button

    assert joinedup.standin.count("chat.update") == updates
    assert any(f"already acknowledged for Health by <@{NIA.user_id}>" in t for t in ephemeral_replies(joinedup))
    with joinedup.db.read() as session:
        assert session.query(Share).filter(Share.agency_key == "health").one().acknowledged_by == NIA.user_id


def test_concurrent_clicks_record_exactly_one_acknowledgement(joinedup):
    _, health = shared_record(joinedup)
    updates = joinedup.standin.count("chat.update")
    barrier = threading.Barrier(8)

    def press(user):
        barrier.wait()
        click(joinedup, health, HEALTH.channel, user)

    threads = [threading.Thread(target=press, args=([NIA.user_id, LEE.user_id][i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with joinedup.db.read() as session:
        acknowledged = [s for s in session.query(Share).all() if s.acknowledged_at]
    assert len(acknowledged) == 1
    post_updates = [c for c in joinedup.standin.calls("chat.update")[updates:] if c.args["channel"] == HEALTH.channel]
    assert len(post_updates) == 1, "the post is updated once"
    assert sum("already acknowledged" in t for t in ephemeral_replies(joinedup)) == 7


def test_a_click_on_a_record_that_no_longer_exists_gets_a_clear_answer(joinedup):
    _, health = shared_record(joinedup)
    gone = {**find_action(health["blocks"], Action.ACKNOWLEDGE), "value": "999999"}

    joinedup.slack.click(health, gone, user=NIA.user_id, channel=HEALTH.channel)

    # the words anyone refused gets, so that a made-up id cannot be told from a record one may not act on
    assert ephemeral_replies(joinedup)[-1] == refusals.ACKNOWLEDGE
    assert "may no longer be in Joined Up" in refusals.ACKNOWLEDGE


def test_acknowledging_with_a_note_opens_a_form_and_the_note_reaches_the_post(joinedup):
    education, _ = shared_record(joinedup)
    click(joinedup, education, EDUCATION.channel, TIA.user_id, Action.ACKNOWLEDGE_WITH_NOTE)
    form = joinedup.standin.views(TIA.user_id)[-1]
    assert form["callback_id"] == Callback.ACKNOWLEDGE_NOTE_FORM

    reply = joinedup.slack.submit(form, fill(form, {Field.NOTE: "Class teacher will watch for this at lunch <!here>"}),
                                  user=TIA.user_id)

    assert reply.json()["response_action"] == "update"
    blocks = str(joinedup.standin.message(EDUCATION.channel, education["ts"])["blocks"])
    assert "Class teacher will watch for this at lunch &lt;!here&gt;" in blocks


def acknowledge_with_a_note(joinedup, post, channel, user, note):
    click(joinedup, post, channel, user, Action.ACKNOWLEDGE_WITH_NOTE)
    form = joinedup.standin.views(user)[-1]
    return form, joinedup.slack.submit(form, fill(form, {Field.NOTE: note}), user=user)


def test_the_note_reaches_the_sharer_on_their_status_and_in_a_reply_under_it_that_mentions_them(joinedup):
    education, _ = shared_record(joinedup)

    acknowledge_with_a_note(joinedup, education, EDUCATION.channel, TIA.user_id, "Class teacher will watch at lunch.")

    status, note = joinedup.standin.messages(SAM.user_id)
    assert "_Their note:_ Class teacher will watch at lunch." in str(status["blocks"])
    assert note["thread_ts"] == status["ts"], "a reply in the thread of the sharer's status message"
    assert note["text"].startswith(f"<@{SAM.user_id}> Education"), "the mention brings it to the sharer's notice"
    assert "Class teacher will watch at lunch." in str(note["blocks"]) and f"<@{TIA.user_id}>" in str(note["blocks"])
    assert "Class teacher" not in note["text"], "the notification names the record and the agency only"


def test_the_note_is_owed_once_however_often_the_form_is_sent(joinedup):
    education, _ = shared_record(joinedup)
    form, _ = acknowledge_with_a_note(joinedup, education, EDUCATION.channel, TIA.user_id, "First note.")

    again = joinedup.slack.submit(form, fill(form, {Field.NOTE: "First note."}), user=TIA.user_id)  # a double submit
    click(joinedup, education, EDUCATION.channel, TIA.user_id)  # and the stale copy's button
    joinedup.services.outbox.deliver_due()

    assert "already acknowledged" in str(again.json()["view"]["blocks"])
    with joinedup.db.read() as session:
        assert session.query(SlackMessage).filter(SlackMessage.kind == "note_to_sharer").count() == 1
    assert sum("First note." in str(m["blocks"]) for m in joinedup.standin.messages(SAM.user_id)) == 2, \
        "on the status message, and once in its thread"


def test_an_acknowledgement_without_a_note_sends_the_sharer_no_message(joinedup):
    education, _ = shared_record(joinedup)

    click(joinedup, education, EDUCATION.channel, TIA.user_id)

    assert len(joinedup.standin.messages(SAM.user_id)) == 1, "the status message, updated in place"


def test_when_the_status_message_never_reached_the_sharer_the_note_goes_on_its_own(joinedup):
    joinedup.standin.fail("chat.postMessage", error="restricted_action", channel=SAM.user_id)
    education, _ = shared_record(joinedup)
    assert joinedup.standin.messages(SAM.user_id) == []

    acknowledge_with_a_note(joinedup, education, EDUCATION.channel, TIA.user_id, "Seen; we will keep an eye out.")

    [note] = joinedup.standin.messages(SAM.user_id)
    assert "Seen; we will keep an eye out." in str(note["blocks"]) and not note.get("thread_ts")


def test_app_home_and_show_say_an_agency_left_a_note(joinedup):
    education, _ = shared_record(joinedup)
    acknowledge_with_a_note(joinedup, education, EDUCATION.channel, TIA.user_id, "Passed to the class teacher.")

    joinedup.slack.event({"type": "app_home_opened", "user": SAM.user_id, "tab": "home", "channel": "D1",
                          "event_ts": "1.1"})
    joinedup.slack.command("/joinedup", "show JU-000001", user=SAM.user_id)

    assert "with a note" in str(joinedup.standin.home_views[SAM.user_id]["blocks"])
    shown = str(joinedup.standin.calls("response_url")[-1].args)
    assert "note from *Education (Oakfield Primary)* for the sharer: Passed to the class teacher." in shown


def test_an_outsider_cannot_acknowledge_with_a_note_either(joinedup):
    education, _ = shared_record(joinedup)
    click(joinedup, education, EDUCATION.channel, OUTSIDER.user_id, Action.ACKNOWLEDGE_WITH_NOTE)

    assert joinedup.standin.views(OUTSIDER.user_id) == [], "the form is not opened for someone it would refuse"
    assert ephemeral_replies(joinedup)[-1] == refusals.ACKNOWLEDGE
    click(joinedup, education, EDUCATION.channel, TIA.user_id, Action.ACKNOWLEDGE_WITH_NOTE)
    form = joinedup.standin.views(TIA.user_id)[-1]  # a real form, submitted by someone else
    reply = joinedup.slack.submit(form, fill(form, {Field.NOTE: "seen"}), user=OUTSIDER.user_id)

    assert reply.json()["response_action"] == "push"
    assert refusals.ACKNOWLEDGE in str(reply.json()["view"]["blocks"])
    with joinedup.db.read() as session:
        assert all(s.acknowledged_at is None for s in session.query(Share).all())


def test_buttons_keep_working_after_a_restart(joinedup, standin, clock):
    education, _ = shared_record(joinedup)
    joinedup._stop()

    restarted = start_joinedup(db=joinedup.db, standin=standin, clock=clock)
    try:
        click(restarted, education, EDUCATION.channel, TIA.user_id)
    finally:
        restarted._stop()

    assert "Acknowledged for Education" in str(standin.message(EDUCATION.channel, education["ts"])["blocks"])
    assert "1 of 2 acknowledged" in str(standin.messages(SAM.user_id)[0]["blocks"])


class _ActsWhileUpdating(SlackStandIn):
    """Runs something once, the next time a message is updated, after taking the update and before answering."""

    def __init__(self) -> None:
        super().__init__()
        self.while_updating: Callable[[], object] | None = None

    def _handle(self, method: str, args: dict, token: str | None) -> Any:
        answer = super()._handle(method, args, token)
        act, self.while_updating = (self.while_updating, None) if method == "chat.update" else (None, None)
        if act is not None:
            act()
        return answer


def test_a_status_that_changes_while_slack_is_taking_its_update_is_sent_again(database, clock):
    with _ActsWhileUpdating() as standin:
        populate(standin)
        joinedup = start_joinedup(db=database, standin=standin, clock=clock)
        try:
            education, health = shared_record(joinedup)
            # While Slack takes the updates Education's click owes, Health acknowledges too.
            standin.while_updating = lambda: click(joinedup, health, HEALTH.channel, NIA.user_id)

            assert click(joinedup, education, EDUCATION.channel, TIA.user_id).status == 200

            [status] = standin.messages(SAM.user_id)
            assert "2 of 2 acknowledged" in str(status["blocks"])
        finally:
            joinedup._stop()


def test_a_click_while_the_database_is_unreachable_is_told_it_was_not_saved_and_works_once_it_is_back(
        database, standin, clock, tmp_path):
    if not database.is_sqlite:
        pytest.skip("a SQLite file can be taken away mid-test; PostgreSQL's outages are in tests/test_faults.py")
    joinedup = start_joinedup(db=database, standin=standin, clock=clock)
    try:
        education, _ = shared_record(joinedup)
        path = database.engine.url.database
        away = tmp_path / "away.db"
        database.engine.dispose()
        Path(path).rename(away)  # the database is gone: what opens in its place holds no records
        try:
            assert click(joinedup, education, EDUCATION.channel, TIA.user_id).status == 200
        finally:
            database.engine.dispose()
            Path(path).unlink(missing_ok=True)
            away.rename(path)
        assert any("was not saved" in text for text in ephemeral_replies(joinedup))
        with joinedup.db.read() as session:
            assert session.query(Share).filter(Share.acknowledged_at.is_not(None)).count() == 0

        assert click(joinedup, education, EDUCATION.channel, TIA.user_id).status == 200
        with joinedup.db.read() as session:
            assert session.query(Share).filter(Share.acknowledged_at.is_not(None)).count() == 1
    finally:
        joinedup._stop()


def test_a_note_typed_while_a_colleague_acknowledged_is_kept_on_the_form_not_thrown_away(joinedup):
    _, health = shared_record(joinedup)
    click(joinedup, health, HEALTH.channel, NIA.user_id, Action.ACKNOWLEDGE_WITH_NOTE)
    form = joinedup.standin.views(NIA.user_id)[-1]
    click(joinedup, health, HEALTH.channel, LEE.user_id)  # Lee, also in Health, presses Acknowledge receipt first

    reply = joinedup.slack.submit(form, fill(form, {Field.NOTE: "GP letter is on file."}), user=NIA.user_id)

    answer = reply.json()
    assert answer["response_action"] == "errors" and "your note was not sent" in answer["errors"][Field.NOTE]
