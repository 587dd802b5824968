"""Nothing lost, nothing doubled: when Slack, the network, the process or the database misbehave."""
from __future__ import annotations

import concurrent.futures
import os
import signal
import socket
import subprocess
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.exc import OperationalError

from bot.edge.client import slack_client
from bot.services.wiring import build_services
from bot.processes.delivery import PROCESS_NAME
from bot.blocks.record_form import FormDefaults, read_record_form, record_form
from bot.processes.executors import InlineExecutor
from bot.demo.sample import ADMIN, EDUCATION, HEALTH, NIA, SAM, TIA, sample_partnership
from bot.standin.signed_requests import fill, find_action
from bot.blocks.ids import Action, Field
from storage.db import Database
from storage.models import Record, SlackMessage
from tests.conftest import BOT_TOKEN, VALID_ANSWERS
from tests.serving import environment, serve, submission, sweep_at


def agency_posts(standin, channel):
    return [m for m in standin.messages(channel) if m.get("thread_ts") in (None, m["ts"])]


def deliver_everything_due(joinedup, passes=6):
    for _ in range(passes):
        joinedup.clock.advance(minutes=20)
        joinedup.services.outbox.deliver_due()


def test_slack_failing_for_a_stretch_delays_records_but_each_reaches_every_agency_exactly_once(joinedup):
    standin = joinedup.standin
    standin.fail("chat.postMessage", status=500, times=3)
    standin.fail("chat.postMessage", status=429, retry_after=1, times=2)
    standin.fail("chat.postMessage", drop=True, times=2)
    standin.fail("chat.update", status=503, times=2)

    for number in range(5):
        assert joinedup.record(**{Field.CASE_REFERENCE: f"CR-1000{number}"}).status == 200
    deliver_everything_due(joinedup)

    for channel in (EDUCATION.channel, HEALTH.channel):
        posts = agency_posts(standin, channel)
        assert sorted(str(p["blocks"]).count("CR-1000") for p in posts) == [1] * 5
        assert len({p["metadata"]["event_payload"]["key"] for p in posts}) == 5
    with joinedup.db.read() as session:
        assert session.query(SlackMessage).filter(SlackMessage.pending.is_(True)).count() == 0


def test_an_answer_lost_after_slack_posted_is_found_again_not_posted_twice(joinedup):
    joinedup.standin.fail("chat.postMessage", drop=True, after_doing_it=True, channel=HEALTH.channel)

    joinedup.record()
    assert len(agency_posts(joinedup.standin, HEALTH.channel)) == 1, "Slack has it; we never heard back"
    deliver_everything_due(joinedup)

    assert len(agency_posts(joinedup.standin, HEALTH.channel)) == 1
    status = str(joinedup.standin.messages(SAM.user_id)[-1]["blocks"])
    assert f"archives/{HEALTH.channel}/" in status, "the sharer's status links to the one copy"


def test_a_permanent_failure_tells_the_sharer_and_the_admins_and_try_again_delivers_it(joinedup):
    joinedup.standin.fail("chat.postMessage", error="not_in_channel", channel=HEALTH.channel, times=-1)
    joinedup.record()
    assert "/invite @Joined Up" in str(joinedup.standin.messages(SAM.user_id)[0]["blocks"])
    [notice] = joinedup.standin.messages(ADMIN.user_id)
    assert "could not be posted to *Health*" in str(notice["blocks"]) and "/invite @Joined Up" in str(notice["blocks"])

    joinedup.standin.clear_failures()
    joinedup.slack.click(notice, find_action(notice["blocks"], Action.RETRY_DELIVERY), user=ADMIN.user_id,
                         channel="DU0ADMINIG")

    assert len(agency_posts(joinedup.standin, HEALTH.channel)) == 1
    assert f"archives/{HEALTH.channel}/" in str(joinedup.standin.messages(SAM.user_id)[0]["blocks"])


def test_the_same_event_delivered_again_is_handled_once(joinedup):
    event = {"type": "app_home_opened", "user": SAM.user_id, "tab": "home", "channel": "D1", "event_ts": "1.1"}

    first = joinedup.slack.event(event, event_id="Ev0SAME00001")
    retry = joinedup.slack.event(event, event_id="Ev0SAME00001", retry=1)

    assert first.status == retry.status == 200
    assert joinedup.standin.count("views.publish") == 1


def child_processes(pid: int) -> dict[int, str]:
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found[int(child)] = Path(f"/proc/{child}/comm").read_text().strip()
    return found


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_delivery_process_is_started_again_if_it_dies_and_what_was_owed_goes_out(database, standin, tmp_path):
    served = serve(environment(tmp_path, database.url, standin), standin)
    try:
        [deliverer] = [pid for pid, name in child_processes(served.process.pid).items() if name == PROCESS_NAME]
        os.kill(deliverer, signal.SIGKILL)
        view, values = submission(VALID_ANSWERS, 1)

        assert served.sender.submit(view, values, user=SAM.user_id).status == 200
        assert standin.wait_until(lambda: all(len(agency_posts(standin, channel)) == 1
                                              for channel in (EDUCATION.channel, HEALTH.channel, SAM.user_id)),
                                  timeout=30)
        [restarted] = [pid for pid, name in child_processes(served.process.pid).items() if name == PROCESS_NAME]
        assert restarted != deliverer
    finally:
        served.stop()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_a_process_killed_between_saving_and_posting_loses_nothing_and_doubles_nothing(database, standin, tmp_path):
    env = environment(tmp_path, database.url, standin)
    served = serve(env, standin)
    standin.set_delay(30)  # Slack takes the posts, then the process dies before hearing back
    view, values = submission(VALID_ANSWERS, 1)

    reply = served.sender.submit(view, values, user=SAM.user_id)
    assert reply.status == 200 and reply.json()["response_action"] == "update"
    assert standin.wait_for("chat.postMessage", 2, timeout=20)
    served.kill()
    standin.set_delay(0)

    recovered = sweep_at(env, datetime.now(timezone.utc) + timedelta(minutes=10))

    assert recovered.returncode == 0, recovered.stderr
    for channel in (EDUCATION.channel, HEALTH.channel):
        assert len(agency_posts(standin, channel)) == 1
    [status] = standin.messages(SAM.user_id)
    assert f"archives/{EDUCATION.channel}/" in str(status["blocks"]) and f"archives/{HEALTH.channel}/" in str(status["blocks"])
    with database.read() as session:
        assert session.query(Record).count() == 1
        assert session.query(SlackMessage).filter(SlackMessage.pending.is_(True)).count() == 0


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_database_outage_gets_a_clear_answer_writes_nothing_and_the_pool_recovers(joinedup, postgres_url):
    name = joinedup.db.engine.url.database
    admin = create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    form = joinedup.open_form()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        during = joinedup.slack.submit(form, fill(form, VALID_ANSWERS), user=SAM.user_id)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()

    assert during.status == 200
    assert during.json()["response_action"] == "push" and "not saved" in str(during.json()["view"])
    assert joinedup.record().json()["response_action"] == "update", "the pool recovers without a restart"
    with joinedup.db.read() as session:
        assert session.query(Record).count() == 1


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_a_burst_of_200_records_and_1000_clicks_from_32_senders_is_all_answered_in_time_and_counted_exactly(
        database, standin, tmp_path):
    served = serve(environment(tmp_path, database.url, standin), standin, workers=1 if database.is_sqlite else 2)
    try:
        with concurrent.futures.ThreadPoolExecutor(32) as senders:
            submitted = list(senders.map(lambda n: timed(lambda: served.sender.submit(
                *submission({**VALID_ANSWERS, Field.CASE_REFERENCE: f"CR-{20000 + n}"}, n), user=SAM.user_id)),
                range(200)))
            # each post goes out with its notification line, then its content (with the buttons) as an update
            assert standin.wait_until(lambda: updated_posts(standin) >= 400, timeout=180), (
                standin.count("chat.postMessage", channels=AGENCIES), [c.response for c in standin.errors()][:3],
                "".join(served.output[-30:]))
            posts = agency_posts(standin, HEALTH.channel) + agency_posts(standin, EDUCATION.channel)
            clickers = {HEALTH.channel: [NIA.user_id], EDUCATION.channel: [TIA.user_id]}

            def click(n):
                post = posts[n % len(posts)]
                channel = HEALTH.channel if post in posts[:200] else EDUCATION.channel
                return timed(lambda: served.sender.click(post, find_action(post["blocks"], Action.ACKNOWLEDGE),
                                                         user=clickers[channel][0], channel=channel))
            clicked = list(senders.map(click, range(1000)))
        assert standin.wait_until(lambda: updated_posts(standin) >= 800, timeout=180), \
            (updated_posts(standin), standin.count("chat.update"), "".join(served.output[-20:]))
    finally:
        served.stop()

    for reply, seconds in submitted + clicked:
        assert reply.status == 200 and seconds < 3, (reply, seconds)
    assert all(r.json()["response_action"] == "update" for r, _ in submitted)
    with database.read() as session:
        assert session.query(Record).count() == 200
    for channel in (EDUCATION.channel, HEALTH.channel):
        assert len(agency_posts(standin, channel)) == 200
    assert updated_posts(standin) == 800, "each post gets its content once, and its acknowledgement once"


def timed(send):
    started = time.monotonic()
    reply = send()
    return reply, time.monotonic() - started


AGENCIES = (EDUCATION.channel, HEALTH.channel)


def updated_posts(standin) -> int:
    return standin.count("chat.update", channels=AGENCIES, answered_ok=True)


def test_a_rate_limited_post_is_retried_when_slack_says_it_may_not_at_the_next_pass(database, standin, clock):
    timed = []
    services = build_services(partnership=sample_partnership(), db=database, clock=clock, work=InlineExecutor(),
                              client=slack_client(BOT_TOKEN, standin.api_url),
                              delay=lambda seconds, action: timed.append((seconds, action)))
    standin.fail("chat.postMessage", status=429, retry_after=2, channel=HEALTH.channel)
    view = record_form(services.partnership, FormDefaults(occurred_at=clock.now(),
                                                          follow_up_on=clock.now().date() + timedelta(days=14)))
    form = read_record_form(fill(view, VALID_ANSWERS))
    saved = services.records.save(form, user_id=SAM.user_id, submission_key="VRATE")
    services.outbox.deliver_soon(saved.message_ids)
    assert agency_posts(standin, HEALTH.channel) == []

    [(seconds, retry)] = timed
    clock.advance(seconds=seconds)
    retry()

    assert seconds == 2 and len(agency_posts(standin, HEALTH.channel)) == 1


def test_posts_held_back_by_a_full_channel_wait_for_slack_then_go_at_its_rate(database, standin, clock):
    timed = []
    services = build_services(partnership=sample_partnership(), db=database, clock=clock, work=InlineExecutor(),
                              client=slack_client(BOT_TOKEN, standin.api_url),
                              delay=lambda seconds, action: timed.append((seconds, action)))
    view = record_form(services.partnership, FormDefaults(occurred_at=clock.now(),
                                                          follow_up_on=clock.now().date() + timedelta(days=14)))
    form = read_record_form(fill(view, VALID_ANSWERS))
    for key in ("VFULL1", "VFULL2", "VFULL3"):
        services.records.save(form, user_id=SAM.user_id, submission_key=key)
    standin.fail("chat.postMessage", status=429, retry_after=2, channel=HEALTH.channel)

    services.outbox.deliver_due()  # the three records' messages go out together
    services.records.save(form, user_id=SAM.user_id, submission_key="VFULL4")
    services.outbox.deliver_due()  # a later batch: Health is still full

    assert standin.count("chat.postMessage", channels=(HEALTH.channel,)) == 1, "one refusal, then no more asking"
    assert len(agency_posts(standin, EDUCATION.channel)) == 4
    [(seconds, retry), (later_seconds, _)] = timed
    clock.advance(seconds=seconds)
    retry()
    services.outbox.deliver_due()
    assert seconds == later_seconds == 2 and len(agency_posts(standin, HEALTH.channel)) == 1, \
        "then one a second, Slack's rate for a channel, rather than a refusal for every other message"
    for _ in range(3):
        clock.advance(seconds=1)
        services.outbox.deliver_due()

    assert len(agency_posts(standin, HEALTH.channel)) == 4
    assert standin.count("chat.postMessage", channels=(HEALTH.channel,)) == 5
    with database.read() as session:
        assert session.query(SlackMessage).filter(SlackMessage.pending.is_(True)).count() == 0


def _terminate_backends(postgres_url: str, name: str) -> None:
    admin = create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
    admin.dispose()


def test_a_pooled_connection_that_sat_idle_is_checked_and_replaced_before_use(postgres_url):
    db = Database(postgres_url, ping_idle_after=0)  # every connection counts as idle: always checked
    try:
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
        _terminate_backends(postgres_url, db.engine.url.database)

        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT 2")).scalar() == 2
    finally:
        db.dispose()


def test_a_busy_pooled_connection_is_not_checked_before_each_use(postgres_url):
    db = Database(postgres_url, ping_idle_after=3600)
    try:
        with db.engine.connect() as connection:
            before = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        _terminate_backends(postgres_url, db.engine.url.database)

        with pytest.raises(OperationalError), db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))  # met by the request, which gets a clear answer (see above)
        with db.engine.connect() as connection:  # and the pool has replaced its connections
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != before
    finally:
        db.dispose()


def test_a_post_whose_answer_was_lost_is_not_doubled_when_its_retry_is_held_back_by_a_full_channel(
        database, standin, clock):
    services = build_services(partnership=sample_partnership(), db=database, clock=clock, work=InlineExecutor(),
                              client=slack_client(BOT_TOKEN, standin.api_url), delay=lambda seconds, action: None)
    view = record_form(services.partnership, FormDefaults(occurred_at=clock.now(),
                                                          follow_up_on=clock.now().date() + timedelta(days=14)))
    form = read_record_form(fill(view, VALID_ANSWERS))
    services.records.save(form, user_id=SAM.user_id, submission_key="VLOST1")
    standin.fail("chat.postMessage", drop=True, after_doing_it=True, channel=HEALTH.channel)
    services.outbox.deliver_due()  # Slack posts JU-000001 to Health, but its answer is lost
    services.records.save(form, user_id=SAM.user_id, submission_key="VLOST2")
    standin.fail("chat.postMessage", status=429, retry_after=60, channel=HEALTH.channel)
    services.outbox.deliver_due()  # JU-000002's post is refused: Health is full for a minute
    clock.advance(seconds=30)
    services.outbox.deliver_due()  # JU-000001's retry is due, and held back untried
    for _ in range(4):
        clock.advance(seconds=30)
        services.outbox.deliver_due()

    keys = [m.get("metadata", {}).get("event_payload", {}).get("key") for m in agency_posts(standin, HEALTH.channel)]
    assert sorted(keys) == ["post:1:health", "post:2:health"], "each record once in Health's channel"
    with database.read() as session:
        assert session.query(SlackMessage).filter(SlackMessage.pending.is_(True)).count() == 0


def dm_copies(standin, user_id) -> Counter:
    return Counter(m.get("metadata", {}).get("event_payload", {}).get("key") for m in standin.messages(user_id)
                   if m.get("thread_ts") in (None, m["ts"]))


def test_a_direct_message_whose_answer_was_lost_is_found_in_the_dm_not_sent_twice(joinedup):
    joinedup.standin.fail("chat.postMessage", drop=True, after_doing_it=True, channel=SAM.user_id)
    joinedup.record()
    deliver_everything_due(joinedup)

    copies = dm_copies(joinedup.standin, SAM.user_id)
    assert copies and set(copies.values()) == {1}, copies
    [status] = joinedup.standin.messages(SAM.user_id)
    assert f"archives/{HEALTH.channel}/" in str(status["blocks"]) and f"archives/{EDUCATION.channel}/" in str(
        status["blocks"]), "the one copy shows where the record went"


def test_without_the_dm_history_scope_a_cut_off_dm_is_sent_again_and_says_so_in_the_log(joinedup, caplog):
    joinedup.standin.scopes = tuple(scope for scope in joinedup.standin.scopes if scope != "im:history")
    joinedup.standin.fail("chat.postMessage", drop=True, after_doing_it=True, channel=SAM.user_id)
    joinedup.record()
    deliver_everything_due(joinedup)

    assert list(dm_copies(joinedup.standin, SAM.user_id).values()) == [2], "the documented way a DM can double"
    assert "(missing_scope): posting it again" in caplog.text


def owed_and_claimed_by(database, clock, holder: str) -> list[int]:
    with database.write() as session:
        ids = list(session.scalars(select(SlackMessage.id).where(SlackMessage.pending.is_(True))))
        session.execute(update(SlackMessage).where(SlackMessage.id.in_(ids)).values(
            claimed_by=holder, claimed_until=clock.now() + timedelta(seconds=30)))
    return ids


def saved_not_sent(database, standin, clock):
    services = build_services(partnership=sample_partnership(), db=database, clock=clock, work=InlineExecutor(),
                              client=slack_client(BOT_TOKEN, standin.api_url), delay=lambda seconds, action: None)
    view = record_form(services.partnership, FormDefaults(occurred_at=clock.now(),
                                                          follow_up_on=clock.now().date() + timedelta(days=14)))
    services.records.save(read_record_form(fill(view, VALID_ANSWERS)), user_id=SAM.user_id, submission_key="VHELD")
    return services


def test_messages_claimed_by_a_delivery_process_that_was_killed_are_taken_back_at_once(database, standin, clock):
    services = saved_not_sent(database, standin, clock)
    killed = subprocess.Popen(["true"])
    killed.wait()  # its process ID is now free: a delivery process that died holding claims
    owed = owed_and_claimed_by(database, clock, f"{socket.gethostname()[:40]}:{killed.pid}:0badcafe")

    services.outbox.deliver_due()

    assert len(agency_posts(standin, HEALTH.channel)) == 1, "not after the claim's 30 seconds, but at once"
    with database.read() as session:
        assert session.scalar(select(func.count()).where(SlackMessage.id.in_(owed), SlackMessage.pending)) == 0


def test_messages_claimed_by_a_running_process_are_left_to_it_until_its_claim_ends(database, standin, clock):
    services = saved_not_sent(database, standin, clock)
    owed_and_claimed_by(database, clock, f"{socket.gethostname()[:40]}:{os.getppid()}:5eedf00d")

    services.outbox.deliver_due()
    assert agency_posts(standin, HEALTH.channel) == [], "another process is sending them"

    clock.advance(seconds=31)  # it stopped renewing its claim: it is stuck or gone, on this host or another
    services.outbox.deliver_due()
    assert len(agency_posts(standin, HEALTH.channel)) == 1
