"""The request benchmarks: a stack (stand-in, database, Joined Up, baseline), phases, the smoke core and the
interleaved run of baseline and Joined Up."""
from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import select

from bench.load import Check, Prepared, Result, click_template, command_body, prepare, run_closed, run_open, \
    submit_template
from bench.servers import SIGNING_SECRET, BenchDatabase, Server, create_database, populate, start_server, \
    write_config
from bench.standin_runner import StandInProcess
from bot.domain.config import Agency
from bot.demo.sample import SAM, SAMPLE_ANSWERS, TIA, sample_partnership
from bot.standin.signed_requests import fill, find_action
from bot.blocks.ids import Action, Field
from storage.db import Database
from storage.models import Share, SlackMessage

KINDS = ("record", "submit", "click")
LABELS = {"record": "/record", "submit": "submit", "click": "acknowledge", "joinedup": "/joinedup help"}
ANSWERS: dict[str, Any] = dict(SAMPLE_ANSWERS)  # a valid record shared with two agencies
CLICKER = TIA  # a lead of Education: a member without asking Slack
CLICK_AGENCY = "education"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def expect_empty(body: bytes) -> bool:
    return body == b""


def expect_update(body: bytes) -> bool:
    return b'"response_action": "update"' in body


def expect_text(body: bytes) -> bool:
    return b'"text"' in body


def check_for(app: str, kind: str) -> Check:
    if app == "baseline":
        return expect_empty
    return {"record": expect_empty, "submit": expect_update, "click": expect_empty, "joinedup": expect_text}[kind]


# --- the stack -------------------------------------------------------------------------------------

@dataclass
class Stack:
    db_kind: str
    folder: Path
    standin: StandInProcess
    db: BenchDatabase
    agencies: tuple[Agency, ...]
    joinedup: Server
    baseline: Server | None
    floor: Server | None = None
    answers: dict[str, Any] = field(default_factory=lambda: dict(ANSWERS))
    slack_delay: float = 0.0  # seconds the stand-in takes to answer
    _submit_template: str | None = None
    _view: dict[str, Any] | None = None
    _seq: int = 0

    def server(self, app: str) -> Server:
        server = {"joinedup": self.joinedup, "baseline": self.baseline, "floor": self.floor}[app]
        assert server is not None, f"no {app} server in this stack"
        return server

    def prefix(self, label: str) -> str:
        self._seq += 1
        return f"b{self._seq}{label}"

    def set_slack_delay(self, seconds: float) -> None:
        self.standin("set_delay", seconds=seconds)
        self.slack_delay = seconds

    def database(self) -> Database:
        return Database(self.db.url, pool_size=2)

    # the requests -----------------------------------------------------------------------------
    def submit_body(self) -> str:
        """A filled-in record form, taken from a form Joined Up really opened for a practitioner whose agency
        it remembers, as every form after their first is."""
        if self._submit_template is None:
            self._submit_template = self._filled_form()
            # One submission first (the first concurrent submissions of a new practitioner race: see
            # probe_first_submissions); the phases then submit the form opened after it, which offers their agency.
            warm = prepare("submit", self._submit_template, 1, port=self.joinedup.port, secret=SIGNING_SECRET,
                           prefix=self.prefix("warm"))
            if run_closed(self.joinedup.port, warm, 1, max_seconds=30, check=expect_update).ok != 1:
                raise RuntimeError("the first record submission failed")
            settle(self.standin)
            self._submit_template = self._filled_form()
        return self._submit_template

    def _filled_form(self) -> str:
        prepared = prepare("record", self.template("record"), 1, port=self.joinedup.port, secret=SIGNING_SECRET,
                           prefix=self.prefix("form"))
        result = run_closed(self.joinedup.port, prepared, 1, max_seconds=30, check=expect_empty)
        if result.ok != 1:
            raise RuntimeError(f"/record did not open the form: {result.error_samples}")
        self._view = self.standin("last_view")
        return submit_template(self._view, fill(self._view, self.answers), user=SAM.user_id)

    def submit_body_for(self, user: str) -> str:
        self.submit_body()
        return submit_template(self._view, fill(self._view, self.answers), user=user)

    def template(self, kind: str, click: "ClickTarget | None" = None) -> str:
        url = self.standin.response_url()
        if kind == "record":
            return command_body("/record", "", user=SAM.user_id, channel="C0SOCIAL", response_url=url, trigger="TRIGGERPH")
        if kind == "joinedup":
            return command_body("/joinedup", "help", user=SAM.user_id, channel="C0SOCIAL", response_url=url,
                                trigger="TRIGGERPH")
        if kind == "submit":
            return self.submit_body()
        if kind == "click":
            target = click or self.click_target()
            return click_template(target.message, target.action, user=CLICKER.user_id, channel=target.channel,
                                  response_url=url)
        raise ValueError(kind)

    def click_target(self, unposted_ok: bool = False) -> "ClickTarget":
        """The newest Education post not yet acknowledged, with its button as Slack shows it."""
        database = self.database()
        try:
            with database.read() as session:
                share = session.scalar(select(Share).where(Share.agency_key == CLICK_AGENCY,
                                                           Share.acknowledged_at.is_(None))
                                       .order_by(Share.id.desc()).limit(1))
                if share is None:
                    raise RuntimeError("no record to acknowledge yet: submit one first")
                messages = {m.kind: m for m in session.scalars(select(SlackMessage).where(
                    SlackMessage.record_id == share.record_id,
                    (SlackMessage.agency_key == CLICK_AGENCY) | (SlackMessage.kind == "sharer_status")))}
        finally:
            database.dispose()
        post, status = messages.get("agency_post"), messages.get("sharer_status")
        if post is None or post.ts is None or status is None or status.ts is None:
            if unposted_ok:  # an experiment that delivers nothing
                return unposted_click(share.id)
            raise RuntimeError(f"the record of share {share.id} is not posted yet")
        message = self.standin("message", channel=post.channel_id, ts=post.ts)
        action = find_action(message["blocks"], Action.ACKNOWLEDGE)
        return ClickTarget(share.id, post.channel_id or "", post.ts, status.channel_id or "", status.ts,
                           {"ts": post.ts, "text": message.get("text", ""), "blocks": message["blocks"]}, action)

    def stop(self) -> None:
        for server in (self.joinedup, self.baseline):
            if server is not None:
                server.stop()
        self.standin.stop()
        with contextlib.suppress(Exception):
            self.db.drop()


@dataclass
class ClickTarget:
    share_id: int
    channel: str
    ts: str
    status_channel: str
    status_ts: str
    message: dict[str, Any]
    action: dict[str, Any]


def unposted_click(share_id: int) -> ClickTarget:
    """An acknowledge button as a post would carry it, for an app that posts nothing."""
    action = {"action_id": Action.ACKNOWLEDGE, "block_id": "acknowledge", "type": "button",
              "text": {"type": "plain_text", "text": "Acknowledge receipt"}, "value": str(share_id)}
    return ClickTarget(share_id, "C0SCHOOL", "0.000000", "", "", {"ts": "0.000000", "blocks": []}, action)


@contextlib.contextmanager
def stack(db_kind: str, *, baseline: bool = True, agencies: tuple[Agency, ...] | None = None,
          delay: float = 0.0, answers: dict[str, Any] | None = None, folder: Path | None = None,
          variant: str = "", floor: str = "") -> Iterator[Stack]:
    """`floor`: also serve bench/floor_app.py in that mode ("open-first" or "ack-first")."""
    agencies = agencies if agencies is not None else sample_partnership().agencies
    with contextlib.ExitStack() as exits:
        where = folder or Path(exits.enter_context(tempfile.TemporaryDirectory(prefix="joinedup-bench-")))
        standin = StandInProcess(delay=delay)
        exits.callback(standin.stop)
        populate(standin, agencies)
        config = write_config(where, agencies)
        db = create_database(db_kind, where)
        joinedup = start_server("joinedup", db=db, standin_api_url=standin.api_url, config=config, folder=where,
                                variant=variant)
        exits.callback(joinedup.stop)
        base = start_server("baseline", db=db, standin_api_url=standin.api_url, config=config, folder=where) \
            if baseline else None
        if base:
            exits.callback(base.stop)
        least = start_server("floor", db=db, standin_api_url=standin.api_url, config=config, folder=where,
                             extra_env={"JOINEDUP_FLOOR_MODE": floor}) if floor else None
        if least:
            exits.callback(least.stop)
        log(f"{db_kind}: joinedup on :{joinedup.port} ({len(joinedup.workers())} worker(s))"
            + (f", baseline on :{base.port}" if base else "") + (f", floor on :{least.port}" if least else "")
            + f", stand-in on :{standin.port}")
        s = Stack(db_kind, where, standin, db, tuple(agencies), joinedup, base, least, slack_delay=delay,
                  answers=dict(answers) if answers else dict(ANSWERS))
        try:
            yield s
        finally:
            exits.close()
            with contextlib.suppress(Exception):
                db.drop()


# --- phases ------------------------------------------------------------------------------------------

SETTLE_SECONDS = 90.0


def settle(standin: StandInProcess, *, until: Callable[[], bool] | None = None, quiet: float = 0.6,
           timeout: float = SETTLE_SECONDS) -> float:
    """Wait for Joined Up's work after the acks to finish: no new Slack calls for `quiet` seconds."""
    start = time.monotonic()
    last, since = standin("ncalls"), time.monotonic()
    while time.monotonic() - start < timeout:
        time.sleep(0.1)
        now_calls = standin("ncalls")
        if now_calls != last:
            last, since = now_calls, time.monotonic()
        elif time.monotonic() - since >= quiet and (until is None or until()):
            break
    return time.monotonic() - start


def trigger_ages(calls: list[dict[str, Any]], sent_at: dict[str, float]) -> list[float]:
    ages = [c["at"] - sent_at[c["args"]["trigger_id"]] for c in calls
            if c["method"] == "views.open" and c["args"].get("trigger_id") in sent_at]
    return sorted(ages)


def pct(values: list[float], p: float) -> float | None:
    from bench.load import percentile
    return round(percentile(values, p) * 1000, 2) if values else None


def phase(s: Stack, app: str, kind: str, *, n: int, concurrency: int = 0, rate: float = 0.0,
          max_seconds: float = 120.0, click: ClickTarget | None = None, verify: bool = True) -> dict[str, Any]:
    """One burst of one kind of request at one app; for Joined Up, waits out the work after the acks and checks
    the exactly-once counts at the stand-in."""
    server = s.server(app)
    prepared: Prepared = prepare(kind, s.template(kind, click), n, port=server.port, secret=SIGNING_SECRET,
                                 prefix=s.prefix(kind))
    s.db.analyze()
    calls_before = s.standin("ncalls")
    meter = server.cpu_meter()
    with meter:
        if rate:
            result: Result = run_open(server.port, prepared, rate, max_seconds=max_seconds, check=check_for(app, kind))
        else:
            result = run_closed(server.port, prepared, concurrency, max_seconds=max_seconds, check=check_for(app, kind))
        settle_s = 0.0
        if app != "baseline":
            expected = _expected(s, kind, result) if verify and app == "joinedup" else {}
            # A channel's messages go one at a time, so one owed n messages takes n of Slack's answers.
            settle_s = settle(s.standin, until=lambda: _reached(s, calls_before, expected),
                              timeout=SETTLE_SECONDS + 2 * result.ok * s.slack_delay)
    row: dict[str, Any] = {"app": app, "db": s.db_kind, **result.summary(), "settle_s": round(settle_s, 2),
                           "cpu_s": round(meter.seconds, 3),
                           "cpu_ms_per_request": round(1000 * meter.seconds / result.count, 3) if result.count else None}
    if app != "baseline":
        calls = s.standin("calls", since=calls_before)
        if kind == "record":
            ages = trigger_ages(calls, result.sent_at)
            row["trigger_age_ms"] = {"count": len(ages), "p50": pct(ages, 50), "p90": pct(ages, 90),
                                     "p99": pct(ages, 99), "max": pct(ages, 100)}
        if verify and app == "joinedup":
            row["checks"] = _verify(s, kind, result, calls, click)
    return row


def _agency_channels(s: Stack) -> set[str]:
    keys = set(s.answers[Field.SHARE_WITH])
    return {a.channel for a in s.agencies if a.key in keys}


def _expected(s: Stack, kind: str, result: Result) -> dict[str, int]:
    if kind == "submit":
        return {"agency_posts": result.ok * len(s.answers[Field.SHARE_WITH]), "status_posts": result.ok}
    return {}


def _reached(s: Stack, since: int, expected: dict[str, int]) -> bool:
    if not expected:
        return True
    posts = [c for c in s.standin("calls", method="chat.postMessage", since=since) if c["ok"]]
    agency = sum(1 for c in posts if c["args"].get("channel") in _agency_channels(s))
    status = sum(1 for c in posts if c["args"].get("channel") == SAM.user_id)
    return agency >= expected["agency_posts"] and status >= expected["status_posts"]


def _verify(s: Stack, kind: str, result: Result, calls: list[dict[str, Any]], click: ClickTarget | None) -> dict[str, Any]:
    """Exactly-once, as counted at the stand-in."""
    checks: dict[str, Any] = {}
    posts = [c for c in calls if c["method"] == "chat.postMessage" and c["ok"]]
    if kind == "record":
        opened = sum(1 for c in calls if c["method"] == "views.open" and c["ok"])
        checks["views.open == /record answered"] = [opened, result.ok, opened == result.ok]
    if kind == "submit":
        channels = _agency_channels(s)
        agency = [c for c in posts if c["args"].get("channel") in channels]
        status = [c for c in posts if c["args"].get("channel") == SAM.user_id]
        distinct = {(c["args"].get("channel"), c["args"].get("text")) for c in agency}
        want = result.ok * len(channels)
        checks["agency posts == submissions x agencies"] = [len(agency), want, len(agency) == want]
        checks["agency posts all distinct"] = [len(distinct), len(agency), len(distinct) == len(agency)]
        checks["sharer status posts == submissions"] = [len(status), result.ok, len(status) == result.ok]
        checks["Slack calls refused"] = sum(1 for c in calls if not c["ok"] and c["method"] != "response_url")
    if kind == "click" and click is not None:
        updates = [c for c in calls if c["method"] == "chat.update" and c["ok"]]
        post = sum(1 for c in updates if c["args"].get("channel") == click.channel and c["args"].get("ts") == click.ts)
        status = sum(1 for c in updates if c["args"].get("channel") == click.status_channel
                     and c["args"].get("ts") == click.status_ts)
        replies = sum(1 for c in calls if c["method"] == "response_url")
        checks["chat.update of the post == 1"] = [post, 1, post == 1]
        checks["chat.update of the sharer's status == 1"] = [status, 1, status == 1]
        checks["'already acknowledged' replies == clicks - 1"] = [replies, result.ok - 1, replies == result.ok - 1]
    return checks


def failed_checks(row: dict[str, Any]) -> list[str]:
    return [f"{name}: got {value[0]}, want {value[1]}" for name, value in (row.get("checks") or {}).items()
            if isinstance(value, list) and not value[2]]


# --- smoke -----------------------------------------------------------------------------------------

def run_smoke(db_kind: str = "sqlite", *, n: int = 60, concurrency: int = 8, baseline: bool = True) -> dict[str, Any]:
    """Every kind of request answered by Joined Up (and the baseline), and the exactly-once counts; no timing gates."""
    rows: list[dict[str, Any]] = []
    with stack(db_kind, baseline=baseline) as s:
        apps = ["joinedup", "baseline"] if baseline else ["joinedup"]
        for kind in ("joinedup", "record", "submit", "click"):
            click = s.click_target() if kind == "click" else None
            for app in apps:
                if app == "baseline" and kind == "joinedup":
                    continue
                rows.append({"kind": kind, **phase(s, app, kind, n=n, concurrency=concurrency, click=click,
                                                   max_seconds=60)})
        probe = probe_first_submissions(s)
    problems = [f"{r['app']} {r['kind']}: {r['errors']} error(s) of {r['count']}: {r['error_samples'][:2]}"
                for r in rows if r["errors"] or r["ok"] != n]
    problems += [f"{r['app']} {r['kind']}: {p}" for r in rows for p in failed_checks(r)]
    return {"db": db_kind, "rows": rows, "problems": problems, "ok": not problems, "probe": probe}


def probe_first_submissions(s: Stack, n: int = 8) -> dict[str, Any]:
    """n submissions at once by a practitioner who has never submitted (their agency not yet remembered).
    Informational: reported, not gated (a product issue, not the harness's)."""
    from bot.demo.sample import NIA
    body = s.submit_body_for(NIA.user_id)
    prepared = prepare("submit", body, n, port=s.joinedup.port, secret=SIGNING_SECRET, prefix=s.prefix("first"))
    result = run_closed(s.joinedup.port, prepared, n, max_seconds=30, check=expect_update)
    settle(s.standin)
    return {"submissions": result.count, "saved": result.ok, "refused": result.errors,
            "samples": [e[:120] for e in result.error_samples[:2]]}


# --- the interleaved run ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Config:
    concurrency: int
    slack_ms: int = 0

    @property
    def label(self) -> str:
        return f"C={self.concurrency}" + (f", Slack {self.slack_ms} ms" if self.slack_ms else "")


CONFIGS = (Config(1), Config(8), Config(32), Config(8, 100))


def run_interleaved(db_kind: str, *, reps: int, counts: dict[int, int], configs: tuple[Config, ...] = CONFIGS,
                    kinds: tuple[str, ...] = KINDS, floor: str = "") -> dict[str, Any]:
    """Baseline and Joined Up alternating phase by phase (the order flips each time), every config and kind,
    `reps` times; with `floor`, baseline and the floor in that mode instead. Returns one row per phase, and the
    stand-in's CPU over the run."""
    rows: list[dict[str, Any]] = []
    subject = "floor" if floor else "joinedup"
    with stack(db_kind, floor=floor) as s:
        standin_cpu = s.standin("cpu")
        turn = 0
        for rep in range(1, reps + 1):
            for config in configs:
                s.set_slack_delay(config.slack_ms / 1000)
                for kind in kinds:
                    n = counts.get(config.concurrency, 2000)
                    # The floor's shares need no record: each phase clicks a new one, as Joined Up's do.
                    click = (unposted_click(turn + 1) if floor else s.click_target()) if kind == "click" else None
                    order = ("baseline", subject) if turn % 2 == 0 else (subject, "baseline")
                    turn += 1
                    for app in order:
                        row = phase(s, app, kind, n=n, concurrency=config.concurrency, click=click)
                        row.update(rep=rep, config=config.label, slack_ms=config.slack_ms, **({"floor": floor} if floor else {}))
                        rows.append(row)
                        bad = failed_checks(row)
                        log(f"{db_kind} rep {rep} {config.label:16} {LABELS[kind]:12} {app:9} "
                            f"n={row['count']} err={row['errors']} p50={row['p50_ms']} p99={row['p99_ms']} ms "
                            f"{row['throughput']}/s cpu {row['cpu_ms_per_request']} ms/req"
                            + (f" trigger p99 {row['trigger_age_ms']['p99']} ms" if 'trigger_age_ms' in row else "")
                            + (f" CHECK FAILED {bad}" if bad else "")
                            + (f" ERRORS {row['error_samples'][:2]}" if row["errors"] else ""))
            s.set_slack_delay(0)
        standin_cpu = s.standin("cpu") - standin_cpu
    return {"rows": rows, "standin_cpu_s": round(standin_cpu, 2)}


def run_open_loop(db_kind: str, *, rate: float, seconds: float, kinds: tuple[str, ...] = KINDS) -> list[dict[str, Any]]:
    """Each kind at a fixed arrival rate, baseline then Joined Up."""
    rows = []
    with stack(db_kind) as s:
        for kind in kinds:
            click = s.click_target() if kind == "click" else None
            for app in ("baseline", "joinedup"):
                row = phase(s, app, kind, n=int(rate * seconds), rate=rate, max_seconds=seconds + 5, click=click)
                row.update(config=f"open {rate:g}/s")
                rows.append(row)
                log(f"{db_kind} open {rate:g}/s {LABELS[kind]:12} {app:9} n={row['count']} err={row['errors']} "
                    f"p50={row['p50_ms']} p99={row['p99_ms']} ms")
    return rows


def paired_ratios(rows: list[dict[str, Any]], subject: str = "joinedup") -> list[dict[str, Any]]:
    """Joined Up (or the floor) / baseline per (db, config, kind, rep), then the median over repetitions."""
    pairs: dict[tuple, dict[str, dict[str, Any]]] = {}
    for row in rows:
        pairs.setdefault((row["db"], row["config"], row["kind"], row["rep"]), {})[row["app"]] = row
    grouped: dict[tuple, list[dict[str, float]]] = {}
    for (db, config, kind, rep), both in pairs.items():
        if len(both) != 2:
            continue
        ju, base = both[subject], both["baseline"]
        grouped.setdefault((db, config, kind), []).append({
            "p50": _ratio(ju["p50_ms"], base["p50_ms"]), "p99": _ratio(ju["p99_ms"], base["p99_ms"]),
            "throughput": _ratio(ju["throughput"], base["throughput"]),
            "cpu": _ratio(ju["cpu_ms_per_request"], base["cpu_ms_per_request"]),
        })
    out = []
    for (db, config, kind), ratios in grouped.items():
        mine = [r for r in rows if (r["db"], r["config"], r["kind"]) == (db, config, kind)]
        med = {f"{app}_{key}": _median([r[key] for r in mine if r["app"] == app and r[key] is not None])
               for app in ("baseline", subject) for key in ("p50_ms", "p99_ms", "throughput", "cpu_ms_per_request")}
        ages = [r["trigger_age_ms"]["p99"] for r in mine if r.get("trigger_age_ms", {}).get("p99") is not None]
        out.append({"db": db, "config": config, "kind": kind, "reps": len(ratios), **med,
                    **{f"ratio_{k}": _median([r[k] for r in ratios if r[k] is not None]) for k in ratios[0]},
                    "errors": sum(r["errors"] for r in mine if r["app"] == subject),
                    "slow": sum(r["slow"] for r in mine if r["app"] == subject),
                    "baseline_errors": sum(r["errors"] for r in mine if r["app"] == "baseline"),
                    "trigger_age_p99_ms": _median(ages) if ages else None,
                    "checks_failed": sorted({p for r in mine for p in failed_checks(r)})})
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0 or a != a or b != b:
        return None
    return a / b


def _median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None and v == v]
    return round(statistics.median(values), 3) if values else None


# --- experiments: a recommended product change patched in (bench/experiment_server.py) -------------------

def run_experiments(db_kind: str, *, variants: tuple[str, ...], n: int, reps: int, concurrency: int = 8,
                    kinds: tuple[str, ...] = ("submit", "click")) -> list[dict[str, Any]]:
    """Each variant of Joined Up against the baseline, interleaved, at one concurrency; no exactly-once gating
    (a variant may skip delivery on purpose)."""
    rows: list[dict[str, Any]] = []
    for variant in variants:
        with stack(db_kind, variant=variant) as s:
            for rep in range(1, reps + 1):
                for kind in kinds:
                    click = s.click_target(unposted_ok=True) if kind == "click" else None
                    for app in (("baseline", "joinedup") if rep % 2 else ("joinedup", "baseline")):
                        row = phase(s, app, kind, n=n, concurrency=concurrency, click=click, verify=False)
                        row.update(rep=rep, config=f"C={concurrency} {variant}", variant=variant)
                        rows.append(row)
                        log(f"experiment {db_kind} {variant:12} rep {rep} {LABELS[kind]:12} {app:9} "
                            f"p50={row['p50_ms']} p99={row['p99_ms']} ms {row['throughput']}/s "
                            f"cpu {row['cpu_ms_per_request']} ms/req")
    return rows
