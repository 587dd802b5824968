"""The /record form, and everything said while recording, in Welsh and bilingual: the form, its errors, the
emergency panel and the saved view; a choice made in Welsh saves the same record as in English; and Slack takes
the fullest form in Welsh and bilingual."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from bot.blocks import refusals
from bot.blocks.ids import Field
from bot.blocks.limits import fitting, too_long
from bot.blocks.record_form import FormDefaults, LABELS, RecordForm, conflicts, record_form, saved_view
from bot.demo.sample import SAM, TIA, sample_partnership
from bot.domain.clock import FixedClock
from bot.domain.config import Agency, RiskLevel
from bot.domain.identifiers import describe, find_identifiers
from bot.domain.language_config import Languages
from bot.i18n import N_, Voice, _, speaking, using
from bot.services.records import RecordService
from bot.standin.rules import check_submission_answer, check_view
from storage.models import Record
from tests.conftest import start_joinedup

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
DEFAULTS = FormDefaults(occurred_at=NOW, follow_up_on=date(2026, 12, 8))
# The partnership's own words in Welsh, as its TOML gives them (label_cy, definition_cy, emergency_instructions_cy).
SAMPLE = sample_partnership()
WELSH_WORDS = {
    "Universal: no additional needs": "Cyffredinol: dim anghenion ychwanegol",
    "Early help": "Cymorth cynnar",
    "Child in need": "Plentyn mewn angen",
    "Significant harm: act now": "Niwed sylweddol: gweithredwch nawr",
    **{level.definition: f"Diffiniad y bartneriaeth o lefel {number}" for number, level in enumerate(SAMPLE.risk_levels)},
    SAMPLE.emergency_instructions: "Os yw plentyn mewn perygl uniongyrchol, ffoniwch 999 nawr. Ffoniwch dîm "
                                   "dyletswydd y gwasanaethau plant ar 01632 960000 nawr.",
}
WELSH_PARTNERSHIP = dataclasses.replace(SAMPLE, languages=Languages(bilingual=True, welsh=WELSH_WORDS))
# Sentences of the form, in English: none may remain in its Welsh.
ENGLISH = ("Record a conversation", "Summary of what was discussed", "Child's case reference", "Share with",
           "How do you know what you are recording?", "Lawful basis or consent position", "Why are you sharing this?",
           "What is each agency asked to do?", "Choose by meaning", "Save and share", "Risk level",
           "For information only", "Nobody: record only", "Another reason (write it)", "I saw or heard it first-hand",
           "Facts first", "To keep the child safe from harm", "Public task: statutory safeguarding duty",
           "This is urgent", "Before you save", "emergency instructions", "Who else was there", "Add or change",
           "Early help", "Significant harm", "no agreed definition yet", "Keep them in the record", "Identifiers:")


def welsh_voice(language: str = "cy") -> Voice:
    return Voice(language=language, words=WELSH_WORDS)


def texts(payload: Any) -> list[str]:
    """Every text a person reads in a payload."""
    if isinstance(payload, dict):
        if payload.get("type") in ("plain_text", "mrkdwn"):
            return [payload["text"]]
        return [text for key, value in payload.items() if key != "value" for text in texts(value)]
    if isinstance(payload, list):
        return [text for item in payload for text in texts(item)]
    return []


def option_values(view: dict[str, Any]) -> dict[str, list[str]]:
    """Each input's option values, in order: what a choice saves."""
    found = {}
    for block in view["blocks"]:
        element = block.get("element", {})
        options = element.get("options") or [o for g in element.get("option_groups", []) for o in g["options"]]
        if block.get("type") == "input" and options:
            found[block["block_id"]] = [o["value"] for o in options]
    return found


def fullest(partnership: Any) -> dict[str, Any]:
    """Every field the form can show at once, each holding all it may, identifiers found, the emergency panel."""
    urgent = next(level for level in partnership.risk_levels if level.urgent)
    everything = RecordForm(
        case_reference="CR-12345", occurred_at=int(NOW.timestamp()), participants=[SAM.user_id, TIA.user_id],
        others_present="o" * 500, sharer_agency=partnership.agencies[0].key,
        share_with=[a.key for a in partnership.agencies], record_only=True, not_shared_reason="r" * 500,
        purposes=list(partnership.purposes), other_purpose=True, purpose_detail="p" * 500, request="action",
        requested_action="a" * 500, source="reported", lawful_basis=partnership.lawful_bases[-1],
        summary="s" * 3000, risk_key=urgent.key, urgent_confirmed=True, actions="x" * 3000,
        follow_up_on="2026-12-08", identifiers_reason="i" * 500)
    found = {field: "f" * 1900 for field in LABELS}
    return record_form(partnership, dataclasses.replace(DEFAULTS, details=True, from_message=True), everything,
                       found=found, notes={field: "n" * 1900 for field in Field})


# --- the form as built ------------------------------------------------------------------------------------------

def test_the_form_is_in_welsh_and_its_choices_save_what_they_save_in_english() -> None:
    answers = RecordForm(risk_key="significant-harm", record_only=True, not_shared_reason="x", other_purpose=True,
                         request="action")
    english = record_form(SAMPLE, DEFAULTS, answers)
    with using(welsh_voice()):
        welsh = record_form(SAMPLE, DEFAULTS, answers)
    shown = "\n".join(texts(welsh))
    assert welsh["title"]["text"] == "Cofnodi sgwrs" and welsh["submit"]["text"] == "Cadw a rhannu"
    labels = [block["label"]["text"] for block in welsh["blocks"] if block["type"] == "input"]
    assert "Cyfeirnod achos y plentyn" in labels and "Crynodeb o'r hyn a drafodwyd" in labels
    assert "Lefel risg" in labels and "Sail gyfreithlon neu'r sefyllfa o ran caniatâd" in labels
    assert "Cadw'r plentyn yn ddiogel rhag niwed" in shown  # a default purpose, from the catalogue
    assert "Tasg gyhoeddus: dyletswydd diogelu statudol (heb geisio caniatâd)" in shown  # a default lawful basis
    assert "Niwed sylweddol: gweithredwch nawr" in shown and "Mae hyn yn fater brys" in shown  # the partnership's
    assert "ffoniwch 999 nawr" in shown  # the emergency panel in the partnership's Welsh
    assert [english_phrase for english_phrase in ENGLISH if english_phrase in shown] == []
    assert option_values(welsh) == option_values(english)
    assert [b["block_id"] for b in welsh["blocks"] if "block_id" in b] == \
        [b["block_id"] for b in english["blocks"] if "block_id" in b]


def test_bilingual_the_form_says_welsh_first_then_english() -> None:
    with using(welsh_voice("cy+en")):
        view = record_form(SAMPLE, DEFAULTS, RecordForm(risk_key="early-help"))
    labels = [block["label"]["text"] for block in view["blocks"] if block["type"] == "input"]
    assert "Cyfeirnod achos y plentyn / Child's case reference" in labels
    # A modal's title holds 24 characters: Welsh alone, rather than the English cut off half-way.
    assert view["title"]["text"] == "Cofnodi sgwrs" and view["close"]["text"] == "Canslo / Cancel"
    shown = "\n".join(texts(view))
    assert "Ystyr *Cymorth cynnar*:" in shown and "*Early help* means:" in shown
    assert shown.index("Ystyr *Cymorth cynnar*") < shown.index("*Early help* means")
    assert "Cymorth cynnar / Early help" in shown  # the option, both languages on one line


def test_the_saved_view_is_in_welsh() -> None:
    with speaking("cy"):
        shared, kept = saved_view("JU-42", ["Education", "Health"]), saved_view("JU-43", [])
    assert shared["title"]["text"] == "Cofnod wedi'i gadw" and shared["close"]["text"] == "Wedi gorffen"
    assert "Wedi'i gadw fel *JU-42*" in shared["blocks"][0]["text"]["text"]
    assert "Yn rhannu â Education, Health." in shared["blocks"][1]["elements"][0]["text"]
    assert "neb (wedi'i gofnodi yn unig)" in kept["blocks"][1]["elements"][0]["text"]


def test_errors_are_in_welsh() -> None:
    service = RecordService(db=None, partnership=SAMPLE, clock=FixedClock(NOW), outbox=None)
    wrong = RecordForm(case_reference="Jane Smith", risk_key="significant-harm", share_with=["education"],
                       record_only=True, summary="NHS 943 476 5919 and SW1A 1AA", follow_up_on="2020-01-01")
    with using(welsh_voice()):
        problems, _kinds = service.check(wrong)
        too_much = too_long({Field.SUMMARY: "s" * 3001})
    assert problems[Field.CASE_REFERENCE] == ("Nid yw “Jane Smith” yn edrych fel cyfeirnod achos. Defnyddiwch un fel "
                                              f"{SAMPLE.case_reference_example}, byth enw'r plentyn.")
    assert problems[Field.RISK_LEVEL].startswith("Mae'r lefel hon yn fater brys. Os yw plentyn mewn perygl")
    assert problems[Field.FOLLOW_UP_ON] == "Dewiswch ddyddiad ar ôl heddiw."
    assert problems[Field.SHARE_WITH].startswith("Dewiswch asiantaethau i rannu â nhw")
    assert problems[Field.SUMMARY].startswith("Mae'n ymddangos bod hwn yn cynnwys rhif GIG (“943 476 5919”) a hefyd "
                                              "cod post (“SW1A 1AA”).")
    assert too_much[Field.SUMMARY] == "Cadwch y crynodeb o fewn 3,000 nod (mae 3,001 yn hwn)."
    assert not [message for message in problems.values() if "Choose" in message or "Say " in message]


def test_identifiers_are_described_once_in_each_language() -> None:
    findings = find_identifiers("NHS 943 476 5919, a@b.example, SW1A 1AA, 07700 900123")
    with speaking("cy+en"):
        said = describe(findings)
    welsh, english = said.split("\n")
    assert welsh.startswith("Mae'n ymddangos bod hwn yn cynnwys rhif GIG (“943 476 5919”), cyfeiriad e-bost")
    assert welsh.endswith("a hefyd 1 dynodydd arall. Tynnwch nhw, neu dywedwch yn y blwch Dynodwyr isod pam mae eu "
                          "hangen.")
    assert english.startswith("This looks like it contains an NHS number") and "1 more identifier" in english
    with speaking("cy"):
        assert "rhif GIG" in describe(findings[:1]) and "Tynnwch ef" in describe(findings[:1])


def test_what_the_form_says_while_recording_is_in_welsh() -> None:
    with speaking("cy"):
        told = conflicts(RecordForm(share_with=["education"], record_only=True))
        refused = _(refusals.AMEND)
        title = fitting(24, refusals.NOT_SAVED_TITLE)
    assert told[Field.SHARE_WITH] == "Dewiswch asiantaethau i rannu â nhw, neu “Neb: cofnodi yn unig”, nid y ddau."
    assert refused.startswith("Dim ond y sawl a rannodd gofnod all ei ddiwygio.") and title == "Heb ei gadw"
    with speaking("cy+en"):
        assert fitting(24, N_("Acknowledgement")) == "Cydnabyddiaeth"  # 32 characters together: Welsh alone
        assert fitting(24, N_("Sent")) == "Wedi'i anfon / Sent"


# --- Slack takes it at its largest ------------------------------------------------------------------------------

def named(what: str, length: int) -> str:
    return (f"{what} <!here> & <> *b* _x_ " + "n" * length)[:length]


LARGEST = dataclasses.replace(
    SAMPLE, name=named("Partnership", 300),
    agencies=tuple(Agency(f"agency-{i:02d}", named(f"Agency {i}", 75), f"C0AGENCY{i:02d}") for i in range(20)),
    risk_levels=tuple(RiskLevel(f"level-{i}", named(f"Level {i}", 75), named(f"Means {i}", 2000), urgent=i == 9)
                      for i in range(10)),
    purposes=tuple(named(f"Purpose {i}", 75) for i in range(100)),
    lawful_bases=tuple(named(f"Basis {i}", 75) for i in range(100)), emergency_instructions=named("Call", 3000))
LARGEST_WELSH = {text: ("Cy " + text)[:len(text)] for text in (
    *LARGEST.purposes, *LARGEST.lawful_bases, *(r.label for r in LARGEST.risk_levels),
    *(r.definition for r in LARGEST.risk_levels), LARGEST.emergency_instructions)}


@pytest.mark.parametrize("language", ["cy", "cy+en"])
@pytest.mark.parametrize("partnership", [SAMPLE, LARGEST], ids=["sample", "largest"])
def test_slack_takes_the_fullest_form_in_welsh_and_bilingual(language: str, partnership: Any) -> None:
    with using(Voice(language=language, words={**WELSH_WORDS, **LARGEST_WELSH})):
        view = fullest(partnership)
        first = record_form(partnership, DEFAULTS)
        saved = saved_view("JU-2147483647", [a.name for a in partnership.agencies])
        service = RecordService(db=None, partnership=partnership, clock=FixedClock(NOW), outbox=None)
        problems, _kinds = service.check(RecordForm(case_reference="Jane Smith", summary="NHS 943 476 5919 " * 200,
                                                    risk_key=partnership.risk_levels[-1].key))
    for each in (view, first, saved):
        check_view(each)
    shown = {block.get("block_id") for block in first["blocks"]}
    check_submission_answer({"response_action": "errors",
                             "errors": {k: v for k, v in problems.items() if k in shown}}, first)
    assert "Cofnodi sgwrs" == view["title"]["text"]
    assert any("Dynodwyr" in text for text in texts(view)) and any(":rotating_light:" in t for t in texts(view))
    cut = [b for b in view["blocks"] if b["type"] == "section" and b["text"]["text"].endswith("…")
           and "n" * 40 not in b["text"]["text"] and "f" * 40 not in b["text"]["text"]]
    assert not cut, "a section of the form's own words was cut short"


# --- over HTTP, as a Welsh speaker uses it ----------------------------------------------------------------------

@pytest.fixture
def bilingual(database: Any, standin: Any, clock: Any) -> Iterator[Any]:
    running = start_joinedup(db=database, standin=standin, clock=clock, partnership=WELSH_PARTNERSHIP)
    yield running
    running._stop()


ANSWERS = {Field.PURPOSES: ["To keep the child safe from harm", "To support the child's education"],
           Field.LAWFUL_BASIS: "Shared without consent to protect the child", Field.SOURCE: "reported",
           Field.RISK_LEVEL: "significant-harm", Field.URGENT_CONFIRMED: ["yes"], Field.REQUEST: "action",
           Field.REQUESTED_ACTION: "Please check attendance this week."}
SAME = ("case_reference", "occurred_at", "sharer_agency", "participants", "others_present", "purposes",
        "purpose_detail", "requested_action", "first_hand", "lawful_basis", "summary", "risk_key", "risk_label",
        "risk_definition", "actions", "follow_up_on", "not_shared_reason", "identifiers_found", "identifiers_reason")


def stored(joinedup: Any) -> list[Record]:
    with joinedup.db.read() as session:
        return list(session.scalars(select(Record).order_by(Record.id)))


def test_a_welsh_speaker_gets_the_form_in_welsh_and_saves_the_same_record(bilingual: Any) -> None:
    english_view = bilingual.open_form(TIA.user_id)
    bilingual.services.languages.choose(SAM.user_id, "cy")
    welsh_view = bilingual.open_form(SAM.user_id)
    assert welsh_view["title"]["text"] == "Cofnodi sgwrs" and english_view["title"]["text"] == "Record a conversation"
    assert option_values(welsh_view) == option_values(english_view)

    english = bilingual.record(TIA.user_id, **ANSWERS)
    welsh = bilingual.record(SAM.user_id, **ANSWERS)
    assert english.json()["view"]["title"]["text"] == "Record saved", english.body
    assert welsh.json()["view"]["title"]["text"] == "Cofnod wedi'i gadw", welsh.body
    assert "Wedi'i gadw fel *JU-" in welsh.body
    first, second = stored(bilingual)
    assert {name: getattr(second, name) for name in SAME} == {name: getattr(first, name) for name in SAME}
    assert second.risk_label == "Significant harm: act now"  # stored in English, whoever chose it
    assert second.purposes == ["To keep the child safe from harm", "To support the child's education"]
    assert second.lawful_basis == "Shared without consent to protect the child" and not second.first_hand


def test_a_welsh_speaker_is_told_of_a_bad_case_reference_in_welsh(bilingual: Any) -> None:
    bilingual.services.languages.choose(SAM.user_id, "cy")
    reply = bilingual.record(SAM.user_id, **{Field.CASE_REFERENCE: "Jane Smith"})
    assert reply.json()["response_action"] == "errors", reply.body
    assert reply.json()["errors"][Field.CASE_REFERENCE].startswith("Nid yw “Jane Smith” yn edrych fel cyfeirnod achos")
    assert stored(bilingual) == []
