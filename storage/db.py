"""Engine, sessions and migrations. SQLite gets one writer at a time; PostgreSQL its pool."""
from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, ContextManager, Iterator

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Table, create_engine, event, inspect
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, Row, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.sql import Executable
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).with_name("migrations")


SUPPORTED_URLS = "sqlite:///path.db or postgresql://user:password@host/database"
SUPPORTED_DRIVERS = {("sqlite", ""), ("sqlite", "pysqlite"), ("postgresql", "psycopg")}


class UnsupportedDatabase(ValueError):
    """The URL names no database Joined Up can use. The message continues a sentence about the URL ("DATABASE_URL
    names mysql://, which…"): what was found, never a password, and what to write instead."""


class MigrationFailed(Exception):
    """The database could not be brought up to date, and was left as it was; the message says why and what to do."""


def normalise_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use the psycopg 3 driver; refuse every other database
    (and drivers that are not installed, such as psycopg2) before SQLAlchemy tries to import one."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    try:
        name = make_url(url).drivername
    except ArgumentError:
        raise UnsupportedDatabase(f"is not a database URL: write it like {SUPPORTED_URLS}") from None
    backend, _, driver = name.partition("+")
    if (backend, driver) not in SUPPORTED_DRIVERS:
        raise UnsupportedDatabase(f"names {name}://, which Joined Up does not support: write it like {SUPPORTED_URLS}")
    return url


PING_IDLE_AFTER = 1.0  # seconds a pooled PostgreSQL connection may sit unused before it is checked
# Seconds to wait for PostgreSQL to accept a connection (libpq's shortest), unless the URL says: a database that does
# not answer fails the request in time to tell the person, rather than holding it for ever (libpq's default).
CONNECT_TIMEOUT = 2


def _ping_when_idle(engine: Engine, after: float) -> Engine:
    """Check a pooled connection before use only if it sat unused for a while: a server restart or a dropped
    connection is found before a request meets it, without a round trip before every transaction under load
    (what pool_pre_ping costs). A connection broken within that second fails one request, and SQLAlchemy
    then replaces the whole pool."""
    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("idle_since", 0.0) < after:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool tries another connection
            raise DisconnectionError(str(error)) from error

    return engine


class Database:
    def __init__(self, url: str, *, pool_size: int = 10, checkpoints: bool = True,
                 ping_idle_after: float = PING_IDLE_AFTER) -> None:
        """`checkpoints=False`: on SQLite, this process never copies the write-ahead log into the database (a
        checkpoint, an fsync that would stall whichever request commits at the wrong moment); another process
        calls checkpoint() instead. Serve's web workers leave it to the delivery process."""
        self.url = normalise_url(url)
        self.is_sqlite = make_url(self.url).get_backend_name() == "sqlite"
        self.checkpoints = checkpoints
        waits = {} if "connect_timeout" in make_url(self.url).query else {"connect_timeout": CONNECT_TIMEOUT}
        self.engine = self._sqlite_engine() if self.is_sqlite else _ping_when_idle(create_engine(
            self.url, pool_size=pool_size, max_overflow=pool_size, connect_args=waits), ping_idle_after)
        # On SQLite a pool of writers fights over one file lock; one writer at a time keeps tails short.
        self._write_lock: ContextManager[Any] = WriterLock(make_url(self.url).database) if self.is_sqlite \
            else nullcontext()

    def _sqlite_engine(self) -> Engine:
        engine = create_engine(self.url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def configure(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
            cursor = dbapi_connection.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000",
                           *(() if self.checkpoints else ("wal_autocheckpoint=0",))):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def begin(connection: Any) -> None:
            immediate = connection.get_execution_options().get("writer", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction that writes: committed on success, rolled back on any exception."""
        with self._writer() as connection, Session(bind=connection, expire_on_commit=False) as session, \
                session.begin():
            yield session

    @contextmanager
    def write_core(self) -> Iterator[Connection]:
        """write() for Core statements alone, without building a Session: for the saves on a request's ack path."""
        with self._writer() as connection, connection.begin():
            yield connection

    @contextmanager
    def _writer(self) -> Iterator[Connection]:
        """A connection that may write: on SQLite the one writer's turn, and its transactions BEGIN IMMEDIATE."""
        with self._write_lock, self.engine.connect() as connection:
            yield connection.execution_options(writer=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def first(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        """The first row of one Core query, without a Session: for the reads on a request's ack path."""
        with self.engine.connect() as connection:
            return connection.execute(statement, params).first()

    def checkpoint(self) -> None:
        """Copy what the write-ahead log holds into the database file, without waiting for anyone (SQLite)."""
        if self.is_sqlite:
            connection = self.engine.raw_connection()
            try:
                connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                connection.close()

    def migrate(self) -> None:
        with self._write_lock, self.engine.connect() as connection:
            if self.is_sqlite:
                # A batch migration copies a table, drops the old one and renames the copy; with foreign keys
                # enforced, dropping a table that rows refer to fails (SQLite deletes its rows first). So, as
                # Alembic advises: enforcement off for the migration (it cannot change inside a transaction), the
                # references checked before the commit, and the connection discarded after, so the next is enforced.
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            try:
                # One transaction for every step, on SQLite too (where Alembic would commit after each): all of
                # the upgrade, or none of it.
                with connection.begin():
                    config = alembic_config()
                    config.attributes["connection"] = connection
                    try:
                        command.upgrade(config, "head")
                    except CommandError as error:  # e.g. a revision a newer version of Joined Up wrote
                        raise MigrationFailed(
                            f"could not bring the database up to date ({error}): if a newer version of Joined Up "
                            "migrated it, run that version, or restore a backup taken before") from None
                    if self.is_sqlite:
                        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            table, row, refers_to = broken[0][:3]
                            raise MigrationFailed(
                                f"upgrading the database would leave {len(broken)} row(s) referring to rows that are "
                                f"not there (the first: {table} row {row}, to {refers_to}): nothing was changed; "
                                "restore the last backup and run joinedup migrate again")
            finally:
                if self.is_sqlite:
                    connection.invalidate()  # uncommitted work goes with it

    def is_current(self) -> bool:
        return "alembic_version" in inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        self.engine.dispose()


class WriterLock:
    """One SQLite writer at a time, among this process's threads and among processes (serve's web worker and
    its deliverer). SQLite's own busy handler makes a waiting writer sleep and poll, up to 100 ms a time;
    waiting on a lock file instead wakes the next writer the moment the last one commits."""

    def __init__(self, database: str | None) -> None:
        self._threads = threading.Lock()
        self._path = f"{database}.writer-lock" if database and database != ":memory:" else None
        self._file: Any = None
        self._owner = 0
        self._held = False

    def __enter__(self) -> None:
        self._threads.acquire()
        self._held = False
        try:
            if self._path is not None and self._owner != os.getpid():  # after a fork each process needs its own
                self._file, self._owner = open(self._path, "a+b"), os.getpid()
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_EX)
                self._held = True
        except OSError:
            pass  # no lock file (a folder that is missing or read-only): SQLite's own locking still holds
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *_: Any) -> None:
        try:
            if self._held:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()


def upserts(table: Table) -> dict[str, Executable]:
    """Insert a row, or replace every other column of the row with its primary key: one statement, so two writers
    at once never collide. By dialect name, as `connection.dialect.name` gives it."""
    keys = [column.name for column in table.primary_key]

    def upsert(insert: Any) -> Executable:
        statement = insert(table)
        return statement.on_conflict_do_update(index_elements=keys, set_={
            column.name: statement.excluded[column.name] for column in table.columns if column.name not in keys})
    return {"sqlite": upsert(sqlite_insert), "postgresql": upsert(postgresql_insert)}


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
