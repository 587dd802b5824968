"""What operators run, run as they run it: `joinedup backup` and its restores, upgrades from every earlier schema
revision, the refusals of commands that must not invent a database, and quiet, informative logs.

The commands run as processes (tests/test_cli.py's `joinedup`), against real SQLite files and real PostgreSQL
databases made for each test on JOINEDUP_TEST_POSTGRES_URL's server (skipped, with the reason, without one).
"""
from __future__ import annotations

import http.client
import itertools
import json
import logging
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url

from bot.app import create_app
from bot.blocks.ids import Field
from bot.demo.sample import SAM, sample_partnership, sample_toml
from bot.domain.clock import FixedClock
from bot.edge.client import slack_client
from bot.edge.web import wsgi_application
from bot.operations.preflight import head_revision
from bot.processes.executors import InlineExecutor
from bot.services.wiring import build_services
from bot.standin.signed_requests import SlackSender
from storage.db import Database, alembic_config, normalise_url
from storage.models import (AuditEvent, Base, Challenge, Outcome, Record, Revision, SeenEvent, SharerPreference,
                            SlackMessage)
from tests.conftest import BOT_TOKEN, POSTGRES_ENV, SIGNING_SECRET, TUESDAY_10AM, VALID_ANSWERS, start_joinedup
from tests.revision_rows import (ACKNOWLEDGED, CREATED, EARLIER_REVISIONS, FOLLOW_UP, PURGED, REMINDED, SUMMARY, T0,
                                 at_least, expected_last_activity, insert)
from tests.serving import environment, serve, submission
from tests.test_cli import joinedup, one_line_error
from tests.test_socket_mode import APP_TOKEN, SocketModeSlack, start_socket_mode

HEAD = head_revision()
BACKED_UP = re.compile(r"^joinedup: backed up (?P<url>\S+) to (?P<file>\S+) \((?P<method>[^)]+)\): (?P<size>[\d,]+) "
                       r"bytes, (?P<tables>\d+) tables, (?P<records>\d+) records, schema revision (?P<revision>\w+); "
                       r"(?P<check>.+)$", re.MULTILINE)
SUPPORTED = ("sqlite:///path.db", "postgresql://")
NO_PG_DUMP = "pg_dump is not on PATH: install PostgreSQL's client programs (postgresql-client) to test this"


# --- databases: a new one for each use --------------------------------------------------------------

@pytest.fixture(scope="module")
def postgres_server() -> Iterator[Engine]:
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}, e.g. postgresql://postgres@127.0.0.1:5432/postgres")
    admin = create_engine(make_url(normalise_url(server)), isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure to connect means: skip, and say why
        pytest.skip(f"PostgreSQL at {admin.url.render_as_string(hide_password=True)} did not answer: {error}")
    yield admin
    admin.dispose()


@pytest.fixture
def new_postgres_database(postgres_server: Engine) -> Iterator[Callable[[], str]]:
    """Makes empty databases, named by URLs as an operator writes them (postgresql://…); drops them afterwards."""
    made: list[str] = []

    def make() -> str:
        name = f"joinedup_ops_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with postgres_server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return postgres_server.url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)

    yield make
    with postgres_server.connect() as connection:
        for name in made:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """Names a database that does not exist yet (SQLite) or is empty (PostgreSQL)."""
    if request.param == "sqlite":
        numbers = itertools.count(1)
        return lambda: f"sqlite:///{tmp_path}/database-{next(numbers)}.db"
    return request.getfixturevalue("new_postgres_database")


def at_revision(url: str, revision: str) -> dict[str, int]:
    """The database brought to `revision` (not further) and filled with that revision's rows; their counts."""
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            counts = insert(connection, revision)
            connection.commit()
    finally:
        db.dispose()
    return counts


def revision_of(url: str) -> str | None:
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        db.dispose()


def schema(engine: Engine) -> dict[str, Any]:
    """Everything about the tables that a migration decides, as sets (column order is not the schema)."""
    found = inspect(engine)
    return {table: ({(c["name"], str(c["type"]), c["nullable"], str(c.get("default")).strip("'"))
                     for c in found.get_columns(table)},
                    {(i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)},
                    {(u["name"], tuple(u["column_names"])) for u in found.get_unique_constraints(table)},
                    {(f["name"], tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                     for f in found.get_foreign_keys(table)},
                    tuple(found.get_pk_constraint(table)["constrained_columns"]))
            for table in found.get_table_names()}


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """Where the commands run: empty, the configuration and any database beside it rather than in it."""
    (tmp_path / "joinedup.toml").write_text(sample_toml(), encoding="utf-8")
    (tmp_path / "work").mkdir()
    return tmp_path / "work"


def operator(work: Path, **env: str) -> dict[str, str]:
    # Slack is out of reach (a closed loopback port): exports name people by ID alone, and nothing leaves the machine.
    return {"SLACK_BOT_TOKEN": "xoxb-not-a-real-token", "SLACK_API_URL": "http://127.0.0.1:9/api/",
            "JOINEDUP_CONFIG": str(work.parent / "joinedup.toml"), **env}


def exported(work: Path, url: str) -> list[dict[str, Any]]:
    result = joinedup(work, "export", "--all", **operator(work, DATABASE_URL=url))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)["records"]


# --- 1. backup and restore ----------------------------------------------------------------------------

def test_a_sqlite_backup_taken_while_serve_saves_records_is_consistent_checked_and_restores(tmp_path, work, standin):
    database = tmp_path / "joinedup.db"
    url = f"sqlite:///{database}"
    served = serve(environment(tmp_path, url, standin), standin)
    saved: list[int] = []
    stop = threading.Event()

    def keep_saving() -> None:
        for number in itertools.count(1):
            if stop.is_set():
                return
            view, values = submission({**VALID_ANSWERS, Field.CASE_REFERENCE: f"CR-{30000 + number}"}, number)
            if served.sender.submit(view, values, user=SAM.user_id).status == 200:
                saved.append(number)

    writer = threading.Thread(target=keep_saving, daemon=True)
    writer.start()
    results = []
    try:
        assert _until(lambda: len(saved) >= 3), "".join(served.output)
        before = len(saved)
        for number in (1, 2):
            results.append(joinedup(tmp_path, "backup", str(tmp_path / f"backup-{number}.db"), DATABASE_URL=url))
        during = len(saved) - before
    finally:
        stop.set()
        writer.join(30)
        served.stop()
    assert during > 0, "serve saved nothing while the backups ran: they did not overlap"

    copies = []
    for number, result in enumerate(results, 1):
        assert result.returncode == 0 and result.stderr == "", result.stderr
        written = BACKED_UP.search(result.stdout)
        assert written, result.stdout
        file = tmp_path / f"backup-{number}.db"
        assert written["file"] == str(file) and written["method"] == "SQLite online backup"
        assert int(written["size"].replace(",", "")) == file.stat().st_size
        assert (written["revision"], written["check"]) == (HEAD, "integrity check ok")
        assert not Path(f"{file}-wal").exists() and oct(file.stat().st_mode & 0o777) == "0o600"
        with sqlite3.connect(file) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, nothing beside it
            assert int(written["tables"]) == len(Base.metadata.tables) + 1  # and alembic_version
            records = copy.execute("SELECT count(*) FROM records").fetchone()[0]
            assert int(written["records"]) == records >= 3
            # One moment's state: every record whole, with both its shares and its audit trail's first entry.
            assert copy.execute("SELECT count(*) FROM shares").fetchone()[0] == 2 * records
            assert copy.execute("SELECT count(*) FROM audit_events WHERE action = 'created'").fetchone()[0] == records
            assert copy.execute("SELECT count(*) FROM slack_messages WHERE kind = 'agency_post'").fetchone()[0] \
                == 2 * records
        copies.append(records)
    assert copies[1] >= copies[0]
    assert not list(tmp_path.glob(".*partial"))

    # Restore, as docs/backup-and-upgrade.md says: with Joined Up stopped, copy the backup over the database.
    for beside in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        beside.unlink(missing_ok=True)
    shutil.copyfile(tmp_path / "backup-1.db", database)
    assert len(exported(work, url)) == copies[0]


def test_a_postgresql_backup_is_a_pg_dump_archive_that_pg_restore_and_migrate_bring_back(
        tmp_path, work, standin, new_postgres_database):
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip(NO_PG_DUMP)
    url = new_postgres_database()
    db = Database(url)
    db.migrate()
    running = start_joinedup(db=db, standin=standin, clock=FixedClock(TUESDAY_10AM))
    try:
        assert running.record().status == 200
        assert running.record(**{Field.CASE_REFERENCE: "CR-54321"}).status == 200
    finally:
        running._stop()
        db.dispose()

    file = tmp_path / "joinedup.backup"
    result = joinedup(tmp_path, "backup", str(file), DATABASE_URL=url)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    written = BACKED_UP.search(result.stdout)
    assert written, result.stdout
    assert (written["url"], written["file"], written["method"]) == (url, str(file), "pg_dump --format=custom")
    assert int(written["size"].replace(",", "")) == file.stat().st_size and file.read_bytes().startswith(b"PGDMP")
    assert (int(written["tables"]), int(written["records"])) == (len(Base.metadata.tables) + 1, 2)
    assert (written["revision"], written["check"]) == (HEAD, "pg_restore --list reads it")

    # Restore, as docs/backup-and-upgrade.md says: into an empty database, then joinedup migrate.
    restored = new_postgres_database()
    restore = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={restored}", str(file)],
                             capture_output=True, text=True, timeout=120)
    assert restore.returncode == 0, restore.stderr
    migrated = joinedup(tmp_path, "migrate", DATABASE_URL=restored)
    assert migrated.returncode == 0 and f"schema revision {HEAD}" in migrated.stdout, migrated.stderr
    original, copy = exported(work, url), exported(work, restored)
    assert [r["reference"] for r in copy] == [r["reference"] for r in original] == ["JU-000001", "JU-000002"]
    assert [r["case_reference"] for r in copy] == ["CR-12345", "CR-54321"]


def test_a_backup_never_replaces_a_file_and_names_a_folder_that_is_not_there(tmp_path):
    url = f"sqlite:///{tmp_path}/joinedup.db"
    assert joinedup(tmp_path, "migrate", DATABASE_URL=url).returncode == 0
    kept = tmp_path / "yesterday.db"
    kept.write_bytes(b"yesterday's backup")

    line = one_line_error(joinedup(tmp_path, "backup", str(kept), DATABASE_URL=url))
    assert line == (f"joinedup: backup FILE {kept} already exists: a backup never replaces a file; name a new one "
                    "(e.g. with the date) or move the old one away")
    assert kept.read_bytes() == b"yesterday's backup"

    line = one_line_error(joinedup(tmp_path, "backup", str(tmp_path / "nightly" / "today.db"), DATABASE_URL=url))
    assert f"no such folder {tmp_path / 'nightly'}: create it first" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["joinedup.db", "joinedup.db.writer-lock", "yesterday.db"]


def test_a_postgresql_backup_without_pg_dump_names_the_package_to_install(tmp_path, new_postgres_database):
    url = new_postgres_database()
    Database(url).migrate()
    empty = tmp_path / "bin"
    empty.mkdir()
    line = one_line_error(joinedup(tmp_path, "backup", str(tmp_path / "x.backup"), DATABASE_URL=url, PATH=str(empty)))
    assert line.startswith("joinedup: pg_dump was not found on PATH") and "apt install postgresql-client" in line
    assert not (tmp_path / "x.backup").exists()


# --- 2. upgrades from every earlier revision ----------------------------------------------------------

@pytest.mark.parametrize("revision", EARLIER_REVISIONS)
def test_joinedup_migrate_brings_a_database_at_every_earlier_revision_to_head_with_its_data(
        revision, new_database, tmp_path, work):
    url = new_database()
    counts = at_revision(url, revision)

    result = joinedup(tmp_path, "migrate", DATABASE_URL=url)

    assert result.returncode == 0, result.stderr
    assert f"schema revision {HEAD}, upgraded from {revision}" in result.stdout
    assert "alembic" not in result.stderr and "Traceback" not in result.stderr  # quiet: migrate says what moved
    reference = new_database()
    Database(reference).migrate()
    db, fresh = Database(url), Database(reference)
    try:
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == HEAD
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                    for table in counts} == counts
        assert schema(db.engine) == schema(fresh.engine)
        _assert_rows_survived(db, revision)
    finally:
        db.dispose()
        fresh.dispose()
    records = exported(work, url)  # and Joined Up reads it whole (and writes: each export is audited)
    assert [(r["reference"], r["case_reference"]) for r in records] == [("JU-000001", "CR-12345"),
                                                                         ("JU-000002", "CR-67890")]


def test_an_upgrade_that_would_leave_broken_references_changes_nothing_and_says_so_in_one_line(tmp_path, work):
    database = tmp_path / "joinedup.db"
    at_revision(f"sqlite:///{database}", "0001")
    with sqlite3.connect(database) as connection:  # a share whose record is gone, as only a damaged file has
        connection.execute("UPDATE shares SET record_id = 99 WHERE id = 2")

    line = one_line_error(joinedup(work, "migrate", DATABASE_URL=f"sqlite:///{database}"))

    assert line == ("joinedup: upgrading the database would leave 1 row(s) referring to rows that are not there (the "
                    "first: shares row 2, to records): nothing was changed; restore the last backup and run joinedup "
                    "migrate again")
    assert revision_of(f"sqlite:///{database}") == "0001"  # every step undone, not only the last
    with sqlite3.connect(database) as connection:
        assert "outcomes" not in {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}


def _assert_rows_survived(db: Database, revision: str) -> None:
    with db.read() as session:
        first, second = session.get(Record, 1), session.get(Record, 2)
        assert (first.case_reference, first.occurred_at, first.created_at, first.participants, first.purposes,
                first.first_hand, first.summary, first.follow_up_on, first.not_shared_reason) == (
            "CR-12345", T0, CREATED, ["U0SAM", "U0TIA"], ["To keep the child safe from harm"], True, SUMMARY,
            FOLLOW_UP, None)
        assert (second.not_shared_reason, second.first_hand) == ("Record only: for the file", False)
        assert first.outcome_requests_sent == (1 if at_least(revision, "0002") else 0)
        assert first.identifiers_found == (["postcode"] if at_least(revision, "0005") else [])
        assert second.purged_at == (PURGED if at_least(revision, "0005") else None)
        assert {1: first.last_activity_at, 2: second.last_activity_at} == expected_last_activity(revision)
        assert [(s.agency_key, s.acknowledged_by, s.acknowledged_at, s.acknowledgement_note, s.reminders_sent)
                for s in first.shares] == [("education", "U0TIA", ACKNOWLEDGED, "Seen, thank you", 0),
                                           ("health", None, None, None, 1 if at_least(revision, "0002") else 0)]
        # The record asks the agencies to act: Education acknowledged and has not told the sharer what it did.
        assert [s.result_due_since for s in first.shares] == [ACKNOWLEDGED, None]
        assert session.get(SharerPreference, "U0SAM").agency_key == "social-care"
        reminder = session.get(SlackMessage, 2)
        assert (reminder.parent_id, reminder.pending, reminder.attempts, reminder.last_error,
                reminder.next_attempt_at) == (1, True, 3, "ratelimited", REMINDED)
        assert session.get(SlackMessage, 1).sent_at is not None
        if at_least(revision, "0002"):
            assert [o.what_happened for o in first.outcomes] == ["Breakfast club started."]
            assert session.get(SlackMessage, 3).outcome_id == 1
        if at_least(revision, "0003"):
            assert [e.action for e in session.query(AuditEvent).order_by(AuditEvent.id)][:4] == [
                "created", "acknowledged", "reminded", "created"]
        if at_least(revision, "0004"):
            challenge = session.get(Challenge, 1)
            assert [r.text for r in challenge.responses] == ["The school's own."]
            assert session.get(Revision, 1).previous == {"summary": "Met at scool."}
        if at_least(revision, "0006"):
            assert session.get(SeenEvent, "Ev0000000001").received_at == T0
        assert session.query(Outcome).count() == (1 if at_least(revision, "0002") else 0)


# --- 3. operations commands never invent a database -----------------------------------------------

def operations(tmp_path: Path) -> list[tuple[str, ...]]:
    return [("export", "--all"), ("audit", "JU-000001"), ("retention", "--dry-run"), ("retention",), ("sweep",),
            ("backup", str(tmp_path / "backup.db"))]


def test_operations_commands_refuse_a_sqlite_file_that_is_not_there_and_create_nothing(work):
    for args in operations(work):
        line = one_line_error(joinedup(work, *args, **operator(work)))  # DATABASE_URL unset: sqlite:///joinedup.db
        assert line.startswith(f"joinedup: check DATABASE_URL: no such file {work / 'joinedup.db'} "
                               "(sqlite:///joinedup.db)"), line
        assert line.endswith("(to start a new one, run joinedup migrate)") and f"; {args[0]} works only" in line
    assert list(work.iterdir()) == []  # no database, no lock file, no backup


def test_operations_commands_refuse_a_database_an_upgrade_has_not_migrated_and_change_nothing(
        work, new_database):
    url = new_database()
    at_revision(url, "0005")
    for args in operations(work)[:-1]:
        line = one_line_error(joinedup(work, *args, **operator(work, DATABASE_URL=url)))
        assert line == (f"joinedup: DATABASE_URL names {url}, whose schema is at revision 0005; this version of "
                        f"Joined Up needs {HEAD}: run joinedup migrate (take a joinedup backup first)"), line
    assert revision_of(url) == "0005"
    # A backup is the step before the upgrade: it copies the older schema, and says what comes next.
    result = joinedup(work, "backup", str(work / "before-upgrade.backup"), DATABASE_URL=url)
    if url.startswith("postgresql") and not shutil.which("pg_dump"):
        assert "apt install postgresql-client" in one_line_error(result)
        return
    assert result.returncode == 0, result.stderr
    assert BACKED_UP.search(result.stdout)["revision"] == "0005"
    assert result.stdout.splitlines()[-1] == (f"joinedup: this version of Joined Up needs schema revision {HEAD}: "
                                              "run joinedup migrate next")
    assert revision_of(url) == "0005"


def test_a_database_a_newer_version_migrated_is_refused_by_migrate_and_the_operations_commands(work):
    url = f"sqlite:///{work.parent}/joinedup.db"
    Database(url).migrate()
    with sqlite3.connect(work.parent / "joinedup.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")

    line = one_line_error(joinedup(work, "migrate", DATABASE_URL=url))
    assert line == ("joinedup: could not bring the database up to date (Can't locate revision identified by '0099'): "
                    "if a newer version of Joined Up migrated it, run that version, or restore a backup taken before")
    line = one_line_error(joinedup(work, "export", "--all", **operator(work, DATABASE_URL=url)))
    assert line == (f"joinedup: DATABASE_URL names {url}, whose schema is at revision 0099, newer than this version of "
                    f"Joined Up knows ({HEAD}): run the version that migrated it, or restore a backup taken before")
    assert revision_of(url) == "0099"


def test_operations_commands_refuse_an_empty_database_and_a_file_that_is_no_database(work, new_database):
    url = new_database()
    if url.startswith("sqlite"):
        Path(make_url(url).database).touch()  # an empty file is an empty SQLite database
    line = one_line_error(joinedup(work, "audit", "JU-000001", **operator(work, DATABASE_URL=url)))
    assert line == (f"joinedup: DATABASE_URL names {url}, which holds no Joined Up tables (an empty database): "
                    "check DATABASE_URL, or run joinedup migrate to set up a new database there")
    if url.startswith("sqlite"):
        Path(make_url(url).database).write_text("minutes of the partnership meeting\n" * 200, encoding="utf-8")
        line = one_line_error(joinedup(work, "export", "--all", **operator(work, DATABASE_URL=url)))
        assert line == (f"joinedup: DATABASE_URL names {url}, which is not a Joined Up database (file is not a "
                        "database): check DATABASE_URL")


# --- 4. database URLs Joined Up cannot use ----------------------------------------------------------

def test_an_unsupported_database_url_gives_one_line_naming_database_url_and_the_supported_forms(work):
    password = "s3cret-pw"
    cases = [(url, "migrate") for url in (
        f"postgresql+psycopg2://joinedup:{password}@127.0.0.1/joinedup", f"mysql://joinedup:{password}@127.0.0.1/j",
        f"mssql://joinedup:{password}@127.0.0.1/j", f"oracle://joinedup:{password}@127.0.0.1/j",
        "http://127.0.0.1/joinedup", "not a database url", "sqlite:/joinedup.db")]
    cases += [(f"mysql://joinedup:{password}@127.0.0.1/j", "serve"), ("not a database url", "export")]
    for url, what in cases:
        args = {"serve": ("serve",), "migrate": ("migrate",), "export": ("export", "--all")}[what]
        result = joinedup(work, *args, **operator(work, DATABASE_URL=url, SLACK_SIGNING_SECRET="not-a-real-secret"))
        line = one_line_error(result)
        assert line.startswith("joinedup: DATABASE_URL ") and all(form in line for form in SUPPORTED), line
        assert password not in result.stderr
        scheme = url.split("://")[0]
        assert (f"names {scheme}://, which Joined Up does not support" in line) if "://" in url \
            else ("is not a database URL" in line)
    assert list(work.iterdir()) == []


# --- 5. quiet, informative logs, and a clean stop ------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def test_refused_signatures_are_warnings_by_reason_with_a_count_at_most_once_a_minute_never_the_body(
        tmp_path, standin, caplog):
    clock = FixedClock(TUESDAY_10AM)
    db = Database(f"sqlite:///{tmp_path}/joinedup.db")
    db.migrate()
    services = build_services(partnership=sample_partnership(), db=db, clock=clock, work=InlineExecutor(),
                              client=slack_client(BOT_TOKEN, standin.api_url))
    app = create_app(services, signing_secret=SIGNING_SECRET, listener_executor=InlineExecutor())
    server = make_server("127.0.0.1", 0, wsgi_application(app, db, signing_secret=SIGNING_SECRET, clock=clock),
                         handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    slack = SlackSender("127.0.0.1", server.server_port, SIGNING_SECRET, standin.response_url(), standin.trigger_id)
    body = "command=%2Frecord&text=CR-99999+Unmistakable+case+content&user_id=U0SAM"
    forged = "v0=" + "0" * 64
    caplog.set_level(logging.INFO)

    def now() -> int:
        return int(clock.now().timestamp())

    def unsigned() -> int:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        try:
            connection.request("POST", "/slack/events", body=body.encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            return connection.getresponse().status
        finally:
            connection.close()

    try:
        statuses = [slack.post(body, "application/x-www-form-urlencoded", timestamp=now(), signature=forged).status
                    for _ in range(3)]
        statuses += [unsigned(), unsigned()]
        statuses.append(slack.post(body, "application/x-www-form-urlencoded", timestamp=now() - 600).status)
        clock.advance(seconds=30)
        statuses.append(slack.post(body, "application/x-www-form-urlencoded", timestamp=now(), signature=forged).status)
        clock.advance(seconds=31)
        statuses.append(slack.post(body, "application/x-www-form-urlencoded", timestamp=now(), signature=forged).status)
        assert slack.command("/joinedup", "help", user=SAM.user_id, timestamp=now()).status == 200
    finally:
        server.shutdown()
        server.server_close()
        db.dispose()

    assert statuses == [401] * 8
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "joinedup.edge"]
    since = "request(s) to /slack/events since the last line for this reason"
    assert [(level, re.sub(r" \(.*\)$", "", message)) for level, message in lines] == [
        ("WARNING", f"refused 1 {since}: bad signature"),
        ("WARNING", f"refused 1 {since}: missing headers"),
        ("WARNING", f"refused 1 {since}: stale timestamp"),
        ("WARNING", f"refused 4 {since}: bad signature"),  # the two held back, the one at 30 s, and this one
    ]
    assert "SLACK_SIGNING_SECRET" in lines[0][1] and "clock" in lines[2][1]
    for secret in ("Unmistakable", "CR-99999", forged, SIGNING_SECRET):
        assert secret not in caplog.text


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGINT", "SIGTERM to the server alone"])
def test_serve_starts_quietly_and_stops_on_sigterm_or_ctrl_c_with_exit_0_and_no_traceback(stop, database, tmp_path,
                                                                                           standin):
    served = serve(environment(tmp_path, database.url, standin), standin)
    try:
        view, values = submission(VALID_ANSWERS, 1)
        assert served.sender.submit(view, values, user=SAM.user_id).status == 200
        assert standin.wait_for("chat.update", 2)  # the deliverer posted it: every process did some work
        if stop.endswith("alone"):  # a container's stop: only its first process is signalled
            os.kill(served.process.pid, signal.SIGTERM)
        else:  # a service manager's stop (systemd signals the whole group), or Ctrl-C in a terminal
            os.killpg(served.process.pid, getattr(signal, stop))
        assert served.process.wait(timeout=30) == 0
    finally:
        if served.process.poll() is None:
            served.kill()
    assert _until(lambda: any("Shutting down: Master" in line for line in served.output))
    log = "".join(served.output)
    assert "Traceback" not in log and "Exception ignored" not in log, log
    assert "exited with code" not in log and " ERROR " not in log and "[ERROR]" not in log, log
    assert "will be unused" not in log and "alembic" not in log, log  # nothing said at every start
    deliverer = int(re.search(r"deliverer started \(pid (\d+)\)", log)[1])
    assert _until(lambda: not _alive(deliverer)), "the delivery process outlived serve"


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGINT"])
def test_socket_stops_on_sigterm_or_ctrl_c_with_exit_0_and_no_traceback(stop, tmp_path, standin):
    env = environment(tmp_path, f"sqlite:///{tmp_path}/joinedup.db", standin, SLACK_APP_TOKEN=APP_TOKEN)
    del env["SLACK_SIGNING_SECRET"]
    settled = threading.Event()
    with SocketModeSlack(on_connect=settled.set) as slack:
        standin.use_socket_mode(slack.url)
        app = start_socket_mode(env, slack, standin, on_exit=settled.set)
        try:
            assert settled.wait(20) and slack.connected.is_set(), app.log()
            os.killpg(app.process.pid, getattr(signal, stop))
            assert app.process.wait(timeout=20) == 0, app.log()
        finally:
            app.stop()
            standin.use_socket_mode(None)
    assert _until(lambda: "stopped" in app.log())
    assert "Traceback" not in app.log() and "will be unused" not in app.log() and "alembic" not in app.log()


def _until(condition: Callable[[], bool], seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie has exited; only its parent has not read its status yet
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
