"""Reminders that close the loop: overdue acknowledgements, the outcome report, working hours, exactly once."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from bot.edge.client import slack_client
from bot.services.wiring import build_services
from bot.processes.executors import InlineExecutor
from bot.demo.sample import EDUCATION, HEALTH, LEE, NIA, OUTSIDER, SAM, TIA, sample_partnership
from bot.standin.signed_requests import find_action, fill
from bot.processes.sweep import Sweeper
from bot.blocks import refusals
from bot.blocks.ids import Action, Field
from storage.db import Database
from storage.models import Record
from tests.conftest import BOT_TOKEN


def at(*moment: int) -> datetime:
    """A moment in UTC (London is on GMT from November to March)."""
    return datetime(*moment, tzinfo=timezone.utc)


def sweep(joinedup, moment: datetime):
    joinedup.clock.set(moment)
    return Sweeper(joinedup.services).run()


def replies(joinedup, channel: str) -> list[dict]:
    return [m for m in joinedup.standin.messages(channel) if m.get("thread_ts") and m["thread_ts"] != m["ts"]]


def acknowledge(joinedup, channel: str, user: str) -> None:
    post = joinedup.posts(channel)[-1]  # the newest record's post
    joinedup.slack.click(post, find_action(post["blocks"], Action.ACKNOWLEDGE), user=user, channel=channel)


def test_an_unacknowledged_agency_is_reminded_once_after_a_working_day_and_an_acknowledged_one_never(joinedup):
    joinedup.record()  # Tuesday 24 November, 10:00
    acknowledge(joinedup, EDUCATION.channel, TIA.user_id)

    early = sweep(joinedup, at(2026, 11, 25, 9, 59))
    due = sweep(joinedup, at(2026, 11, 25, 10, 0))
    again = sweep(joinedup, at(2026, 11, 25, 10, 5))

    assert early.acknowledgement_reminders == 0
    assert due.acknowledgement_reminders == 1 and again.acknowledgement_reminders == 0
    [reminder] = replies(joinedup, HEALTH.channel)
    assert reminder["thread_ts"] == joinedup.posts(HEALTH.channel)[0]["ts"], "threaded under the record's post"
    assert f"<@{LEE.user_id}>" in str(reminder["blocks"]), "the agency's leads are mentioned"
    assert Action.ACKNOWLEDGE in str(reminder["blocks"]), "with the one button that does it"
    assert replies(joinedup, EDUCATION.channel) == []


def test_still_unacknowledged_after_the_further_period_the_leads_and_the_sharer_are_told(joinedup):
    joinedup.record()
    sweep(joinedup, at(2026, 11, 25, 10, 0))

    escalation = sweep(joinedup, at(2026, 11, 26, 10, 0))

    assert escalation.acknowledgement_reminders == 2  # Education and Health
    assert any("Health* has not yet acknowledged" in str(m["blocks"]) for m in joinedup.standin.messages(LEE.user_id))
    told = [m for m in joinedup.standin.messages(SAM.user_id) if "has not acknowledged" in str(m["blocks"])]
    assert {("Health" in str(m["blocks"])) for m in told} == {True, False}, "the sharer hears which agencies"


def test_reminders_are_bounded_and_stop_the_moment_the_agency_acknowledges(joinedup):
    joinedup.record()
    for day in (25, 26, 27, 30):
        sweep(joinedup, at(2026, 11, day, 10, 0))
    assert len(replies(joinedup, HEALTH.channel)) == 3, "max_reminders is 3"

    joinedup.record(**{Field.CASE_REFERENCE: "CR-55555"})  # Monday 30 Nov 10:00
    sweep(joinedup, at(2026, 12, 1, 10, 0))
    acknowledge(joinedup, HEALTH.channel, NIA.user_id)
    before = len(joinedup.standin.messages(LEE.user_id))
    sweep(joinedup, at(2026, 12, 2, 10, 0))

    assert len(joinedup.standin.messages(LEE.user_id)) == before, "no escalation for an acknowledged agency"


def test_a_sweep_at_3am_on_saturday_sends_nothing_and_the_monday_9am_sweep_sends_it(joinedup):
    joinedup.clock.set(at(2026, 11, 26, 14, 0))  # Thursday 14:00: due Friday 14:00, while the bot is down
    joinedup.record()

    saturday = sweep(joinedup, at(2026, 11, 28, 3, 0))
    monday_early = sweep(joinedup, at(2026, 11, 30, 8, 59))
    monday = sweep(joinedup, at(2026, 11, 30, 9, 0))

    assert saturday.acknowledgement_reminders == 0 and saturday.deferred == 2
    assert monday_early.acknowledgement_reminders == 0
    assert monday.acknowledgement_reminders == 2
    assert len(replies(joinedup, HEALTH.channel)) == 1


def test_nobody_is_reminded_on_a_bank_holiday(joinedup):
    joinedup.clock.set(at(2026, 12, 24, 10, 0))  # Christmas Eve: one working day later is Tuesday 29 December
    joinedup.record()

    christmas = sweep(joinedup, at(2026, 12, 25, 10, 0))
    boxing_day_monday = sweep(joinedup, at(2026, 12, 28, 10, 0))
    tuesday = sweep(joinedup, at(2026, 12, 29, 10, 0))

    assert christmas.acknowledgement_reminders == boxing_day_monday.acknowledgement_reminders == 0
    assert tuesday.acknowledgement_reminders == 2


def test_a_lead_in_another_time_zone_is_messaged_in_their_own_working_hours(joinedup):
    joinedup.standin.add_user(LEE.user_id, name="lee", real_name=LEE.name, tz="America/New_York")
    joinedup.record()
    sweep(joinedup, at(2026, 11, 25, 10, 0))

    sweep(joinedup, at(2026, 11, 26, 10, 0))  # 05:00 in New York
    assert joinedup.standin.messages(LEE.user_id) == []
    sweep(joinedup, at(2026, 11, 26, 14, 0))  # 09:00 in New York

    assert len(joinedup.standin.messages(LEE.user_id)) == 1


def test_racing_sweepers_in_separate_processes_never_duplicate_a_message(joinedup, standin):
    joinedup.record()
    joinedup.clock.set(at(2026, 11, 25, 10, 0))
    rivals = [build_services(partnership=sample_partnership(), db=Database(joinedup.db.url), clock=joinedup.clock,
                             work=InlineExecutor(), client=slack_client(BOT_TOKEN, standin.api_url))
              for _ in range(4)]
    barrier = threading.Barrier(len(rivals))

    def run(services):
        barrier.wait()
        for _ in range(3):
            Sweeper(services).run()

    threads = [threading.Thread(target=run, args=(s,)) for s in rivals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(replies(joinedup, HEALTH.channel)) == 1
    assert len(replies(joinedup, EDUCATION.channel)) == 1
    for services in rivals:
        services.db.dispose()


def test_a_restart_loses_nothing_that_fell_due_while_the_bot_was_down(joinedup, standin):
    joinedup.record()
    joinedup.clock.set(at(2026, 12, 2, 11, 0))
    restarted = build_services(partnership=sample_partnership(), db=Database(joinedup.db.url), clock=joinedup.clock,
                               work=InlineExecutor(), client=slack_client(BOT_TOKEN, standin.api_url))

    report = Sweeper(restarted).run()

    assert report.acknowledgement_reminders == 2
    restarted.db.dispose()


def test_at_the_follow_up_date_the_sharer_is_asked_and_the_outcome_reaches_every_agencys_thread(joinedup):
    joinedup.record()  # follow-up defaults to Tuesday 8 December
    acknowledge(joinedup, EDUCATION.channel, TIA.user_id)
    acknowledge(joinedup, HEALTH.channel, NIA.user_id)

    assert sweep(joinedup, at(2026, 12, 8, 8, 59)).outcome_requests == 0
    assert sweep(joinedup, at(2026, 12, 8, 9, 0)).outcome_requests == 1
    request = next(m for m in joinedup.standin.messages(SAM.user_id) if "What happened after you shared" in str(m))
    joinedup.slack.click(request, find_action(request["blocks"], Action.REPORT_OUTCOME), user=SAM.user_id,
                         channel="DU0SAMSW")
    form = joinedup.standin.views(SAM.user_id)[-1]
    reply = joinedup.slack.submit(form, fill(form, {
        Field.WHAT_HAPPENED: "Early help assessment started; the family agreed to breakfast club.",
        Field.NEXT_STEP: "no_further_action"}), user=SAM.user_id)

    assert reply.json()["response_action"] == "update"
    for channel in (EDUCATION.channel, HEALTH.channel):
        [outcome] = replies(joinedup, channel)
        assert "Early help assessment started" in str(outcome["blocks"])
        assert "Outcome reported" in str(joinedup.posts(channel)[0]["blocks"]), "shown on the post itself"
    assert "has been reported" in str(joinedup.standin.message("DU0SAMSW", request["ts"])["blocks"])
    assert sweep(joinedup, at(2026, 12, 11, 9, 0)).outcome_requests == 0, "no more asking once it is in"


def test_the_sharer_can_report_the_outcome_before_the_follow_up_date_and_is_then_not_asked(joinedup):
    joinedup.record()
    [status] = joinedup.standin.messages(SAM.user_id)
    joinedup.slack.click(status, find_action(status["blocks"], Action.REPORT_OUTCOME), user=SAM.user_id,
                         channel="DU0SAMSW")
    form = joinedup.standin.views(SAM.user_id)[-1]
    reply = joinedup.slack.submit(form, fill(form, {
        Field.WHAT_HAPPENED: "The family took up breakfast club straight away.",
        Field.NEXT_STEP: "no_further_action"}), user=SAM.user_id)

    assert reply.json()["response_action"] == "update"
    status = joinedup.standin.message("DU0SAMSW", status["ts"])
    assert "The outcome for the child was reported" in str(status["blocks"])
    assert Action.REPORT_OUTCOME not in str(status["blocks"]), "nothing left to report"
    assert sweep(joinedup, at(2026, 12, 8, 9, 0)).outcome_requests == 0


def test_remind_me_later_moves_the_question_by_working_days(joinedup):
    joinedup.record()
    sweep(joinedup, at(2026, 12, 8, 9, 0))
    request = next(m for m in joinedup.standin.messages(SAM.user_id) if "What happened after" in str(m))
    later = [a for block in request["blocks"] if block["type"] == "actions" for a in block["elements"]
             if a["value"].endswith(":3")][0]

    joinedup.slack.click(request, {"action_id": later["action_id"], "block_id": "x", "type": "button",
                                   "value": later["value"]}, user=SAM.user_id, channel="DU0SAMSW")

    assert "ask you again on Fri 11 Dec 2026" in joinedup.standin.calls("response_url")[-1].args["text"]
    with joinedup.db.read() as session:
        assert session.get(Record, 1).outcome_request_at == at(2026, 12, 11, 9, 0)


def tell_the_sharer(joinedup, channel: str, user: str, what: str) -> None:
    """A member of the agency acknowledges, then tells the sharer what the agency did, from its post."""
    acknowledge(joinedup, channel, user)
    post = joinedup.posts(channel)[-1]
    joinedup.slack.click(post, find_action(post["blocks"], Action.REPORT_OUTCOME), user=user, channel=channel)
    form = joinedup.standin.views(user)[-1]
    assert form["title"]["text"] == "What we did"
    reply = joinedup.slack.submit(form, fill(form, {Field.WHAT_HAPPENED: what, Field.NEXT_STEP: "further_action"}),
                                  user=user)
    assert reply.json()["response_action"] == "update"


def test_a_receiving_agency_tells_the_sharer_what_it_did_and_it_reaches_the_sharer_and_its_own_thread(joinedup):
    joinedup.record()

    tell_the_sharer(joinedup, HEALTH.channel, NIA.user_id, "School nurse visit booked for Thursday.")

    dms = joinedup.standin.messages(SAM.user_id)
    assert any("School nurse visit booked" in str(m["blocks"]) and "Health told the sharer what they did" in m["text"]
               for m in dms), "a direct message to the sharer"
    status = joinedup.standin.messages(SAM.user_id)[0]
    assert "_What they did:_ School nurse visit booked for Thursday." in str(status["blocks"]), "on the status"
    assert "School nurse visit booked" in str(replies(joinedup, HEALTH.channel))
    assert "Health told the sharer what they did" in str(joinedup.posts(HEALTH.channel)[0]["blocks"])
    assert replies(joinedup, EDUCATION.channel) == [], "another agency's result is for the sharer, not Education"
    assert "School nurse" not in str(joinedup.posts(EDUCATION.channel)[0]["blocks"])


def test_before_anyone_acknowledges_a_post_offers_no_result_and_after_it_leads_with_one(joinedup):
    joinedup.record()
    post = joinedup.posts(HEALTH.channel)[0]
    assert Action.REPORT_OUTCOME not in str(post["blocks"]), "nothing to tell before anyone has acknowledged"

    acknowledge(joinedup, HEALTH.channel, NIA.user_id)

    post = joinedup.posts(HEALTH.channel)[0]
    [primary] = [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"] if e.get("style")]
    assert (primary["action_id"], primary["text"]["text"]) == (Action.REPORT_OUTCOME, "Tell the sharer what we did")


def test_an_agencys_result_never_stops_the_sharer_being_asked_for_the_outcome_for_the_child(joinedup):
    joinedup.record()
    tell_the_sharer(joinedup, HEALTH.channel, NIA.user_id, "School nurse visit booked for Thursday.")
    with joinedup.db.read() as session:
        assert session.get(Record, 1).outcome_request_at is not None, "still owed to the sharer"

    assert sweep(joinedup, at(2026, 12, 8, 9, 0)).outcome_requests == 1
    request = next(m for m in joinedup.standin.messages(SAM.user_id) if "What happened after you shared" in str(m))
    assert "Already told you what they did: Health" in str(request["blocks"])
    joinedup.clock.set(at(2026, 12, 8, 12, 0))
    joinedup.slack.event({"type": "app_home_opened", "user": SAM.user_id, "tab": "home", "channel": "D1",
                          "event_ts": "1.1"})
    assert "*Outcomes due* (1)" in str(joinedup.standin.home_views[SAM.user_id]["blocks"])

    joinedup.slack.click(request, find_action(request["blocks"], Action.REMIND_LATER), user=SAM.user_id,
                         channel="DU0SAMSW")  # remind me tomorrow: still the sharer's to give
    assert "ask you again" in joinedup.standin.calls("response_url")[-1].args["text"]


def test_an_outsider_cannot_report_a_result_for_an_agency(joinedup):
    joinedup.record()
    acknowledge(joinedup, HEALTH.channel, NIA.user_id)
    post = joinedup.posts(HEALTH.channel)[0]

    joinedup.slack.click(post, find_action(post["blocks"], Action.REPORT_OUTCOME), user=OUTSIDER.user_id,
                         channel=HEALTH.channel)

    assert joinedup.standin.views(OUTSIDER.user_id) == [], "no form for someone who may not send it"
    refusal = joinedup.standin.calls("response_url")[-1].args
    assert refusal["response_type"] == "ephemeral" and "CR-12345" not in str(refusal)
    assert refusal["text"] == refusals.REPORT_OUTCOME
    assert replies(joinedup, HEALTH.channel) == []


def test_app_home_shows_outcomes_due_to_the_sharer(joinedup):
    joinedup.record()
    joinedup.clock.set(at(2026, 12, 8, 12, 0))

    joinedup.slack.event({"type": "app_home_opened", "user": SAM.user_id, "tab": "home", "channel": "D1",
                          "event_ts": "1.1"})

    home = str(joinedup.standin.home_views[SAM.user_id]["blocks"])
    assert "*Outcomes due* (1)" in home and Action.REPORT_OUTCOME in home


def test_an_agency_whose_post_is_not_out_yet_is_reminded_once_it_is(joinedup):
    joinedup.standin.fail("chat.postMessage", status=500, channel=HEALTH.channel)
    joinedup.record()  # Tuesday 24 November, 10:00; Health's post waits for its next attempt
    assert joinedup.posts(HEALTH.channel) == []

    first = sweep(joinedup, at(2026, 11, 25, 10, 0))  # Education reminded; Health's post only goes out now
    assert first.acknowledgement_reminders == 1 and first.deferred == 1
    assert replies(joinedup, HEALTH.channel) == [] and len(joinedup.posts(HEALTH.channel)) == 1
    assert sweep(joinedup, at(2026, 11, 25, 10, 14)).acknowledgement_reminders == 0

    later = sweep(joinedup, at(2026, 11, 25, 10, 15))

    assert later.acknowledgement_reminders == 1
    [reminder] = replies(joinedup, HEALTH.channel)
    assert reminder["thread_ts"] == joinedup.posts(HEALTH.channel)[0]["ts"]
