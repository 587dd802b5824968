"""Checks before an operations command touches the database: it must already exist, at this version's schema.

`serve`, `socket` and `migrate` create the database and bring it up to date. `export`, `audit`, `retention`,
`sweep` and `backup` only work on one that is there: a mistyped DATABASE_URL must never leave a new, empty
joinedup.db behind (and an export or a backup of it that looks like the real thing), and a database that an
upgrade has not migrated yet is never read or changed with the wrong schema.
"""
from __future__ import annotations

import os

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, OperationalError

from storage.db import Database, alembic_config, normalise_url


class Refused(Exception):
    """An operations command will not go on; the message is one line naming what was found (DATABASE_URL, the
    file) and the fix."""


def head_revision() -> str:
    """The schema revision this version of Joined Up works with."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "storage/migrations has no revisions"
    return head


def schema_revision(db: Database) -> str | None:
    """The revision the database's schema is at (Alembic's alembic_version), or None if it has none."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def shown(url: str) -> str:
    """The URL as the operator wrote it, without its password."""
    return make_url(url).render_as_string(hide_password=True)


def is_known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def existing_database(url: str, *, command: str, any_revision: bool = False) -> Database:
    """The database DATABASE_URL names, opened, once it is known to exist and to be at this version's schema
    (with `any_revision`, at any revision of Joined Up's: a backup before an upgrade is of the older schema).
    Raises Refused otherwise, having created nothing."""
    normalised = normalise_url(url)  # an unsupported URL is refused here, before any driver is loaded
    parsed = make_url(normalised)
    if parsed.get_backend_name() == "sqlite":
        _require_file(parsed.database, url, command)
    db = Database(url)
    try:
        revision = schema_revision(db)
        tables = set(inspect(db.engine).get_table_names())
    except OperationalError:  # the server is not there, or refuses us: the command line says so in one line
        db.dispose()
        raise
    except DatabaseError as error:
        db.dispose()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise Refused(f"DATABASE_URL names {shown(url)}, which is not a Joined Up database ({reason}): "
                              "check DATABASE_URL") from None
    head = head_revision()
    problem = None
    if revision is None:
        problem = (f"DATABASE_URL names {shown(url)}, which holds no Joined Up tables (an empty database): check "
                   "DATABASE_URL, or run joinedup migrate to set up a new database there") if not tables else (
                   f"DATABASE_URL names {shown(url)}, which holds tables but no Joined Up schema revision: check "
                   "DATABASE_URL")
    elif not is_known(revision):
        problem = (f"DATABASE_URL names {shown(url)}, whose schema is at revision {revision}, newer than this "
                   f"version of Joined Up knows ({head}): run the version that migrated it, or restore a backup "
                   "taken before")
    elif revision != head and not any_revision:
        problem = (f"DATABASE_URL names {shown(url)}, whose schema is at revision {revision}; this version of "
                   f"Joined Up needs {head}: run joinedup migrate (take a joinedup backup first)")
    if problem:
        db.dispose()
        raise Refused(problem)
    return db


def _require_file(path: str | None, url: str, command: str) -> None:
    """A SQLite database named by a file that is there; connecting to any other name would create it."""
    if not path or path == ":memory:":
        raise Refused(f"DATABASE_URL names {shown(url)}, an in-memory database that holds nothing for "
                              f"{command}: name the database file, e.g. sqlite:///joinedup.db")
    full = os.path.abspath(path)
    if os.path.isdir(full):
        raise Refused(f"check DATABASE_URL: {full} is a folder, not a database file ({shown(url)})")
    if not os.path.isfile(full):
        raise Refused(f"check DATABASE_URL: no such file {full} ({shown(url)}); {command} works only on an "
                              "existing database (to start a new one, run joinedup migrate)")
