"""`python -m bench`: the benchmark suite. See docs/benchmarks.md."""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from typing import Any

SCENARIOS = ("requests", "floor", "open", "fanout", "history", "reminders", "memory", "experiments")
DEFAULT = SCENARIOS[:-1]  # experiments (recommended changes patched in) only when asked for

FULL = {
    "reps": 3, "counts": {1: 1000, 8: 2000, 32: 2000}, "open_rate": 50.0, "open_seconds": 20.0,
    "fanout_bursts": (1, 3), "fanout_slack_ms": (0, 100), "history_rows": 1_000_000, "history_passes": 20,
    "reminders": 10_000, "reminder_agencies": 100, "reminders_seconds": 900.0, "memory": 100_000,
    "experiment_n": 1000, "experiment_reps": 3, "floor_counts": {1: 500, 8: 1000, 32: 1000},
}
QUICK = {
    "reps": 3, "counts": {1: 200, 8: 300, 32: 300}, "open_rate": 40.0, "open_seconds": 6.0,
    "fanout_bursts": (1, 3), "fanout_slack_ms": (0,), "history_rows": 100_000, "history_passes": 10,
    "reminders": 1_000, "reminder_agencies": 50, "reminders_seconds": 180.0, "memory": 9_000,
    "experiment_n": 300, "experiment_reps": 2, "floor_counts": {1: 200, 8: 300, 32: 300},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller counts (same shape), about 15 minutes")
    parser.add_argument("--smoke", action="store_true",
                        help="every kind of request answered and the exactly-once counts hold; no timing gates")
    parser.add_argument("--only", action="append", choices=SCENARIOS, help="run only this scenario (repeatable)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--reps", type=int, help="repetitions of the interleaved run")
    parser.add_argument("--count", type=int, help="requests per phase (all concurrencies)")
    parser.add_argument("--no-docs", action="store_true", help="write bench/results/latest.json only")
    parser.add_argument("--report", action="store_true", help="only rewrite docs/benchmarks.md from latest.json")
    args = parser.parse_args(argv)
    if args.report:
        from bench.report import load_latest, markdown, write_doc_file
        write_doc_file(markdown(load_latest()))
        return 0

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bot").setLevel(logging.ERROR)  # in-process sweeps log every 429 as a warning

    from bench.report import machine, save
    from bench.servers import postgres_available
    from bench.suite import log

    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in dbs and (why := postgres_available()):
        log(f"PostgreSQL skipped: {why}")
        dbs.remove("postgresql")
        if not dbs:
            return 2

    if args.smoke:
        return smoke(dbs)

    p = dict(QUICK if args.quick else FULL)
    if args.reps:
        p["reps"] = args.reps
    if args.count:
        p["counts"] = p["floor_counts"] = {c: args.count for c in (1, 8, 32)}
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    chosen = args.only or list(DEFAULT)
    results: dict[str, Any] = {"machine": machine(), "scenarios": {}}
    started = time.monotonic()
    for scenario in SCENARIOS:
        if scenario not in chosen:
            continue
        for db in dbs:
            log(f"--- {scenario} on {db}")
            entry = run_scenario(scenario, db, p, command)
            results["scenarios"].setdefault(scenario, {})[db] = entry
            save(results, write_doc=not args.no_docs)  # keep what is done if a later part fails
    log(f"done in {time.monotonic() - started:.0f}s: bench/results/latest.json"
        + ("" if args.no_docs else ", docs/benchmarks.md"))
    from bench.report import load_latest, targets
    for target, scope, measured, met, least in targets(load_latest()):
        print(f"{'ok  ' if met else 'FAIL'} {target} [{scope}]: {measured}" + (f" (floor: {least})" if least else ""))
    return 0


def run_scenario(scenario: str, db: str, p: dict[str, Any], command: str) -> dict[str, Any]:
    from bench import special, suite

    meta = {"when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "command": command, "load_before": _load()}
    if scenario == "requests":
        run = suite.run_interleaved(db, reps=p["reps"], counts=p["counts"])
        rows = run["rows"]
        gen = [r["gen_cpu_us_per_request"] for r in rows if r.get("gen_cpu_us_per_request")]
        meta.update(reps=p["reps"], counts={str(k): v for k, v in p["counts"].items()}, load_after=_load(),
                    generator_cpu_us=round(statistics.median(gen), 1) if gen else None,
                    standin_cpu_s=run["standin_cpu_s"])
        return {"meta": meta, "rows": rows, "ratios": suite.paired_ratios(rows)}
    if scenario == "floor":
        # Ack-first changes only /record; its form opens after the ack, so its trigger age is what it costs.
        rows = [row for mode, kinds in (("open-first", suite.KINDS), ("ack-first", ("record",)))
                for row in suite.run_interleaved(db, reps=p["reps"], counts=p["floor_counts"], kinds=kinds,
                                                 floor=mode)["rows"]]
        ratios = [{**ratio, "floor": mode} for mode in ("open-first", "ack-first")
                  for ratio in suite.paired_ratios([r for r in rows if r["floor"] == mode], subject="floor")]
        meta.update(reps=p["reps"], counts={str(k): v for k, v in p["floor_counts"].items()}, load_after=_load())
        return {"meta": meta, "rows": rows, "ratios": ratios}
    if scenario == "open":
        rows = suite.run_open_loop(db, rate=p["open_rate"], seconds=p["open_seconds"])
        return {"meta": meta, "rows": rows}
    if scenario == "fanout":
        rows = [r for ms in p["fanout_slack_ms"] for r in special.run_fanout(db, bursts=p["fanout_bursts"], slack_ms=ms)]
        return {"meta": meta, "rows": rows}
    if scenario == "history":
        return {"meta": meta, **special.run_history(db, rows=p["history_rows"], passes=p["history_passes"])}
    if scenario == "reminders":
        return {"meta": meta, **special.run_reminders(db, reminders=p["reminders"], agencies=p["reminder_agencies"],
                                                      max_seconds=p["reminders_seconds"])}
    if scenario == "memory":
        return {"meta": meta, **special.run_memory(db, interactions=p["memory"])}
    if scenario == "experiments":
        variants = ("as-is", "no-deliver", "no-permalink") + (("no-ping",) if db == "postgresql" else ())
        rows = suite.run_experiments(db, variants=variants, n=p["experiment_n"], reps=p["experiment_reps"])
        return {"meta": meta, "rows": rows, "ratios": suite.paired_ratios(rows)}
    raise ValueError(scenario)


def smoke(dbs: list[str]) -> int:
    from bench.suite import LABELS, run_smoke

    failed = False
    for db in dbs:
        started = time.monotonic()
        result = run_smoke(db)
        for row in result["rows"]:
            print(f"{db:10} {row['app']:9} {LABELS[row['kind']]:14} {row['ok']}/{row['count']} answered, "
                  f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms"
                  + "".join(f"; {name}: {v[0]}" + ("" if v[2] else f" (want {v[1]})")
                            for name, v in (row.get("checks") or {}).items() if isinstance(v, list)))
        probe = result["probe"]
        print(f"{db:10} PROBE  {probe['submissions']} simultaneous first submissions by a new practitioner: "
              f"{probe['saved']} saved, {probe['refused']} answered 'Not saved yet' (not gated)")
        for problem in result["problems"]:
            print(f"{db:10} PROBLEM {problem}")
        print(f"{db}: smoke {'passed' if result['ok'] else 'FAILED'} in {time.monotonic() - started:.0f}s")
        failed |= not result["ok"]
    return 1 if failed else 0


def _load() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
