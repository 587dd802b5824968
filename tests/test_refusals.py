"""Who may not act is told so before a form opens, and in the same words whatever the click or form pointed at.

A button that opens a form checks the clicker's right as the form's submission does, and answers someone it
refuses with a reply only they see (or, for a click on App Home, a small view with the same words): no form. Each
refusal, by button or by form, is byte for byte the same whether the record, share or challenge named exists or
not, and whatever case reference was typed, so a made-up or stale value can never confirm anything about a record.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from bot.blocks import refusals
from bot.blocks.ids import Action, Callback, Field
from bot.demo.sample import EDUCATION, NIA, OUTSIDER, SAM, TIA
from bot.standin.signed_requests import APP_ID, TEAM, block_actions, fill, user_object
from tests.test_challenges import challenge
from tests.test_hostile_input import snapshot

OWN_CASE_REFERENCE = "CR-12345"  # the sample record's, which a refused person might try to confirm
NOWHERE = "999999"  # an id no row has


def shared_and_challenged(joinedup: Any) -> dict[str, str]:
    """Sam's record shared with Education and Health, with Tia's question on it: each button's real value."""
    assert joinedup.record().json()["response_action"] == "update"
    assert challenge(joinedup).json()["response_action"] == "update"
    post = joinedup.posts(EDUCATION.channel)[0]
    share = next(e["value"] for b in post["blocks"] if b.get("type") == "actions" for e in b["elements"]
                 if e["action_id"] == Action.ACKNOWLEDGE)  # the value "Acknowledge with a note" carries too
    return {"share": share, "record": "1", "challenge": "1"}


# button, its value (by the name of the real target), someone it refuses, someone it serves, the form it opens
FORM_BUTTONS = [
    (Action.ACKNOWLEDGE_WITH_NOTE, "{share}", OUTSIDER.user_id, TIA.user_id, Callback.ACKNOWLEDGE_NOTE_FORM),
    (Action.ACKNOWLEDGE_WITH_NOTE, "{share}", NIA.user_id, TIA.user_id, Callback.ACKNOWLEDGE_NOTE_FORM),
    (Action.REPORT_OUTCOME, "{record}:education", OUTSIDER.user_id, TIA.user_id, Callback.OUTCOME_FORM),
    (Action.REPORT_OUTCOME, "{record}:", TIA.user_id, SAM.user_id, Callback.OUTCOME_FORM),
    (Action.ASK_OR_CHALLENGE, "{record}:education", NIA.user_id, TIA.user_id, Callback.CHALLENGE_FORM),
    (Action.RESPOND_CHALLENGE, "{challenge}", OUTSIDER.user_id, SAM.user_id, Callback.RESPONSE_FORM),
    (Action.AMEND_RECORD, "{record}", TIA.user_id, SAM.user_id, Callback.AMEND_FORM),
]
BUTTON_IDS = [f"{b[0]}-{b[1].split(':')[-1] or 'sharer'}-refuses-{b[2]}" for b in FORM_BUTTONS]


def click(joinedup: Any, action_id: str, value: str, user: str, *, where: str = "message") -> Any:
    """A click on a button with this value: under a message (with a response_url), or on App Home (without)."""
    action = {"action_id": action_id, "block_id": "b", "type": "button", "value": value,
              "text": {"type": "plain_text", "text": "x"}}
    trigger = joinedup.standin.trigger_id(user)
    if where == "message":
        payload = block_actions({"ts": "1795514400.000100", "blocks": []}, action, user=user,
                                channel=EDUCATION.channel, response_url=joinedup.standin.response_url(),
                                trigger_id=trigger)
    else:
        payload = {"type": "block_actions", "user": user_object(user), "api_app_id": APP_ID, "token": "unused",
                   "team": TEAM, "trigger_id": trigger, "container": {"type": "view", "view_id": "V0HOME"},
                   "view": {"id": "V0HOME", "type": "home", "blocks": [], "hash": "1.home"},
                   "actions": [{**action, "action_ts": f"{time.time():.6f}"}]}
    return joinedup.slack.interaction(payload)


def answer_to(joinedup: Any, send: Any) -> str:
    """Everything the person was answered, exactly as sent: the HTTP reply, any reply to the response_url, and
    any view opened for them."""
    before = len(joinedup.standin.calls())
    reply = send()
    told = [(c.method, c.args if c.method == "response_url" else c.args["view"])  # a trigger_id is each click's own
            for c in joinedup.standin.calls()[before:] if c.method in ("response_url", "views.open")]
    return json.dumps({"status": reply.status, "body": reply.body, "told": told})


@pytest.mark.parametrize(("action", "value", "refused", "allowed", "form"), FORM_BUTTONS, ids=BUTTON_IDS)
def test_a_button_opens_its_form_only_for_someone_who_may_submit_it(joinedup, action, value, refused, allowed,
                                                                     form):
    real = value.format(**shared_and_challenged(joinedup))
    opened = len(joinedup.standin.calls("views.open"))

    assert click(joinedup, action, real, refused).status == 200

    assert len(joinedup.standin.calls("views.open")) == opened, "no form for someone its submission would refuse"
    reply = joinedup.standin.calls("response_url")[-1].args
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert "Only " in reply["text"] and OWN_CASE_REFERENCE not in reply["text"]

    assert click(joinedup, action, real, allowed).status == 200
    assert joinedup.standin.views(allowed)[-1]["callback_id"] == form


REFUSING_BUTTONS = [(action, value, refused) for action, value, refused, _, _ in FORM_BUTTONS] + [
    (Action.ACKNOWLEDGE, "{share}", OUTSIDER.user_id),
    (Action.RESOLVE_CHALLENGE, "{challenge}", SAM.user_id),
    (Action.ESCALATE_CHALLENGE, "{challenge}", NIA.user_id),
]


@pytest.mark.parametrize("where", ["message", "home"])
@pytest.mark.parametrize(("action", "value", "refused"), REFUSING_BUTTONS,
                         ids=[f"{a}-refuses-{u}" for a, _, u in REFUSING_BUTTONS])
def test_a_refused_click_is_answered_alike_whatever_its_value_points_at(joinedup, where, action, value, refused):
    """The real target, one that never existed, one of another agency, and a value that is no id at all."""
    real = value.format(**shared_and_challenged(joinedup))
    head, colon, agency = real.partition(":")
    variants = [real, NOWHERE + colon + agency, "x", "", f"{head}:police" if colon else "0"]

    answers = {answer_to(joinedup, lambda v=v: click(joinedup, action, v, refused, where=where)) for v in variants}

    assert len(answers) == 1, answers
    [answer] = answers
    if where == "message" or action not in (Action.ACKNOWLEDGE, Action.RESOLVE_CHALLENGE, Action.ESCALATE_CHALLENGE):
        assert "Only " in answer, "the refusal is said, not left to silence"
    assert OWN_CASE_REFERENCE not in answer and "JU-" not in answer


# form, a real copy opened by someone it serves (button, value), someone it refuses, its typed answers
FORMS = [
    (Callback.ACKNOWLEDGE_NOTE_FORM, Action.ACKNOWLEDGE_WITH_NOTE, "{share}", TIA.user_id, NIA.user_id,
     lambda typed: {Field.NOTE: typed}),
    (Callback.OUTCOME_FORM, Action.REPORT_OUTCOME, "{record}:education", TIA.user_id, OUTSIDER.user_id,
     lambda typed: {Field.WHAT_HAPPENED: typed, Field.WHAT_CHANGED: typed, Field.NEXT_STEP: "no_further_action"}),
    (Callback.CHALLENGE_FORM, Action.ASK_OR_CHALLENGE, "{record}:education", TIA.user_id, NIA.user_id,
     lambda typed: {Field.CHALLENGE_KIND: "question", Field.CHALLENGE_TEXT: typed}),
    (Callback.RESPONSE_FORM, Action.RESPOND_CHALLENGE, "{challenge}", SAM.user_id, OUTSIDER.user_id,
     lambda typed: {Field.RESPONSE_TEXT: typed}),
    (Callback.AMEND_FORM, Action.AMEND_RECORD, "{record}", SAM.user_id, TIA.user_id,
     lambda typed: {Field.SUMMARY: typed, Field.ACTIONS: typed, Field.AMEND_REASON: typed}),
]
TYPED = [f"Seen at home; see {OWN_CASE_REFERENCE}.", "Seen at home; see CR-54321.", "Seen at home.", ""]


@pytest.mark.parametrize(("form", "button", "value", "allowed", "refused", "answers"), FORMS,
                         ids=[f[0].value for f in FORMS])
def test_a_forged_or_stale_submission_is_refused_alike_whatever_it_points_at_and_whatever_was_typed(
        joinedup, form, button, value, allowed, refused, answers):
    """A real copy of the form, submitted by someone it refuses, with its private_metadata naming the real
    target, one that never existed, one of another agency or nothing at all, and with the record's own case
    reference typed, another, or none: the same answer, byte for byte, and nothing written or sent."""
    real = value.format(**shared_and_challenged(joinedup))
    assert click(joinedup, button, real, allowed).status == 200
    copy = joinedup.standin.views(allowed)[-1]
    assert copy["callback_id"] == form
    head, colon, agency = real.partition(":")
    metadata = [real, NOWHERE + colon + agency, f"{head}:police" if colon else "0", "x", ""]
    calls = len(joinedup.standin.calls())
    before = snapshot(joinedup.db)

    replies = set()
    for private_metadata in metadata:
        for typed in TYPED:
            view = {**copy, "id": f"V{uuid.uuid4().hex[:10].upper()}", "private_metadata": private_metadata}
            reply = joinedup.slack.submit(view, fill(view, answers(typed)), user=refused)
            replies.add((reply.status, reply.body))

    assert len(replies) == 1, replies
    [(status, body)] = replies
    assert status == 200 and json.loads(body)["response_action"] == "push"
    assert "Only " in body and OWN_CASE_REFERENCE not in body
    assert snapshot(joinedup.db) == before
    sent = [c.method for c in joinedup.standin.calls()[calls:] if not c.method.startswith(("conversations.", "users."))]
    assert sent == [], "nothing posted, opened or updated (looking up who is in an agency is all)"


def test_the_refusals_name_no_record_agency_or_person():
    for words in (refusals.ACKNOWLEDGE, refusals.REPORT_OUTCOME, refusals.CHALLENGE, refusals.ANSWER, refusals.AMEND,
                  refusals.CLOSE_CHALLENGE):
        assert "JU-" not in words and "<@" not in words and "{" not in words
        assert not any(agency in words for agency in ("Education", "Health", "Police", "Social Care"))
