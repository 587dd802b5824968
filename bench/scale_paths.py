"""The interactive paths on the seeded history against an empty database: the service calls each request makes.

The request drivers of bench/suite.py build their own database, so the paths are timed here at the service
layer, in-process, with the Slack stand-in answering (its delivery runs on a pool, off the timed call):
`/record` = RecordService.form_defaults (what the command reads before views.open), submit = RecordService.save,
acknowledge = AcknowledgementService.acknowledge (of a post of the record just saved), App Home =
OverviewService.overview for a member of a receiving agency (whose waiting list is the seeded history's too),
admin's App Home = OverviewService.overview and home_figures (this week's partnership figures) for the partnership's
admin, as handlers/home.py reads them before building the view. The figures App Home shows are counted and kept each
minute by a scheduled job (keep_home_figures); each block of rounds counts them once before its untimed first
round, as that job would have, and times it apart ("the minute's count"): work moved off the request, not away.
Not in each round, because in production another process makes it, and a count just before a path would leave
this process's caches to it.
"""
from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, Callable

from sqlalchemy import select

from bench.servers import BOT_TOKEN, populate
from bench.standin_runner import StandInProcess
from bot.blocks.record_form import FormDefaults, read_record_form, record_form
from bot.demo.sample import ADMIN, SAM, SAMPLE_ANSWERS, sample_partnership
from bot.domain.clock import SystemClock
from bot.edge.client import slack_client
from bot.services.home_figures import count_home_figures, home_figures
from bot.services.wiring import build_services
from bot.standin.signed_requests import fill
from storage.db import Database
from storage.models import Share

PATHS = ("/record", "submit", "acknowledge", "App Home", "admin's App Home", "the minute's count")


def time_paths(url: str, standin: StandInProcess, rounds: int, label: str,
               paths: tuple[str, ...] = PATHS) -> dict[str, list[float]]:
    db, clock = Database(url), SystemClock()
    services = build_services(partnership=sample_partnership(), db=db, clock=clock,
                              client=slack_client(BOT_TOKEN, standin.api_url),
                              work=ThreadPoolExecutor(8, thread_name_prefix="bench-work"))
    view = record_form(services.partnership, FormDefaults(occurred_at=clock.now(),
                                                          follow_up_on=clock.now().date() + timedelta(days=14)))
    form = read_record_form(fill(view, SAMPLE_ANSWERS))
    seconds: dict[str, list[float]] = {path: [] for path in paths}

    def timed(path: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = work()
        seconds[path].append(time.perf_counter() - started)
        return result

    counted = []
    if "the minute's count" in seconds:  # once a block, before its untimed first round: see the docstring
        started = time.perf_counter()
        count_home_figures(db=db, partnership=services.partnership, now=clock.now())
        counted.append(time.perf_counter() - started)
    try:
        for number in range(rounds + 1):  # the first round warms caches and is not counted
            timed("/record", lambda: services.records.form_defaults(SAM.user_id))
            saved = timed("submit", lambda: services.records.save(form, user_id=SAM.user_id,
                                                                  submission_key=f"scale-{label}-{number}"))
            with db.read() as session:
                share = session.scalars(select(Share).where(Share.record_id == saved.record_id)).first()
                share_id, agency = share.id, share.agency_key
            member = sorted(services.directory.members(agency))[0]
            timed("acknowledge", lambda: services.acknowledgements.acknowledge(share_id, member))
            if "App Home" in seconds:
                timed("App Home", lambda: services.overview.overview(member))
            if "admin's App Home" in seconds:
                timed("admin's App Home", lambda: (services.overview.overview(ADMIN.user_id), home_figures(
                    ADMIN.user_id, db=db, partnership=services.partnership, directory=services.directory,
                    clock=clock)))
            if number == 0:
                for values in seconds.values():
                    values.clear()
                seconds.get("the minute's count", []).extend(counted)
    finally:
        services.work.shutdown(wait=True)  # type: ignore[attr-defined]
        db.dispose()
    return seconds


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50_ms": 1000 * statistics.median(ordered),
            "p90_ms": 1000 * ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]}


def compare_paths(kind: str, seeded_url: str, fresh_database: Callable[..., tuple[str, Callable[[], None]]],
                  rounds: int = 20, paths: tuple[str, ...] = PATHS) -> dict[str, Any]:
    """Each path's p50/p90 on the seeded database and on an empty one, rounds interleaved in blocks of ten."""
    standin = StandInProcess()
    run = time.strftime("%Y%m%d%H%M%S")
    empty_url, drop_empty = fresh_database(kind, "_empty")
    try:
        populate(standin)
        seeded: dict[str, list[float]] = {path: [] for path in paths}
        empty: dict[str, list[float]] = {path: [] for path in paths}
        for block in range(max(1, rounds // 10)):
            # Keys of this run's own: a database kept from an earlier run already holds that run's forms, and
            # saving one again would time the "already saved" answer instead.
            for url, into, label in ((seeded_url, seeded, f"s{run}-{block}"), (empty_url, empty, f"e{run}-{block}")):
                for path, values in time_paths(url, standin, min(rounds, 10), label, paths).items():
                    into[path] += values
    finally:
        standin.stop()
        drop_empty()
    result = {}
    for path in paths:
        on_seeded, on_empty = summary(seeded[path]), summary(empty[path])
        result[path] = {"seeded": on_seeded, "empty": on_empty,
                        "p50_ratio": on_seeded["p50_ms"] / on_empty["p50_ms"]}
    return result
