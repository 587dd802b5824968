"""Challenge, correction and accountability, over HTTP."""
from __future__ import annotations

from bot.blocks import refusals
from bot.demo.sample import EDUCATION, HEALTH, LEE, NIA, OUTSIDER, SAM, TIA
from bot.standin.signed_requests import block_actions, find_action, fill
from bot.processes.sweep import Sweeper
from bot.blocks.ids import Action, Callback, Field
from storage.models import Challenge, Record, Revision
from tests.test_reminders import at, replies

DISAGREEMENT = {Field.CHALLENGE_KIND: "risk_level", Field.PROPOSED_RISK: "child-in-need",
                Field.CHALLENGE_TEXT: "She has missed eight days this half-term; early help is not enough."}


def click(joinedup, message, action_id, user, channel):
    return joinedup.slack.click(message, find_action(message["blocks"], action_id), user=user, channel=channel)


def submit_latest_form(joinedup, user, answers):
    form = joinedup.standin.views(user)[-1]
    return joinedup.slack.submit(form, fill(form, answers), user=user)


def challenge(joinedup, user=TIA.user_id, answers=DISAGREEMENT):
    post = joinedup.posts(EDUCATION.channel)[-1]
    click(joinedup, post, Action.ASK_OR_CHALLENGE, user, EDUCATION.channel)
    assert joinedup.standin.views(user)[-1]["callback_id"] == Callback.CHALLENGE_FORM
    return submit_latest_form(joinedup, user, answers)


def sharers_dm(joinedup, words):
    return next(m for m in joinedup.standin.messages(SAM.user_id) if words in str(m["blocks"]))


def test_a_teacher_challenges_the_risk_level_and_every_receiving_agency_sees_it_in_the_thread(joinedup):
    joinedup.record()

    reply = challenge(joinedup)

    assert reply.json()["response_action"] == "update"
    for channel in (EDUCATION.channel, HEALTH.channel):
        [thread_reply] = replies(joinedup, channel)
        assert "I disagree with the risk level" in str(thread_reply["blocks"])
        assert "Proposed risk level: *Child in need*" in str(thread_reply["blocks"])
    assert Action.RESPOND_CHALLENGE in str(sharers_dm(joinedup, "asks about")["blocks"])


def test_someone_outside_the_agency_cannot_challenge_from_its_post(joinedup):
    joinedup.record()
    post = joinedup.posts(EDUCATION.channel)[-1]

    click(joinedup, post, Action.ASK_OR_CHALLENGE, OUTSIDER.user_id, EDUCATION.channel)

    assert joinedup.standin.views(OUTSIDER.user_id) == [], "a form they may not submit is not opened"
    refusal = joinedup.standin.calls("response_url")[-1].args
    assert refusal["response_type"] == "ephemeral" and "doesn't count you" in refusal["text"]
    assert "CR-12345" not in str(refusal)


def test_a_forged_challenge_form_from_an_outsider_is_refused_on_submit(joinedup):
    joinedup.record()
    form = {"id": "VFORGED", "type": "modal", "callback_id": Callback.CHALLENGE_FORM,
            "private_metadata": "1:education", "blocks": []}
    values = {Field.CHALLENGE_KIND: {"value": {"type": "radio_buttons", "selected_option": {"value": "question"}}},
              Field.CHALLENGE_TEXT: {"value": {"type": "plain_text_input", "value": "Why?"}}}

    reply = joinedup.slack.submit(form, values, user=OUTSIDER.user_id)

    # the refusal comes on a view pushed over the form, the same whatever the form pointed at
    assert reply.json()["response_action"] == "push"
    assert refusals.CHALLENGE in str(reply.json()["view"]["blocks"])
    assert replies(joinedup, EDUCATION.channel) == []


def test_a_risk_disagreement_must_propose_a_level(joinedup):
    joinedup.record()

    reply = challenge(joinedup, answers={**DISAGREEMENT, Field.PROPOSED_RISK: None})

    assert Field.PROPOSED_RISK in reply.json()["errors"]


def test_the_sharer_answers_and_revises_the_risk_level_with_its_reason_and_history(joinedup):
    joinedup.record()
    challenge(joinedup)
    click(joinedup, sharers_dm(joinedup, "asks about"), Action.RESPOND_CHALLENGE, SAM.user_id, "DU0SAMSW")

    submit_latest_form(joinedup, SAM.user_id, {Field.RESPONSE_TEXT: "Agreed: attendance changes the picture.",
                                               Field.REVISED_RISK: "child-in-need"})

    for channel in (EDUCATION.channel, HEALTH.channel):
        answer = replies(joinedup, channel)[-1]
        assert "Agreed: attendance changes the picture." in str(answer["blocks"])
        post = str(joinedup.posts(channel)[0]["blocks"])
        assert "Risk level revised from *Early help* to *Child in need*" in post
    teacher = joinedup.standin.messages(TIA.user_id)[-1]
    assert Action.RESOLVE_CHALLENGE in str(teacher["blocks"]) and Action.ESCALATE_CHALLENGE in str(teacher["blocks"])
    with joinedup.db.read() as session:
        assert session.get(Record, 1).risk_key == "child-in-need"
        [revision] = session.query(Revision).all()
        assert revision.previous["risk_label"] == "Early help" and "attendance" in revision.reason
        assert session.get(Challenge, 1).state == "answered"
    history = joinedup.slack.command("/joinedup", "show JU-000001", user=SAM.user_id)
    shown = str(joinedup.standin.calls("response_url")[-1].args["blocks"])
    assert history.status == 200 and "from *Early help* to *Child in need*" in shown and "asked" in shown


def test_a_member_of_another_receiving_agency_may_answer_but_not_revise(joinedup):
    joinedup.record()
    challenge(joinedup)
    challenge_id = "1"
    dm = {"ts": "0", "blocks": [{"type": "actions", "elements": [
        {"type": "button", "action_id": Action.RESPOND_CHALLENGE, "value": challenge_id, "text": {"type": "plain_text", "text": "x"}}]}]}
    click(joinedup, dm, Action.RESPOND_CHALLENGE, NIA.user_id, HEALTH.channel)
    form = joinedup.standin.views(NIA.user_id)[-1]
    assert Field.REVISED_RISK not in str(form["blocks"])

    submit_latest_form(joinedup, NIA.user_id, {Field.RESPONSE_TEXT: "Health saw her at clinic; no concerns."})

    assert "Health saw her at clinic" in str(replies(joinedup, EDUCATION.channel)[-1]["blocks"])


def test_the_challenger_escalates_and_the_leads_of_every_agency_involved_are_told(joinedup):
    joinedup.record()
    challenge(joinedup)
    click(joinedup, sharers_dm(joinedup, "asks about"), Action.RESPOND_CHALLENGE, SAM.user_id, "DU0SAMSW")
    submit_latest_form(joinedup, SAM.user_id, {Field.RESPONSE_TEXT: "Early help is right for now."})
    answer = joinedup.standin.messages(TIA.user_id)[-1]

    click(joinedup, answer, Action.RESOLVE_CHALLENGE, SAM.user_id, "DU0TIATEACH")  # not theirs to close
    click(joinedup, answer, Action.ESCALATE_CHALLENGE, TIA.user_id, "DU0TIATEACH")

    assert any("Only the person who raised" in c.args.get("text", "") for c in joinedup.standin.calls("response_url"))
    assert any("has escalated a challenge" in str(m["blocks"]) for m in joinedup.standin.messages(LEE.user_id))
    assert "has escalated" in str(replies(joinedup, HEALTH.channel)[-1]["blocks"])
    with joinedup.db.read() as session:
        assert session.get(Challenge, 1).state == "escalated"


def test_the_sharer_amends_the_record_every_agency_is_told_and_every_version_stays(joinedup):
    joinedup.record()
    status = joinedup.standin.messages(SAM.user_id)[0]
    click(joinedup, status, Action.AMEND_RECORD, SAM.user_id, "DU0SAMSW")

    submit_latest_form(joinedup, SAM.user_id, {Field.SUMMARY: "Met at school on Monday, not Tuesday. No breakfast.",
                                               Field.AMEND_REASON: "The day was wrong"})

    for channel in (EDUCATION.channel, HEALTH.channel):
        post = str(joinedup.posts(channel)[0]["blocks"])
        assert "Met at school on Monday, not Tuesday" in post and "Amended by" in post
        assert "The day was wrong" in str(replies(joinedup, channel)[-1]["blocks"])
    joinedup.slack.command("/joinedup", "show JU-000001", user=SAM.user_id)
    assert "Earlier summary:_ Met at school. The child said" in str(joinedup.standin.calls("response_url")[-1].args)


def test_only_the_sharer_may_amend(joinedup):
    joinedup.record()
    status = joinedup.standin.messages(SAM.user_id)[0]

    click(joinedup, status, Action.AMEND_RECORD, TIA.user_id, "DU0SAMSW")

    assert joinedup.standin.views(TIA.user_id) == [], "a form they may not submit is not opened"
    assert "Only the person who shared" in joinedup.standin.calls("response_url")[-1].args["text"]


def test_an_unanswered_challenge_is_chased_in_working_hours_once_and_stops_when_answered(joinedup):
    joinedup.record()
    challenge(joinedup)  # Tuesday 10:00

    assert Sweeper(joinedup.services).run().challenge_reminders == 0
    joinedup.clock.set(at(2026, 11, 25, 10, 0))
    assert Sweeper(joinedup.services).run().challenge_reminders == 1
    assert Sweeper(joinedup.services).run().challenge_reminders == 0
    assert "is waiting for an answer" in str(joinedup.standin.messages(SAM.user_id)[-1]["blocks"])
    click(joinedup, sharers_dm(joinedup, "asks about"), Action.RESPOND_CHALLENGE, SAM.user_id, "DU0SAMSW")
    submit_latest_form(joinedup, SAM.user_id, {Field.RESPONSE_TEXT: "Answered."})
    joinedup.clock.set(at(2026, 11, 26, 10, 0))

    assert Sweeper(joinedup.services).run().challenge_reminders == 0


def test_app_home_lists_challenges_for_the_sharer_and_the_challenger(joinedup):
    joinedup.record()
    challenge(joinedup)

    for user in (SAM.user_id, TIA.user_id):
        joinedup.slack.event({"type": "app_home_opened", "user": user, "tab": "home", "channel": "D1", "event_ts": "1.1"})

    assert "Questions waiting for an answer* (1)" in str(joinedup.standin.home_views[SAM.user_id]["blocks"])
    assert "Your questions and challenges* (1)" in str(joinedup.standin.home_views[TIA.user_id]["blocks"])
    assert "Questions waiting for an answer" not in str(joinedup.standin.home_views[TIA.user_id]["blocks"]), \
        "not their own question to answer"


def test_any_member_of_a_receiving_agency_answers_from_the_thread_and_the_challenger_hears(joinedup):
    joinedup.record()
    challenge(joinedup)  # Tia, for Education; it is in Health's thread too
    [question] = replies(joinedup, HEALTH.channel)
    assert "can answer" in str(question["blocks"])

    click(joinedup, question, Action.RESPOND_CHALLENGE, NIA.user_id, HEALTH.channel)
    form = joinedup.standin.views(NIA.user_id)[-1]
    assert form["callback_id"] == Callback.RESPONSE_FORM
    assert Field.REVISED_RISK not in str(form["blocks"]), "only the sharer may revise the risk level"
    reply = submit_latest_form(joinedup, NIA.user_id, {Field.RESPONSE_TEXT: "Health saw her last week: no concerns."})

    assert reply.json()["response_action"] == "update"
    for channel in (EDUCATION.channel, HEALTH.channel):
        assert "no concerns" in str(replies(joinedup, channel)[-1]["blocks"])
    assert any("no concerns" in str(m["blocks"]) for m in joinedup.standin.messages(TIA.user_id))
    with joinedup.db.read() as session:
        assert session.get(Challenge, 1).state == "answered"


def test_a_respond_button_in_a_thread_refuses_anyone_else_clearly_and_opens_nothing(joinedup):
    joinedup.record()
    challenge(joinedup)
    [question] = replies(joinedup, HEALTH.channel)

    click(joinedup, question, Action.RESPOND_CHALLENGE, OUTSIDER.user_id, HEALTH.channel)

    assert joinedup.standin.views(OUTSIDER.user_id) == []
    refusal = joinedup.standin.calls("response_url")[-1].args
    assert refusal["text"] == refusals.ANSWER and refusal["response_type"] == "ephemeral"


def test_a_member_of_a_receiving_agency_answers_from_app_home(joinedup):
    joinedup.record()
    challenge(joinedup)

    joinedup.slack.event({"type": "app_home_opened", "user": NIA.user_id, "tab": "home", "channel": "D1",
                          "event_ts": "1.1"})
    home = joinedup.standin.home_views[NIA.user_id]
    assert "Questions waiting for an answer* (1)" in str(home["blocks"])
    [respond] = [b["accessory"] for b in home["blocks"]
                 if b.get("accessory", {}).get("action_id") == Action.RESPOND_CHALLENGE]
    payload = block_actions({"ts": "0"}, {k: respond[k] for k in ("action_id", "type", "value")}, user=NIA.user_id,
                            channel="", response_url="", trigger_id=joinedup.standin.trigger_id(NIA.user_id))
    payload.update(container={"type": "view", "view_id": home["id"]}, view=home)  # from App Home: no message
    del payload["response_url"], payload["message"], payload["channel"]
    joinedup.slack.interaction(payload)

    assert joinedup.standin.views(NIA.user_id)[-1]["callback_id"] == Callback.RESPONSE_FORM


def test_once_the_challenger_closes_it_the_threads_no_longer_offer_respond(joinedup):
    joinedup.record()
    challenge(joinedup)
    click(joinedup, sharers_dm(joinedup, "asks about"), Action.RESPOND_CHALLENGE, SAM.user_id, "DU0SAMSW")
    submit_latest_form(joinedup, SAM.user_id, {Field.RESPONSE_TEXT: "Early help is right for now."})
    answer = joinedup.standin.messages(TIA.user_id)[-1]

    click(joinedup, answer, Action.RESOLVE_CHALLENGE, TIA.user_id, "DU0TIATEACH")

    for channel in (EDUCATION.channel, HEALTH.channel):
        question = replies(joinedup, channel)[0]
        assert "I disagree with the risk level" in str(question["blocks"])
        assert Action.RESPOND_CHALLENGE not in str(question["blocks"])
