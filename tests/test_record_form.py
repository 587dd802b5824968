"""The /record form: how it opens, what it remembers and suggests, and every rule a record must meet."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bot.blocks.record_form import OPTION_LIMIT, OTHER_PURPOSE, RECORD_ONLY, FormDefaults, offered_agency, \
    record_form
from bot.demo.sample import RISK_LEVELS, SAM, TIA, sample_partnership
from bot.standin.filling import view_action
from bot.standin.signed_requests import APP_ID, TEAM, fill, user_object
from bot.blocks.ids import Action, Callback, Field
from storage.models import Record, SlackMessage
from tests.conftest import TUESDAY_10AM, VALID_ANSWERS

PARTNERSHIP = sample_partnership()
URGENT = next(level for level in RISK_LEVELS if level.urgent)
NOT_URGENT = next(level for level in RISK_LEVELS if not level.urgent)
NHS_NUMBER = "943 476 5919"  # has a valid check digit


# --- helpers --------------------------------------------------------------------------------------

def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    found = [b for b in view["blocks"] if b.get("block_id") == block_id]
    assert found, f"no {block_id!r} block in the view"
    return found[0]


def has_block(view: dict[str, Any], block_id: str) -> bool:
    return any(b.get("block_id") == block_id for b in view["blocks"])


def texts(view: dict[str, Any]) -> str:
    """Every piece of text shown by the view's section and context blocks, one per line."""
    shown = []
    for b in view["blocks"]:
        if b["type"] == "section":
            shown.append(b["text"]["text"])
        elif b["type"] == "context":
            shown += [element["text"] for element in b["elements"]]
    return "\n".join(shown)


def submit(joinedup, view: dict[str, Any], user: str = SAM.user_id, **answers: Any):
    return joinedup.slack.submit(view, fill(view, {**VALID_ANSWERS, **answers}), user=user)


def choose_risk_level(joinedup, view: dict[str, Any], key: str, user: str = SAM.user_id):
    """What Slack sends when the dispatch_action risk select changes inside the open modal."""
    select = block(view, Field.RISK_LEVEL)["element"]
    chosen = next(o for o in select["options"] if o["value"] == key)
    payload = {
        "type": "block_actions", "user": user_object(user), "api_app_id": APP_ID,
        "token": "verification-token-unused", "team": TEAM, "enterprise": None, "is_enterprise_install": False,
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": joinedup.standin.trigger_id(user),
        "view": {**view, "state": {"values": fill(view, {**VALID_ANSWERS, Field.RISK_LEVEL: key})}},
        "actions": [{"type": "static_select", "action_id": Action.RISK_LEVEL, "block_id": Field.RISK_LEVEL,
                     "selected_option": chosen, "placeholder": select.get("placeholder"),
                     "action_ts": f"{time.time():.6f}"}],
    }
    return joinedup.slack.interaction(payload)


def press_details(joinedup, view: dict[str, Any], user: str = SAM.user_id) -> dict[str, Any]:
    """Press the form's "Add or change" button, as Slack sends it; the form as it is afterwards."""
    [line] = [b for b in view["blocks"] if (b.get("accessory") or {}).get("action_id") == Action.RECORD_DETAILS]
    button = line["accessory"]
    reply = joinedup.slack.interaction(view_action(view, fill(view, {}), {
        "type": "button", "action_id": button["action_id"], "block_id": line.get("block_id", ""),
        "value": button["value"], "text": button["text"]}, user=user, trigger_id=joinedup.standin.trigger_id(user)))
    assert reply.status == 200, reply
    return joinedup.standin.views(user)[-1]


def refusal(reply, field: str) -> str:
    """The message shown under `field`, after checking the form was sent back with errors."""
    assert reply.status == 200, reply
    body = reply.json()
    assert body["response_action"] == "errors", body
    assert field in body["errors"], f"expected an error on {field!r}, got {body['errors']}"
    return body["errors"][field]


def assert_plain_words(message: str) -> None:
    sentence = message.strip().lstrip("“\"")
    assert sentence[:1].isupper() and sentence.endswith("."), f"not a sentence: {message!r}"
    for jargon in ("_", "{", "}", "None", "Error", "Traceback", "regex", "invalid"):
        assert jargon not in message, f"{jargon!r} in a message for people: {message!r}"


def assert_nothing_saved(joinedup) -> None:
    with joinedup.db.read() as session:
        assert session.query(Record).count() == 0
        assert session.query(SlackMessage).count() == 0
    assert joinedup.standin.count("chat.postMessage") == 0


def saved_records(joinedup) -> list[Record]:
    with joinedup.db.read() as session:
        return session.query(Record).all()


# --- opening the form -----------------------------------------------------------------------------

def test_record_opens_the_form_with_the_commands_trigger_id_and_answers_at_once_with_an_empty_body(joinedup):
    joinedup.open_form()  # the first request in a process pays one-off costs (imports, the bank holiday tables)
    trigger = joinedup.standin.trigger_id(SAM.user_id)

    started = time.perf_counter()
    reply = joinedup.slack.command("/record", "", user=SAM.user_id, trigger_id=trigger)
    elapsed = time.perf_counter() - started

    assert reply.status == 200
    assert reply.body == ""
    assert elapsed < 1.0, f"/record took {elapsed:.2f}s; Slack gives up after 3s"
    opened = joinedup.standin.calls("views.open")[1:]
    assert [call.args["trigger_id"] for call in opened] == [trigger]
    assert opened[0].args["view"]["callback_id"] == Callback.RECORD_FORM


def test_record_with_a_case_reference_prefills_it(joinedup):
    view = joinedup.open_form(text="CR-99999")

    assert block(view, Field.CASE_REFERENCE)["element"]["initial_value"] == "CR-99999"


def test_the_first_form_does_not_guess_the_sharers_agency(joinedup):
    view = joinedup.open_form()

    assert "initial_option" not in block(view, Field.SHARER_AGENCY)["element"]


def test_the_form_remembers_the_agency_the_sharer_last_recorded_for(joinedup):
    assert joinedup.record(**{Field.SHARER_AGENCY: "health", Field.SHARE_WITH: ["education"]}).status == 200

    mine, someone_elses = joinedup.open_form(), joinedup.open_form(user=TIA.user_id)

    assert offered_agency(mine) == "health" and not has_block(mine, Field.SHARER_AGENCY)  # said, not asked
    assert "*Your agency:* Health" in texts(mine)
    assert block(press_details(joinedup, mine), Field.SHARER_AGENCY)["element"]["initial_option"]["value"] == "health"
    assert offered_agency(someone_elses) is None
    assert "initial_option" not in block(someone_elses, Field.SHARER_AGENCY)["element"]


def test_choosing_another_agency_than_the_one_offered_is_remembered_for_the_next_form(joinedup):
    joinedup.record(**{Field.SHARER_AGENCY: "health", Field.SHARE_WITH: ["education"]})
    assert offered_agency(joinedup.open_form()) == "health"

    joinedup.record(**{Field.SHARER_AGENCY: "education", Field.SHARE_WITH: ["health"]})

    assert offered_agency(joinedup.open_form()) == "education"


def test_the_agency_a_form_offered_is_read_from_the_form_itself():
    partnership = sample_partnership()
    now = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
    offered = record_form(partnership, FormDefaults(occurred_at=now, follow_up_on=now.date(), sharer_agency="health"))
    blank = record_form(partnership, FormDefaults(occurred_at=now, follow_up_on=now.date()))

    assert offered_agency(offered) == "health" and offered_agency(blank) is None and offered_agency({}) is None


def test_the_follow_up_date_defaults_to_ten_working_days_ahead(joinedup):
    view = joinedup.open_form()  # Tuesday 24 November 2026

    assert "*Follow-up:* Tue 8 Dec 2026" in texts(view)
    assert block(press_details(joinedup, view), Field.FOLLOW_UP_ON)["element"]["initial_date"] == "2026-12-08"


def test_the_follow_up_date_counts_from_todays_date_in_london_not_in_utc(joinedup, clock):
    clock.set(datetime(2026, 7, 5, 23, 30, tzinfo=timezone.utc))  # Sunday in UTC, already Monday in London (BST)

    view = press_details(joinedup, joinedup.open_form())

    assert block(view, Field.FOLLOW_UP_ON)["element"]["initial_date"] == "2026-07-20"


def test_the_conversation_time_defaults_to_now(joinedup):
    view = joinedup.open_form()

    assert f"*When:* <!date^{int(TUESDAY_10AM.timestamp())}^" in texts(view)
    assert block(press_details(joinedup, view), Field.OCCURRED_AT)["element"]["initial_date_time"] == \
        int(TUESDAY_10AM.timestamp())


def test_a_record_saved_without_opening_the_details_takes_the_time_and_follow_up_the_form_offered(joinedup, clock):
    view = joinedup.open_form()
    clock.advance(minutes=7)  # the form stays open while the summary is typed

    assert submit(joinedup, view).json()["response_action"] == "update"

    [record] = saved_records(joinedup)
    assert record.occurred_at == TUESDAY_10AM and record.follow_up_on.isoformat() == "2026-12-08"


def test_every_risk_option_carries_its_definition_clipped_to_what_slack_allows(joinedup):
    options = block(joinedup.open_form(), Field.RISK_LEVEL)["element"]["options"]

    assert [o["value"] for o in options] == [level.key for level in RISK_LEVELS]
    for option, level in zip(options, RISK_LEVELS):
        description = option["description"]["text"]
        assert len(description) <= OPTION_LIMIT
        assert level.definition.startswith(description.rstrip("…")), description
    assert any(len(level.definition) > OPTION_LIMIT for level in RISK_LEVELS), "the sample should need clipping"


def test_the_form_shows_every_risk_levels_full_definition(joinedup):
    shown = texts(joinedup.open_form())

    for level in RISK_LEVELS:
        assert f"*{level.label}*: {level.definition}" in shown


def test_the_summary_box_stops_at_3000_characters(joinedup):
    assert block(joinedup.open_form(), Field.SUMMARY)["element"]["max_length"] == 3000


def test_when_slack_will_not_open_the_form_the_person_is_told_why_in_the_reply(joinedup):
    joinedup.standin.fail("views.open", error="expired_trigger_id")

    reply = joinedup.slack.command("/record", "", user=SAM.user_id)

    assert reply.status == 200
    if reply.headers.get("content-type", "").startswith("application/json"):
        body = reply.json()
        assert body.get("response_type", "ephemeral") == "ephemeral"
        said = body["text"]
    else:  # Slack shows a plain-text reply to a slash command as an ephemeral message
        said = reply.body
    assert "expired_trigger_id" in said and "type the command again" in said


# --- every rule a record must meet ----------------------------------------------------------------

REFUSALS = [
    pytest.param({Field.CASE_REFERENCE: ""}, Field.CASE_REFERENCE, "Enter the child's case reference",
                 id="no case reference"),
    pytest.param({Field.CASE_REFERENCE: "Jane Smith"}, Field.CASE_REFERENCE, "never the child's name",
                 id="a name instead of a case reference"),
    pytest.param({Field.CASE_REFERENCE: "CR-12"}, Field.CASE_REFERENCE, "doesn't look like a case reference",
                 id="a case reference too short"),
    pytest.param({Field.OCCURRED_AT: None}, Field.OCCURRED_AT, "Choose the date and time",
                 id="no conversation time"),
    pytest.param({Field.OCCURRED_AT: int((TUESDAY_10AM + timedelta(hours=1)).timestamp())}, Field.OCCURRED_AT,
                 "in the future", id="a conversation in the future"),
    pytest.param({Field.SHARER_AGENCY: None}, Field.SHARER_AGENCY, "Choose your own agency", id="no own agency"),
    pytest.param({Field.SHARER_AGENCY: "fire-service"}, Field.SHARER_AGENCY, "Choose your own agency",
                 id="a forged own agency"),
    pytest.param({Field.SHARE_WITH: ["education", "fire-service"]}, Field.SHARE_WITH, "no longer configured",
                 id="sharing with an agency that is not configured"),
    pytest.param({Field.SHARE_WITH: []}, Field.SHARE_WITH, "Choose the agencies to share with",
                 id="neither agencies nor record only"),
    pytest.param({Field.SHARE_WITH: [RECORD_ONLY]}, Field.NOT_SHARED_REASON, "Say why you are not sharing",
                 id="record only without a reason"),
    pytest.param({Field.SHARE_WITH: ["education", RECORD_ONLY]}, Field.SHARE_WITH, "not both",
                 id="agencies and record only"),
    pytest.param({Field.PURPOSES: []}, Field.PURPOSES, "Say why you are sharing",
                 id="shared without any purpose"),
    pytest.param({Field.PURPOSES: [OTHER_PURPOSE]}, Field.PURPOSE_DETAIL, "Write the reason in your own words",
                 id="another reason chosen but not written"),
    pytest.param({Field.PURPOSES: ["Because I was asked"]}, Field.PURPOSES, "no longer configured",
                 id="a purpose that is not configured"),
    pytest.param({Field.REQUEST: None}, Field.REQUEST, "Say what each agency is asked to do",
                 id="no request"),
    pytest.param({Field.REQUEST: "action"}, Field.REQUESTED_ACTION, "Describe the action",
                 id="an action requested without describing it"),
    pytest.param({Field.SOURCE: None}, Field.SOURCE, "saw or heard this yourself",
                 id="no source"),
    pytest.param({Field.LAWFUL_BASIS: None}, Field.LAWFUL_BASIS, "Choose the lawful basis", id="no lawful basis"),
    pytest.param({Field.LAWFUL_BASIS: "Because it felt right"}, Field.LAWFUL_BASIS, "Choose the lawful basis",
                 id="a lawful basis that is not configured"),
    pytest.param({Field.SUMMARY: ""}, Field.SUMMARY, "Write a summary", id="an empty summary"),
    pytest.param({Field.SUMMARY: "  \n\t "}, Field.SUMMARY, "Write a summary", id="a blank summary"),
    pytest.param({Field.SUMMARY: "x" * 3001}, Field.SUMMARY, "within 3,000 characters",
                 id="a forged summary over 3000 characters"),
    pytest.param({Field.RISK_LEVEL: None}, Field.RISK_LEVEL, "Choose the risk level", id="no risk level"),
    pytest.param({Field.RISK_LEVEL: "catastrophic"}, Field.RISK_LEVEL, "Choose the risk level",
                 id="a risk level that is not configured"),
    pytest.param({Field.FOLLOW_UP_ON: None}, Field.FOLLOW_UP_ON, "Choose a date to follow up", id="no follow-up"),
    pytest.param({Field.FOLLOW_UP_ON: "2026-11-24"}, Field.FOLLOW_UP_ON, "after today", id="a follow-up today"),
    pytest.param({Field.FOLLOW_UP_ON: "2026-11-23"}, Field.FOLLOW_UP_ON, "after today",
                 id="a follow-up in the past"),
    pytest.param({Field.FOLLOW_UP_ON: "2027-11-26"}, Field.FOLLOW_UP_ON, "within the next year",
                 id="a follow-up more than a year ahead"),
    pytest.param({Field.FOLLOW_UP_ON: "next week"}, Field.FOLLOW_UP_ON, "Choose a date to follow up",
                 id="a forged follow-up that is not a date"),
    pytest.param({Field.OTHERS_PRESENT: "x" * 501}, Field.OTHERS_PRESENT, "within 500 characters",
                 id="others present over 500 characters"),
    pytest.param({Field.SHARE_WITH: [RECORD_ONLY], Field.NOT_SHARED_REASON: "x" * 501}, Field.NOT_SHARED_REASON,
                 "within 500 characters", id="a reason for not sharing over 500 characters"),
    pytest.param({Field.PURPOSES: [OTHER_PURPOSE], Field.PURPOSE_DETAIL: "x" * 501}, Field.PURPOSE_DETAIL,
                 "within 500 characters", id="purpose in own words over 500 characters"),
    pytest.param({Field.REQUEST: "action", Field.REQUESTED_ACTION: "x" * 501}, Field.REQUESTED_ACTION,
                 "within 500 characters", id="requested action over 500 characters"),
    pytest.param({Field.ACTIONS: "x" * 3001}, Field.ACTIONS, "within 3,000 characters",
                 id="actions over 3000 characters"),
    pytest.param({Field.SUMMARY: f"Mum gave the NHS number {NHS_NUMBER}."}, Field.SUMMARY, "NHS number",
                 id="an identifier in the summary without a reason"),
    pytest.param({Field.SUMMARY: f"NHS number {NHS_NUMBER}", Field.IDENTIFIERS_REASON: "x" * 501},
                 Field.IDENTIFIERS_REASON, "within 500 characters", id="a reason for identifiers over 500 characters"),
]


@pytest.mark.parametrize(("answers", "field", "words"), REFUSALS)
def test_a_record_breaking_a_rule_is_sent_back_with_a_plain_message_on_that_field_and_nothing_is_saved(
        joinedup, answers, field, words):
    # Each choice reaches Joined Up as it is made, so the fields it opens are on the form when it is sent.
    reply = joinedup.filler.submit(joinedup.open_form(), {**VALID_ANSWERS, **answers}, user=SAM.user_id,
                                   every_choice=True)

    message = refusal(reply, field)
    assert words in message
    assert_plain_words(message)
    assert_nothing_saved(joinedup)


def test_a_name_given_as_a_case_reference_is_refused_and_the_message_says_never_to_use_names(joinedup):
    message = refusal(joinedup.record(**{Field.CASE_REFERENCE: "Jane Smith"}), Field.CASE_REFERENCE)

    assert "never the child's name" in message
    assert_nothing_saved(joinedup)


def test_an_empty_form_gets_every_problem_at_once(joinedup):
    view = joinedup.open_form()

    reply = joinedup.slack.submit(view, fill(view, {}), user=SAM.user_id)

    assert reply.json()["response_action"] == "errors"
    assert set(reply.json()["errors"]) == {Field.CASE_REFERENCE, Field.SHARER_AGENCY, Field.SHARE_WITH,
                                           Field.SOURCE, Field.LAWFUL_BASIS, Field.SUMMARY, Field.RISK_LEVEL}
    assert_nothing_saved(joinedup)


def test_every_error_names_a_block_that_is_on_the_form(joinedup):
    view = joinedup.open_form()

    reply = joinedup.slack.submit(view, fill(view, {Field.SUMMARY: "x" * 3001, Field.FOLLOW_UP_ON: "2026-01-01"}),
                                  user=SAM.user_id)

    on_form = {b.get("block_id") for b in view["blocks"]}
    assert reply.json()["errors"] and set(reply.json()["errors"]) <= on_form


def test_a_case_reference_typed_in_lower_case_with_spaces_is_saved_in_its_standard_form(joinedup):
    assert joinedup.record(**{Field.CASE_REFERENCE: " cr- 12345 "}).json()["response_action"] == "update"

    assert [r.case_reference for r in saved_records(joinedup)] == ["CR-12345"]


def test_a_conversation_time_a_few_minutes_ahead_is_allowed_for_clock_differences(joinedup):
    ahead = int((TUESDAY_10AM + timedelta(minutes=4)).timestamp())

    assert joinedup.record(**{Field.OCCURRED_AT: ahead}).json()["response_action"] == "update"


def test_a_follow_up_tomorrow_or_a_year_ahead_is_accepted(joinedup):
    assert joinedup.record(**{Field.FOLLOW_UP_ON: "2026-11-25"}).json()["response_action"] == "update"
    assert joinedup.record(**{Field.FOLLOW_UP_ON: "2027-11-24"}).json()["response_action"] == "update"

    assert len(saved_records(joinedup)) == 2


def test_today_for_the_follow_up_rule_is_todays_date_in_london(joinedup, clock):
    clock.set(datetime(2026, 7, 5, 23, 30, tzinfo=timezone.utc))  # already Monday 6 July in London

    reply = joinedup.record(**{Field.OCCURRED_AT: int(clock.now().timestamp()), Field.FOLLOW_UP_ON: "2026-07-06"})

    assert "after today" in refusal(reply, Field.FOLLOW_UP_ON)


def test_an_action_described_is_saved_with_the_record(joinedup):
    reply = joinedup.record(**{Field.REQUEST: "action", Field.REQUESTED_ACTION: "Check attendance this week"})

    assert reply.json()["response_action"] == "update"
    assert [r.requested_action for r in saved_records(joinedup)] == ["Check attendance this week"]



# --- urgent risk levels ---------------------------------------------------------------------------

def test_choosing_an_urgent_risk_level_shows_the_emergency_instructions_and_a_required_confirmation(joinedup):
    form = joinedup.open_form()

    reply = choose_risk_level(joinedup, form, URGENT.key)

    assert reply.status == 200
    updates = joinedup.standin.calls("views.update")
    assert [call.args["view_id"] for call in updates] == [form["id"]]
    assert updates[0].response["ok"], updates[0].response
    updated = joinedup.standin.views(SAM.user_id)[-1]
    assert PARTNERSHIP.emergency_instructions in texts(updated)
    confirmation = block(updated, Field.URGENT_CONFIRMED)
    assert confirmation["type"] == "input" and confirmation["optional"] is False
    assert confirmation["element"]["type"] == "checkboxes"
    assert block(updated, Field.RISK_LEVEL)["element"]["initial_option"]["value"] == URGENT.key


def test_choosing_a_risk_level_that_is_not_urgent_shows_its_meaning_and_asks_for_no_confirmation(joinedup):
    form = joinedup.open_form()

    choose_risk_level(joinedup, form, NOT_URGENT.key)

    updated = joinedup.standin.views(SAM.user_id)[-1]
    assert f"*{NOT_URGENT.label}* means: {NOT_URGENT.definition}" in texts(updated)
    assert not has_block(updated, Field.URGENT_CONFIRMED)
    assert PARTNERSHIP.emergency_instructions not in texts(updated)


def test_an_urgent_record_from_a_form_without_the_confirmation_is_turned_into_one_with_it(joinedup):
    form = joinedup.open_form()  # the risk select changed without Slack dispatching the action

    reply = submit(joinedup, form, **{Field.RISK_LEVEL: URGENT.key})

    assert reply.json()["response_action"] == "update"
    shown = reply.json()["view"]
    assert has_block(shown, Field.URGENT_CONFIRMED)
    assert PARTNERSHIP.emergency_instructions in texts(shown)
    assert shown["callback_id"] == Callback.RECORD_FORM
    assert_nothing_saved(joinedup)


def test_an_urgent_record_without_the_box_ticked_is_refused_on_the_confirmation(joinedup):
    form = joinedup.open_form()
    choose_risk_level(joinedup, form, URGENT.key)
    urgent_form = joinedup.standin.views(SAM.user_id)[-1]

    reply = submit(joinedup, urgent_form, **{Field.RISK_LEVEL: URGENT.key, Field.URGENT_CONFIRMED: []})

    message = refusal(reply, Field.URGENT_CONFIRMED)
    assert "emergency instructions" in message
    assert_plain_words(message)
    assert_nothing_saved(joinedup)


def test_an_urgent_record_with_the_box_ticked_is_saved(joinedup):
    form = joinedup.open_form()
    choose_risk_level(joinedup, form, URGENT.key)
    urgent_form = joinedup.standin.views(SAM.user_id)[-1]

    reply = submit(joinedup, urgent_form, **{Field.RISK_LEVEL: URGENT.key, Field.URGENT_CONFIRMED: ["yes"]})

    assert reply.json()["response_action"] == "update"
    assert [r.risk_key for r in saved_records(joinedup)] == [URGENT.key]
