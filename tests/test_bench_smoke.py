"""The benchmark harness's smoke core: real `joinedup serve` and the baseline behind gunicorn, the Slack stand-in in
its own process, signed requests from bench/load.py; every kind of request answered and the exactly-once counts
(N submissions → N × agencies posts; N clicks on one button → one update of the post and one of the status)."""
from __future__ import annotations

import os

import pytest

from bench.servers import postgres_available
from bench.suite import run_smoke

POSTGRES_ENV = "JOINEDUP_TEST_POSTGRES_URL"


def _assert_smoke(result: dict) -> None:
    assert result["problems"] == []
    kinds = {(row["app"], row["kind"]) for row in result["rows"]}
    assert {("joinedup", k) for k in ("joinedup", "record", "submit", "click")} <= kinds
    for row in result["rows"]:
        assert row["errors"] == 0 and row["ok"] == row["count"], row
        for name, value in (row.get("checks") or {}).items():
            if isinstance(value, list):
                assert value[2], f"{row['kind']}: {name}: got {value[0]}, want {value[1]}"


def test_smoke_sqlite_with_baseline() -> None:
    result = run_smoke("sqlite", n=30, baseline=True)
    assert any(row["app"] == "baseline" for row in result["rows"])
    _assert_smoke(result)


def test_smoke_postgresql() -> None:
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"the PostgreSQL smoke needs {POSTGRES_ENV}")
    if why := postgres_available():
        pytest.skip(f"PostgreSQL did not answer: {why}")
    _assert_smoke(run_smoke("postgresql", n=30, baseline=False))


@pytest.mark.parametrize("mode", ["open-first", "ack-first"])
def test_floor_answers_every_request_and_opens_every_form(mode: str) -> None:
    from bench.suite import Config, run_interleaved

    rows = run_interleaved("sqlite", reps=1, counts={8: 20}, configs=(Config(8),), floor=mode)["rows"]
    assert {(row["app"], row["kind"]) for row in rows} == {(app, kind) for app in ("baseline", "floor")
                                                           for kind in ("record", "submit", "click")}
    for row in rows:
        assert row["errors"] == 0 and row["ok"] == row["count"] == 20, row
    opened = next(row for row in rows if row["app"] == "floor" and row["kind"] == "record")["trigger_age_ms"]
    assert opened["count"] == 20
