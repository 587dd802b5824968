"""The record form on a phone, measured: the inputs a person sees and the ones they must touch, for a typical record
and for the fullest one; each field appears only when its condition holds; and nothing typed is ever lost as the
form changes. Everything goes through signed HTTP requests to the running app, and the view counted is the one
Slack (the stand-in) holds."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.blocks.ids import Action, Field
from bot.blocks.record_form import ACTION_REQUESTED, INFORMATION_ONLY, OTHER_PURPOSE, RECORD_ONLY, FormDefaults, \
    record_form
from bot.demo.sample import RISK_LEVELS, SAM, TIA
from bot.standin.filling import choice_action, view_action
from bot.standin.signed_requests import fill
from storage.models import Record
from tests.conftest import TUESDAY_10AM, VALID_ANSWERS
from tests.test_record_form import assert_nothing_saved, assert_plain_words, block, has_block, refusal, \
    saved_records, texts

NHS_NUMBER = "943 476 5919"
URGENT = next(level for level in RISK_LEVELS if level.urgent)
# Shared with two agencies for information, first-hand, no identifiers; by someone whose agency Joined Up knows.
TYPICAL = {key: value for key, value in VALID_ANSWERS.items() if key != Field.SHARER_AGENCY}
FULLEST = {
    **VALID_ANSWERS,
    Field.SUMMARY: f"Mum read out the NHS number {NHS_NUMBER} for the GP letter.",
    Field.SOURCE: "reported",
    Field.RISK_LEVEL: URGENT.key,
    Field.URGENT_CONFIRMED: ["yes"],
    Field.SHARE_WITH: ["education", "police", "social-care"],
    Field.PURPOSES: ["To keep the child safe from harm", OTHER_PURPOSE],
    Field.PURPOSE_DETAIL: "The school nurse asked to be kept informed.",
    Field.REQUEST: ACTION_REQUESTED,
    Field.REQUESTED_ACTION: "Please check attendance this week and tell me of any absence.",
    Field.LAWFUL_BASIS: "Shared without consent to protect the child",
    Field.OCCURRED_AT: int((TUESDAY_10AM - timedelta(hours=2)).timestamp()),
    Field.PARTICIPANTS: [TIA.user_id],
    Field.OTHERS_PRESENT: "Foster carer",
    Field.SHARER_AGENCY: "health",
    Field.ACTIONS: "Sam to visit on Friday.",
    Field.FOLLOW_UP_ON: "2026-12-01",
    Field.IDENTIFIERS_REASON: "The GP cannot match the letter without it.",
}
# What the form asked of a typical record before it was shaped for a phone: 18 inputs, all always shown.
EIGHTEEN_BEFORE = 18


# --- measuring ------------------------------------------------------------------------------------------------

def inputs(view: dict[str, Any]) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if b.get("type") == "input"]


def untouched(block: dict[str, Any], *, offered: bool = True) -> Any:
    """What an input holds before anyone touches it: the value the form offers in it (if `offered`), else nothing."""
    element = {k: v for k, v in block["element"].items() if offered or not k.startswith("initial_")}
    return fill({"blocks": [{**block, "element": element}]}, {})[block["block_id"]]


def measure(joinedup, opened: dict[str, Any], answers: dict[str, Any]) -> tuple[list[str], list[str], Any]:
    """Fill in and send the form as a person does (each choice reaches Joined Up as it is made). The inputs of the
    view Slack holds when it is sent; the interactions the person needed (each field whose answer is not what the
    form offered, and the details button if it was pressed); and the reply."""
    defaults = FormDefaults.from_metadata(opened["private_metadata"], joinedup.partnership)
    assert defaults is not None
    everything = record_form(joinedup.partnership, replace(defaults, details=True))
    offered = {b["block_id"]: untouched(b) for b in everything["blocks"] if b.get("type") == "input"}
    reply = joinedup.filler.submit(opened, answers, user=SAM.user_id, every_choice=True)
    held = next(v for v in joinedup.standin.views(SAM.user_id) if v["id"] == opened["id"])
    final = fill(held, answers)
    touched = [block["block_id"] for block in held["blocks"] if block.get("type") == "input"
               and final[block["block_id"]] != offered.get(block["block_id"], untouched(block, offered=False))]
    pressed = [Action.RECORD_DETAILS] if '"details":true' in held["private_metadata"] else []
    return inputs(held), touched + pressed, reply


def returning_practitioner(joinedup) -> dict[str, Any]:
    """The form as it opens for someone who has recorded before: their agency is remembered."""
    assert joinedup.record().json()["response_action"] == "update"
    return joinedup.open_form()


def saved(joinedup) -> list[Record]:
    with joinedup.db.read() as session:
        return session.query(Record).order_by(Record.id).all()


# --- the figures ----------------------------------------------------------------------------------------------

def test_a_typical_record_takes_eight_visible_inputs_and_seven_touches(joinedup):
    shown, touched, reply = measure(joinedup, returning_practitioner(joinedup), TYPICAL)

    assert reply.json()["response_action"] == "update" and len(saved(joinedup)) == 2
    assert shown == [Field.CASE_REFERENCE, Field.SUMMARY, Field.SOURCE, Field.RISK_LEVEL, Field.SHARE_WITH,
                     Field.PURPOSES, Field.REQUEST, Field.LAWFUL_BASIS]
    assert len(shown) == 8 < EIGHTEEN_BEFORE
    assert sorted(touched) == sorted([Field.CASE_REFERENCE, Field.SUMMARY, Field.SOURCE, Field.RISK_LEVEL,
                                      Field.SHARE_WITH, Field.PURPOSES, Field.LAWFUL_BASIS])


def test_a_first_record_also_asks_for_the_practitioners_agency(joinedup):
    shown, touched, reply = measure(joinedup, joinedup.open_form(), VALID_ANSWERS)

    assert reply.json()["response_action"] == "update"
    assert len(shown) == 9 and Field.SHARER_AGENCY in shown and len(touched) == 8


def test_the_fullest_record_shows_eighteen_inputs_and_every_one_is_touched(joinedup):
    shown, touched, reply = measure(joinedup, returning_practitioner(joinedup), FULLEST)

    assert reply.json()["response_action"] == "update", reply.body
    assert len(shown) == 18 and set(shown) == set(FULLEST)
    assert len(touched) == 19  # every one of the 18 fields, and the button that shows the details
    [_, record] = saved(joinedup)
    assert (record.purpose_detail, record.requested_action, record.others_present, record.actions) == (
        FULLEST[Field.PURPOSE_DETAIL], FULLEST[Field.REQUESTED_ACTION], "Foster carer", "Sam to visit on Friday.")
    assert record.identifiers_found == ["NHS number"] and record.sharer_agency == "health"
    assert record.follow_up_on.isoformat() == "2026-12-01" and record.participants == [TIA.user_id]


# --- the box for why identifiers are needed: only once some are found ----------------------------------------

def test_the_box_for_why_identifiers_are_needed_is_not_on_the_form_until_some_are_found(joinedup):
    assert not has_block(joinedup.open_form(), Field.IDENTIFIERS_REASON)


def test_identifiers_found_on_sending_bring_the_reason_box_with_what_was_found_and_every_answer_kept(joinedup):
    view = joinedup.open_form()
    answers = {**VALID_ANSWERS, Field.CASE_REFERENCE: "Jane Smith",
               Field.SUMMARY: f"Seen at clinic. NHS number {NHS_NUMBER}."}

    reply = joinedup.slack.submit(view, fill(view, answers), user=SAM.user_id)

    body = reply.json()
    assert body["response_action"] == "update"
    shown = body["view"]
    assert block(shown, Field.IDENTIFIERS_REASON)["element"]["type"] == "plain_text_input"
    assert NHS_NUMBER in texts(shown) and "*Summary*" in texts(shown)
    assert "doesn't look like a case reference" in texts(shown)  # the other problem, under its field
    assert fill(shown, {}) == fill(view, answers) | {Field.IDENTIFIERS_REASON: fill(shown, {})[Field.IDENTIFIERS_REASON]}
    assert_nothing_saved(joinedup)


def test_an_identifier_sent_again_without_a_reason_is_refused_on_the_text_and_on_the_reason_box(joinedup):
    reply = joinedup.record(**{Field.ACTIONS: f"Ask the GP about NHS number {NHS_NUMBER}"})
    shown = reply.json()["view"]  # the reason box has appeared: sent again as it is

    again = joinedup.slack.submit({**shown, "id": joinedup.standin.views(SAM.user_id)[-1]["id"]},
                                  fill(shown, {}), user=SAM.user_id)

    assert NHS_NUMBER in refusal(again, Field.ACTIONS)
    assert "tick" not in refusal(again, Field.ACTIONS)
    assert_plain_words(refusal(again, Field.IDENTIFIERS_REASON))
    assert_nothing_saved(joinedup)


def test_an_identifier_kept_with_a_reason_is_saved_with_what_was_found(joinedup):
    reply = joinedup.record(**{Field.ACTIONS: f"Ask the GP about NHS number {NHS_NUMBER}",
                               Field.IDENTIFIERS_REASON: "The GP surgery cannot find the child without it"})

    assert reply.json()["response_action"] == "update"
    [record] = saved_records(joinedup)
    assert record.identifiers_found == ["NHS number"]
    assert record.identifiers_reason == "The GP surgery cannot find the child without it"


def test_identifiers_typed_before_a_choice_is_made_bring_the_reason_box_with_that_choice(joinedup):
    view = joinedup.open_form()
    answers = {**VALID_ANSWERS, Field.SUMMARY: f"NHS number {NHS_NUMBER}"}

    shown, _ = joinedup.fill_form(view, answers, every_choice=True)

    assert has_block(shown, Field.IDENTIFIERS_REASON) and NHS_NUMBER in texts(shown)


# --- a field appears when its condition holds, and what is typed stays -----------------------------------------

def choose(joinedup, view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Give these answers in the open form, each choice sent to Joined Up as Slack sends it: the form afterwards."""
    return joinedup.fill_form(view, answers, every_choice=True)[0]


def send(joinedup, view: dict[str, Any], answers: dict[str, Any]):
    return joinedup.slack.submit(view, fill(view, answers), user=SAM.user_id)


def test_choosing_record_only_shows_the_reason_and_sets_aside_why_and_what_is_asked(joinedup):
    opened = joinedup.open_form()
    assert Field.NOT_SHARED_REASON not in inputs(opened)
    answers = {**VALID_ANSWERS, Field.SHARE_WITH: [RECORD_ONLY], Field.PURPOSES: [],
               Field.NOT_SHARED_REASON: "Dad asked us to wait until the review on Friday."}

    shown = choose(joinedup, opened, answers)

    assert Field.NOT_SHARED_REASON in inputs(shown)
    assert Field.PURPOSES not in inputs(shown) and Field.REQUEST not in inputs(shown)
    assert send(joinedup, shown, answers).json()["response_action"] == "update"
    [record] = saved(joinedup)
    assert record.not_shared_reason == answers[Field.NOT_SHARED_REASON] and not record.is_shared


def test_choosing_a_specific_action_shows_the_box_for_it(joinedup):
    opened = joinedup.open_form()
    assert Field.REQUESTED_ACTION not in inputs(opened)

    shown = choose(joinedup, opened, {Field.REQUEST: ACTION_REQUESTED})

    assert block(shown, Field.REQUESTED_ACTION)["element"]["type"] == "plain_text_input"


def test_an_action_typed_then_set_back_to_information_only_is_kept_shown_and_asked_about(joinedup):
    action = "Please check attendance this week and tell me of any absence."
    answers = {**VALID_ANSWERS, Field.REQUEST: ACTION_REQUESTED, Field.REQUESTED_ACTION: action}
    typed = choose(joinedup, joinedup.open_form(), answers)
    back = {**answers, Field.REQUEST: INFORMATION_ONLY}

    shown = choose(joinedup, typed, back)

    assert block(shown, Field.REQUESTED_ACTION)["element"]["initial_value"] == action
    assert block(shown, Field.REQUESTED_ACTION).get("optional") is True, "it can be cleared: Slack lets it be sent empty"
    assert not block(typed, Field.REQUESTED_ACTION).get("optional"), "asked for, it is required"
    assert "You chose “For information only”, so this action would not be sent" in texts(shown)
    refused = send(joinedup, shown, back).json()
    assert refused["response_action"] == "errors" and "Choose “A specific action”" in refused["errors"][
        Field.REQUESTED_ACTION]
    assert saved(joinedup) == []

    assert send(joinedup, choose(joinedup, shown, answers), answers).json()["response_action"] == "update"
    assert [r.requested_action for r in saved(joinedup)] == [action]


def test_a_reason_for_not_sharing_stays_when_agencies_are_chosen_and_is_asked_about(joinedup):
    reason = "Mum asked us to wait until the review."
    record_only = {**VALID_ANSWERS, Field.SHARE_WITH: [RECORD_ONLY], Field.NOT_SHARED_REASON: reason}
    typed = choose(joinedup, joinedup.open_form(), record_only)
    sharing = {**record_only, Field.SHARE_WITH: ["education"]}

    shown = choose(joinedup, typed, sharing)

    assert block(shown, Field.NOT_SHARED_REASON)["element"]["initial_value"] == reason
    assert Field.PURPOSES in inputs(shown) and Field.REQUEST in inputs(shown)
    assert "Clear this reason" in send(joinedup, shown, sharing).json()["errors"][Field.NOT_SHARED_REASON]
    assert saved(joinedup) == []
    assert block(shown, Field.NOT_SHARED_REASON).get("optional") is True, "so clearing it, as asked, can be sent"
    assert not block(typed, Field.NOT_SHARED_REASON).get("optional"), "for record only, the reason is required"

    cleared = {**sharing, Field.NOT_SHARED_REASON: ""}
    assert send(joinedup, shown, cleared).json()["response_action"] == "update"
    assert [r.not_shared_reason for r in saved(joinedup)] == [None]


def test_another_reason_opens_a_box_whose_words_are_kept_if_the_choice_is_undone(joinedup):
    words = "The school nurse asked to be kept informed."
    answers = {**VALID_ANSWERS, Field.PURPOSES: ["To keep the child safe from harm", OTHER_PURPOSE],
               Field.PURPOSE_DETAIL: words}
    opened = joinedup.open_form()
    assert Field.PURPOSE_DETAIL not in inputs(opened)
    typed = choose(joinedup, opened, answers)
    undone = {**answers, Field.PURPOSES: ["To keep the child safe from harm"]}

    shown = choose(joinedup, typed, undone)

    assert block(shown, Field.PURPOSE_DETAIL)["element"]["initial_value"] == words
    assert send(joinedup, shown, undone).json()["response_action"] == "update"
    [record] = saved(joinedup)
    assert (record.purposes, record.purpose_detail) == (["To keep the child safe from harm"], words)


def test_the_details_button_shows_when_who_agency_actions_and_follow_up_with_what_the_form_offered(joinedup):
    opened = returning_practitioner(joinedup)
    assert not set(inputs(opened)) & {Field.OCCURRED_AT, Field.PARTICIPANTS, Field.ACTIONS, Field.FOLLOW_UP_ON}

    shown = choose(joinedup, opened, {Field.ACTIONS: "Sam to visit on Friday."})

    offered = fill(shown, {})
    assert offered[Field.OCCURRED_AT]["value"]["selected_date_time"] == int(TUESDAY_10AM.timestamp())
    assert offered[Field.SHARER_AGENCY]["value"]["selected_option"]["value"] == VALID_ANSWERS[Field.SHARER_AGENCY]
    assert offered[Field.FOLLOW_UP_ON]["value"]["selected_date"] == "2026-12-08"
    assert {Field.PARTICIPANTS, Field.OTHERS_PRESENT, Field.ACTIONS} <= set(inputs(shown))


def test_nothing_typed_is_lost_and_no_field_changes_its_ids_as_the_form_changes(joinedup):
    view = joinedup.open_form()
    offered = {key: untouched(block(view, key)) for key in inputs(view)}  # what the form itself puts in
    answers: dict[str, Any] = {**VALID_ANSWERS, Field.SUMMARY: "Met at school; breakfast missed all week."}
    # Each step types into the fields on show, then makes a choice that changes the form.
    steps = [{Field.SHARE_WITH: [RECORD_ONLY]},
             {Field.NOT_SHARED_REASON: "Waiting for the review.", Field.SHARE_WITH: ["education"]},
             {Field.PURPOSES: [OTHER_PURPOSE], Field.PURPOSE_DETAIL: "Asked."},
             {Field.REQUEST: ACTION_REQUESTED},
             {Field.REQUESTED_ACTION: "Check attendance.", Field.REQUEST: INFORMATION_ONLY},
             {Field.RISK_LEVEL: URGENT.key}, {Field.ACTIONS: "Visit Friday."}]
    for step in steps:
        updates = joinedup.standin.count("views.update")
        answers |= step
        values = fill(view, answers)
        ids = {b["block_id"]: b["element"]["action_id"] for b in view["blocks"] if b.get("type") == "input"}

        changed = choose(joinedup, view, answers)

        assert joinedup.standin.count("views.update") > updates, step
        carried = fill(changed, {})
        for key, value in values.items():
            if key in carried:
                assert carried[key] == value, (step, key)
                assert block(changed, key)["element"]["action_id"] == ids[key], (step, key)
            else:
                held = value not in (untouched(block(view, key), offered=False), offered.get(key))
                assert not held, f"{key} held {value} and went"
        view = changed
    assert send(joinedup, view, {**answers, Field.URGENT_CONFIRMED: ["yes"]}).json()["errors"].keys() == {
        Field.NOT_SHARED_REASON, Field.REQUESTED_ACTION}  # each contradiction asked about, nothing dropped


def test_each_change_is_sent_with_the_views_hash_and_a_late_one_never_overwrites_a_newer_form(joinedup, caplog):
    caplog.set_level(logging.INFO)
    opened = joinedup.open_form()
    record_only = fill(opened, {Field.SHARE_WITH: [RECORD_ONLY]})
    action = fill(opened, {Field.REQUEST: ACTION_REQUESTED})
    first = view_action(opened, record_only, choice_action(block(opened, Field.SHARE_WITH), record_only),
                        user=SAM.user_id, trigger_id=joinedup.standin.trigger_id(SAM.user_id))
    late = view_action(opened, action, choice_action(block(opened, Field.REQUEST), action),
                       user=SAM.user_id, trigger_id=joinedup.standin.trigger_id(SAM.user_id))

    assert joinedup.slack.interaction(first).status == joinedup.slack.interaction(late).status == 200

    updates = joinedup.standin.calls("views.update")
    assert [call.args["hash"] for call in updates] == [opened["hash"], opened["hash"]]
    assert [call.ok for call in updates] == [True, False] and updates[1].response["error"] == "hash_conflict"
    held = joinedup.standin.views(SAM.user_id)[-1]
    assert Field.NOT_SHARED_REASON in inputs(held) and Field.REQUESTED_ACTION not in inputs(held)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_box_whose_update_was_lost_comes_with_a_note_when_the_form_is_sent(joinedup):
    answers = {**VALID_ANSWERS, Field.REQUEST: ACTION_REQUESTED}
    opened = joinedup.open_form()  # "A specific action" chosen, but its box's update never came

    shown = send(joinedup, opened, answers).json()

    assert shown["response_action"] == "update" and saved(joinedup) == []
    assert Field.REQUESTED_ACTION in inputs(shown["view"])
    assert "Describe the action you are asking for" in texts(shown["view"]), "a note under the new box"
