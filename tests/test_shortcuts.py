"""The shortcuts open the /record form: signed requests as Slack sends them, the stand-in over HTTP."""
from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks.ids import Callback, Field, Shortcut
from bot.demo.sample import EDUCATION, HEALTH, SAM, TIA
from bot.standin.signed_requests import fill
from tests.conftest import VALID_ANSWERS

# What a colleague might post in a channel: another child's details, which must never reach the form by themselves.
ANOTHER_CHILD = "Jane Smith (CR-99999), NHS 943 476 5919, 12 Acacia Avenue AB1 2CD"


def _message(joinedup: Any) -> dict[str, Any]:
    """A colleague's message in Education's channel, as Slack holds it."""
    ts = joinedup.standin.add_message(EDUCATION.channel, user=TIA.user_id, text=ANOTHER_CHILD, blocks=[
        {"type": "rich_text", "block_id": "b1", "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": ANOTHER_CHILD}]}]}])
    message = joinedup.standin.message(EDUCATION.channel, ts)
    assert message is not None
    return message


def _use(joinedup: Any, shortcut: Shortcut, *, user: str = SAM.user_id, **kw: Any) -> Any:
    if shortcut == Shortcut.RECORD_FROM_MESSAGE:
        return joinedup.slack.message_shortcut(shortcut, _message(joinedup), user=user, channel=EDUCATION.channel, **kw)
    return joinedup.slack.shortcut(shortcut, user=user, **kw)


def _open(joinedup: Any, shortcut: Shortcut, user: str = SAM.user_id) -> dict[str, Any]:
    before = joinedup.standin.count("views.open")
    reply = _use(joinedup, shortcut, user=user)
    assert reply.status == 200 and reply.body == "", reply  # a shortcut is acknowledged with an empty 200
    assert joinedup.standin.count("views.open") == before + 1, "no form opened"
    assert joinedup.standin.count("views.open", answered_ok=True) == before + 1, joinedup.standin.errors("views.open")
    return joinedup.standin.views(user)[-1]


def _records_posted(joinedup: Any, channel: str) -> list[dict[str, Any]]:
    return [p for p in joinedup.posts(channel) if p.get("user") == joinedup.standin.bot_user_id]


def _inputs(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in view["blocks"] if b.get("type") == "input"]


@pytest.mark.parametrize("shortcut", list(Shortcut))
def test_each_shortcut_opens_the_record_form_for_the_person_who_used_it(joinedup, shortcut):
    view = _open(joinedup, shortcut, user=TIA.user_id)
    assert view["callback_id"] == Callback.RECORD_FORM
    assert joinedup.standin.views(SAM.user_id) == []  # opened for Tia, who used it, and nobody else
    from_command = joinedup.open_form(TIA.user_id)
    # The same form /record opens: the same fields, with the same defaults.
    assert _inputs(view) == _inputs(from_command)
    assert view["title"] == from_command["title"] and view["submit"] == from_command["submit"]


def test_the_global_shortcut_opens_exactly_the_form_that_record_opens(joinedup):
    view = _open(joinedup, Shortcut.RECORD_CONVERSATION)
    assert view["blocks"] == joinedup.open_form()["blocks"]


def test_the_message_shortcut_copies_nothing_from_the_message_and_says_so(joinedup):
    view = _open(joinedup, Shortcut.RECORD_FROM_MESSAGE)
    shown = json.dumps(view)
    for part in ("Jane", "CR-99999", "943 476 5919", "Acacia", "AB1 2CD"):
        assert part not in shown
    case_reference = next(b for b in view["blocks"] if b.get("block_id") == Field.CASE_REFERENCE)
    assert "initial_value" not in case_reference["element"]
    notes = [e["text"] for b in view["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert any("not* copied" in note for note in notes), notes
    # The note is all that differs from the form /record opens, and it comes before the first field.
    form = joinedup.open_form()
    added = [b for b in view["blocks"] if b not in form["blocks"]]
    assert len(added) == 1 and view["blocks"].index(added[0]) < view["blocks"].index(_inputs(view)[0])


@pytest.mark.parametrize("shortcut", list(Shortcut))
def test_the_form_a_shortcut_opens_saves_and_shares_a_record(joinedup, shortcut):
    view = _open(joinedup, shortcut)
    reply = joinedup.slack.submit(view, fill(view, VALID_ANSWERS), user=SAM.user_id)
    assert reply.status == 200, reply
    answer = reply.json()
    assert answer["response_action"] == "update" and answer["view"]["title"]["text"] == "Record saved"
    assert "JU-" in json.dumps(answer["view"])
    for agency in (EDUCATION, HEALTH):
        assert len(_records_posted(joinedup, agency.channel)) == 1, agency.key
    assert joinedup.standin.messages(SAM.user_id), "the sharer gets a status message"


def test_the_identifier_check_still_applies_to_a_form_opened_from_a_message(joinedup):
    view = _open(joinedup, Shortcut.RECORD_FROM_MESSAGE)
    answers = {**VALID_ANSWERS, Field.SUMMARY: f"{VALID_ANSWERS[Field.SUMMARY]} NHS number 943 476 5919."}
    reply = joinedup.slack.submit(view, fill(view, answers), user=SAM.user_id)
    # The box for why identifiers are needed appears, on the same form (still saying nothing was copied) ...
    shown = {**reply.json()["view"], "id": view["id"]}
    assert reply.json()["response_action"] == "update" and Field.IDENTIFIERS_REASON in json.dumps(shown)
    assert "not* copied" in json.dumps(shown)
    # ... and sent again without a reason, the record is refused on the summary.
    reply = joinedup.slack.submit(shown, fill(shown, answers), user=SAM.user_id)
    assert reply.json()["response_action"] == "errors"
    assert Field.SUMMARY in reply.json()["errors"]
    assert _records_posted(joinedup, EDUCATION.channel) == _records_posted(joinedup, HEALTH.channel) == []


def test_an_expired_trigger_from_the_message_shortcut_tells_the_person_and_saves_nothing(joinedup):
    before = len(joinedup.standin.calls("response_url"))
    reply = _use(joinedup, Shortcut.RECORD_FROM_MESSAGE, trigger_id="expired.trigger.0")
    assert reply.status == 200 and reply.body == ""
    told = joinedup.standin.calls("response_url")[before:]
    assert len(told) == 1 and told[0].status == 200
    assert "could not open" in told[0].args["text"] and "expired_trigger_id" in told[0].args["text"]
    assert told[0].args["response_type"] == "ephemeral" and told[0].args["replace_original"] is False
    assert joinedup.standin.views(SAM.user_id) == []


def test_an_expired_trigger_from_the_global_shortcut_tells_the_person_in_a_direct_message(joinedup):
    reply = _use(joinedup, Shortcut.RECORD_CONVERSATION, trigger_id="expired.trigger.1")
    assert reply.status == 200 and reply.body == ""
    assert joinedup.standin.views(SAM.user_id) == []
    assert joinedup.standin.calls("response_url") == []  # a global shortcut has none: Joined Up's DM instead
    (told,) = joinedup.standin.messages(SAM.user_id)
    assert "could not open" in told["text"] and "use the shortcut again" in told["text"]


def test_a_shortcut_the_app_does_not_have_opens_nothing(joinedup):
    assert joinedup.slack.shortcut("not_ours", user=SAM.user_id).status == 200  # a 404 would show an error
    assert joinedup.standin.count("views.open") == 0


def test_the_message_shortcut_on_joined_ups_own_post_opens_an_empty_form_too(joinedup):
    assert joinedup.record().status == 200
    post = _records_posted(joinedup, HEALTH.channel)[0]
    before = joinedup.standin.count("views.open")
    reply = joinedup.slack.message_shortcut(Shortcut.RECORD_FROM_MESSAGE, post, user=SAM.user_id,
                                            channel=HEALTH.channel)
    assert reply.status == 200 and joinedup.standin.count("views.open", answered_ok=True) == before + 1
    view = joinedup.standin.views(SAM.user_id)[-1]
    assert VALID_ANSWERS[Field.SUMMARY] not in json.dumps(view)
    case_reference = next(b for b in view["blocks"] if b.get("block_id") == Field.CASE_REFERENCE)
    assert "initial_value" not in case_reference["element"]  # not even the record's own case reference
