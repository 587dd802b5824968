"""A malformed but correctly signed request, on any surface, gets a plain answer and one clean line in the log.

Slash commands, clicks, form submissions and closings, shortcuts and events each start as Slack sends them, then
have fields taken away, set to null, to the wrong type, to huge text, to an id Joined Up does not have, or their
JSON broken. Whatever arrives gets a 200 or a 400, never a 5xx; a 400 comes with exactly one line in the log, and
anything else with at most one warning; no line at any level carries a traceback or anything from the body: no
case reference, nothing typed. Each surface runs many examples against one app, on each database.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any, Callable
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from bot.blocks.ids import Action, Callback, Command, Field, Shortcut
from bot.demo.sample import EDUCATION, SAM, TIA
from bot.standin.signed_requests import (
    APP_ID, TEAM, block_actions, fill, global_shortcut, message_shortcut, view_submission)
from tests.conftest import VALID_ANSWERS
from tests.test_challenges import challenge
from tests.test_hostile_input import failures, send, signed

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
    HealthCheck.large_base_example])

MARK = "ZQ7TYPED"  # starts every piece of text put into a request here, to look for in the log afterwards
CONTENT = (MARK, "CR-12345", "breakfast")  # and the sample record's case reference and summary
DELETE = object()  # a field taken away altogether


# --- the world: one shared, challenged record, and a real copy of each form ----------------------------

def world(joinedup: Any) -> dict[str, Any]:
    """Made once per running app: the record, its share and challenge ids, and a copy of each of its forms as
    Slack opened it for someone it serves."""
    if not hasattr(joinedup, "fuzz_world"):
        assert joinedup.record().json()["response_action"] == "update"
        assert challenge(joinedup).json()["response_action"] == "update"
        post = joinedup.posts(EDUCATION.channel)[0]
        share = next(e["value"] for b in post["blocks"] if b.get("type") == "actions" for e in b["elements"]
                     if e["action_id"] == Action.ACKNOWLEDGE)  # the value "Acknowledge with a note" carries too
        values = {Action.ACKNOWLEDGE: share, Action.ACKNOWLEDGE_WITH_NOTE: share,
                  Action.REPORT_OUTCOME: "1:education", Action.ASK_OR_CHALLENGE: "1:education",
                  Action.RESPOND_CHALLENGE: "1", Action.AMEND_RECORD: "1", Action.REMIND_LATER: "1:3",
                  Action.RESOLVE_CHALLENGE: "1", Action.ESCALATE_CHALLENGE: "1", Action.RETRY_DELIVERY: "1",
                  Action.HOME_MORE: "5:0", Action.OPEN_RECORD_FORM: "", Action.RISK_LEVEL: "",
                  Action.SHARE_WITH_CHOSEN: "", Action.PURPOSES_CHOSEN: "", Action.REQUEST_CHOSEN: "",
                  Action.RECORD_DETAILS: "details", Action.EMAIL_COPY: "1", Action.POST_MENU: f"{Action.ASK_OR_CHALLENGE}:1:education"}
        forms = {Callback.RECORD_FORM: (joinedup.open_form(), SAM.user_id, VALID_ANSWERS)}
        for callback, action, user, answers in (
                (Callback.ACKNOWLEDGE_NOTE_FORM, Action.ACKNOWLEDGE_WITH_NOTE, TIA.user_id,
                 {Field.NOTE: f"{MARK} seen"}),
                (Callback.OUTCOME_FORM, Action.REPORT_OUTCOME, TIA.user_id,
                 {Field.WHAT_HAPPENED: f"{MARK} CR-12345", Field.NEXT_STEP: "no_further_action"}),
                (Callback.CHALLENGE_FORM, Action.ASK_OR_CHALLENGE, TIA.user_id,
                 {Field.CHALLENGE_KIND: "question", Field.CHALLENGE_TEXT: f"{MARK} why?"}),
                (Callback.RESPONSE_FORM, Action.RESPOND_CHALLENGE, SAM.user_id, {Field.RESPONSE_TEXT: f"{MARK}"}),
                (Callback.AMEND_FORM, Action.AMEND_RECORD, SAM.user_id,
                 {Field.SUMMARY: f"{MARK} breakfast", Field.AMEND_REASON: f"{MARK} wrong day"})):
            joinedup.slack.click(post, {"action_id": action, "block_id": "b", "type": "button",
                                        "value": values[action]}, user=user, channel=EDUCATION.channel)
            form = joinedup.standin.views(user)[-1]
            assert form["callback_id"] == callback
            forms[callback] = (form, user, answers)
        joinedup.fuzz_world = {"values": values, "forms": forms, "post": post}
    return joinedup.fuzz_world


# --- each surface, as Slack sends it ---------------------------------------------------------------

def slash_command(joinedup: Any, draw: Callable[[Any], Any]) -> tuple[str, Any]:
    command, text = draw(st.sampled_from([(Command.RECORD, ""), (Command.RECORD, "CR-12345"),
                                          (Command.JOINEDUP, "show JU-000001"), (Command.JOINEDUP, "mine"),
                                          (Command.JOINEDUP, "audit JU-000001"), (Command.JOINEDUP, "glossary"),
                                          (Command.JOINEDUP, "")]))
    fields = {"token": "unused", "team_id": TEAM["id"], "team_domain": TEAM["domain"], "channel_id": "C0SOCIAL",
              "channel_name": "social-care", "user_id": SAM.user_id, "user_name": "sam", "command": command,
              "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
              "response_url": joinedup.standin.response_url(), "trigger_id": joinedup.standin.trigger_id(SAM.user_id)}
    # A form post, as Slack sends it; or the same fields as a JSON object, where any value may be of any type.
    return draw(st.sampled_from(["form", "json"])), fields


def click(joinedup: Any, draw: Callable[[Any], Any]) -> tuple[str, Any]:
    known = world(joinedup)
    action_id = draw(st.sampled_from(list(Action)))
    user = draw(st.sampled_from([SAM.user_id, TIA.user_id, "U0OUTSIDE"]))
    action = {"action_id": action_id, "block_id": "b", "type": "button", "value": known["values"][action_id]}
    if action_id == Action.RISK_LEVEL:
        action = {"action_id": action_id, "block_id": Field.RISK_LEVEL, "type": "static_select",
                  "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "early-help"}}
    if action_id == Action.POST_MENU:  # a choice from the ⋯ menu on an agency's post
        action = {"action_id": action_id, "block_id": "b", "type": "overflow",
                  "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": known["values"][action_id]}}
    payload = block_actions(known["post"], action, user=user, channel=EDUCATION.channel,
                            response_url=joinedup.standin.response_url(), trigger_id=joinedup.standin.trigger_id(user))
    where = draw(st.sampled_from(["message", "home", "form"]))
    if where != "message":
        form = known["forms"][Callback.RECORD_FORM][0]
        view = {"id": "V0HOME", "type": "home", "blocks": [], "hash": "1.home"} if where == "home" else form
        for name in ("response_url", "channel", "message"):
            payload.pop(name)
        payload |= {"container": {"type": "view", "view_id": view["id"]}, "view": view}
    return "payload", payload


def submission(joinedup: Any, draw: Callable[[Any], Any], *, closed: bool = False) -> tuple[str, Any]:
    forms = world(joinedup)["forms"]
    form, user, answers = forms[draw(st.sampled_from(list(forms)))]
    view = {**form, "id": f"V{uuid.uuid4().hex[:10].upper()}"}
    payload = view_submission(view, fill(view, answers), user=draw(st.sampled_from([user, "U0OUTSIDE"])),
                              trigger_id=joinedup.standin.trigger_id(user))
    if closed:
        payload = {**payload, "type": "view_closed", "is_cleared": False}
    return "payload", payload


def shortcut(joinedup: Any, draw: Callable[[Any], Any]) -> tuple[str, Any]:
    trigger = joinedup.standin.trigger_id(SAM.user_id)
    if draw(st.booleans()):
        return "payload", global_shortcut(Shortcut.RECORD_CONVERSATION, user=SAM.user_id, trigger_id=trigger)
    message = {"ts": "1795514400.000100", "text": f"{MARK} said so", "user": TIA.user_id}
    return "payload", message_shortcut(Shortcut.RECORD_FROM_MESSAGE, message, user=SAM.user_id, channel="C0SOCIAL",
                                       response_url=joinedup.standin.response_url(), trigger_id=trigger)


def app_event(joinedup: Any, draw: Callable[[Any], Any]) -> tuple[str, Any]:
    user = draw(st.sampled_from([SAM.user_id, TIA.user_id, "U0OUTSIDE"]))
    return "json", {"token": "unused", "team_id": TEAM["id"], "api_app_id": APP_ID, "type": "event_callback",
                    "event": {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home",
                              "event_ts": f"{time.time():.6f}"},
                    "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
                    "authorizations": [{"enterprise_id": None, "team_id": TEAM["id"], "user_id": "UJOINEDUP",
                                        "is_bot": True}]}


SURFACES: dict[str, Callable[..., tuple[str, Any]]] = {
    "slash command": slash_command, "block_actions": click, "view_submission": submission,
    "view_closed": lambda joinedup, draw: submission(joinedup, draw, closed=True), "shortcut": shortcut,
    "event": app_event,
}

# --- what is done to them ------------------------------------------------------------------------------

wrong_values = st.one_of(
    st.just(DELETE), st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
    st.just([]), st.lists(st.integers() | st.none() | st.text(max_size=3), min_size=1, max_size=3), st.just({}),
    st.dictionaries(st.text(max_size=6), st.integers() | st.none(), min_size=1, max_size=3),
    st.text(max_size=20).map(lambda t: f"{MARK}{t}"),  # an id Joined Up does not have, or any short text
    st.just(f"CR-12345 {MARK}"),
    st.integers(1, 40_000).map(lambda n: (f"{MARK} CR-12345 " * (n // 17 + 1))[:n]),  # huge text
)


def paths(value: Any, here: tuple = ()) -> list[tuple]:
    """Every place in the body, down to five levels: each key of an object, the first items of a list."""
    found = [here]
    if len(here) < 5 and isinstance(value, dict):
        for key, inner in value.items():
            found += paths(inner, (*here, key))
    elif len(here) < 5 and isinstance(value, list):
        for index, inner in enumerate(value[:3]):
            found += paths(inner, (*here, index))
    return found


def changed(body: Any, path: tuple, value: Any) -> Any:
    if not path:
        return None if value is DELETE else value
    body = json.loads(json.dumps(body))  # a copy
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return body


# Ids Slack uses to say what a request is for: the ones Joined Up does not have are tried often.
ID_PATHS = [("command",), ("callback_id",), ("actions", 0, "action_id"), ("view", "callback_id"), ("event", "type"),
            ("type",)]


def encoded(kind: str, body: Any) -> tuple[bytes, str]:
    if kind == "form" and isinstance(body, dict):
        return urlencode({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}).encode(), \
            "application/x-www-form-urlencoded"
    if kind == "payload":
        return f"payload={quote(json.dumps(body))}".encode(), "application/x-www-form-urlencoded"
    return json.dumps(body).encode(), "application/json"


def clean_lines(caplog: Any) -> list[str]:
    """Each record as a handler writes it, traceback included when there is one."""
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    return [formatter.format(record) for record in caplog.records]


@pytest.mark.parametrize("surface", list(SURFACES))
@FUZZ
@given(data=st.data())
def test_a_malformed_signed_request_gets_200_or_400_and_one_log_line_with_nothing_typed_and_no_traceback(
        joinedup, caplog, surface, data):
    caplog.set_level(logging.INFO)
    kind, body = SURFACES[surface](joinedup, data.draw)
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        places = paths(body) + [p for p in ID_PATHS if p in paths(body)] * 5
        body = changed(body, data.draw(st.sampled_from(places), label="where"), data.draw(wrong_values, label="to"))
    raw, content_type = encoded(kind, body)
    if data.draw(st.integers(0, 9)) == 0:  # its JSON broken
        cut = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        raw = raw[:cut] if kind != "form" else raw + b"&payload=%7B"
    caplog.clear()

    status, reply = send(joinedup, raw, signed(raw, content_type))
    lines = clean_lines(caplog)
    event(f"{surface}: {status}")

    assert status in (200, 400), reply[:300]
    assert not any("Traceback" in line for line in lines), lines
    assert all(record.exc_info is None for record in caplog.records), lines
    assert not any(words in line for line in lines for words in CONTENT), lines
    assert failures(caplog) == []
    if status == 400:
        assert len(lines) == 1, lines
    else:
        assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) <= 1, lines
