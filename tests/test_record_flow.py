"""Recording a conversation and sharing it, end to end over HTTP."""
from __future__ import annotations

import threading

from bot.blocks.record_form import RECORD_ONLY as NOBODY
from bot.demo.sample import EDUCATION, HEALTH, POLICE, SAM, SOCIAL_CARE
from bot.standin.signed_requests import fill
from bot.blocks.ids import Field
from storage.models import Record, Share, SlackMessage
from tests.conftest import VALID_ANSWERS


def test_a_valid_record_is_saved_posted_to_each_chosen_agency_and_confirmed_to_the_sharer(joinedup):
    reply = joinedup.record()

    assert reply.status == 200
    assert reply.json()["response_action"] == "update"
    assert "JU-000001" in str(reply.json()["view"])
    education, health = joinedup.posts(EDUCATION.channel), joinedup.posts(HEALTH.channel)
    assert len(education) == 1 and len(health) == 1
    assert joinedup.posts(SOCIAL_CARE.channel) == []
    assert "CR-12345" in str(education[0]["blocks"])
    status = joinedup.standin.messages(SAM.user_id)
    assert len(status) == 1
    assert "https://joinedup-standin.slack.com/archives/C0SCHOOL/" in str(status[0]["blocks"])


# --- helpers for the tests below ------------------------------------------------------------------

RECORD_ONLY = {Field.SHARE_WITH: [NOBODY], Field.PURPOSES: [],
               Field.NOT_SHARED_REASON: "The family moved away before school started; nothing to act on."}


def rows(joinedup, model):
    with joinedup.db.read() as session:
        return session.query(model).order_by(model.id).all()


def permalink(channel, post):
    return f"https://joinedup-standin.slack.com/archives/{channel}/p{post['ts'].replace('.', '')}"


def status_text(joinedup, user=SAM.user_id):
    """The sharer's one status message, as text, after checking there is exactly one."""
    status = joinedup.standin.messages(user)
    assert len(status) == 1, f"expected one status message, got {len(status)}"
    return str(status[0]["blocks"])


def delivered_posts(joinedup, channel):
    return [c for c in joinedup.standin.calls("chat.postMessage") if c.args.get("channel") == channel and c.ok]


# --- recording without sharing --------------------------------------------------------------------

def test_a_record_kept_without_sharing_is_saved_posts_nowhere_and_the_sharer_is_told_it_was_not_shared(joinedup):
    reply = joinedup.record(**RECORD_ONLY)

    assert reply.json()["response_action"] == "update"
    assert "recorded only" in str(reply.json()["view"])
    [record] = rows(joinedup, Record)
    assert record.not_shared_reason == RECORD_ONLY[Field.NOT_SHARED_REASON]
    assert rows(joinedup, Share) == []
    for agency in (SOCIAL_CARE, EDUCATION, HEALTH):
        assert joinedup.standin.messages(agency.channel) == []
    [status] = joinedup.standin.messages(SAM.user_id)
    assert "recorded, not shared" in status["text"]
    assert "It was not shared, and your reason is recorded" in str(status["blocks"])


# --- the same form submitted twice ----------------------------------------------------------------

def test_a_form_submitted_twice_is_saved_once_posted_once_and_both_replies_name_the_same_record(joinedup):
    view = joinedup.open_form()
    values = fill(view, VALID_ANSWERS)

    first = joinedup.slack.submit(view, values, user=SAM.user_id)
    second = joinedup.slack.submit(view, values, user=SAM.user_id)

    assert len(rows(joinedup, Record)) == 1
    assert "JU-000001" in str(first.json()["view"]) and "JU-000001" in str(second.json()["view"])
    assert len(joinedup.posts(EDUCATION.channel)) == 1 and len(joinedup.posts(HEALTH.channel)) == 1
    assert len(joinedup.standin.messages(SAM.user_id)) == 1


def test_a_form_submitted_twice_at_the_same_moment_is_saved_once_and_both_replies_name_it(joinedup):
    view = joinedup.open_form()
    values = fill(view, VALID_ANSWERS)
    barrier, replies = threading.Barrier(2), []

    def press():
        barrier.wait()
        replies.append(joinedup.slack.submit(view, values, user=SAM.user_id))

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(rows(joinedup, Record)) == 1
    assert [r.json()["response_action"] for r in replies] == ["update", "update"]
    assert all("JU-000001" in str(r.json()["view"]) for r in replies)
    assert len(joinedup.posts(EDUCATION.channel)) == 1 and len(joinedup.posts(HEALTH.channel)) == 1


# --- stored before it is posted -------------------------------------------------------------------

def test_while_slack_refuses_every_post_the_record_is_still_saved_with_the_messages_it_owes(joinedup):
    joinedup.standin.fail("chat.postMessage", status=500, times=-1)

    reply = joinedup.record()

    assert reply.status == 200 and reply.json()["response_action"] == "update"
    assert "JU-000001" in str(reply.json()["view"])
    assert len(rows(joinedup, Record)) == 1
    owed = rows(joinedup, SlackMessage)
    assert sorted((m.kind, m.agency_key) for m in owed) == [
        ("agency_post", "education"), ("agency_post", "health"), ("sharer_status", None)]
    assert all(m.pending and m.ts is None and m.failed_at is None for m in owed)
    assert all(m.attempts >= 1 for m in owed if m.kind == "agency_post")


def test_posts_held_back_by_a_slack_outage_are_delivered_exactly_once_when_it_ends(joinedup):
    joinedup.standin.fail("chat.postMessage", status=500, times=-1)
    joinedup.record()
    # Slack recovers for direct messages only: the sharer hears the posts are delayed.
    joinedup.standin.clear_failures()
    joinedup.standin.fail("chat.postMessage", status=500, times=-1, channel=EDUCATION.channel)
    joinedup.standin.fail("chat.postMessage", status=500, times=-1, channel=HEALTH.channel)
    joinedup.clock.advance(minutes=20)
    joinedup.services.outbox.deliver_due()

    delayed = status_text(joinedup)
    assert delayed.count("delayed") == 2 and "retrying automatically" in delayed
    assert joinedup.posts(EDUCATION.channel) == [] and joinedup.posts(HEALTH.channel) == []

    joinedup.standin.clear_failures()
    joinedup.clock.advance(minutes=20)
    joinedup.services.outbox.deliver_due()
    joinedup.clock.advance(minutes=20)
    joinedup.services.outbox.deliver_due()

    education, health = joinedup.posts(EDUCATION.channel), joinedup.posts(HEALTH.channel)
    assert len(education) == 1 and len(health) == 1
    assert len(delivered_posts(joinedup, EDUCATION.channel)) == 1
    assert len(delivered_posts(joinedup, HEALTH.channel)) == 1
    assert not any(m.pending for m in rows(joinedup, SlackMessage))
    recovered = status_text(joinedup)
    assert "delayed" not in recovered
    assert permalink(EDUCATION.channel, education[0]) in recovered
    assert permalink(HEALTH.channel, health[0]) in recovered


def test_a_channel_joined_up_is_not_in_fails_for_good_and_the_sharer_is_told_how_to_fix_it(joinedup):
    joinedup.standin.fail("chat.postMessage", error="not_in_channel", channel=HEALTH.channel, times=-1)

    assert joinedup.record().json()["response_action"] == "update"

    health = next(m for m in rows(joinedup, SlackMessage) if m.agency_key == "health")
    assert health.failed_at is not None and not health.pending
    assert len(joinedup.posts(EDUCATION.channel)) == 1
    status = status_text(joinedup)
    assert "not delivered" in status and "/invite @Joined Up" in status
    joinedup.clock.advance(hours=2)
    joinedup.services.outbox.deliver_due()
    assert len([c for c in joinedup.standin.calls("chat.postMessage") if c.args["channel"] == HEALTH.channel]) == 1, \
        "a permanent failure is not retried"


# --- the sharer's confirmation --------------------------------------------------------------------

def test_the_sharer_gets_one_message_linking_to_each_agencys_post(joinedup):
    joinedup.record(**{Field.SHARE_WITH: ["education", "health", "police"]})

    [status] = joinedup.standin.messages(SAM.user_id)
    for channel in (EDUCATION.channel, HEALTH.channel, POLICE.channel):
        [post] = joinedup.posts(channel)
        assert str(status["blocks"]).count(permalink(channel, post)) == 1
    assert "0 of 3 acknowledged" in status["text"]


def test_a_nul_typed_into_any_text_field_is_dropped_and_the_record_saved_on_either_database(joinedup):
    reply = joinedup.record(**{Field.SUMMARY: "Met at school.\x00 All well.", Field.OTHERS_PRESENT: "\x00Aunt"})

    assert reply.json()["response_action"] == "update"
    (record,) = rows(joinedup, Record)
    assert (record.summary, record.others_present) == ("Met at school. All well.", "Aunt")
