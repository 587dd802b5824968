"""Only Slack's signed, fresh requests are acted on; everything else gets a plain HTTP answer, never a crash."""
from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from bot.demo.sample import EDUCATION, SAM
from bot.standin.signed_requests import APP_ID, TEAM, fill, user_object, view_submission
from storage.models import Record
from tests.conftest import VALID_ANSWERS

FORGED = "v0=" + "0" * 64
SIX_MINUTES = 6 * 60
COMMANDS = ("/record", "/joinedup mine", "/joinedup show", "/joinedup help")


# --- helpers --------------------------------------------------------------------------------------

def records(joinedup) -> int:
    with joinedup.db.read() as session:
        return session.query(Record).count()


def a_valid_submission(joinedup) -> str:
    """The form body Slack would send for a valid record, ready to be signed (or not)."""
    view = joinedup.open_form()
    payload = view_submission(view, fill(view, VALID_ANSWERS), user=SAM.user_id,
                              trigger_id=joinedup.standin.trigger_id(SAM.user_id))
    return urlencode({"payload": json.dumps(payload)})


def assert_nothing_done(joinedup) -> None:
    assert records(joinedup) == 0
    assert joinedup.standin.count("chat.postMessage") == 0
    assert joinedup.standin.count("views.update") == 0


def said(reply) -> str:
    """Everything a slash command's reply shows, as text."""
    if not reply.headers.get("content-type", "").startswith("application/json"):
        return reply.body
    body = reply.json()
    return "\n".join([body.get("text", "")] + [json.dumps(b) for b in body.get("blocks", [])])


# --- signatures and timestamps --------------------------------------------------------------------

def test_a_command_with_a_bad_signature_is_refused_and_opens_nothing(joinedup):
    reply = joinedup.slack.command("/record", "", user=SAM.user_id, signature=FORGED)

    assert reply.status == 401
    assert joinedup.standin.count("views.open") == 0


def test_a_form_submission_with_a_bad_signature_is_refused_and_saves_nothing(joinedup):
    body = a_valid_submission(joinedup)

    reply = joinedup.slack.post(body, "application/x-www-form-urlencoded", signature=FORGED)

    assert reply.status == 401
    assert_nothing_done(joinedup)


def test_a_correctly_signed_submission_with_a_changed_body_is_refused(joinedup):
    body = a_valid_submission(joinedup)
    timestamp = int(time.time())
    signature = joinedup.slack.signer.generate_signature(timestamp=str(timestamp), body=body)

    reply = joinedup.slack.post(body.replace("CR-12345", "CR-54321"), "application/x-www-form-urlencoded",
                                timestamp=timestamp, signature=signature)

    assert reply.status == 401
    assert_nothing_done(joinedup)


@pytest.mark.parametrize("offset", [-SIX_MINUTES, SIX_MINUTES], ids=["six minutes old", "six minutes ahead"])
def test_a_validly_signed_request_outside_five_minutes_is_refused_as_a_possible_replay(joinedup, offset):
    body = a_valid_submission(joinedup)

    reply = joinedup.slack.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) + offset)

    assert reply.status == 401
    assert_nothing_done(joinedup)


def test_a_validly_signed_request_from_four_minutes_ago_is_accepted(joinedup):
    body = a_valid_submission(joinedup)

    reply = joinedup.slack.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 4 * 60)

    assert reply.status == 200
    assert records(joinedup) == 1


def test_a_request_without_a_signature_is_refused(joinedup):
    reply = joinedup.slack.post(a_valid_submission(joinedup), "application/x-www-form-urlencoded",
                                headers={"X-Slack-Signature": ""})

    assert reply.status == 401
    assert_nothing_done(joinedup)


def test_a_request_whose_timestamp_is_not_a_number_is_refused(joinedup):
    reply = joinedup.slack.post(a_valid_submission(joinedup), "application/x-www-form-urlencoded",
                                signature=FORGED, headers={"X-Slack-Request-Timestamp": "yesterday"})

    assert_nothing_done(joinedup)
    assert reply.status == 401


# --- what Slack itself asks -----------------------------------------------------------------------

def test_slacks_url_verification_gets_its_challenge_back(joinedup):
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"

    reply = joinedup.slack.post(json.dumps({"token": "unused", "challenge": challenge, "type": "url_verification"}),
                                "application/json")

    assert reply.status == 200
    assert reply.json()["challenge"] == challenge


def test_joinedup_help_lists_the_commands(joinedup):
    reply = joinedup.slack.command("/joinedup", "help", user=SAM.user_id)

    assert reply.status == 200
    text = said(reply)
    assert all(command in text for command in COMMANDS)
    assert "I don't know" not in text


def test_joinedup_with_nothing_after_it_shows_the_help(joinedup):
    reply = joinedup.slack.command("/joinedup", "", user=SAM.user_id)

    assert reply.status == 200
    assert all(command in said(reply) for command in COMMANDS)


def test_an_unknown_joinedup_subcommand_says_it_is_not_known_and_lists_the_commands(joinedup):
    reply = joinedup.slack.command("/joinedup", "nonsense", user=SAM.user_id)

    assert reply.status == 200
    text = said(reply)
    assert "I don't know `nonsense`" in text
    assert all(command in text for command in COMMANDS)


def test_an_unknown_subcommand_is_echoed_escaped(joinedup):
    reply = joinedup.slack.command("/joinedup", "<!channel>", user=SAM.user_id)

    assert "&lt;!channel&gt;" in said(reply) and "<!channel>" not in said(reply)


# --- other paths and unknown requests -------------------------------------------------------------

def test_the_health_check_answers_ok(joinedup):
    reply = joinedup.slack.get("/healthz")

    assert reply.status == 200
    assert reply.body.strip() == "ok"


def test_a_post_to_an_unknown_path_is_not_found(joinedup):
    reply = joinedup.slack.post(urlencode({"command": "/record"}), "application/x-www-form-urlencoded",
                                path="/not-slack")

    assert reply.status == 404
    assert joinedup.standin.count("views.open") == 0


def test_an_unknown_action_is_answered_without_an_error(joinedup):
    message = {"ts": "1795514400.000100", "text": "an old message", "blocks": []}

    reply = joinedup.slack.click(message, {"action_id": "no_such_action", "block_id": "old", "type": "button",
                                           "value": "1"}, user=SAM.user_id, channel=EDUCATION.channel)

    assert reply.status in (200, 404)


def test_an_unknown_form_is_answered_without_an_error(joinedup):
    view = {"id": "V0UNKNOWN", "type": "modal", "callback_id": "retired_form", "blocks": []}

    reply = joinedup.slack.submit(view, {}, user=SAM.user_id)

    assert reply.status in (200, 404)
    assert_nothing_done(joinedup)


def test_an_unknown_command_is_answered_without_an_error(joinedup):
    reply = joinedup.slack.command("/retired", "", user=SAM.user_id)

    assert reply.status in (200, 404)


def test_an_event_nobody_listens_to_is_acknowledged(joinedup):
    reply = joinedup.slack.event({"type": "reaction_added", "user": SAM.user_id, "reaction": "eyes",
                                  "item": {"type": "message", "channel": EDUCATION.channel, "ts": "1.000001"}})

    assert reply.status in (200, 404)


def test_an_action_from_a_form_with_nothing_chosen_is_answered_without_an_error(joinedup):
    view = joinedup.open_form()
    payload = {"type": "block_actions", "user": user_object(SAM.user_id), "api_app_id": APP_ID, "team": TEAM,
               "token": "unused", "container": {"type": "view", "view_id": view["id"]},
               "trigger_id": joinedup.standin.trigger_id(SAM.user_id), "view": view,
               "actions": [{"type": "static_select", "action_id": "risk_level", "block_id": "risk_level",
                            "selected_option": None, "action_ts": f"{time.time():.6f}"}]}

    reply = joinedup.slack.interaction(payload)

    assert reply.status == 200
