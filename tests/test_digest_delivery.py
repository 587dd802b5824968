"""The weekly digest through the outbox and the Slack stand-in, over real HTTP: owed once however many processes
sweep at 09:00 and after a restart, its text posted then its chart shared with Slack's upload flow, and an
attempt whose answer was lost never doubled."""
from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone
from typing import Iterator

import pytest
from PIL import Image
from sqlalchemy import select

from bot.demo.sample import SAM, sample_partnership
from bot.domain.clock import FixedClock
from bot.domain.digest_config import DigestSettings
from bot.edge.client import slack_client
from bot.processes.executors import InlineExecutor
from bot.processes.sweep import Sweeper
from bot.reports.chart import ALT_TEXT_LIMIT
from bot.services.outbox.sending import Sender
from bot.services.wiring import Services, build_services
from storage.db import Database
from storage.models import SlackMessage
from tests.conftest import BOT_TOKEN

COORD = "C0COORD"
PARTNERSHIP = replace(sample_partnership(), digest=DigestSettings(channel=COORD))
MONDAY_9AM = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)  # London keeps GMT in November
KEY, CHART_KEY, FILE = "digest:2026-W48", "digest-chart:2026-W48", "joinedup-digest-2026-W48.png"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_9AM)


@pytest.fixture
def slack(standin):
    standin.add_channel(COORD, name="coordination", members=[SAM.user_id])
    return standin


@pytest.fixture
def processes(database, slack, clock) -> Iterator[list[Services]]:
    """Joined Up as separate processes would run it: each its own services and connections, one database."""
    made: list[Database] = []

    def start() -> Services:
        db = Database(database.url)
        made.append(db)
        return build_services(partnership=PARTNERSHIP, db=db, clock=clock, work=InlineExecutor(),
                              client=slack_client(BOT_TOKEN, slack.api_url))

    yield [start(), start(), start()]
    for db in made:
        db.dispose()


def sweep(*running: Services, clock: FixedClock, passes: int = 4, minutes: float = 1) -> None:
    """Every process sweeps, a minute apart (or as many as given), long enough for a first retry's backoff."""
    for _ in range(passes):
        for services in running:
            Sweeper(services).run()
        clock.advance(minutes=minutes)


def rows(db: Database) -> dict[str, SlackMessage]:
    with db.read() as session:
        return {m.key: m for m in session.scalars(select(SlackMessage).where(
            SlackMessage.kind.in_(("digest", "digest_chart"))))}


def assert_once(slack) -> None:
    copies = slack.copies()
    assert len(copies[KEY]) == 1 and len(copies[f"file:{FILE}"]) == 1, copies
    [shared] = slack.shared_files(COORD)
    posted, chart = copies[KEY][0][1], copies[f"file:{FILE}"][0][1]
    assert float(posted) < float(chart)  # the text, then the chart, in the channel


def test_two_processes_sweeping_at_nine_owe_and_send_the_digest_once(processes, slack, clock, database):
    first, second, _ = processes
    at_once = threading.Barrier(2)

    def run(services: Services) -> list[int]:
        at_once.wait()
        return services.digest.run()

    with ThreadPoolExecutor(2) as pool:
        owed = list(pool.map(run, [first, second]))
    assert sorted(len(ids) for ids in owed) == [0, 2]
    sweep(first, second, clock=clock)

    assert_once(slack)
    sent = rows(database)
    assert set(sent) == {KEY, CHART_KEY} and not any(m.pending for m in sent.values())
    assert sent[CHART_KEY].ts == slack.shared_files(COORD)[0].id  # a chart's row keeps its file's ID
    assert sent[KEY].delivered_version == sent[KEY].version == 1


def test_a_process_that_loses_the_race_to_owe_it_carries_on(processes, slack, clock, database):
    if database.is_sqlite:
        pytest.skip("SQLite's one writer makes the look and the insert one turn: there is no race to lose")
    loser, winner, _ = processes
    owe = loser.outbox.add_new
    won: list[list[int]] = []

    def add_after_the_winner(connection, messages):
        if messages[0]["kind"] == "digest":  # the winner owes it between the loser's look and its insert
            thread = threading.Thread(target=lambda: won.append(winner.digest.run()))
            thread.start()
            thread.join(timeout=30)
        return owe(connection, messages)

    loser.outbox.add_new = add_after_the_winner  # type: ignore[method-assign]
    assert loser.digest.run() == [] and len(won[0]) == 2
    assert Sweeper(loser).run().digests == 0  # and it does not try again this week
    sweep(loser, winner, clock=clock)
    assert_once(slack)


def test_a_restart_at_nine_does_not_owe_or_send_it_again(processes, slack, clock, database):
    before, _, after = processes
    assert Sweeper(before).run().digests == 1
    sweep(before, clock=clock)
    calls = len(slack.calls())
    sweep(after, clock=clock)  # a new process on the same database, the same morning
    assert len(slack.calls()) == calls
    assert_once(slack)


def test_a_restart_after_the_digest_reached_slack_but_its_answer_was_lost_finds_it_there(
        processes, slack, clock, database):
    crashed, _, restarted = processes
    slack.fail("chat.postMessage", drop=True, after_doing_it=True)
    Sweeper(crashed).run()
    assert rows(database)[KEY].ts is None and len(slack.copies()[KEY]) == 1
    clock.advance(minutes=1)
    sweep(restarted, clock=clock)
    assert_once(slack)
    assert slack.count("chat.postMessage", channels=(COORD,)) == 1


@pytest.mark.parametrize("lost", [dict(drop=True), dict(status=500, error="internal_error")],
                         ids=["connection dropped", "internal error"])
def test_a_chart_whose_completion_answer_was_lost_is_found_in_the_channel_not_shared_again(
        processes, slack, clock, database, lost):
    running, _, _ = processes
    slack.fail("files.completeUploadExternal", after_doing_it=True, **lost)
    sweep(running, clock=clock)
    assert_once(slack)
    assert slack.count("files.getUploadURLExternal") == slack.count("files.completeUploadExternal") == 1
    assert slack.count("conversations.history") >= 1
    assert rows(database)[CHART_KEY].ts == slack.shared_files(COORD)[0].id


def test_a_chart_refused_before_completion_is_uploaded_afresh_and_shared_once(processes, slack, clock, database):
    running, _, _ = processes
    slack.fail("files.getUploadURLExternal", status=503, error="service_unavailable")
    sweep(running, clock=clock)
    assert_once(slack)
    assert slack.count("files.getUploadURLExternal") == 2 and slack.count("conversations.history") == 0


def test_the_chart_is_a_png_of_the_declared_size_with_its_description(processes, slack, clock, database):
    running, _, _ = processes
    sweep(running, clock=clock)
    [stored] = slack.shared_files(COORD)
    assert stored.name == FILE and stored.completed and stored.mimetype == "image/png"
    assert stored.length == len(stored.data)
    image = Image.open(io.BytesIO(stored.data))
    assert (image.format, image.size) == ("PNG", (1200, 960))
    assert stored.alt_txt and len(stored.alt_txt) <= ALT_TEXT_LIMIT
    assert stored.alt_txt.startswith("Acknowledgements and outcomes, by agency, week by week")
    [message] = [m for m in slack.messages(COORD) if m.get("files")]
    assert "weekly digest above" in message["text"] and message["files"][0]["alt_txt"] == stored.alt_txt
    [digest] = [m for m in slack.messages(COORD) if m.get("metadata")]
    assert digest["blocks"][0]["type"] == "header" and "Weekly digest" in digest["blocks"][0]["text"]["text"]


def test_without_the_app_in_the_channel_the_chart_fails_for_good_and_says_why(processes, slack, clock, database):
    slack.add_channel("C0OUTSIDE", name="outside", members=[SAM.user_id], bot_is_member=False)
    outside = replace(PARTNERSHIP, digest=DigestSettings(channel="C0OUTSIDE"))
    services = build_services(partnership=outside, db=database, clock=clock, work=InlineExecutor(),
                              client=slack_client(BOT_TOKEN, slack.api_url))
    sweep(services, clock=clock)
    chart = rows(database)[CHART_KEY]
    assert chart.failed_at is not None and "not_in_channel" in (chart.last_error or "")
    assert slack.shared_files("C0OUTSIDE") == []


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_under_a_mix_of_faults_on_every_call_the_digest_and_its_chart_reach_the_channel_once(
        processes, slack, clock, database, seed):
    first, second, _ = processes
    slack.mix_faults(0.5, seed=seed, kinds=("429", "5xx", "5xx_after", "drop", "drop_after"),
                     methods=("chat.postMessage", "chat.update", "conversations.history", "files.getUploadURLExternal",
                              "file_upload", "files.completeUploadExternal"))
    sweep(first, second, clock=clock, passes=12)
    slack.clear_failures()
    sweep(first, second, clock=clock, passes=3, minutes=20)  # past the longest backoff, 15 minutes and jitter
    sent = rows(database)
    assert not any(m.pending or m.failed_at for m in sent.values()), [
        (m.key, m.pending, m.attempts, m.last_error, m.next_attempt_at, m.failed_at) for m in sent.values()]
    assert_once(slack)
    assert sent[CHART_KEY].ts == slack.shared_files(COORD)[0].id
    [digest] = [m for m in slack.messages(COORD) if m.get("metadata")]
    assert digest["blocks"][0]["type"] == "header"  # its content, not only its notification line


def test_the_standin_answers_a_completed_upload_with_ids_and_titles_only(slack):
    client = slack_client(BOT_TOKEN, slack.api_url)
    ticket = client.files_getUploadURLExternal(filename="a.png", length=3)
    Sender(client=client, clock=FixedClock(MONDAY_9AM))._upload(ticket["upload_url"], b"abc")
    done = client.files_completeUploadExternal(files=[{"id": ticket["file_id"], "title": "A"}], channel_id=COORD)
    assert done["files"] == [{"id": ticket["file_id"], "title": "A"}]
    [message] = slack.messages(COORD)
    assert [(f["id"], f["name"], f["title"]) for f in message["files"]] == [(ticket["file_id"], "a.png", "A")]
