"""The special targets: a record shared with 20 agencies under Slack's rate limit, the sweep over 1M records of
history, a sweep delivering 10,000 due reminders, and resident memory of `joinedup serve` over many interactions."""
from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import event, text

from bench.load import prepare, run_closed
from bench.servers import BOT_TOKEN, SIGNING_SECRET, create_database, many_agencies, populate, rss_mb, write_config
from bench.standin_runner import StandInProcess
from bench.suite import ANSWERS, expect_update, log, phase, settle, stack
from bot.edge.client import slack_client
from bot.services.wiring import build_services
from bot.domain.config import Agency, load_partnership
from bot.demo.sample import SAM
from bot.processes.sweep import Sweeper
from bot.blocks.ids import Field
from storage.db import Database

# A Tuesday morning in working hours (Europe/London), so reminders are due now rather than postponed.
WORKING_MOMENT = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
HISTORY_MOMENT = "2025-01-06 10:00:00"


class ShiftedClock:
    """Real time, moved to start at `start`: reminders see working hours and Retry-After waits really pass."""

    def __init__(self, start: datetime) -> None:
        self.offset = start - datetime.now(timezone.utc)

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


# --- 20 agencies under the rate limit ---------------------------------------------------------------

def run_fanout(db_kind: str, *, agencies: int = 20, bursts: tuple[int, ...] = (1, 3), slack_ms: int = 0,
               rate_interval: float = 1.0) -> list[dict[str, Any]]:
    """k records, each shared with every agency, submitted back to back while Slack allows one message per
    second per channel. The limit-bound time is k seconds (k posts per channel, channels in parallel)."""
    many = tuple(many_agencies(agencies))
    answers = {**ANSWERS, Field.SHARER_AGENCY: many[0].key, Field.SHARE_WITH: [a.key for a in many]}
    rows = []
    with stack(db_kind, baseline=False, agencies=many, answers=answers, delay=slack_ms / 1000) as s:
        channels = {a.channel for a in many}
        s.standin("set_rate", interval=rate_interval)
        template = s.template("submit")  # opens a form and submits one record first (a warm-up)
        for k in bursts:
            settle(s.standin, timeout=60)
            time.sleep(rate_interval)  # earlier posts no longer count against the limit
            since = s.standin("ncalls")
            prepared = prepare("submit", template, k, port=s.joinedup.port, secret=SIGNING_SECRET,
                               prefix=s.prefix("fan"))
            result = run_closed(s.joinedup.port, prepared, 1, max_seconds=30, check=expect_update)
            want = result.ok * len(channels)

            def posted() -> list[dict[str, Any]]:
                return [c for c in s.standin("calls", method="chat.postMessage", since=since)
                        if c["args"].get("channel") in channels]

            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and sum(1 for c in posted() if c["ok"]) < want:
                time.sleep(0.1)
            settle(s.standin, timeout=30)
            calls = posted()
            ok = [c for c in calls if c["ok"]]
            first_sent = min(result.sent_at.values())
            last_out = max((c["at"] for c in ok), default=float("nan")) - first_sent
            bound = k * rate_interval
            row = {"db": db_kind, "agencies": agencies, "records": k, "slack_ms": slack_ms, "submitted_ok": result.ok,
                   "posts_ok": len(ok), "posts_wanted": want, "refused_429": sum(1 for c in calls if c["status"] == 429),
                   "distinct_posts": len({(c["args"].get("channel"), c["args"].get("text")) for c in ok}),
                   "all_out_s": round(last_out, 3), "limit_bound_s": bound, "ratio": round(last_out / bound, 2),
                   "submit_p99_ms": result.summary()["p99_ms"]}
            row["pass"] = row["posts_ok"] == want and row["distinct_posts"] == want and row["ratio"] <= 2
            rows.append(row)
            log(f"fan-out {db_kind}: {k} record(s) x {agencies} agencies: {len(ok)}/{want} posts out in "
                f"{last_out:.2f}s (bound {bound:.0f}s, {row['refused_429']} refused with 429)")
    return rows


# --- bulk history -------------------------------------------------------------------------------------

def _series(dialect: str, n: int) -> str:
    if dialect == "sqlite":
        return f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s) AS s"
    return f"generate_series(1, {n}) AS s(i)"


def bulk_insert(db: Database, *, n: int, parents: list[tuple[str, str, str]], acknowledged: bool,
                reminder_due_at: datetime | None = None) -> float:
    """n records, each shared with one agency (round robin over `parents`: agency key, channel, ts of a post
    to reply under), each with its delivered agency post: all by SQL, in one transaction. Returns seconds."""
    dialect = "sqlite" if db.is_sqlite else "postgresql"
    pg = dialect == "postgresql"
    at = f"'{HISTORY_MOMENT}+00'" if pg else f"'{HISTORY_MOMENT}.000000'"
    true, false = ("true", "false") if pg else ("1", "0")
    json_list = "'[]'::json" if pg else "'[]'"
    purposes = """'["To keep the child safe from harm"]'""" + ("::json" if pg else "")
    due = "NULL"
    if reminder_due_at is not None:
        moment = reminder_due_at.astimezone(timezone.utc)
        due = f"'{moment:%Y-%m-%d %H:%M:%S}+00'" if pg else f"'{moment:%Y-%m-%d %H:%M:%S.%f}'"
    ack_by, ack_at = ("'U0TIATEACH'", at) if acknowledged else ("NULL", "NULL")
    m = len(parents)
    started = time.monotonic()
    with db.write() as session:
        session.execute(text("CREATE TABLE bench_parents (n INTEGER PRIMARY KEY, agency_key VARCHAR(40), "
                             "channel VARCHAR(32), ts VARCHAR(32))"))
        for number, (key, channel, ts) in enumerate(parents):
            session.execute(text("INSERT INTO bench_parents VALUES (:n, :k, :c, :t)"),
                            {"n": number, "k": key, "c": channel, "t": ts})
        session.execute(text(f"""
            INSERT INTO records (id, submission_key, case_reference, occurred_at, created_at, sharer_id, sharer_agency,
                participants, others_present, purposes, purpose_detail, requested_action, first_hand, lawful_basis,
                summary, risk_key, risk_label, risk_definition, actions, follow_up_on, not_shared_reason,
                outcome_request_at, outcome_requests_sent)
            SELECT i, 'history-' || i, 'CR-' || (10000 + i % 90000), {at}, {at}, 'U0SAMSW', 'social-care',
                {json_list}, '', {purposes}, '', '', {true}, 'Public task: statutory safeguarding duty (no consent sought)',
                'A conversation recorded long ago.', 'early-help', 'Early help', 'Emerging needs.', '', '2025-01-20',
                NULL, NULL, 1
            FROM {_series(dialect, n)}"""))
        session.execute(text(f"""
            INSERT INTO shares (id, record_id, agency_key, acknowledged_by, acknowledged_at, acknowledgement_note,
                next_reminder_at, reminders_sent)
            SELECT i, i, p.agency_key, {ack_by}, {ack_at}, NULL, {due}, 0
            FROM {_series(dialect, n)} JOIN bench_parents p ON p.n = i % {m}"""))
        session.execute(text(f"""
            INSERT INTO slack_messages (id, key, kind, record_id, agency_key, target, parent_id, outcome_id, channel_id,
                ts, permalink, version, delivered_version, pending, attempts, next_attempt_at, claimed_until,
                post_started_at, last_error, failed_at, cancelled_at, created_at, sent_at)
            SELECT i, 'post:' || i || ':' || p.agency_key, 'agency_post', i, p.agency_key, p.channel, NULL, NULL,
                p.channel, p.ts, NULL, 1, 1, {false}, 1, {at}, NULL, {at}, NULL, NULL, NULL, {at}, {at}
            FROM {_series(dialect, n)} JOIN bench_parents p ON p.n = i % {m}"""))
        session.execute(text("DROP TABLE bench_parents"))
        if pg:
            for table in ("records", "shares", "slack_messages"):
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {n})"))
    if pg:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    return time.monotonic() - started


@contextlib.contextmanager
def sweep_setup(db_kind: str, agencies: tuple[Agency, ...] | None, *, rate_interval: float = 0.0,
                slack_ms: int = 0) -> Iterator[tuple[Any, StandInProcess, Database, Any, list[tuple[str, str, str]]]]:
    """A database, a stand-in with a post in each agency's channel to reply under, and Joined Up's services."""
    with tempfile.TemporaryDirectory(prefix="joinedup-bench-") as folder:
        standin = StandInProcess(delay=slack_ms / 1000)
        bench_db = None
        try:
            from bot.demo.sample import sample_partnership
            agencies = agencies if agencies is not None else sample_partnership().agencies
            populate(standin, agencies)
            config = write_config(Path(folder), agencies)
            partnership = load_partnership(config)
            parents = [(a.key, a.channel, standin("add_message", channel=a.channel, user=SAM.user_id,
                                                  text=f"history of {a.key}")) for a in agencies]
            standin("set_rate", interval=rate_interval)
            bench_db = create_database(db_kind, Path(folder))
            db = Database(bench_db.url)
            clock = ShiftedClock(WORKING_MOMENT)
            services = build_services(partnership=partnership, db=db, clock=clock,
                                      client=slack_client(BOT_TOKEN, standin.api_url),
                                      work=ThreadPoolExecutor(32, thread_name_prefix="bench-work"))
            try:
                yield services, standin, db, clock, parents
            finally:
                services.work.shutdown(wait=False, cancel_futures=True)  # type: ignore[attr-defined]
                db.dispose()
        finally:
            standin.stop()
            if bench_db is not None:
                with contextlib.suppress(Exception):
                    bench_db.drop()


def _capture(db: Database) -> tuple[list[tuple[str, Any]], Any]:
    statements: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    return statements, lambda: event.remove(db.engine, "before_cursor_execute", before)


def explain(db: Database, statements: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    plans = []
    seen = set()
    for statement, parameters in statements:
        if not statement.lstrip().upper().startswith("SELECT") or statement in seen:
            continue
        seen.add(statement)
        with db.engine.connect() as connection:
            if db.is_sqlite:
                rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                plan = [row[-1] for row in rows]
            else:
                rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
                plan = [row[0] for row in rows]
        plans.append({"sql": " ".join(statement.split()), "plan": plan})
    return plans


def _timed_passes(sweeper: Sweeper, passes: int) -> list[float]:
    times = []
    for _ in range(passes):
        started = time.perf_counter()
        sweeper.run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def run_history(db_kind: str, *, rows: int, passes: int = 20, due_counts: tuple[int, ...] = (10, 100)) -> dict[str, Any]:
    """The sweep over `rows` records of history (all acknowledged, no outcome asked): how long a pass takes when
    nothing is due, the plans of its queries, and how the pass grows with what is due."""
    with sweep_setup(db_kind, None) as (services, standin, db, clock, parents):
        sweeper = Sweeper(services)
        empty = _timed_passes(sweeper, passes)
        log(f"history {db_kind}: inserting {rows:,} records, shares and posts")
        insert_s = bulk_insert(db, n=rows, parents=parents, acknowledged=True)
        log(f"history {db_kind}: inserted in {insert_s:.1f}s; timing passes")
        sweeper.run()  # warm
        statements, stop = _capture(db)
        sweeper.run()
        stop()
        full = _timed_passes(sweeper, passes)
        plans = explain(db, statements)
        growth = []
        for due in due_counts:
            moment = clock.now() - timedelta(minutes=5)
            with db.write() as session:
                session.execute(text("UPDATE shares SET acknowledged_at = NULL, acknowledged_by = NULL, "
                                     "result_due_since = NULL, next_reminder_at = :due WHERE id IN (SELECT id FROM "
                                     "shares WHERE next_reminder_at IS NULL AND reminders_sent = 0 "
                                     "ORDER BY id DESC LIMIT :n)"),
                                {"due": moment, "n": due})
            calls = standin("ncalls")
            started = time.perf_counter()
            report = sweeper.run()
            first = (time.perf_counter() - started) * 1000
            after = _timed_passes(sweeper, 3)
            growth.append({"due": due, "pass_ms": round(first, 1), "per_due_ms": round(first / due, 2),
                           "reminders": report.acknowledgement_reminders, "messages": report.messages,
                           "slack_calls": standin("ncalls") - calls, "next_pass_ms": round(statistics.median(after), 2)})
            log(f"history {db_kind}: {due} due -> pass {first:.1f} ms ({report})")
    result = {"db": db_kind, "rows": rows, "insert_s": round(insert_s, 1),
              "empty_db_pass_ms": _stats(empty), "history_pass_ms": _stats(full), "growth": growth, "plans": plans}
    result["pass"] = result["history_pass_ms"]["p50"] <= 50 and result["history_pass_ms"]["max"] <= 50
    log(f"history {db_kind}: nothing due, {rows:,} records: median {result['history_pass_ms']['p50']} ms, "
        f"max {result['history_pass_ms']['max']} ms (empty database {result['empty_db_pass_ms']['p50']} ms)")
    return result


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"n": len(values), "p50": round(statistics.median(ordered), 2), "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
            "max": round(ordered[-1], 2), "min": round(ordered[0], 2)}


# --- 10,000 due reminders -------------------------------------------------------------------------------

def run_reminders(db_kind: str, *, reminders: int, agencies: int, max_seconds: float,
                  rate_interval: float = 1.0) -> dict[str, Any]:
    """`reminders` unacknowledged shares, all due, spread over `agencies` channels; the sweep runs pass after pass
    (as the scheduler would, without its pauses) until all are delivered. Slack allows 1 message/s/channel."""
    many = tuple(many_agencies(agencies))
    with sweep_setup(db_kind, many, rate_interval=rate_interval) as (services, standin, db, clock, parents):
        bulk_insert(db, n=reminders, parents=parents, acknowledged=False,
                    reminder_due_at=clock.now() - timedelta(hours=1))
        sweeper = Sweeper(services)
        since = standin("ncalls")
        passes, rss = [], [rss_mb_self()]
        started = time.monotonic()
        delivered = 0
        while time.monotonic() - started < max_seconds:
            t = time.perf_counter()
            report = sweeper.run()
            with db.read() as session:
                delivered = session.execute(text("SELECT count(*) FROM slack_messages WHERE kind = 'ack_reminder' "
                                                  "AND ts IS NOT NULL")).scalar_one()
            passes.append({"ms": round((time.perf_counter() - t) * 1000, 1), "reminders": report.acknowledgement_reminders,
                           "messages": report.messages, "delivered_total": delivered})
            rss.append(rss_mb_self())
            if len(passes) % 10 == 0:
                log(f"reminders {db_kind}: pass {len(passes)}, {delivered}/{reminders} delivered, "
                    f"{time.monotonic() - started:.0f}s, RSS {rss[-1]:.0f} MB")
            if delivered >= reminders:
                break
            if not report.messages and not report.acknowledgement_reminders:
                time.sleep(0.2)  # waiting out Retry-After
        elapsed = time.monotonic() - started
        calls = standin("calls", method="chat.postMessage", since=since)
        ok = [c for c in calls if c["ok"]]
        with db.read() as session:
            rows = session.execute(text("SELECT count(*), count(DISTINCT key) FROM slack_messages "
                                        "WHERE kind = 'ack_reminder'")).one()
            sent_once = session.execute(text("SELECT count(*) FROM shares WHERE reminders_sent = 1")).scalar_one()
    per_channel = reminders / agencies
    bound = max(per_channel - 1, 0) * rate_interval + rate_interval
    result = {"db": db_kind, "reminders": reminders, "agencies": agencies, "delivered": delivered,
              "seconds": round(elapsed, 1), "limit_bound_s": bound, "ratio": round(elapsed / bound, 2),
              "passes": len(passes), "posts_ok": len(ok), "distinct_posts": len({(c["args"].get("channel"), c["args"].get("text")) for c in ok}),
              "refused_429": sum(1 for c in calls if c["status"] == 429), "reminder_rows": rows[0],
              "shares_reminded_once": sent_once,
              "rss_mb": {"start": round(rss[0], 1), "max": round(max(rss), 1), "end": round(rss[-1], 1)},
              "pass_ms": _stats([p["ms"] for p in passes]) if passes else None}
    result["exactly_once"] = result["posts_ok"] == result["distinct_posts"] == delivered == reminders
    result["pass"] = result["exactly_once"] and result["rss_mb"]["max"] - result["rss_mb"]["start"] <= 50
    log(f"reminders {db_kind}: {delivered}/{reminders} in {elapsed:.1f}s over {len(passes)} passes "
        f"(limit-bound {bound:.0f}s), {result['refused_429']} refused with 429, RSS {result['rss_mb']}")
    return result


def rss_mb_self() -> float:
    import os
    return rss_mb(os.getpid()) or 0.0


# --- memory over many interactions --------------------------------------------------------------------------

def run_memory(db_kind: str, *, interactions: int, batch: int = 3000, concurrency: int = 8) -> dict[str, Any]:
    """Batches of /record, submissions and clicks at `joinedup serve`; resident memory of each process after each."""
    samples = []
    with stack(db_kind, baseline=False) as s:
        samples.append({"interactions": 0, "rss_mb": s.joinedup.rss()})
        done = 0
        errors = 0
        while done < interactions:
            third = max(1, min(batch, interactions - done) // 3)
            for kind in ("record", "submit", "click"):
                click = s.click_target() if kind == "click" else None
                row = phase(s, "joinedup", kind, n=third, concurrency=concurrency, click=click, verify=False,
                            max_seconds=600)
                done += row["count"]
                errors += row["errors"]
            samples.append({"interactions": done, "rss_mb": s.joinedup.rss()})
            log(f"memory {db_kind}: {done:,} interactions, RSS {samples[-1]['rss_mb']}")
    names = list(samples[-1]["rss_mb"])
    half = samples[len(samples) // 2]
    per_process = {}
    for name in names:
        series = [smp["rss_mb"].get(name) for smp in samples if smp["rss_mb"].get(name)]
        per_process[name] = {"start": round(series[0], 1), "half": round(half["rss_mb"].get(name, 0), 1),
                             "end": round(series[-1], 1), "max": round(max(series), 1)}
    result = {"db": db_kind, "interactions": done, "errors": errors, "samples": samples, "per_process": per_process}
    result["pass"] = all(p["max"] <= 150 and p["end"] - p["half"] <= 0.05 * p["half"] for p in per_process.values())
    return result
