"""Hostile input, property by property: whatever reaches /slack/events gets a plain HTTP answer (a 4xx, or a
harmless 200), never a 500, never a crash, never a partial write; and whatever people type, the messages and
views Joined Up sends are ones Slack accepts (long text split or visibly cut, never refused).

Each HTTP test runs many hypothesis examples against ONE running app on SQLite, so the database and the Slack
stand-in carry over between examples: every check compares the world before and after the example.

Each bug these properties found is a test of its own, next to the property it broke, run with a few examples
(`ONCE_A_BUG`); the properties themselves now cover those inputs too. tests/test_malformed_payloads.py holds the
same promise for the log: one line for a malformed request, no traceback, nothing anyone typed.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import http.client
import json
import logging
import string
import time
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, Phase, assume, event, example, given, settings, strategies as st
import slack_sdk.errors
from slack_sdk.errors import SlackClientError
from sqlalchemy import func, select, text as sql

from bot.blocks.messages import acknowledge_note_form
from bot.blocks.outcome import NEXT_STEPS, OutcomeForm, outcome_form, read_outcome_form
from bot.blocks.record_form import OTHER_PURPOSE, RECORD_ONLY, FormDefaults, RecordForm, read_record_form, \
    record_form
from bot.blocks.text import SECTION_LIMIT, escape, long_text_sections
from bot.demo.sample import EDUCATION, LEE, NIA, PEOPLE, RISK_LEVELS, SAM, TIA, sample_partnership
from bot.standin.signed_requests import APP_ID, TEAM, fill, user_object, view_submission
from bot.standin.blockkit import MESSAGE, MODAL, block_problems
from bot.standin.rules import SlackError, check_view
from bot.blocks.ids import VALUE, Action, Callback, Command, Field
from storage.models import AuditEvent, Base, Challenge, Outcome, Record, Share, parse_id
from tests.conftest import SIGNING_SECRET, TUESDAY_10AM, VALID_ANSWERS

SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
PLAIN_ANSWERS = {200, 400, 401, 404, 413}  # a harmless 200, or a 4xx; never a 500
SIGNED_ANSWERS = {200, 400}  # a signed request: done or harmlessly ignored, or refused as not Slack's shape
HTTP = settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
    HealthCheck.large_base_example, HealthCheck.filter_too_much])
PURE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.data_too_large,
                                                                       HealthCheck.too_slow])
# Each was once a bug that failed on its first example: a few examples keep it fixed.
ONCE_A_BUG = settings(HTTP, max_examples=10, phases=[Phase.explicit, Phase.generate])


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()  # a key left out of the payload altogether

# --- strategies: values -----------------------------------------------------------------------------

json_scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=15)

EMOJI = ("😀", "👩‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🇬🇧", "🧒🏿")
RIGHT_TO_LEFT = ("مرحبا بالعالم", "שלום עולם", "\u202eevil\u202c", "\u200f", "\u061c")
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e")
COMBINING = ("e\u0301", "Z\u0351\u0352\u0357\u035b\u0346", "\u0300" * 30, "\u0e47" * 10)
MARKUP = ("&", "&amp;", "&lt;", "<", ">", "<!channel>", "<@U0SAMSW>", "<https://evil.example|Click>",
          "*", "_", "~", "`", "```", "\\", "%", "+", "=")
SPACING = ("\n", "\r\n", "\t", " ", "\u00a0", "\u2028", "\u3000")
ODD = ("漢字かな", "𝕏", "ﷺ", "\U0010fffd", "\x00", "\x7f", "\ufffd")
PIECES = EMOJI + RIGHT_TO_LEFT + INVISIBLE + COMBINING + MARKUP + SPACING + ODD
# Slack never sends these, but "\ud800"-style escapes are legal JSON text and decode to lone surrogates.
LONE_SURROGATES = ("\ud800", "\udbff", "\udc00", "\udfff")
# str.isdigit() is True for these, yet int() refuses them.
UNICODE_DIGITS = ("²", "③", "①", "⓪")

tricky_text = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=40).map("".join)
huge_text = st.builds(lambda piece, n: (piece * n)[:40_000],
                      st.sampled_from(PIECES + ("a", "word ", "x" * 7 + "\n", "&" * 9 + " ")),
                      st.integers(1, 40_000))
hostile_text = st.one_of(st.text(max_size=40), tricky_text, huge_text)

people = st.sampled_from([p.user_id for p in PEOPLE])
strangers = st.from_regex(r"U[A-Z0-9]{8,10}", fullmatch=True)  # real Slack users in no agency
user_ids = people | strangers
header_text = st.text(string.ascii_letters + string.digits + " -_.", max_size=12)

# --- strategies: view.state.values ------------------------------------------------------------------

ELEMENT_KEYS = ("type", "value", "selected_option", "selected_options", "selected_users", "selected_date",
                "selected_date_time")
wrong_element = st.dictionaries(st.sampled_from(ELEMENT_KEYS), json_values | hostile_text, max_size=4)
wrong_slot = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from([VALUE, Action.RISK_LEVEL]) | st.text(max_size=6),
                    json_values | wrong_element, max_size=2))
state_values = st.dictionaries(st.sampled_from(list(Field)) | st.text(max_size=12), wrong_slot,
                               max_size=len(Field))
# Either kind of damage to one block of an otherwise well-formed state: gone, or the wrong shape.
damage = st.dictionaries(st.sampled_from(list(Field)), st.just(MISSING) | wrong_slot, max_size=3)


def damaged(values: dict[str, Any], harm: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    for block, slot in harm.items():
        if slot is MISSING:
            values.pop(block, None)
        else:
            values[block] = slot
    return values


TODAY = TUESDAY_10AM.date()
NOW = int(TUESDAY_10AM.timestamp())


@st.composite
def record_answers(draw: Any, text: Any = hostile_text) -> dict[str, Any]:
    """Answers for the record form: valid choices, with anything at all typed into the text boxes, and now
    and then an odd case reference, conversation time or follow-up date (otherwise the form's own)."""
    fits = draw(st.booleans())  # within each box's max_length, as Slack enforces; or far beyond it

    def typed(limit: int) -> str:
        value = draw(text)
        return value[:limit] if fits else value

    answers = {
        **VALID_ANSWERS,
        Field.PARTICIPANTS: draw(st.lists(user_ids, max_size=40)),
        Field.OTHERS_PRESENT: typed(500),
        Field.PURPOSES: [*VALID_ANSWERS[Field.PURPOSES], OTHER_PURPOSE],  # "Another reason": the box below
        Field.PURPOSE_DETAIL: typed(500),
        Field.SUMMARY: typed(3000),
        Field.ACTIONS: typed(3000),
        Field.RISK_LEVEL: draw(st.sampled_from([r.key for r in RISK_LEVELS])),
        Field.SHARE_WITH: draw(st.lists(st.sampled_from(["social-care", "education", "health", "police"]),
                                        min_size=1, max_size=4)),
    }
    odd = draw(st.sets(st.sampled_from([Field.CASE_REFERENCE, Field.OCCURRED_AT, Field.FOLLOW_UP_ON])))
    if Field.CASE_REFERENCE in odd:
        answers[Field.CASE_REFERENCE] = draw(st.sampled_from([" cr-1234 5 ", "12345678"]) | text.map(lambda t: t[:40]))
    if Field.OCCURRED_AT in odd:
        answers[Field.OCCURRED_AT] = draw(st.integers(NOW - 10**8, NOW + 3600))
    if Field.FOLLOW_UP_ON in odd:
        answers[Field.FOLLOW_UP_ON] = draw(st.dates(TODAY - timedelta(days=3), TODAY + timedelta(days=400))
                                           .map(date.isoformat) | st.text(max_size=12))
    if draw(st.booleans()):
        answers |= {Field.REQUEST: "action", Field.REQUESTED_ACTION: typed(500)}
    if draw(st.booleans()):
        answers |= {Field.SHARE_WITH: [RECORD_ONLY], Field.PURPOSES: [], Field.NOT_SHARED_REASON: typed(500)}
    return answers


# --- strategies: whole bodies -----------------------------------------------------------------------

ENVELOPE_TYPES = ("event_callback", "url_verification", "block_actions", "view_submission", "view_closed",
                  "shortcut", "message_action", "block_suggestion", "interactive_message", "app_rate_limited",
                  "dialog_submission", "workflow_step_execute")
EVENT_TYPES = ("app_home_opened", "message", "reaction_added", "app_mention", "team_join", "app_uninstalled")
# The fields Bolt reads from every body before it checks the signature, each with the type Slack gives it.
BOLT_READS = ("type", "team", "team_id", "user", "user_id", "channel", "channel_id", "event", "enterprise",
              "enterprise_id", "authorizations", "is_enterprise_install", "is_ext_shared_channel", "view",
              "message", "previous_message", "item", "function_data", "function_execution_id",
              "bot_access_token", "thread_ts", "assistant_thread", "container", "actions", "command")
slack_event = st.fixed_dictionaries(
    {"type": st.sampled_from(EVENT_TYPES) | st.text(max_size=15)},
    optional={"user": user_ids | st.text(max_size=12), "tab": st.sampled_from(["home", "messages", "about"])
              | st.text(max_size=8), "channel": st.text(max_size=12), "text": hostile_text,
              "ts": st.text(max_size=17), "event_ts": st.text(max_size=17),
              "view": st.dictionaries(st.text(max_size=8), json_values, max_size=3),
              "extra": json_values})
slack_typed_body = st.fixed_dictionaries({}, optional={
    "type": st.sampled_from(ENVELOPE_TYPES) | st.text(max_size=15),
    "token": st.text(max_size=10), "api_app_id": st.text(max_size=10), "challenge": st.text(max_size=40),
    "team": st.fixed_dictionaries({"id": st.text(max_size=10)}) | st.text(max_size=10),
    "user": st.fixed_dictionaries({"id": user_ids | st.text(max_size=12)}) | user_ids,
    "channel": st.fixed_dictionaries({"id": st.text(max_size=10)}) | st.text(max_size=10),
    "event": slack_event, "event_id": st.text(max_size=12),
    "actions": st.lists(st.dictionaries(st.sampled_from(["action_id", "block_id", "type", "value"]),
                                        st.sampled_from(list(Action)) | json_values, max_size=4),
                        max_size=2),
    "view": st.fixed_dictionaries({"callback_id": st.sampled_from(list(Callback)) | st.text(max_size=10)},
                                  optional={"type": st.sampled_from(["modal", "home"]),
                                            "id": st.text(max_size=10), "private_metadata": json_values,
                                            "state": st.fixed_dictionaries({"values": state_values})}),
    "command": st.sampled_from(list(Command)) | st.text(max_size=10),
    "text": hostile_text, "trigger_id": st.text(max_size=20),
})
json_objects = st.builds(lambda typed, extra: {**extra, **typed}, slack_typed_body,
                         st.dictionaries(st.text(max_size=10).filter(lambda k: k not in BOLT_READS),
                                         json_values, max_size=4))
form_fields = st.dictionaries(st.text(max_size=12).filter(lambda k: k != "payload"),
                              hostile_text | st.sampled_from(list(Command)), max_size=8)
FORM_TYPES = ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data", "",
              "application/octet-stream", "application/x-www-form-urlencoded; charset=utf-8")
ANY_TYPES = FORM_TYPES + ("application/json", "application/json; charset=utf-8")
# Bodies Bolt can parse: JSON objects, form fields, and form posts whose `payload` is a JSON object.
parseable_bodies = st.one_of(
    st.tuples(json_objects.map(json.dumps), st.sampled_from(ANY_TYPES)),
    st.tuples(form_fields.map(urlencode), st.sampled_from(FORM_TYPES)),
    st.tuples(json_objects.map(lambda o: f"payload={quote(json.dumps(o))}"), st.sampled_from(FORM_TYPES)),
).map(lambda pair: (pair[0].encode(), pair[1]))
# Bodies Bolt cannot parse, or parses into something that is not a dict of Slack-typed fields.
wrongly_typed_envelopes = st.fixed_dictionaries({}, optional={
    "user": st.integers() | st.booleans() | st.floats(allow_nan=False),
    "team": st.integers(1) | st.just(True),
    "enterprise": st.integers(1) | st.floats(min_value=1),
    "authorizations": st.integers() | st.dictionaries(st.text(min_size=1, max_size=3), st.text(), min_size=1),
    "event": st.fixed_dictionaries({"type": st.just("app_home_opened"), "user": st.integers(1)}),
    "channel": st.integers(1) | st.just(True),
}).filter(bool)
unparseable_bodies = st.one_of(
    st.tuples(st.binary(max_size=200), st.sampled_from(ANY_TYPES)),
    st.tuples(json_values.filter(lambda v: not isinstance(v, dict)).map(json.dumps).map(str.encode),
              st.sampled_from(ANY_TYPES)),
    st.tuples(st.text(max_size=30).map(lambda t: ("{" + t).encode()), st.sampled_from(ANY_TYPES)),
    st.tuples(form_fields.map(urlencode).map(str.encode), st.just("application/json")),
    st.tuples(st.text(max_size=30).filter(lambda t: not t.strip().startswith("{"))
              .map(lambda t: f"payload={quote(t)}".encode()), st.sampled_from(FORM_TYPES)),
    st.tuples(wrongly_typed_envelopes.map(json.dumps).map(str.encode), st.sampled_from(ANY_TYPES)),
    st.tuples(st.sampled_from(["block_actions", "interactive_message"])
              .map(lambda kind: json.dumps({"type": kind, "actions": []}).encode()), st.sampled_from(ANY_TYPES)),
    st.tuples(st.sampled_from(list(Callback)).map(lambda callback: json.dumps(
        {"type": "view_submission", "view": {"callback_id": callback}}).encode()), st.sampled_from(ANY_TYPES)),
)

# --- strategies: block_actions ----------------------------------------------------------------------

action_values = st.one_of(
    st.just(MISSING), st.none(),
    st.sampled_from(["1", "2", "3", "1:", "2:", "1:education", "1:health", "1:police", "1:1", "1:3", "1:2",
                     "0:0", "10:20", "001", "-1", "1.0", " 1", "1 ", "0x1", "1e3", "", ":", "::", "1:1:1"]),
    st.integers(0, 10**11).map(str),
    st.tuples(st.integers(0, 10**25), st.sampled_from(["", "1", "3", "2", "education"]))
    .map(lambda pair: f"{pair[0]}:{pair[1]}"),
    st.integers(-10**20, 10**20),  # a JSON number, not a string
    hostile_text, json_values)
selected_options = st.one_of(
    st.just(MISSING), st.none(),
    st.fixed_dictionaries({"value": st.sampled_from([r.key for r in RISK_LEVELS]) | json_values},
                          optional={"text": json_values}))
CONTAINERS = ("message", "ephemeral message", "home tab", "the form", "none")


# --- helpers: the world -----------------------------------------------------------------------------

def snapshot(db: Any) -> dict[str, list[str]]:
    """Every row of every table, to prove an example wrote nothing at all."""
    with db.engine.connect() as connection:
        return {table.name: sorted(map(repr, connection.execute(sql(f'SELECT * FROM "{table.name}"'))))
                for table in Base.metadata.sorted_tables}


EVENT_BOOKKEEPING = {"seen_events"}  # event ids already handled, so Slack's retries are handled once


def changed_tables(before: dict[str, list[str]], after: dict[str, list[str]]) -> set[str]:
    return {table for table in after if after[table] != before.get(table)}


def audited_acts(db: Any) -> dict[str, int]:
    with db.read() as session:
        return dict(session.execute(select(AuditEvent.action, func.count()).group_by(AuditEvent.action)).all())


def names_a_real_row(db: Any, text: str) -> bool:
    """Whether `text` (or its part before a colon) is the id of a real share, record or challenge."""
    head = text.partition(":")[0]
    return head.isascii() and head.isdigit() and int(head) in ids(db, Share) | ids(db, Record) | ids(db, Challenge)


def count(db: Any, model: Any) -> int:
    with db.read() as session:
        return session.query(model).count()


def ids(db: Any, model: Any) -> set[int]:
    with db.read() as session:
        return {row.id for row in session.query(model)}


def meet(standin: Any, user: str) -> None:
    """A user Slack knows (Slack only signs requests from its own users); the sample people already exist."""
    if user not in {p.user_id for p in PEOPLE}:
        standin.add_user(user, name=user.lower())


def shared_record(joinedup: Any) -> tuple[int, dict[str, int]]:
    """One record Sam shared with Education and Health, made on first use: its id and each agency's share id."""
    with joinedup.db.read() as session:
        record = session.query(Record).filter(Record.case_reference == "CR-12345").order_by(Record.id).first()
    if record is None:
        assert joinedup.record().json()["response_action"] == "update"
        return shared_record(joinedup)
    with joinedup.db.read() as session:
        return record.id, {s.agency_key: s.id for s in session.query(Share).filter(Share.record_id == record.id)}


def new_view_id() -> str:
    return f"V{uuid.uuid4().hex[:10].upper()}"


# --- helpers: HTTP ----------------------------------------------------------------------------------

def signature(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def send(joinedup: Any, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST exactly these bytes with exactly these headers."""
    connection = http.client.HTTPConnection("127.0.0.1", joinedup.slack.port, timeout=30)
    try:
        connection.request("POST", "/slack/events", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def signed(body: bytes, content_type: str, **extra: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature(body, timestamp), **extra}


def action_payload(joinedup: Any, action: dict[str, Any], *, user: str, container: str,
                   form: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "block_actions", "user": user_object(user), "api_app_id": APP_ID, "token": "unused", "team": TEAM,
        "enterprise": None, "is_enterprise_install": False, "trigger_id": joinedup.standin.trigger_id(user),
        "state": {"values": {}}, "actions": [{**action, "action_ts": f"{time.time():.6f}"}]}
    if container in ("message", "ephemeral message"):
        ts = "1795514400.000100"
        payload |= {"container": {"type": "message", "message_ts": ts, "channel_id": EDUCATION.channel,
                                  "is_ephemeral": container == "ephemeral message"},
                    "channel": {"id": EDUCATION.channel, "name": "education"},
                    "message": {"type": "message", "ts": ts, "text": "", "blocks": []},
                    "response_url": joinedup.standin.response_url()}
    elif container == "home tab":
        payload |= {"container": {"type": "view", "view_id": "V0HOME"},
                    "view": {"id": "V0HOME", "type": "home", "blocks": [], "hash": "1.home"}}
    elif container == "the form":
        payload |= {"container": {"type": "view", "view_id": form["id"]}, "view": form}
    return payload


# --- helpers: what Slack accepts --------------------------------------------------------------------

LAYOUT_ERRORS = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text", "invalid_arguments",
                 "standin_error"}


def layout_problems(blocks: Any, surface: str = MESSAGE) -> list[str]:
    """What Slack would say about these blocks: the stand-in's rules, and the limits this file promises."""
    problems = block_problems(blocks, surface, "/blocks")
    if problems:
        return problems
    sections = [b["text"].get("text", "") for b in blocks if b.get("type") == "section" and b.get("text")]
    return [f"a section of {len(t)} characters" for t in sections if len(t) > SECTION_LIMIT]


def reply_problems(status: int, body: bytes) -> list[str]:
    """Problems with a view or blocks sent back in an HTTP reply (these never reach the stand-in)."""
    if status != 200 or not body.strip().startswith(b"{"):
        return []
    reply = json.loads(body)
    if isinstance(reply.get("view"), dict):
        try:
            check_view(reply["view"])
        except SlackError as error:
            return error.messages or [error.error]
        return layout_problems(reply["view"].get("blocks", []), MODAL)
    if "blocks" in reply:
        return layout_problems(reply["blocks"])
    return []


def slack_refusals(standin: Any, since: int, *, layout_only: bool) -> list[str]:
    """Calls made since `since` that Slack would refuse: for their layout, or (layout_only=False) at all."""
    problems = []
    for call in standin.calls()[since:]:
        if call.method == "response_url":
            problems += layout_problems(call.args.get("blocks", []))
            continue
        error = (call.response or {}).get("error")
        if not call.ok and (not layout_only or error in LAYOUT_ERRORS):
            problems.append(f"{call.method}: {error} {(call.response or {}).get('response_metadata')}")
        if call.method in ("chat.postMessage", "chat.update") and "blocks" in call.args:
            problems += layout_problems(call.args["blocks"])
    return problems


# slack_sdk's errors for a call Slack refused or could not take, by the name a log line gives them.
SLACK_REFUSALS = {name for name, kind in vars(slack_sdk.errors).items()
                  if isinstance(kind, type) and issubclass(kind, SlackClientError)}


def failures(caplog: Any) -> list[str]:
    """ERROR records from the app (listener failures its error handler caught, and background work that failed
    with anything but Slack refusing a call, which a forged view or user rightly causes), and any record at all
    that carries a traceback. The app's failure lines name the error's type: "…: KeyError at handlers/x.py:12"."""
    found = []
    for record in caplog.records:
        message = record.getMessage()
        if record.exc_info:
            found.append(f"{record.name}: {message} (with a traceback)")
            continue
        if not record.name.startswith("bot") or record.levelno < logging.ERROR:
            continue
        if message.startswith("background work") and any(f"failed: {name} at " in message for name in SLACK_REFUSALS):
            continue
        found.append(message)
    return found


def no_layout_refused(standin: Any, since: int) -> None:
    assert slack_refusals(standin, since, layout_only=True) == []


# =====================================================================================================
# 1. Pure parsers
# =====================================================================================================

def assert_is_record_form(form: RecordForm) -> None:
    for name in ("case_reference", "others_present", "not_shared_reason", "purpose_detail", "requested_action",
                 "summary", "actions"):
        assert isinstance(getattr(form, name), str), name
    for name in ("sharer_agency", "request", "source", "lawful_basis", "risk_key", "follow_up_on"):
        assert getattr(form, name) is None or isinstance(getattr(form, name), str), name
    for name in ("participants", "share_with", "purposes"):
        assert all(isinstance(item, str) for item in getattr(form, name)), name
    assert form.occurred_at is None or type(form.occurred_at) is int
    assert type(form.urgent_confirmed) is bool


# Anything at all as view.state.values: an object shaped like Slack's (wrong types in any slot), or any JSON.
any_state_values = state_values | st.dictionaries(st.text(max_size=12), json_values) | json_values


@PURE
@given(values=any_state_values)
@example(values=[]).via("state.values is a list")
@example(values=None).via("state.values is null")
def test_read_record_form_reads_any_json_value_into_well_typed_answers(values):
    """For any JSON value as view.state.values, read_record_form returns a RecordForm whose every field has
    its declared type, and never raises."""
    assert_is_record_form(read_record_form(values))


@PURE
@given(values=any_state_values)
@example(values=[]).via("state.values is a list")
@example(values=None).via("state.values is null")
def test_read_outcome_form_reads_any_json_value_into_well_typed_answers(values):
    """For any JSON value as view.state.values, read_outcome_form returns strings (or None) and never raises."""
    form = read_outcome_form(values)
    assert isinstance(form, OutcomeForm)
    assert isinstance(form.what_happened, str) and isinstance(form.what_changed, str)
    assert form.next_step is None or isinstance(form.next_step, str)


@functools.cache
def valid_record_state() -> dict[str, Any]:
    """view.state.values of the real record form, filled in validly."""
    defaults = FormDefaults(occurred_at=TUESDAY_10AM, follow_up_on=TODAY + timedelta(days=14))
    form = record_form(sample_partnership(), defaults)
    return fill(form, VALID_ANSWERS)


ANSWER_FOR = {Field.RISK_LEVEL: "risk_key"}  # RecordForm's name for each block's answer, where it differs


@PURE
@given(harm=damage)
def test_a_wrong_block_in_the_record_form_changes_only_its_own_answer(harm):
    """Blocks of a valid form's state removed or given the wrong shape change only their own answers: every
    other answer is read exactly as from the undamaged state."""
    whole = read_record_form(valid_record_state())
    hurt = read_record_form(damaged(valid_record_state(), harm))

    assert_is_record_form(hurt)
    for field in Field:
        answer = ANSWER_FOR.get(field, field.value)
        if field not in harm and hasattr(whole, answer):
            assert getattr(hurt, answer) == getattr(whole, answer), field


@PURE
@given(title=st.sampled_from(["Summary", "Actions agreed", "What happened", "What changed for the child"]),
       body=hostile_text)
def test_long_user_text_becomes_sections_slack_accepts(title, body):
    """Any text, however long or odd, becomes sections of at most 3,000 characters each."""
    blocks = long_text_sections(title, body)
    assert [problem for block in blocks for problem in layout_problems([block])] == []


@PURE
@given(title=st.sampled_from(["Summary", "Actions agreed", "What happened", "What changed for the child"]),
       body=hostile_text | st.builds(lambda piece, n: piece * n, st.sampled_from(["a", "&", "漢", "👍🏽", "a&"]),
                                     st.integers(2980, 6000)))
@example(title="Summary", body="a" * 3000)  # once lost two characters to a '…' (text.py's first_room was 1 short)
def test_long_user_text_is_split_without_losing_a_character(title, body):
    """Split, never cut: the sections together hold every non-space character of the escaped text, in order."""
    blocks = long_text_sections(title, body)
    shown = "".join(b["text"]["text"] for b in blocks).removeprefix(f"*{title}*")
    assert "".join(shown.split()) == "".join((escape(body.strip()) or "—").split())


# =====================================================================================================
# 2a. Any body at all
# =====================================================================================================

@SQLITE
@HTTP
@given(body=parseable_bodies)
def test_any_signed_body_bolt_can_parse_gets_a_plain_answer_and_changes_nothing(joinedup, body):
    """A correctly signed JSON object, form post or form `payload` (random types, fields and values, unknown
    payload types included) gets a 200 or a 4xx, never a 500, and writes nothing (but the note of
    which event ids were handled)."""
    raw, content_type = body
    before = snapshot(joinedup.db)

    status, reply = send(joinedup, raw, signed(raw, content_type))

    assert status in SIGNED_ANSWERS, reply[:300]
    assert changed_tables(before, snapshot(joinedup.db)) <= EVENT_BOOKKEEPING


@SQLITE
@ONCE_A_BUG
@given(body=unparseable_bodies, sign=st.booleans())
@example(body=(b"{oops", "application/json"), sign=False).via("invalid JSON, unsigned")
@example(body=(b"[]", "application/json"), sign=True).via("a JSON array")
@example(body=(b"payload=oops", "application/x-www-form-urlencoded"), sign=True).via("payload is not JSON")
@example(body=(b"\xff\xfe", "text/plain"), sign=False).via("not UTF-8")
@example(body=(b'{"user": 1}', "application/json"), sign=True).via("user is a number")
@example(body=(b'{"type": "block_actions", "actions": []}', "application/json"), sign=True).via("no actions")
@example(body=(b'{"type": "view_submission", "view": {"callback_id": "record_form"}}', "application/json"),
         sign=True).via("a view without its type")
def test_any_body_signed_or_not_gets_a_plain_answer_never_a_500(joinedup, body, sign):
    """Any bytes with any content type, signed or not, get a 200 or a 4xx, never a 500, and save nothing."""
    raw, content_type = body
    headers = signed(raw, content_type) if sign else {"Content-Type": content_type,
                                                      "X-Slack-Request-Timestamp": str(int(time.time())),
                                                      "X-Slack-Signature": "v0=" + "0" * 64}
    status, _ = send(joinedup, raw, headers)

    assert status in PLAIN_ANSWERS
    assert count(joinedup.db, Record) == 0


# =====================================================================================================
# 2b. Signatures and timestamps
# =====================================================================================================

FIVE_MINUTES = 300
forgeries = st.one_of(
    st.builds(lambda h: {"X-Slack-Signature": "v0=" + h}, st.text("0123456789abcdef", min_size=64, max_size=64)),
    st.builds(lambda t: {"X-Slack-Signature": t}, header_text),
    st.just({"X-Slack-Signature": None}),                   # header left out
    st.just({"X-Slack-Request-Timestamp": None}),           # header left out
    st.builds(lambda secret: {"secret": secret},
              st.text(min_size=1, max_size=40).filter(lambda secret: secret != SIGNING_SECRET)),
    st.just({"tamper": True}),                              # signed, then a field added
    st.just({"scheme": "v1="}),
    # Correctly signed, but stale or from the future: a replay. (A timestamp that is not a number is
    # tests/test_requests.py's xfail.)
    st.builds(lambda offset: {"offset": offset},
              st.integers(FIVE_MINUTES + 10, 10**10) | st.integers(-(10**10), -(FIVE_MINUTES + 10))),
)


@SQLITE
@HTTP
@given(forgery=forgeries, which=st.sampled_from(["command", "submission"]), words=hostile_text)
def test_a_forged_or_stale_request_is_refused_with_401_and_slack_hears_nothing(joinedup, forgery, which, words):
    """A well-formed command or form submission with a forged, missing or wrong-secret signature, or a
    timestamp more than five minutes away, gets 401; nothing is written and the stand-in sees no call."""
    if which == "command":
        body = urlencode({"command": Command.RECORD, "text": words, "user_id": SAM.user_id,
                          "trigger_id": joinedup.standin.trigger_id(SAM.user_id), "team_id": TEAM["id"],
                          "response_url": joinedup.standin.response_url()})
    else:
        form = {"id": new_view_id(), "type": "modal", "callback_id": Callback.RECORD_FORM, "blocks": []}
        values = {Field.SUMMARY: {VALUE: {"type": "plain_text_input", "value": words}}}
        body = f"payload={quote(json.dumps(view_submission(form, values, user=SAM.user_id, trigger_id='t')))}"
    raw = body.encode()
    timestamp = int(time.time()) + forgery.get("offset", 0)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": str(timestamp),
               "X-Slack-Signature": signature(raw, str(timestamp), forgery.get("secret", SIGNING_SECRET))}
    if "scheme" in forgery:
        headers["X-Slack-Signature"] = headers["X-Slack-Signature"].replace("v0=", forgery["scheme"])
    for name in ("X-Slack-Signature", "X-Slack-Request-Timestamp"):
        if name in forgery:
            if forgery[name] is None:
                del headers[name]
            else:
                headers[name] = forgery[name]
    if forgery.get("tamper"):
        raw += b"&user_id=U0TIATEACH"
    before, calls = snapshot(joinedup.db), len(joinedup.standin.calls())

    status, _ = send(joinedup, raw, headers)

    assert status == 401
    assert len(joinedup.standin.calls()) == calls
    assert snapshot(joinedup.db) == before


# =====================================================================================================
# 2c. block_actions: every action id, random values, users and containers
# =====================================================================================================

@SQLITE
@settings(HTTP, max_examples=50)
@given(action_id=st.sampled_from(list(Action)) | st.text(max_size=20), value=action_values, option=selected_options,
       user=user_ids, container=st.sampled_from(CONTAINERS), block_id=st.text(max_size=20) | st.just(MISSING),
       kind=st.sampled_from(["button", "static_select", "overflow", "radio_buttons"]) | st.text(max_size=8))
def test_a_click_with_any_value_is_answered_harmlessly_and_writes_only_for_a_real_id(
        joinedup, caplog, action_id, value, option, user, container, block_id, kind):
    """Any action id (known or not) with any value, user and container: 200 (or 400 where the payload is not
    shaped as Slack sends it), no error logged, no layout Slack refuses; and nothing is written unless the value
    names a real share, record or challenge."""
    shared_record(joinedup)
    meet(joinedup.standin, user)
    form = joinedup.open_form(SAM.user_id)
    action = {"action_id": action_id, "type": kind}
    for key, chosen in (("value", value), ("selected_option", option), ("block_id", block_id)):
        if chosen is not MISSING:
            action[key] = chosen
    may_write = names_a_real_row(joinedup.db, "" if value is MISSING else str(value or ""))
    before, calls = snapshot(joinedup.db), len(joinedup.standin.calls())
    caplog.clear()

    reply = joinedup.slack.interaction(action_payload(joinedup, action, user=user, container=container, form=form))
    event(f"{reply.status}, {'may write' if may_write else 'must not write'}")

    assert reply.status in SIGNED_ANSWERS, reply
    assert failures(caplog) == []
    assert reply_problems(reply.status, reply.body.encode()) == []
    no_layout_refused(joinedup.standin, calls)
    if not may_write:
        assert snapshot(joinedup.db) == before


@SQLITE
@pytest.mark.parametrize("where", [Action.ACKNOWLEDGE, Action.ACKNOWLEDGE_WITH_NOTE, Action.REPORT_OUTCOME,
                                   Action.REMIND_LATER, Action.HOME_MORE, Callback.ACKNOWLEDGE_NOTE_FORM])
@ONCE_A_BUG
@given(digit=st.sampled_from(UNICODE_DIGITS), prefix=st.sampled_from(["", "1"]))
def test_a_value_of_unicode_digits_is_answered_without_an_error(joinedup, caplog, where, digit, prefix):
    """A value or private_metadata made of characters that look like digits ('²', '①') is just not an id."""
    value = prefix + digit + (":1" if where in (Action.REMIND_LATER, Action.HOME_MORE) else "")
    caplog.clear()
    if where == Callback.ACKNOWLEDGE_NOTE_FORM:
        view = {**acknowledge_note_form(1, "JU-000001", "Education"), "id": new_view_id(), "private_metadata": value}
        values = {Field.NOTE: {VALUE: {"type": "plain_text_input", "value": "Seen, thanks"}}}
        reply = joinedup.slack.submit(view, values, user=TIA.user_id)
    else:
        action = {"action_id": where, "type": "button", "block_id": "b", "value": value}
        reply = joinedup.slack.interaction(action_payload(joinedup, action, user=SAM.user_id, container="message",
                                                          form={}))

    assert reply.status == 200
    assert failures(caplog) == []


@SQLITE
@ONCE_A_BUG
@given(record=st.integers(2**63, 10**30), days=st.sampled_from(["1", "3"]))
def test_a_snooze_for_an_impossibly_large_record_id_is_ignored(joinedup, caplog, record, days):
    """'Remind me later' with a record id no database can hold is ignored quietly, like any unknown id."""
    caplog.clear()
    action = {"action_id": Action.REMIND_LATER, "type": "button", "block_id": "b", "value": f"{record}:{days}"}

    reply = joinedup.slack.interaction(action_payload(joinedup, action, user=SAM.user_id, container="message",
                                                      form={}))

    assert reply.status == 200
    assert failures(caplog) == []


@SQLITE
@ONCE_A_BUG
@given(option=st.text(min_size=1, max_size=10) | st.integers(1) | st.lists(json_scalars, min_size=1) | st.just(True))
def test_a_risk_level_change_with_a_malformed_selected_option_is_ignored(joinedup, caplog, option):
    """Choosing a risk level whose selected_option is not an object leaves the form as it is, with no error."""
    form = joinedup.open_form(SAM.user_id)
    caplog.clear()
    action = {"action_id": Action.RISK_LEVEL, "type": "static_select", "block_id": Field.RISK_LEVEL,
              "selected_option": option}

    reply = joinedup.slack.interaction(action_payload(joinedup, action, user=SAM.user_id, container="the form",
                                                      form=form))

    assert reply.status == 200
    assert failures(caplog) == []


@SQLITE
@ONCE_A_BUG
@given(container=st.sampled_from(["home tab", "the form", "none"]), value=st.sampled_from(["999", "", "x"]))
def test_acknowledge_with_a_note_from_a_view_is_answered_without_an_error(joinedup, caplog, container, value):
    """'Acknowledge with a note' for an unknown share, clicked where there is no response_url (App Home, a form),
    is refused in a small view, without an error."""
    form = joinedup.open_form(SAM.user_id)
    caplog.clear()
    action = {"action_id": Action.ACKNOWLEDGE_WITH_NOTE, "type": "button", "block_id": "b", "value": value}

    reply = joinedup.slack.interaction(action_payload(joinedup, action, user=TIA.user_id, container=container,
                                                      form=form))

    assert reply.status == 200
    assert failures(caplog) == []


# =====================================================================================================
# 2d. view_submission for each callback id
# =====================================================================================================

def submit_record_form(joinedup: Any, answers: dict[str, Any], harm: dict[str, Any], user: str) -> tuple[Any, Any]:
    # A field the form shows on a choice or a click is given as a person gives it (bot/standin/filling.py).
    form, values = joinedup.fill_form(joinedup.open_form(user), answers, user)
    return form, joinedup.slack.submit(form, damaged(values, harm), user=user)


def assert_summary_shown_whole(joinedup: Any, since: int) -> None:
    """The newest record's summary appears whole in each agency post made since `since` (split over sections
    as needed), unless the post says, visibly, that the rest is in /joinedup show."""
    with joinedup.db.read() as session:
        summary = session.query(Record).order_by(Record.id.desc()).first().summary
    channels = {agency.channel for agency in joinedup.partnership.agencies}
    for call in joinedup.standin.calls()[since:]:
        # a post's content arrives as the update after its first post (which carries only its notification line)
        if call.method == "chat.update" and call.args.get("channel") in channels:
            blocks = call.args["blocks"]
            shown = "".join(b["text"]["text"] for b in blocks if b.get("type") == "section" and b.get("text"))
            whole = "".join(escape(summary).split()) in "".join(shown.split())
            assert whole or "the rest is in" in json.dumps(blocks)


@SQLITE
@settings(HTTP, max_examples=40)
@given(answers=record_answers(), harm=damage, user=people)
def test_a_record_form_with_anything_typed_is_refused_field_by_field_or_saved_and_posted_as_slack_accepts(
        joinedup, caplog, answers, harm, user):
    """Any record form (huge, emoji, right-to-left, zero-width, combining text; wrong types or missing blocks)
    gets either field errors naming blocks on the form and writes nothing, or the urgent instructions and
    writes nothing, or is saved once with every message it owes accepted by Slack (no section over 3,000
    characters, no message over 50 blocks) and its summary shown whole in each agency's post, split over
    sections, or visibly cut with a pointer to /joinedup show."""
    before, records, calls = snapshot(joinedup.db), count(joinedup.db, Record), len(joinedup.standin.calls())
    caplog.clear()

    form, reply = submit_record_form(joinedup, answers, harm, user)

    assert reply.status == 200
    assert failures(caplog) == []
    assert reply_problems(reply.status, reply.body.encode()) == []
    body = reply.json()
    saved = body["response_action"] == "update" and body["view"].get("callback_id") == f"{Callback.RECORD_FORM}_saved"
    event("saved" if saved else f"{body['response_action']} {sorted(body.get('errors', {}))}")
    if body["response_action"] == "errors":
        shown = {block.get("block_id") for block in form["blocks"]}
        assert body["errors"] and set(body["errors"]) <= shown
        assert snapshot(joinedup.db) == before
    else:
        assert body["response_action"] == "update", body
        assert count(joinedup.db, Record) == records + saved
        if not saved:  # the emergency instructions, shown before anything is saved
            assert body["view"]["callback_id"] == Callback.RECORD_FORM
            assert snapshot(joinedup.db) == before
    assert slack_refusals(joinedup.standin, calls, layout_only=False) == []
    if saved:
        assert_summary_shown_whole(joinedup, calls)


@SQLITE
@ONCE_A_BUG
@given(field=st.sampled_from([Field.SUMMARY, Field.ACTIONS, Field.OTHERS_PRESENT, Field.PURPOSE_DETAIL]),
       bad=st.sampled_from(LONE_SURROGATES))
def test_a_lone_surrogate_in_the_text_gets_a_field_error_or_is_saved(joinedup, caplog, field, bad):
    """A record whose text holds a lone surrogate is refused with a field error, or saved (replaced): not a 500
    and not the 'something went wrong' view."""
    caplog.clear()
    answers = {**VALID_ANSWERS, field: f"Seen at home {bad} today"}

    _, reply = submit_record_form(joinedup, answers, {}, SAM.user_id)

    assert reply.status == 200
    assert reply.json()["response_action"] in ("errors", "update", "push")
    assert failures(caplog) == []


@SQLITE
@ONCE_A_BUG
@given(seconds=st.integers(253402300800, 2**70) | st.integers(-(2**70), -62135596801))
def test_a_conversation_time_out_of_any_calendar_gets_a_field_error(joinedup, caplog, seconds):
    """A datetimepicker value no calendar can show is refused on the 'When' field."""
    caplog.clear()

    _, reply = submit_record_form(joinedup, {**VALID_ANSWERS, Field.OCCURRED_AT: seconds}, {}, SAM.user_id)

    assert reply.json()["response_action"] == "errors"
    assert Field.OCCURRED_AT in reply.json()["errors"]
    assert failures(caplog) == []


@SQLITE
@HTTP
@given(metadata=st.sampled_from(["1", "2", "01", "999", "0", "-1", "1.0", "", " 1", "99999999999999"]) | hostile_text,
       user=user_ids, note=hostile_text | st.just(""),
       harm=st.dictionaries(st.just(Field.NOTE), st.just(MISSING) | wrong_slot))
def test_an_acknowledgement_note_with_anything_typed_is_refused_or_acknowledged_once(
        joinedup, caplog, metadata, user, note, harm):
    """The note form with any share id in private_metadata, any user and any note (or none, or the wrong
    shape): field errors, or an info view; it writes only when it acknowledges a real share for the first
    time, and everything it posts is accepted by Slack."""
    _, shares = shared_record(joinedup)
    meet(joinedup.standin, user)
    view = {**acknowledge_note_form(1, "JU-000001", "Education"), "id": new_view_id(), "private_metadata": metadata}
    values = damaged({Field.NOTE: {VALUE: {"type": "plain_text_input", "value": note}}}, harm)
    with joinedup.db.read() as session:
        waiting = {s.id for s in session.query(Share).filter(Share.acknowledged_at.is_(None))}
    first_time = parse_id(metadata) in waiting  # ids are read as parse_id reads them (" 1" is 1)
    before, calls = snapshot(joinedup.db), len(joinedup.standin.calls())
    caplog.clear()

    reply = joinedup.slack.submit(view, values, user=user)

    assert reply.status == 200
    assert failures(caplog) == []
    assert reply_problems(reply.status, reply.body.encode()) == []
    assert reply.json()["response_action"] in ("errors", "update", "push")
    if not first_time or reply.json()["response_action"] == "errors":
        assert snapshot(joinedup.db) == before
    assert slack_refusals(joinedup.standin, calls, layout_only=False) == []


@SQLITE
@settings(HTTP, max_examples=15)
@given(slot=st.one_of(st.text(min_size=1), st.integers(1), st.lists(json_scalars, min_size=1),
                      st.fixed_dictionaries({VALUE: st.text(min_size=1) | st.integers(1) | st.just(True)})))
def test_an_acknowledgement_note_of_the_wrong_shape_gets_a_field_error(joinedup, caplog, slot):
    """A note form whose note block is the wrong shape is answered 'write a note', not with an error.
    (Once an AttributeError in handlers/views.py submit_acknowledgement_note.)"""
    shared_record(joinedup)
    caplog.clear()
    view = {**acknowledge_note_form(1, "JU-000001", "Education"), "id": new_view_id(), "private_metadata": "1"}

    reply = joinedup.slack.submit(view, {Field.NOTE: slot}, user=TIA.user_id)

    assert reply.json()["response_action"] == "errors"
    assert failures(caplog) == []


OTHER_FORMS = [c for c in Callback if c not in (Callback.RECORD_FORM,)]  # the record form has its own test


@SQLITE
@settings(HTTP, max_examples=60)
@given(callback=st.sampled_from(OTHER_FORMS), values=state_values, user=people,
       metadata=st.sampled_from(["1", "2", "1:", "1:education", "1:health", "2:", "999", "", "x", "1:1"])
       | st.text(string.printable, max_size=20))
def test_any_other_form_with_any_state_is_refused_or_done_and_a_refusal_writes_nothing(
        joinedup, caplog, callback, values, user, metadata):
    """Every other form of ours (note, outcome, challenge, answer, amendment…) with any state values (wrong
    types, missing blocks, odd text), any private_metadata and any user: 200, field errors or an updated
    view, no error logged, nothing Slack refuses; and when the answer is field errors, nothing was written."""
    shared_record(joinedup)
    view = {"id": new_view_id(), "type": "modal", "callback_id": callback, "private_metadata": metadata,
            "blocks": [], "hash": "1.x"}
    before, calls = snapshot(joinedup.db), len(joinedup.standin.calls())
    caplog.clear()

    reply = joinedup.slack.submit(view, values, user=user)
    event(f"{callback}: {reply.json().get('response_action')}")

    assert reply.status == 200
    assert failures(caplog) == []
    assert reply_problems(reply.status, reply.body.encode()) == []
    assert reply.json()["response_action"] in ("errors", "update", "push")
    if reply.json()["response_action"] in ("errors", "push"):  # push: the reasons, over a form without the field
        assert reply.json().get("errors") or reply.json()["view"]["blocks"]
        assert snapshot(joinedup.db) == before
    assert slack_refusals(joinedup.standin, calls, layout_only=False) == []


# Who may report on what: the sharer for their own record, a member of each agency it was shared with.
ALLOWED_REPORTERS = [(":", SAM.user_id), (":education", TIA.user_id), (":health", NIA.user_id),
                     (":health", LEE.user_id)]


@SQLITE
@HTTP
@given(allowed=st.sampled_from(ALLOWED_REPORTERS), anyone=st.tuples(
           st.sampled_from(["1:", "1:police", "2:", "999:", "", "1", ":", "x:y", "1:education"]) | hostile_text,
           people),
       what_happened=hostile_text, what_changed=hostile_text | st.just(""), next_step=st.sampled_from(list(NEXT_STEPS)),
       odd=st.sets(st.sampled_from(["who", "too long", "next step", "damage"])), junk=json_values,
       harm=st.dictionaries(st.sampled_from([Field.WHAT_HAPPENED, Field.WHAT_CHANGED, Field.NEXT_STEP]),
                            st.just(MISSING) | wrong_slot, min_size=1, max_size=2))
def test_an_outcome_with_anything_typed_is_refused_or_sent_as_slack_accepts(
        joinedup, caplog, allowed, anyone, what_happened, what_changed, next_step, odd, junk, harm):
    """The outcome form with any subject, user and text: field errors (nothing written), 'no longer available'
    (nothing written), or one outcome saved and sent to every agency as messages Slack accepts, however
    many long outcomes the record already has."""
    record_id, _ = shared_record(joinedup)
    metadata, user = anyone if "who" in odd else (f"{record_id}{allowed[0]}", allowed[1])
    with joinedup.db.read() as session:
        view = {**outcome_form(session.get(Record, record_id), metadata, None), "id": new_view_id()}
    clip = (lambda t: t) if "too long" in odd else (lambda t: t[:3000])
    values = {
        Field.WHAT_HAPPENED: {VALUE: {"type": "plain_text_input", "value": clip(what_happened)}},
        Field.WHAT_CHANGED: {VALUE: {"type": "plain_text_input", "value": clip(what_changed)}},
        Field.NEXT_STEP: {VALUE: {"type": "radio_buttons",
                                  "selected_option": {"value": junk if "next step" in odd else next_step}}}}
    values = damaged(values, harm) if "damage" in odd else values
    before, outcomes, calls = snapshot(joinedup.db), count(joinedup.db, Outcome), len(joinedup.standin.calls())
    caplog.clear()

    reply = joinedup.slack.submit(view, values, user=user)

    assert reply.status == 200
    assert failures(caplog) == []
    assert reply_problems(reply.status, reply.body.encode()) == []
    body = reply.json()
    assert body["response_action"] in ("errors", "update", "push")  # push: the same refusal for anyone refused
    event(json.dumps(body["view"]["title"]["text"]) if body["response_action"] != "errors"
          else f"errors {sorted(body['errors'])}")
    sent = body["response_action"] == "update" and body["view"]["title"]["text"] in ("Outcome sent",
                                                                                      "Sent to the sharer")
    assert count(joinedup.db, Outcome) == outcomes + sent
    if not sent:
        assert snapshot(joinedup.db) == before
    assert slack_refusals(joinedup.standin, calls, layout_only=False) == []


@SQLITE
@HTTP
@given(callback=st.sampled_from([f"{Callback.RECORD_FORM}_saved", "retired_form", ""]) | st.text(max_size=20),
       values=state_values, user=people)
def test_a_submission_of_an_unknown_form_is_answered_harmlessly(joinedup, caplog, callback, values, user):
    """A view_submission whose callback id is none of ours (any state values) gets 200 and writes nothing."""
    assume(callback not in set(Callback))
    before = snapshot(joinedup.db)
    caplog.clear()

    reply = joinedup.slack.submit({"id": new_view_id(), "type": "modal", "callback_id": callback, "blocks": []},
                                  values, user=user)

    assert reply.status == 200
    assert failures(caplog) == []
    assert snapshot(joinedup.db) == before


# =====================================================================================================
# 2e. Slash commands and events
# =====================================================================================================

SUBCOMMANDS = ("", "help", "mine", "show", "show JU-000001", "show JU-", "glossary", "glossary niggle",
               "GLOSSARY", "Mine", "nonsense")


@SQLITE
@HTTP
@given(command=st.sampled_from(list(Command)), start=st.sampled_from(SUBCOMMANDS), words=hostile_text,
       user=user_ids)
def test_a_slash_command_with_any_text_is_answered_200_in_a_layout_slack_accepts(
        joinedup, caplog, command, start, words, user):
    """/record and /joinedup with any text (huge, unicode, markup) from any user: 200, no error logged, every
    reply, form and follow-up accepted by Slack, and nothing written but the audit trail's 'viewed'."""
    shared_record(joinedup)
    meet(joinedup.standin, user)
    before, acts, calls = snapshot(joinedup.db), audited_acts(joinedup.db), len(joinedup.standin.calls())
    caplog.clear()

    reply = joinedup.slack.command(command, f"{start} {words}" if start else words, user=user)

    assert reply.status == 200, reply
    assert failures(caplog) == []
    assert reply_problems(reply.status, reply.body.encode()) == []
    if reply.body.startswith("{"):
        assert len(reply.json().get("text") or "") <= 40_000
    assert slack_refusals(joinedup.standin, calls, layout_only=False) == []
    assert changed_tables(before, snapshot(joinedup.db)) <= {AuditEvent.__tablename__}
    assert {**audited_acts(joinedup.db), "viewed": 0} == {**acts, "viewed": 0}


@SQLITE
@HTTP
@given(event=slack_event, envelope_type=st.sampled_from(["event_callback"]) | st.text(max_size=12),
       event_id=st.text(max_size=16), retry=st.none() | st.integers(0, 9).map(str) | header_text,
       reason=st.none() | header_text, extra=st.dictionaries(st.text(max_size=8).filter(lambda k: k not in BOLT_READS),
                                                              json_values, max_size=3))
def test_an_event_of_any_type_with_any_fields_and_retry_headers_is_acknowledged(
        joinedup, caplog, event, envelope_type, event_id, retry, reason, extra):
    """Any event (known or unknown type, any fields, any X-Slack-Retry-* headers) gets 200, or 400 if it is not
    shaped as Slack sends it; no listener error, no layout Slack refuses, and nothing is written but the note of
    which event ids were handled."""
    if isinstance(event.get("user"), str):
        meet(joinedup.standin, event["user"])
    envelope = {**extra, "token": "unused", "team_id": TEAM["id"], "api_app_id": APP_ID, "type": envelope_type,
                "event": event, "event_id": event_id, "event_time": int(time.time())}
    raw = json.dumps(envelope).encode()
    retry_headers = {name: value for name, value in (("X-Slack-Retry-Num", retry), ("X-Slack-Retry-Reason", reason))
                     if value is not None}
    before, calls = snapshot(joinedup.db), len(joinedup.standin.calls())
    caplog.clear()

    status, _ = send(joinedup, raw, signed(raw, "application/json", **retry_headers))

    assert status in SIGNED_ANSWERS
    assert failures(caplog) == []
    no_layout_refused(joinedup.standin, calls)
    assert changed_tables(before, snapshot(joinedup.db)) <= EVENT_BOOKKEEPING


# =====================================================================================================
# 3. Idempotency
# =====================================================================================================

@SQLITE
@settings(HTTP, max_examples=20)
@given(answers=record_answers(), retry=st.booleans())
def test_the_same_submission_sent_twice_saves_one_record_and_posts_once(joinedup, answers, retry):
    """The byte-identical signed body of a form submission sent twice (the second time as Slack's retry, or
    not) gives the same reply twice and at most one record, posted once to each agency."""
    answers = {**answers, Field.CASE_REFERENCE: "CR-12345"}
    form = joinedup.open_form()
    payload = view_submission(form, fill(form, answers), user=SAM.user_id, trigger_id="t")
    raw = f"payload={quote(json.dumps(payload))}".encode()
    headers = signed(raw, "application/x-www-form-urlencoded")
    records, posts = count(joinedup.db, Record), joinedup.standin.count("chat.postMessage")

    first = send(joinedup, raw, headers)
    after_first = snapshot(joinedup.db), joinedup.standin.count("chat.postMessage")
    again = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
    second = send(joinedup, raw, {**headers, **again})

    assert first[0] == second[0] == 200
    assert json.loads(first[1]) == json.loads(second[1])
    saved = count(joinedup.db, Record) - records
    assert saved in (0, 1)
    assert (snapshot(joinedup.db), joinedup.standin.count("chat.postMessage")) == after_first
    # one post per agency, and the sharer's status message
    assert joinedup.standin.count("chat.postMessage") - posts == saved * (len(set(answers[Field.SHARE_WITH])) + 1)


@SQLITE
@settings(HTTP, max_examples=15)
@given(user=people, tab=st.sampled_from(["home", "messages"]), event_id=st.text(string.ascii_uppercase, min_size=1))
def test_the_same_event_id_twice_is_harmless(joinedup, caplog, user, tab, event_id):
    """app_home_opened delivered twice with one event_id (the second as a retry): 200 both times, no error,
    App Home (if published) as Slack accepts it, and nothing written but the note that the id was handled;
    the second delivery writes nothing at all."""
    event = {"type": "app_home_opened", "user": user, "tab": tab, "channel": f"D{user}", "event_ts": "1.0"}
    before, calls = snapshot(joinedup.db), len(joinedup.standin.calls())
    caplog.clear()

    first = joinedup.slack.event(event, event_id=f"Ev{event_id}")
    after_first = snapshot(joinedup.db)
    second = joinedup.slack.event(event, event_id=f"Ev{event_id}", retry=1)

    assert first.status == second.status == 200
    assert failures(caplog) == []
    assert slack_refusals(joinedup.standin, calls, layout_only=False) == []
    assert changed_tables(before, after_first) <= EVENT_BOOKKEEPING
    assert snapshot(joinedup.db) == after_first
