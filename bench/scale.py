"""`python -m bench.scale`: the partnership figures on a national-scale history (docs/benchmarks.md).

Seeds ten years (bench/scale_seed.py) into a SQLite file under /tmp or a fresh PostgreSQL database of its own, then
times a year's report, the weekly digest's stand-in (one-week reports for the week and the four before it), the
report's statement (with its plan), and the interactive paths' service calls on the seeded
database against an empty one (bench/scale_paths.py). Never part of the test suite: only its seeding is, at a
small size (tests/test_scale_bench.py).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import event

from bench.scale_seed import END, Seeder
from bot.demo.sample import sample_partnership
from bot.reports.period import Period, days
from bot.reports.service import REPORT_SETTINGS, PartnershipFigures
from bot.services.records import calendar_for
from storage.db import Database

DEFAULT_RECORDS = 2_100_000  # 2,000,000 shared, 6,000,000 shares
SQLITE_FILE = Path("/tmp/joinedup_bench_scale.db")
POSTGRES_NAME = "joinedup_bench_scale"
RESULTS = Path(__file__).resolve().parent / "results"


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def postgres_server() -> str:
    return os.environ.get("JOINEDUP_BENCH_POSTGRES_URL") or os.environ.get("JOINEDUP_TEST_POSTGRES_URL") \
        or "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_database(kind: str, label: str = "") -> tuple[str, Callable[[], None]]:
    """A migrated, empty database of this benchmark's own, and how to drop it."""
    if kind == "sqlite":
        path = SQLITE_FILE.with_name(f"{SQLITE_FILE.stem}{label}.db")

        def drop() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        drop()
        url = f"sqlite:///{path}"
    else:
        import psycopg
        name, server = f"{POSTGRES_NAME}{label}", postgres_server()

        def drop() -> None:
            with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        drop()
        with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        url = f"{server.rpartition('/')[0]}/{name}"
    db = Database(url)
    db.migrate()
    db.dispose()
    return url, drop


def year(end_day: Any = None) -> Period:
    last = (END - timedelta(days=1)).date() if end_day is None else end_day
    return days(last - timedelta(days=364), last, sample_partnership().zone)


def weeks(count: int = 5) -> list[Period]:
    """The digest's week (the last whole Monday-to-Sunday week before END) and the `count` - 1 before it."""
    last_sunday = (END - timedelta(days=1)).date()
    last_sunday -= timedelta(days=(last_sunday.weekday() + 1) % 7)
    zone = sample_partnership().zone
    return [days(last_sunday - timedelta(days=7 * n + 6), last_sunday - timedelta(days=7 * n), zone)
            for n in range(count)]


def figures_for(db: Database) -> PartnershipFigures:
    partnership = sample_partnership()
    return PartnershipFigures(db=db, partnership=partnership, calendar=calendar_for(partnership))


def timed(work: Callable[[], Any], repeats: int) -> list[float]:
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return seconds


def statement_times(db: Database, work: Callable[[], Any]) -> list[dict[str, Any]]:
    """Each statement `work` runs, with its parameters and seconds, slowest first."""
    found: list[dict[str, Any]] = []
    started: list[float] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        started.append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        found.append({"sql": statement, "parameters": parameters, "seconds": time.perf_counter() - started.pop()})

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    return sorted(found, key=lambda s: -s["seconds"])


def plan(db: Database, sql: str, parameters: Any) -> list[str]:
    with db.engine.connect() as connection:
        if db.is_sqlite:
            return [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters).all()]
        with connection.begin():  # with the settings the report's transaction has (bot/reports/service.py)
            for setting in REPORT_SETTINGS:
                connection.exec_driver_sql(f"SET LOCAL {setting}")
            return [row[0] for row in connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql,
                                                                 parameters).all()]


def measure_reports(db: Database, repeats: int) -> dict[str, Any]:
    figures = figures_for(db)
    first = timed(lambda: figures.report(year(), END), 1)[0]  # a cold cache: the first report after a restart
    year_seconds = timed(lambda: figures.report(year(), END), repeats)
    # The digest's weeks oldest first, in one call, as DigestContent.reports asks for them.
    digest_seconds = timed(lambda: figures.reports(weeks()[::-1], END), repeats)
    slowest = statement_times(db, lambda: figures.report(year(), END))
    report = figures.report(year(), END)
    log(f"year's report: first {first:.2f} s, then median {statistics.median(year_seconds):.2f} s; "
        f"digest stand-in median {statistics.median(digest_seconds):.2f} s")
    return {
        "year": {"period": year().label, "first": first, "seconds": year_seconds,
                 "median": statistics.median(year_seconds)},
        "digest": {"weeks": [w.label for w in weeks()], "seconds": digest_seconds,
                   "median": statistics.median(digest_seconds)},
        # One statement computes every figure (bot/reports/service.py): its plan, with each CTE's time on PostgreSQL.
        "statements": [{"seconds": s["seconds"], "sql": s["sql"][:200]} for s in slowest],
        "plan": plan(db, *max(((s["sql"], s["parameters"]) for s in slowest), key=lambda s: len(s[0]))),
        "sample": {name: report.get(name) for name in ("records_made", "posts_received", "posts_acknowledged",
                                                        "working_hours_to_acknowledge_median",
                                                        "working_hours_to_acknowledge_p90", "challenges_raised")},
    }


def counts(db: Database) -> dict[str, int]:
    from sqlalchemy import text
    with db.read() as session:
        return {table: session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                for table in ("records", "shares", "outcomes", "challenges", "challenge_responses", "revisions",
                              "audit_events", "slack_messages")}


def kept_database(kind: str) -> tuple[str, Callable[[], None]]:
    """The database a run with --keep left behind (and how to drop it)."""
    if kind == "sqlite":
        return f"sqlite:///{SQLITE_FILE}", lambda: [Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
                                                   for suffix in ("", "-wal", "-shm")]
    import psycopg
    server = postgres_server()

    def drop() -> None:
        with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_NAME}" WITH (FORCE)')
    return f"{server.rpartition('/')[0]}/{POSTGRES_NAME}", drop


def run(kind: str, records: int, repeats: int, paths: bool, keep: bool, reuse: bool = False,
        reports: bool = True, path_rounds: int = 20, home: bool = True) -> dict[str, Any]:
    url, drop = kept_database(kind) if reuse else fresh_database(kind)
    result: dict[str, Any] = {"db": kind, "records": records}
    try:
        db = Database(url)
        partnership = sample_partnership()
        if not reuse:
            log(f"{kind}: seeding {records:,} records")
            started = time.monotonic()
            result["seeding"] = Seeder(db, partnership, records).seed(calendar_for(partnership), partnership, log)
            result["seeding"]["total"] = time.monotonic() - started
        result["rows"] = counts(db)
        log(f"{kind}: {result['rows']}")
        if kind == "sqlite":
            result["file_gb"] = SQLITE_FILE.stat().st_size / 1e9
        if reports:
            result["reports"] = measure_reports(db, repeats)
        db.dispose()
        if paths:
            from bench.scale_paths import compare_paths
            from bench.scale_paths import PATHS
            result["paths"] = compare_paths(kind, url, fresh_database, path_rounds,
                                            PATHS if home else tuple(p for p in PATHS if "App Home" not in p))
    finally:
        if not keep:
            drop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--records", type=int, default=DEFAULT_RECORDS, help="records to seed (shares: about 3×)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-paths", action="store_true", help="skip the interactive paths")
    parser.add_argument("--path-rounds", type=int, default=20, help="timed rounds of each path per database")
    parser.add_argument("--no-home", action="store_true", help="leave App Home out of the paths (slow at scale)")
    parser.add_argument("--keep", action="store_true", help="leave the seeded database in place")
    parser.add_argument("--reuse", action="store_true", help="measure the database --keep left (no seeding)")
    parser.add_argument("--no-reports", action="store_true", help="skip the reports (with --reuse: paths only)")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        result = run(kind, args.records, args.repeats, not args.no_paths, args.keep, args.reuse,
                     not args.no_reports, args.path_rounds, not args.no_home)
        out = RESULTS / f"scale-{kind}{'-paths' if args.no_reports else ''}.json"
        out.write_text(json.dumps(result, indent=1, default=str))
        log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
