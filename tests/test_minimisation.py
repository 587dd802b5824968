"""Data minimisation at the point of capture: identifiers are caught before anything is saved."""
from __future__ import annotations

from bot.blocks.record_form import OTHER_PURPOSE
from bot.demo.sample import EDUCATION, SAM, TIA
from bot.standin.signed_requests import find_action, fill
from bot.blocks.ids import Action, Field
from storage.models import Record
from tests.conftest import VALID_ANSWERS

NHS_NUMBER = "943 476 5919"


def saved_records(joinedup):
    with joinedup.db.read() as session:
        return session.query(Record).all()


def test_a_summary_with_a_valid_nhs_number_cannot_be_posted_without_a_reason(joinedup):
    reply = joinedup.record(**{Field.SUMMARY: f"Seen at clinic, NHS number {NHS_NUMBER}."})
    # The form comes back with the box for the reason, saying what was found; sent again as it is:
    shown = {**reply.json()["view"], "id": joinedup.standin.views(SAM.user_id)[-1]["id"]}
    assert Field.IDENTIFIERS_REASON in str(shown["blocks"]) and NHS_NUMBER in str(shown["blocks"])
    reply = joinedup.slack.submit(shown, fill(shown, {}), user=SAM.user_id)

    errors = reply.json()["errors"]
    assert "NHS number" in errors[Field.SUMMARY] and NHS_NUMBER in errors[Field.SUMMARY]
    assert Field.IDENTIFIERS_REASON in errors
    assert saved_records(joinedup) == [] and joinedup.standin.count("chat.postMessage") == 0


def test_with_a_reason_the_record_is_saved_and_the_reason_and_what_was_found_are_kept(joinedup):
    reply = joinedup.record(**{Field.SUMMARY: f"Seen at clinic, NHS number {NHS_NUMBER}.",
                               Field.IDENTIFIERS_REASON: "Health need the number to match the GP record."})

    assert reply.json()["response_action"] == "update"
    [record] = saved_records(joinedup)
    assert record.identifiers_found == ["NHS number"]
    assert record.identifiers_reason == "Health need the number to match the GP record."


def test_each_field_is_checked_and_another_childs_case_reference_is_caught(joinedup):
    reply = joinedup.record(**{Field.ACTIONS: "Call mum on 07700 900123",
                               Field.PURPOSES: [VALID_ANSWERS[Field.PURPOSES][0], OTHER_PURPOSE],
                               Field.PURPOSE_DETAIL: "Her brother CR-99999 is also known to us"})

    errors = reply.json()["errors"]
    assert "phone number" in errors[Field.ACTIONS]
    assert "another case reference" in errors[Field.PURPOSE_DETAIL]


def test_an_invalid_nhs_number_and_the_childs_own_reference_are_not_flagged(joinedup):
    reply = joinedup.record(**{Field.SUMMARY: "Ten digits 943 476 5918 and CR-12345 again."})

    assert reply.json()["response_action"] == "update"


def test_outcomes_are_checked_too(joinedup):
    joinedup.record()
    post = joinedup.posts(EDUCATION.channel)[0]
    joinedup.slack.click(post, find_action(post["blocks"], Action.ACKNOWLEDGE), user=TIA.user_id,
                         channel=EDUCATION.channel)
    post = joinedup.posts(EDUCATION.channel)[0]  # acknowledged: it offers to tell the sharer what was done
    joinedup.slack.click(post, find_action(post["blocks"], Action.REPORT_OUTCOME), user=TIA.user_id,
                         channel=EDUCATION.channel)
    form = joinedup.standin.views(TIA.user_id)[-1]

    reply = joinedup.slack.submit(form, fill(form, {Field.WHAT_HAPPENED: "Mum emailed me at mum@example.org",
                                                    Field.NEXT_STEP: "further_action"}), user=TIA.user_id)

    assert "email address" in reply.json()["errors"][Field.WHAT_HAPPENED]


def test_the_check_can_be_turned_off_by_the_organisation(database, standin, clock):
    from dataclasses import replace

    from bot.demo.sample import sample_partnership
    from tests.conftest import start_joinedup

    running = start_joinedup(db=database, standin=standin, clock=clock,
                             partnership=replace(sample_partnership(), check_identifiers=False))
    try:
        reply = running.record(**{Field.SUMMARY: f"NHS number {NHS_NUMBER}"})
        assert reply.json()["response_action"] == "update"
        assert Field.IDENTIFIERS_REASON not in str(running.standin.views(SAM.user_id)[-1]["blocks"])
    finally:
        running._stop()
