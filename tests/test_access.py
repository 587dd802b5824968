"""The access matrix in docs/admin-guide.md, checked cell by cell, and nothing sensitive in logs."""
from __future__ import annotations

import logging

import pytest

from bot.blocks.ids import Action, Callback
from bot.demo.sample import ADMIN, EDUCATION, HEALTH, LEE, NIA, OUTSIDER, SAM, TIA
from bot.services.acts import Subject
from bot.standin.signed_requests import find_action
from storage.models import Record, Share
from tests.test_challenges import challenge

SHARER, MEMBER, LEAD, ADMINISTRATOR, ANYONE_ELSE = SAM.user_id, NIA.user_id, LEE.user_id, ADMIN.user_id, OUTSIDER.user_id
# role → may they …? for a record Sam shared with Education and Health, seen from Health's post
MATRIX = {
    "see the record's details": {SHARER: True, MEMBER: True, LEAD: True, ADMINISTRATOR: True, ANYONE_ELSE: False},
    "acknowledge for Health": {SHARER: False, MEMBER: True, LEAD: True, ADMINISTRATOR: False, ANYONE_ELSE: False},
    "tell the sharer what Health did": {SHARER: False, MEMBER: True, LEAD: True, ADMINISTRATOR: False, ANYONE_ELSE: False},
    "report the outcome for the child": {SHARER: True, MEMBER: False, LEAD: False, ADMINISTRATOR: False, ANYONE_ELSE: False},
    "challenge from Health's post": {SHARER: False, MEMBER: True, LEAD: True, ADMINISTRATOR: False, ANYONE_ELSE: False},
    "answer a challenge": {SHARER: True, MEMBER: True, LEAD: True, ADMINISTRATOR: False, ANYONE_ELSE: False},
    "amend the record": {SHARER: True, MEMBER: False, LEAD: False, ADMINISTRATOR: False, ANYONE_ELSE: False},
    "read the audit trail": {SHARER: False, MEMBER: False, LEAD: False, ADMINISTRATOR: True, ANYONE_ELSE: False},
}


def allowed(services, record: Record, what: str, user: str) -> bool:
    checks = {
        "see the record's details": lambda: services.overview.may_see(user, record),
        "acknowledge for Health": lambda: services.directory.is_member(user, "health"),
        "tell the sharer what Health did": lambda: services.outcomes.may_report(user, record, "health"),
        "report the outcome for the child": lambda: services.outcomes.may_report(user, record, None),
        "challenge from Health's post": lambda: services.challenges.may_raise(user, record, "health"),
        "answer a challenge": lambda: services.challenges.may_respond(user, record),
        "amend the record": lambda: user == record.sharer_id,
        "read the audit trail": lambda: services.directory.is_admin(user),
    }
    return checks[what]()


@pytest.mark.parametrize("what", MATRIX)
def test_each_cell_of_the_access_matrix_holds(joinedup, what):
    joinedup.record()
    record = joinedup.services.outcomes.record(Subject(1, None))

    decided = {user: allowed(joinedup.services, record, what, user) for user in MATRIX[what]}

    assert decided == MATRIX[what]


# the button that opens each cell's form, its value for Sam's record (and Health's share), and the form
FORM_FOR = {
    "acknowledge for Health": (Action.ACKNOWLEDGE_WITH_NOTE, "{health_share}", Callback.ACKNOWLEDGE_NOTE_FORM),
    "tell the sharer what Health did": (Action.REPORT_OUTCOME, "1:health", Callback.OUTCOME_FORM),
    "report the outcome for the child": (Action.REPORT_OUTCOME, "1:", Callback.OUTCOME_FORM),
    "challenge from Health's post": (Action.ASK_OR_CHALLENGE, "1:health", Callback.CHALLENGE_FORM),
    "answer a challenge": (Action.RESPOND_CHALLENGE, "1", Callback.RESPONSE_FORM),
    "amend the record": (Action.AMEND_RECORD, "1", Callback.AMEND_FORM),
}


@pytest.mark.parametrize("what", FORM_FOR)
def test_each_button_opens_its_form_for_exactly_those_its_cell_allows(joinedup, what):
    """A button checks the matrix's cell before it opens a form, as the form's submission does: no one is shown
    a form they could not send."""
    joinedup.record()
    challenge(joinedup)  # Tia's question, for "answer a challenge"
    with joinedup.db.read() as session:
        health_share = session.query(Share).filter(Share.agency_key == "health").one().id
    action_id, value, form = FORM_FOR[what]
    button = {"action_id": action_id, "block_id": "b", "type": "button", "value": value.format(health_share=health_share),
              "text": {"type": "plain_text", "text": "x"}}

    opened = {}
    for user in MATRIX[what]:
        before = len(joinedup.standin.views(user))
        assert joinedup.slack.click({"ts": "1795514400.000100", "blocks": []}, button, user=user,
                                    channel=HEALTH.channel).status == 200
        views = joinedup.standin.views(user)
        opened[user] = len(views) > before and views[-1].get("callback_id") == form

    assert opened == MATRIX[what]


def test_no_surface_shows_an_outsider_any_content(joinedup):
    joinedup.record()
    challenge(joinedup)  # Tia's question, in Health's thread too
    health = joinedup.posts(HEALTH.channel)[0]
    for action in (Action.ACKNOWLEDGE, Action.ACKNOWLEDGE_WITH_NOTE, Action.ASK_OR_CHALLENGE):
        joinedup.slack.click(health, find_action(health["blocks"], action), user=ANYONE_ELSE, channel=HEALTH.channel)
    joinedup.slack.click(health, find_action(health["blocks"], Action.ACKNOWLEDGE), user=MEMBER, channel=HEALTH.channel)
    health = joinedup.posts(HEALTH.channel)[0]  # acknowledged: it now offers to tell the sharer what Health did
    question = next(m for m in joinedup.standin.messages(HEALTH.channel) if m.get("thread_ts") not in (None, m["ts"]))
    for message, action in ((health, Action.REPORT_OUTCOME), (health, Action.ASK_OR_CHALLENGE),
                            (question, Action.RESPOND_CHALLENGE)):
        joinedup.slack.click(message, find_action(message["blocks"], action), user=ANYONE_ELSE, channel=HEALTH.channel)
    for text in ("show JU-000001", "mine", "audit JU-000001"):
        joinedup.slack.command("/joinedup", text, user=ANYONE_ELSE)
    joinedup.slack.event({"type": "app_home_opened", "user": ANYONE_ELSE, "tab": "home", "channel": "D1",
                          "event_ts": "1.1"})

    seen = [str(c.args) for c in joinedup.standin.calls("response_url")]
    seen += [str(v) for v in joinedup.standin.views(ANYONE_ELSE)] + [str(joinedup.standin.home_views[ANYONE_ELSE])]
    seen += [str(e) for e in joinedup.standin.ephemerals(ANYONE_ELSE)]
    assert seen and not any("breakfast" in s or "CR-12345" in s for s in seen)


def test_logs_carry_references_and_ids_never_content(joinedup, caplog):
    caplog.set_level(logging.INFO)
    joinedup.standin.fail("chat.postMessage", error="not_in_channel", channel=HEALTH.channel)
    joinedup.record()
    post = joinedup.posts(EDUCATION.channel)[0]
    joinedup.slack.click(post, find_action(post["blocks"], "acknowledge"), user=TIA.user_id, channel=EDUCATION.channel)

    logged = "\n".join(r.getMessage() for r in caplog.records)

    assert "delivered agency_post message" in logged
    assert "breakfast" not in logged and "CR-12345" not in logged and "Public task" not in logged
