"""A save that cannot succeed is told why, on the field at fault, and never asked to try again for ever; while the
database is away every click, form and command is told it was not saved; and nothing typed reaches the log."""
from __future__ import annotations

import dataclasses
import logging
import re
import socket
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bot.blocks.ids import Action, Field, Shortcut
from bot.blocks.limits import TEXT_FIELDS, longest, size
from bot.blocks.record_form import OTHER_PURPOSE, RECORD_ONLY
from bot.demo.sample import EDUCATION, HEALTH, NIA, SAM, TIA, sample_partnership
from bot.standin.signed_requests import block_actions, fill, find_action
from storage.db import Database
from storage.models import Base, Challenge, Record, Share
from tests.conftest import VALID_ANSWERS, start_joinedup
from tests.serving import environment, serve, submission
from tests.test_reminders import at, sweep

# Words no one else types, to look for in the log afterwards.
TYPED = "Quokkas visited on Tuesday"


# --- getting each form as Slack shows it --------------------------------------------------------------------

def click(joinedup, message, action, user, channel="D0DIRECT"):
    return joinedup.slack.click(message, find_action(message["blocks"], action), user=user, channel=channel)


def dm_with(joinedup, user, action):
    return next(m for m in reversed(joinedup.standin.messages(user)) if action in str(m.get("blocks")))


def opened_by(joinedup, user):
    return joinedup.standin.views(user)[-1]


def challenged(joinedup):
    click(joinedup, joinedup.posts(EDUCATION.channel)[0], Action.ASK_OR_CHALLENGE, TIA.user_id, EDUCATION.channel)
    form = opened_by(joinedup, TIA.user_id)
    assert joinedup.slack.submit(form, fill(form, CHALLENGE), user=TIA.user_id).json()["response_action"] == "update"


def note_form(joinedup):
    click(joinedup, joinedup.posts(HEALTH.channel)[0], Action.ACKNOWLEDGE_WITH_NOTE, NIA.user_id, HEALTH.channel)
    return opened_by(joinedup, NIA.user_id), NIA.user_id


def acknowledged(joinedup, channel, user):
    """The agency's post once it is acknowledged: only then does it offer to tell the sharer what was done."""
    click(joinedup, joinedup.posts(channel)[0], Action.ACKNOWLEDGE, user, channel)
    return joinedup.posts(channel)[0]


def result_form(joinedup):
    click(joinedup, acknowledged(joinedup, HEALTH.channel, NIA.user_id), Action.REPORT_OUTCOME, NIA.user_id,
          HEALTH.channel)
    return opened_by(joinedup, NIA.user_id), NIA.user_id


def outcome_form(joinedup):
    sweep(joinedup, at(2026, 12, 8, 9, 0))  # the follow-up day: the sharer is asked what came of it
    click(joinedup, dm_with(joinedup, SAM.user_id, Action.REPORT_OUTCOME), Action.REPORT_OUTCOME, SAM.user_id)
    return opened_by(joinedup, SAM.user_id), SAM.user_id


def challenge_form(joinedup):
    click(joinedup, joinedup.posts(EDUCATION.channel)[0], Action.ASK_OR_CHALLENGE, TIA.user_id, EDUCATION.channel)
    return opened_by(joinedup, TIA.user_id), TIA.user_id


def response_form(joinedup):
    challenged(joinedup)
    click(joinedup, dm_with(joinedup, SAM.user_id, Action.RESPOND_CHALLENGE), Action.RESPOND_CHALLENGE, SAM.user_id)
    return opened_by(joinedup, SAM.user_id), SAM.user_id


def amend_form(joinedup):
    click(joinedup, dm_with(joinedup, SAM.user_id, Action.AMEND_RECORD), Action.AMEND_RECORD, SAM.user_id)
    return opened_by(joinedup, SAM.user_id), SAM.user_id


CHALLENGE = {Field.CHALLENGE_KIND: "question", Field.CHALLENGE_TEXT: "Why early help rather than a visit?"}
RESULT = {Field.WHAT_HAPPENED: "School nurse visit booked for Thursday.", Field.NEXT_STEP: "further_action"}
# Each form after a shared record: how it is opened, and answers it would be saved with.
FORMS: dict[str, tuple[Callable[[Any], tuple[dict, str]], dict[str, Any]]] = {
    "record": (lambda joinedup: (joinedup.open_form(), SAM.user_id), VALID_ANSWERS),
    "note": (note_form, {Field.NOTE: "Passed to our duty nurse."}),
    "result": (result_form, RESULT),
    "outcome": (outcome_form, {**RESULT, Field.NEXT_STEP: "no_further_action"}),
    "challenge": (challenge_form, CHALLENGE),
    "response": (response_form, {Field.RESPONSE_TEXT: "Breakfast club first; a visit if it does not help."}),
    "amend": (amend_form, {Field.SUMMARY: "Met at school on Monday.", Field.AMEND_REASON: "The day was wrong."}),
}
# For the record form, answers that put each field where it is saved rather than refused for another reason.
# (A field the record form shows only on a choice, or once identifiers are found, is given that choice or that text.)
SO_IT_IS_SAVED = {Field.NOT_SHARED_REASON: {Field.SHARE_WITH: [RECORD_ONLY], Field.PURPOSES: []},
                  Field.REQUESTED_ACTION: {Field.REQUEST: "action"},
                  Field.PURPOSE_DETAIL: {Field.PURPOSES: [*VALID_ANSWERS[Field.PURPOSES], OTHER_PURPOSE]},
                  Field.IDENTIFIERS_REASON: {Field.SUMMARY: "Her NHS number is 943 476 5919."}}


def open_form(joinedup, name):
    assert joinedup.record().json()["response_action"] == "update"
    opener, answers = FORMS[name]
    form, user = opener(joinedup)
    return form, user, answers


def text_fields(form) -> list[str]:
    return [b["block_id"] for b in form["blocks"] if b.get("type") == "input"
            and b["element"]["type"] == "plain_text_input"]


def stored(db: Database) -> dict[str, Any]:
    """Everything a save would change, to compare before and after."""
    with db.read() as session:
        counts = {table.name: session.scalar(select(func.count()).select_from(table))
                  for table in Base.metadata.sorted_tables if table.name not in ("slack_messages", "seen_events")}
        return {**counts, "acknowledged": session.scalar(select(func.count()).where(Share.acknowledged_at.is_not(None))),
                "records": session.execute(select(Record.summary, Record.actions, Record.outcome_request_at)).all(),
                "challenges": session.scalars(select(Challenge.state)).all()}


def every_stored_text(db: Database) -> list[str]:
    with db.read() as session:
        return [value for table in Base.metadata.sorted_tables for row in session.execute(select(table))
                for value in row if isinstance(value, str)]


def assert_log_holds_nothing_typed(caplog, *typed: str) -> None:
    for record in caplog.records:
        line = record.getMessage()
        assert record.exc_info is None and "Traceback" not in line, line
        assert not any(words in line for words in typed), line
        assert not re.search(r"\bCR-?[0-9]{4,10}\b", line), line  # the sample partnership's case references


# --- 1. more than a field holds, or a character the database refuses ----------------------------------------

PAIRS = [*(("record", field) for field in (Field.CASE_REFERENCE, Field.OTHERS_PRESENT, Field.NOT_SHARED_REASON,
                                          Field.PURPOSE_DETAIL, Field.REQUESTED_ACTION, Field.SUMMARY, Field.ACTIONS,
                                          Field.IDENTIFIERS_REASON)),
         ("note", Field.NOTE), ("result", Field.WHAT_HAPPENED), ("result", Field.WHAT_CHANGED),
         ("outcome", Field.IDENTIFIERS_REASON), ("challenge", Field.CHALLENGE_TEXT),
         ("challenge", Field.IDENTIFIERS_REASON), ("response", Field.RESPONSE_TEXT), ("amend", Field.SUMMARY),
         ("amend", Field.ACTIONS), ("amend", Field.AMEND_REASON)]


@pytest.mark.parametrize(("name", "field"), PAIRS, ids=[f"{n}-{f}" for n, f in PAIRS])
def test_text_longer_than_its_field_holds_is_sent_back_on_that_field_by_name_on_either_database(
        joinedup, caplog, name, field):
    caplog.set_level(logging.INFO)
    form, user, answers = open_form(joinedup, name)
    before = stored(joinedup.db)
    # As a replayed or altered submission can carry it; a case reference is counted as stored, without spaces.
    too_much = "CR-" + "7" * 60 if field == Field.CASE_REFERENCE else (TYPED + " ") * (longest(field) // len(TYPED) + 2)

    form, values = joinedup.fill_form(form, {**answers, **SO_IT_IS_SAVED.get(field, {}), field: too_much}, user,
                                      every_choice=True)
    reply = joinedup.slack.submit(form, values, user=user)

    assert reply.json()["response_action"] == "errors", reply.body
    assert reply.json()["errors"] == {field: f"Keep {TEXT_FIELDS[field].name} within {longest(field):,} characters "
                                             f"(this has {len(too_much.strip()):,})."}
    assert stored(joinedup.db) == before
    assert_log_holds_nothing_typed(caplog, TYPED)


def test_a_forged_form_without_the_field_at_fault_is_told_on_a_view_that_names_it(joinedup):
    form = joinedup.open_form()
    values = fill(form, {**VALID_ANSWERS, Field.SUMMARY: "x" * 3001})

    reply = joinedup.slack.submit({**form, "blocks": []}, values, user=SAM.user_id)

    assert reply.json()["response_action"] == "push"
    assert "Keep the summary within 3,000 characters (this has 3,001)." in str(reply.json()["view"])
    assert stored(joinedup.db)["records"] == []


def test_a_case_reference_longer_than_its_column_is_refused_by_name_where_the_partnership_allows_it(
        database, standin, clock):
    partnership = dataclasses.replace(sample_partnership(), case_reference_pattern=r"^CR-[0-9]+$")
    joinedup = start_joinedup(db=database, standin=standin, clock=clock, partnership=partnership)
    try:
        reply = joinedup.record(**{Field.CASE_REFERENCE: "CR-" + "7" * 60})  # PostgreSQL's VARCHAR(40) would refuse it
    finally:
        joinedup._stop()

    assert reply.json()["errors"] == {Field.CASE_REFERENCE: "Keep the case reference within 40 characters (this has 63)."}
    assert stored(database)["records"] == []


@pytest.mark.parametrize("name", list(FORMS))
def test_every_text_box_offers_what_its_field_may_hold_and_a_sized_column_holds_no_less(joinedup, name):
    form, _, _ = open_form(joinedup, name)

    for block in (b for b in form["blocks"] if b.get("block_id") in text_fields(form)):
        limit = TEXT_FIELDS[block["block_id"]]
        assert block["element"]["max_length"] == limit.longest <= 3000, block["block_id"]
        assert size(limit.column) in (None, limit.longest), block["block_id"]


@pytest.mark.parametrize("name", [n for n in FORMS if n != "record"])  # the record form: tests/test_record_flow.py
def test_a_nul_in_any_form_is_dropped_as_it_is_read_and_the_text_saved_on_either_database(joinedup, name):
    form, user, answers = open_form(joinedup, name)
    typed = {field: f"{TYPED}\x00 {field}." for field in text_fields(form) if field != Field.IDENTIFIERS_REASON}

    reply = joinedup.slack.submit(form, fill(form, {**answers, **typed}), user=user)

    assert reply.json()["response_action"] == "update", reply.body
    kept = every_stored_text(joinedup.db)
    assert not any("\x00" in value for value in kept)
    assert all(f"{TYPED} {field}." in kept for field in typed)


def test_an_altered_form_id_or_user_the_database_cannot_hold_gets_the_same_clear_answer_on_either_database(
        joinedup, caplog):
    caplog.set_level(logging.INFO)
    form = joinedup.open_form()
    values = fill(form, {**VALID_ANSWERS, Field.SUMMARY: TYPED})

    answers = [joinedup.slack.submit({**form, "id": "V" + "0" * 90}, values, user=SAM.user_id),
               joinedup.slack.submit({**form, "id": "V0NUL\x00"}, values, user=SAM.user_id),
               joinedup.slack.submit({**form, "id": "V0LONGUSER"}, values, user="U" + "0" * 40)]

    for reply in answers:
        assert reply.json()["response_action"] == "push"
        shown = str(reply.json()["view"])
        assert "could not store this form" in shown and "will not help" in shown and "try again" not in shown
    assert stored(joinedup.db)["records"] == []
    assert_log_holds_nothing_typed(caplog, TYPED)


@contextmanager
def refusing(db: Database, table: str, errcode: str) -> Iterator[None]:
    """The database refuses every new row of `table`, as only it can: a rule none of Joined Up's checks knows."""
    with db.engine.begin() as connection:
        if db.is_sqlite:
            connection.exec_driver_sql(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
                                       "BEGIN SELECT RAISE(ABORT, 'refused'); END")
        else:
            connection.exec_driver_sql("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                                       f"$$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = '{errcode}'; END $$")
            connection.exec_driver_sql(f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
                                       "FOR EACH ROW EXECUTE FUNCTION refuse()")
    try:
        yield
    finally:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TRIGGER refuse" + ("" if db.is_sqlite else f" ON {table}"))
            if not db.is_sqlite:
                connection.exec_driver_sql("DROP FUNCTION refuse()")


@pytest.mark.parametrize(("name", "table", "errcode"), [
    ("challenge", "challenges", "23514"),  # a check violation: an IntegrityError
    ("result", "outcomes", "23514"),
    ("response", "challenge_responses", "22001"),  # string data right truncation: a DataError (SQLite: an IntegrityError)
    ("record", "records", "22001"),
])
def test_a_save_the_database_refuses_is_never_answered_as_done_nor_asked_to_try_again(
        joinedup, caplog, name, table, errcode):
    caplog.set_level(logging.INFO)
    form, user, answers = open_form(joinedup, name)
    before = stored(joinedup.db)

    typed = {field: TYPED for field in text_fields(form)
             if field not in (Field.CASE_REFERENCE, Field.NOT_SHARED_REASON, Field.IDENTIFIERS_REASON)}

    with refusing(joinedup.db, table, errcode):
        reply = joinedup.slack.submit(form, fill(form, {**answers, **typed}), user=user)

    assert reply.json()["response_action"] == "push", reply.body
    assert "could not store this form" in str(reply.json()["view"])
    assert stored(joinedup.db) == before
    assert_log_holds_nothing_typed(caplog, TYPED)


# --- 2. the database unreachable -----------------------------------------------------------------------------

@contextmanager
def database_away(joinedup, postgres_url: str) -> Iterator[None]:
    """PostgreSQL refuses new connections to Joined Up's database and drops the ones it has, then comes back."""
    name = joinedup.db.engine.url.database
    admin = create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
        # The test's own reading connections were dropped too; within a second of use the pool doesn't ping them.
        joinedup.db.engine.dispose()


def home(joinedup, user):
    joinedup.slack.event({"type": "app_home_opened", "user": user, "tab": "home", "channel": "D1", "event_ts": "1.1"})
    return joinedup.standin.home_views[user]


def home_click(joinedup, home, user, action):
    """A click in App Home: from a view, with no message and no response_url."""
    button = next(element for element in elements(home["blocks"]) if element.get("action_id") == action)
    payload = block_actions({"ts": "0"}, {"action_id": action, "block_id": "x", "type": "button",
                                          "value": button["value"]},
                            user=user, channel="", response_url="", trigger_id=joinedup.standin.trigger_id(user))
    payload.update(container={"type": "view", "view_id": home["id"]}, view=home)
    del payload["response_url"], payload["message"], payload["channel"]
    return joinedup.slack.interaction(payload)


def elements(blocks):
    for block in blocks:
        yield from (e for e in [block.get("accessory"), *block.get("elements", [])] if isinstance(e, dict))


def submitted(opener, answers):
    """A form opened before the outage, submitted during it."""
    return lambda joinedup: opener(joinedup), lambda joinedup, opened: joinedup.slack.submit(
        opened[0], fill(opened[0], {**answers, **{f: TYPED for f in text_fields(opened[0]) if f in answers}}),
        user=opened[1])


def clicked(message, action, user, channel="D0DIRECT"):
    return lambda joinedup: message(joinedup), lambda joinedup, found: click(joinedup, found, action, user, channel)


def post_in(channel):
    return lambda joinedup: joinedup.posts(channel)[0]


def in_dm(user, action, before=lambda joinedup: None):
    return lambda joinedup: (before(joinedup), dm_with(joinedup, user, action))[1]


def answered(joinedup):
    form, user = response_form(joinedup)
    joinedup.slack.submit(form, fill(form, FORMS["response"][1]), user=user)


def asked_for_outcome(joinedup):
    sweep(joinedup, at(2026, 12, 8, 9, 0))


def command(words):
    return lambda joinedup: None, lambda joinedup, _: joinedup.slack.command(words.split()[0], words.partition(" ")[2],
                                                                             user=SAM.user_id)


# Each surface: what comes before the outage, the act during it (and again after it), and whether it writes.
SURFACES: dict[str, tuple[Callable, Callable, bool]] = {
    "acknowledge": (*clicked(post_in(EDUCATION.channel), Action.ACKNOWLEDGE, TIA.user_id, EDUCATION.channel), True),
    "acknowledge in App Home": (lambda joinedup: home(joinedup, TIA.user_id), lambda joinedup, shown: home_click(
        joinedup, shown, TIA.user_id, Action.ACKNOWLEDGE), True),
    "acknowledge with a note": (*clicked(post_in(HEALTH.channel), Action.ACKNOWLEDGE_WITH_NOTE, NIA.user_id,
                                         HEALTH.channel), False),
    "the note": (*submitted(note_form, FORMS["note"][1]), True),
    "report result": (*clicked(lambda joinedup: acknowledged(joinedup, HEALTH.channel, NIA.user_id),
                               Action.REPORT_OUTCOME, NIA.user_id, HEALTH.channel), False),
    "the result": (*submitted(result_form, RESULT), True),
    "the outcome": (*submitted(outcome_form, FORMS["outcome"][1]), True),
    "remind me later": (*clicked(in_dm(SAM.user_id, Action.REMIND_LATER, asked_for_outcome), Action.REMIND_LATER,
                                 SAM.user_id), True),
    "ask or challenge": (*clicked(post_in(EDUCATION.channel), Action.ASK_OR_CHALLENGE, TIA.user_id,
                                  EDUCATION.channel), False),
    "the challenge": (*submitted(challenge_form, CHALLENGE), True),
    "respond": (*clicked(in_dm(SAM.user_id, Action.RESPOND_CHALLENGE, challenged), Action.RESPOND_CHALLENGE,
                         SAM.user_id), False),
    "the response": (*submitted(response_form, FORMS["response"][1]), True),
    "resolve": (*clicked(in_dm(TIA.user_id, Action.RESOLVE_CHALLENGE, answered), Action.RESOLVE_CHALLENGE,
                         TIA.user_id), True),
    "the amendment": (*submitted(amend_form, FORMS["amend"][1]), True),
    "the record": (lambda joinedup: (joinedup.open_form(), SAM.user_id),
                   lambda joinedup, opened: joinedup.slack.submit(opened[0], fill(opened[0], {
                       **VALID_ANSWERS, Field.SUMMARY: TYPED}), user=SAM.user_id), True),
    "/record": (*command("/record CR-12345"), False),
    "/joinedup show": (*command("/joinedup show JU-000001"), True),  # it notes in the audit trail who looked
    "/joinedup mine": (*command("/joinedup mine"), False),
    "the global shortcut": (lambda joinedup: None, lambda joinedup, _: joinedup.slack.shortcut(
        Shortcut.RECORD_CONVERSATION, user=SAM.user_id), False),
}


def told(joinedup, reply, since: dict[str, int]) -> str:
    """Everything the person was shown for one act: the answer to it, what went to its response_url, their DMs."""
    calls = joinedup.standin.calls("response_url")[since["response_url"]:]
    dms = [m for user in (SAM.user_id, TIA.user_id, NIA.user_id)
           for m in joinedup.standin.messages(user)[since[user]:]]
    return " ".join([reply.body, *(str(c.args) for c in calls), *(str(m.get("text")) for m in dms)])


def marks(joinedup) -> dict[str, int]:
    return {"response_url": len(joinedup.standin.calls("response_url")),
            **{user: len(joinedup.standin.messages(user)) for user in (SAM.user_id, TIA.user_id, NIA.user_id)}}


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
@pytest.mark.parametrize("surface", list(SURFACES))
def test_while_the_database_is_away_every_act_is_told_not_saved_nothing_counts_and_it_works_once_back(
        joinedup, postgres_url, caplog, surface):
    caplog.set_level(logging.INFO)
    prepare, act, writes = SURFACES[surface]
    assert joinedup.record().json()["response_action"] == "update"
    ready = prepare(joinedup)
    before, since = stored(joinedup.db), marks(joinedup)

    with database_away(joinedup, postgres_url):
        reply = act(joinedup, ready)

    assert reply.status == 200
    words = told(joinedup, reply, since)
    assert re.search(r"not saved|could not reach its records", words), words
    assert "could not store" not in words, "an outage is not the form's fault"
    assert stored(joinedup.db) == before, "nothing counts as done that is not stored"

    since = marks(joinedup)
    again = act(joinedup, ready)  # the pool recovers without a restart
    assert again.status == 200 and not re.search(r"not saved|could not reach", told(joinedup, again, since))
    assert (stored(joinedup.db) != before) == writes
    assert_log_holds_nothing_typed(caplog, TYPED)


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_click_on_the_running_service_while_the_database_is_away_is_told_and_its_log_holds_nothing_typed(
        database, standin, tmp_path, postgres_url):
    served = serve(environment(tmp_path, database.url, standin), standin)
    away = types.SimpleNamespace(db=database)
    try:
        view, values = submission({**VALID_ANSWERS, Field.SUMMARY: TYPED}, 1)
        assert served.sender.submit(view, values, user=SAM.user_id).json()["response_action"] == "update"
        assert standin.wait_until(lambda: len(standin.messages(SAM.user_id)) == 1 and Action.ACKNOWLEDGE in str(
            standin.messages(EDUCATION.channel)), timeout=30), "".join(served.output)
        post = standin.messages(EDUCATION.channel)[0]

        with database_away(away, postgres_url):
            reply = served.sender.click(post, find_action(post["blocks"], Action.ACKNOWLEDGE), user=TIA.user_id,
                                        channel=EDUCATION.channel)
            assert standin.wait_until(lambda: standin.count("response_url") == 1, timeout=30)
        assert reply.status == 200 and "not saved" in str(standin.calls("response_url")[0].args)
        assert stored(database)["acknowledged"] == 0

        served.sender.click(post, find_action(post["blocks"], Action.ACKNOWLEDGE), user=TIA.user_id,
                            channel=EDUCATION.channel)
        assert stored(database)["acknowledged"] == 1
    finally:
        served.stop()
    log = "".join(served.output)
    assert re.search(r"block_actions request.*OperationalError", log), log  # one line, naming only the kind
    assert "Traceback" not in log and TYPED not in log and "CR-12345" not in log


class Plug:
    """A loopback TCP proxy to PostgreSQL that can be pulled: the connections it carried are cut, and new ones are
    accepted and never answered, as by a database host that has gone quiet."""

    def __init__(self, port: int) -> None:
        self.target, self.pulled, self.sockets = port, False, []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            self.sockets.append(client)
            if not self.pulled:
                upstream = socket.create_connection(("127.0.0.1", self.target))
                self.sockets.append(upstream)
                for source, sink in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            end.close()

    def pull(self) -> None:
        self.pulled = True
        for end in self.sockets:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.sockets = []

    def plug_in(self) -> None:
        self.pull()  # the quiet connections go; new ones are carried again
        self.pulled = False

    def close(self) -> None:
        self.pull()
        self.server.close()


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_clicks_while_the_database_host_is_silent_are_told_in_time_and_the_pool_recovers(database, standin, clock):
    plug = Plug(make_url(database.url).port)
    db = Database(make_url(database.url).set(port=plug.port).render_as_string(hide_password=False))
    joinedup = start_joinedup(db=db, standin=standin, clock=clock)
    try:
        assert joinedup.record().json()["response_action"] == "update"
        plug.pull()
        took = []
        for channel, user in ((EDUCATION.channel, TIA.user_id), (HEALTH.channel, NIA.user_id)):
            started = time.monotonic()  # the first meets a cut connection; the second waits to connect
            assert click(joinedup, joinedup.posts(channel)[0], Action.ACKNOWLEDGE, user, channel).status == 200
            took.append(time.monotonic() - started)
        plug.plug_in()

        assert max(took) < 3, f"Slack waits 3 seconds for an answer: {took}"
        replies = [c.args.get("text", "") for c in standin.calls("response_url")]
        assert len(replies) == 2 and all("not saved" in reply for reply in replies)
        assert stored(database)["acknowledged"] == 0
        click(joinedup, joinedup.posts(HEALTH.channel)[0], Action.ACKNOWLEDGE, NIA.user_id, HEALTH.channel)
        assert stored(database)["acknowledged"] == 1
    finally:
        joinedup._stop()
        db.dispose()
        plug.close()
