"""`joinedup backup FILE`: a consistent, checked copy of the database, taken while Joined Up keeps running.

SQLite: sqlite3's online backup API copies every page in one step, inside one read transaction, so the copy is
the database at one moment even while `serve` writes. It takes no writer's turn (the lock file beside the
database orders writers only): in write-ahead-log mode a reader never waits for a writer nor a writer for a
reader, so requests are not held up for as long as the copy takes. The copy is made one self-contained file (no
-wal beside it) and checked with PRAGMA integrity_check before it is given its name.

PostgreSQL: `pg_dump --format=custom`, of a snapshot this command exports and holds, so that the counts it prints
are of exactly what was dumped; the archive is then read back with `pg_restore --list`.

Either way the file appears under its name only once it is complete and checked, and an existing file is never
replaced. Restoring is in docs/backup-and-upgrade.md.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.domain.config import Settings
from bot.operations.preflight import Refused, existing_database, head_revision, shown
from storage.db import Database

CLIENT_PACKAGES = ("install PostgreSQL's client programs, of the server's major version or newer "
                   "(Debian and Ubuntu: apt install postgresql-client; Red Hat and Fedora: dnf install postgresql)")


@dataclass(frozen=True)
class Written:
    """What a backup wrote."""

    path: Path
    size: int
    tables: int
    records: int
    revision: str | None
    method: str
    check: str


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    target = Path(args.file)
    _check_target(target)
    db = existing_database(settings.database_url, command="backup", any_revision=True)
    label = shown(settings.database_url)
    try:
        written = backup_sqlite(db, target, label) if db.is_sqlite else backup_postgresql(db, target, label)
    except OSError as error:  # the disk filled, or the folder changed under us
        raise Refused(f"could not write the backup FILE {target} ({error.strerror or error}): check the disk and "
                      "the folder; nothing was written under that name") from None
    finally:
        db.dispose()
    print(f"joinedup: backed up {shown(settings.database_url)} to {written.path} ({written.method}): "
          f"{written.size:,} bytes, {written.tables} tables, {written.records} records, schema revision "
          f"{written.revision}; {written.check}")
    head = head_revision()
    if written.revision != head:
        print(f"joinedup: this version of Joined Up needs schema revision {head}: run joinedup migrate next")
    return 0


def _check_target(target: Path) -> None:
    """Refused before the database is touched: a FILE that is already there, or a folder that is not."""
    if target.exists() or target.is_symlink():
        raise Refused(f"backup FILE {target} already exists: a backup never replaces a file; name a new one "
                      "(e.g. with the date) or move the old one away")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise Refused(f"backup FILE {target}: no such folder {folder.resolve()}: create it first, or name a file "
                      "in a folder that exists")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise Refused(f"backup FILE {target}: cannot write in {folder.resolve()}: name a file in a folder you "
                      "may write to")


def _partial(target: Path) -> Path:
    """A new, empty file beside the target, to become it once complete."""
    handle, name = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".",
                                    prefix=f".{target.name}.", suffix=".partial")
    os.close(handle)
    return Path(name)


def _give_name(partial: Path, target: Path) -> None:
    """Make the finished copy `target`, atomically, and never over a file that appeared meanwhile."""
    with open(partial, "rb") as copy:
        os.fsync(copy.fileno())
    try:
        os.link(partial, target)
    except FileExistsError:
        raise Refused(f"backup FILE {target} appeared while the backup ran: nothing was replaced; "
                      "name a new file") from None
    except OSError:  # a file system without hard links: rename, having checked just before
        if target.exists():
            raise Refused(f"backup FILE {target} appeared while the backup ran: nothing was replaced; "
                          "name a new file") from None
        os.rename(partial, target)
    finally:
        partial.unlink(missing_ok=True)


# --- SQLite ---------------------------------------------------------------------------------------

def backup_sqlite(db: Database, target: Path, label: str) -> Written:
    source_path = make_url(db.url).database or ""
    partial = _partial(target)
    try:
        # mode=rw: the file is there (checked), and this connection must never create one.
        source = sqlite3.connect(f"file:{quote(os.path.abspath(source_path))}?mode=rw", uri=True, timeout=30)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # every page in one step: one read transaction, one moment's state
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file; Joined Up turns WAL on again
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise Refused(f"the copy of {label} failed SQLite's integrity check ({problems[0]}): "
                              f"nothing was written to {target}; the database itself may be damaged: stop "
                              "Joined Up and restore the last good backup")
            tables = copy.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%'").fetchone()[0]
            records = copy.execute("SELECT count(*) FROM records").fetchone()[0]
            revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            copy.close()
            source.close()
        _give_name(partial, target)
    except sqlite3.Error as error:
        raise Refused(f"could not copy {label} to {target} ({error}): check the database file and that "
                      "the disk has room") from None
    finally:
        partial.unlink(missing_ok=True)
    return Written(target, target.stat().st_size, tables, records, revision, "SQLite online backup",
                   "integrity check ok")


# --- PostgreSQL -----------------------------------------------------------------------------------

def backup_postgresql(db: Database, target: Path, label: str) -> Written:
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if not pg_dump or not pg_restore:
        missing = "pg_dump" if not pg_dump else "pg_restore"
        raise Refused(f"{missing} was not found on PATH, and a PostgreSQL backup needs it: {CLIENT_PACKAGES}")
    url = make_url(db.url)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {name: value for name, value in os.environ.items() if not name.startswith("SLACK_")}
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # never on the command line, where ps shows it
    partial = _partial(target)
    try:
        try:
            with db.engine.connect() as connection:
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
                with connection.begin():
                    # pg_dump reads the very snapshot counted here, held open until it is done.
                    snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                    records = connection.execute(text("SELECT count(*) FROM records")).scalar_one()
                    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                    dumped = subprocess.run(
                        [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={partial}",
                         f"--dbname={conninfo}"], env=env, capture_output=True, text=True, check=False)
        except OperationalError:
            raise  # the server went away: the command line says so in one line
        except DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
            raise Refused(f"could not read {label} to back it up ({reason}): check that DATABASE_URL's user may "
                          f"read every table; nothing was written to {target}") from None
        if dumped.returncode != 0:
            raise Refused(f"pg_dump could not back up {label} ({_first_error(dumped.stderr)}): check that "
                          "pg_dump's version is the server's or newer and that DATABASE_URL's user may read every "
                          f"table; nothing was written to {target}")
        listed = subprocess.run([pg_restore, "--list", str(partial)], env=env, capture_output=True, text=True,
                                check=False)
        if listed.returncode != 0:
            raise Refused(f"pg_restore cannot read what pg_dump wrote ({_first_error(listed.stderr)}): nothing was "
                          f"written to {target}; check the disk and try again")
        tables = sum(1 for line in listed.stdout.splitlines() if " TABLE DATA " in line)
        _give_name(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Written(target, target.stat().st_size, tables, records, revision, "pg_dump --format=custom",
                   "pg_restore --list reads it")


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["no message"])[0]
