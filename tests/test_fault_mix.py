"""Exactly once, under every fault Slack and the network produce, mixed by chance and by schedule.

The stand-in fails a share of the calls delivery makes (posts, updates and the look-ups before a re-post): 429s
with Retry-After, 5xx before or after Slack acted, connections dropped before or after, answers after the
client's timeout. Then the suite counts, in the stand-in, the copies of every message Joined Up owed: none lost,
none doubled, and every message in Slack showing what Joined Up would render now (converged). Both databases.

`scripts/reliability` runs the same tests larger (JOINEDUP_FAULT_RECORDS records, JOINEDUP_FAULT_KILLS kills) and
collects the figures each writes to JOINEDUP_FAULT_REPORT; docs/reliability.md has a run's.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.blocks.record_form import FormDefaults, read_record_form, record_form
from bot.blocks.text import notice
from bot.blocks.ids import Field
from bot.demo.sample import EDUCATION, HEALTH, NIA, PAT, POLICE, SAM, TIA, sample_partnership
from bot.edge.client import slack_client
from bot.domain.clock import SystemClock
from bot.processes.delivery import PROCESS_NAME
from bot.processes.executors import InlineExecutor
from bot.services.wiring import Services, build_services
from bot.standin.signed_requests import fill
from bot.standin.slack import FAULT_KINDS, SlackStandIn
from storage.models import Share, SlackMessage
from tests.conftest import BOT_TOKEN, VALID_ANSWERS
from tests.serving import environment, serve, submission
from tests.test_faults import child_processes

# Every call delivery makes that can fail: posts and updates, and the look-ups before posting again.
DELIVERY_CALLS = ("chat.postMessage", "chat.update", "conversations.history", "conversations.replies",
                  "conversations.open")
TIMEOUT_SECONDS = 0.2  # the client's, in these tests; a "late" answer comes after it
LATE_SECONDS = 0.4
SETTLE_PASSES = 80
RECORDS = int(os.environ.get("JOINEDUP_FAULT_RECORDS") or 24)
KILLS = int(os.environ.get("JOINEDUP_FAULT_KILLS") or 4)
SHARE_WITH = (EDUCATION, HEALTH, POLICE)
ANSWERS = {**VALID_ANSWERS, Field.SHARE_WITH: [agency.key for agency in SHARE_WITH]}
ACKNOWLEDGERS = {EDUCATION.key: TIA.user_id, HEALTH.key: NIA.user_id, POLICE.key: PAT.user_id}


@dataclass
class Tally:
    owed: int
    lost: list[str]
    doubled: dict[str, int]
    stale: list[str]
    unsettled: int
    faults: dict[str, int]
    content_in_logs: int = 0
    tracebacks: int = 0

    def figures(self) -> dict[str, object]:
        return {"owed": self.owed, "lost": len(self.lost), "doubled": len(self.doubled), "stale": len(self.stale),
                "unsettled": self.unsettled, "content in logs": self.content_in_logs,
                "tracebacks": self.tracebacks, "faults": self.faults}


def with_logs(result: Tally, logs: str) -> Tally:
    """The log scanned for anything typed into a record and for tracebacks."""
    typed = [str(value) for value in ANSWERS.values() if isinstance(value, str) and len(value) > 10]
    result.content_in_logs = sum(logs.count(text) for text in [ANSWERS[Field.CASE_REFERENCE], *typed])
    result.tracebacks = logs.count("Traceback")
    return result


def report(request, result: Tally, **more: object) -> None:
    """Write this run's figures where scripts/reliability collects them, if it asked."""
    path = os.environ.get("JOINEDUP_FAULT_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"test": request.node.name, **result.figures(), **more}) + "\n")


def start(database, standin: SlackStandIn, clock) -> Services:
    return build_services(partnership=sample_partnership(), db=database, clock=clock, work=InlineExecutor(),
                          client=slack_client(BOT_TOKEN, standin.api_url, timeout=TIMEOUT_SECONDS),
                          delay=lambda seconds, action: None)


def share_and_acknowledge(services: Services, clock, *, records: int, tag: str) -> None:
    """`records` records to three agencies, delivered in batches as they come, with every other share
    acknowledged (a change to two posts and the sharer's status) while delivery is under way."""
    view = record_form(services.partnership, FormDefaults(occurred_at=clock.now(),
                                                          follow_up_on=clock.now().date() + timedelta(days=14)))
    form = read_record_form(fill(view, ANSWERS))
    for number in range(records):
        saved = services.records.save(form, user_id=SAM.user_id, submission_key=f"V{tag}{number}")
        if number % 4 == 3:
            services.outbox.deliver_due()
        with services.db.read() as session:
            shares = session.execute(select(Share.id, Share.agency_key).where(Share.record_id == saved.record_id)).all()
        for share_id, agency in shares[number % 2::2]:
            services.acknowledgements.acknowledge(share_id, ACKNOWLEDGERS[agency])
        clock.advance(seconds=7)


def settle(services: Services, clock) -> int:
    """Delivery passes, with time moving past every backoff, until nothing is owed; returns what still is."""
    for _ in range(SETTLE_PASSES):
        clock.advance(minutes=16)
        services.outbox.deliver_due()
        with services.db.read() as session:
            owed = session.scalar(select(func.count()).where(SlackMessage.pending.is_(True)))
        if not owed:
            return 0
    return owed


def tally(services: Services, standin: SlackStandIn, owed_unsettled: int) -> Tally:
    copies = standin.copies()
    lost, stale = [], []
    with services.db.read() as session:
        messages = list(session.scalars(select(SlackMessage).where(SlackMessage.cancelled_at.is_(None))))
        content = services.outbox.content
        with content.loaded(session, {m.record_id for m in messages if m.record_id is not None}):
            for message in messages:
                if message.key not in copies:
                    lost.append(message.key)
                    continue
                wanted = content.render(session, message)
                shown = standin.message(message.channel_id or "", message.ts or "")
                expected = json.loads(json.dumps(wanted.blocks or notice(wanted.text)))
                if shown is None or shown["blocks"] != expected or shown["text"] != wanted.text:
                    stale.append(message.key)
    faults: dict[str, int] = {}
    for call in standin.calls():
        if call.fault:
            faults[call.fault] = faults.get(call.fault, 0) + 1
    return Tally(owed=len(messages), lost=lost, doubled={k: len(v) for k, v in copies.items() if len(v) > 1},
                 stale=stale, unsettled=owed_unsettled, faults=faults)


def assert_exactly_once(result: Tally) -> None:
    assert (result.lost, result.doubled, result.stale, result.unsettled, result.content_in_logs,
            result.tracebacks) == ([], {}, [], 0, 0, 0), result


@pytest.mark.parametrize("rate,seed", [(0.03, 1), (0.15, 2)])
def test_under_a_mix_of_every_fault_each_message_reaches_slack_once_and_shows_the_truth(
        database, standin, clock, rate, seed, caplog, request):
    caplog.set_level(logging.INFO)  # as `joinedup` logs
    services = start(database, standin, clock)
    standin.mix_faults(rate, seed=seed, methods=DELIVERY_CALLS, late_seconds=LATE_SECONDS)

    share_and_acknowledge(services, clock, records=RECORDS, tag=f"MIX{seed}")
    result = with_logs(tally(services, standin, settle(services, clock)), caplog.text)
    report(request, result, records=RECORDS, agencies=len(SHARE_WITH))

    if rate >= 0.1:
        assert set(result.faults) == set(FAULT_KINDS), f"every kind of fault was met: {result.faults}"
    assert result.owed == RECORDS * (len(SHARE_WITH) + 1)
    assert_exactly_once(result)


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_kind_of_fault_on_half_the_calls_loses_and_doubles_nothing(database, standin, clock, kind, caplog,
                                                                        request):
    """One kind at a time, on every other call: each fault's own path, many times over."""
    caplog.set_level(logging.INFO)  # as `joinedup` logs
    services = start(database, standin, clock)
    standin.mix_faults(0.5, seed=len(kind), methods=DELIVERY_CALLS, kinds=(kind,), late_seconds=LATE_SECONDS)

    share_and_acknowledge(services, clock, records=max(6, RECORDS // 4), tag=f"ONE{kind}")
    result = with_logs(tally(services, standin, settle(services, clock)), caplog.text)
    report(request, result, records=max(6, RECORDS // 4), agencies=len(SHARE_WITH))

    assert result.faults.get(kind, 0) >= 5, result.faults
    assert_exactly_once(result)


def deliverer_of(served) -> int:
    [pid] = [pid for pid, name in child_processes(served.process.pid).items() if name == PROCESS_NAME]
    return pid


def test_delivery_processes_killed_mid_batch_under_faults_lose_and_double_nothing_and_recover_at_once(
        database, standin, tmp_path, request):
    env = environment(tmp_path, database.url, standin)
    served = serve(env, standin)
    services = start(database, standin, SystemClock())  # reads what was owed, and renders it, from outside
    # 429s only besides the kills: other faults back off for 15 s and more, which would hide how long a kill costs
    standin.mix_faults(0.05, seed=7, methods=DELIVERY_CALLS, kinds=("429",))
    standin.set_delay(0.02)  # each call takes a moment, so a kill lands mid-batch
    records, kills, killed, kill_times = max(30, RECORDS), KILLS, [], []
    try:
        sent = [served.sender.submit(*submission(ANSWERS, number), user=SAM.user_id)
                for number in range(records - kills)]
        every = records * (len(SHARE_WITH) + 1) // (kills + 2)  # posts between kills, so they spread over the run
        for round_ in range(kills):
            assert standin.wait_for("chat.postMessage", every * (round_ + 1), timeout=60)
            killed.append(deliverer_of(served))
            os.kill(killed[-1], signal.SIGKILL)
            kill_times.append(time.monotonic())
            sent.append(served.sender.submit(*submission(ANSWERS, 1000 + round_), user=SAM.user_id))
        assert [reply.status for reply in sent] == [200] * records

        # a channel refused with a 429 gets a message a second for a minute: a large run takes that long
        assert eventually(lambda: settled(services), within=max(90, records * 3)), "delivery settles"
        assert deliverer_of(served) not in killed
    finally:
        served.stop()
    standin.clear_failures()
    standin.set_delay(0)

    result = with_logs(tally(services, standin, 0), "".join(served.output))
    assert result.owed == records * (len(SHARE_WITH) + 1)
    delivered_at = [call.at for call in standin.calls() if call.ok and call.method.startswith("chat.")]
    resumed_after = [min(at for at in delivered_at if at > killed_at) - killed_at for killed_at in kill_times]
    report(request, result, records=records, agencies=len(SHARE_WITH), kills=kills,
           longest_pause_after_a_kill=round(max(resumed_after), 2))
    assert_exactly_once(result)
    assert max(resumed_after) < 5, f"the new deliverer takes back the killed one's claims at once: {resumed_after}"
    assert "claimed by a delivery process that stopped" in "".join(served.output), "the killed ones' claims taken back"


def eventually(condition, *, within: float) -> bool:
    """Whether `condition` comes to hold within so many seconds: for what another process writes to the database,
    which the stand-in cannot see, looked at ten times a second."""
    deadline, pause = time.monotonic() + within, threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            return False
        pause.wait(0.1)
    return True


def settled(services: Services) -> bool:
    with services.db.read() as session:
        return not session.scalar(select(func.count()).where(SlackMessage.pending.is_(True)))
