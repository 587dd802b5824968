"""The glossary in Welsh and English: the Welsh framework's statutory terms, recognition in either language, each
term shown in the reader's language, and `/joinedup glossary` answered in Welsh."""
from __future__ import annotations

import csv
import dataclasses
import io
from typing import Any

import pytest

from bot.blocks.glossary import glossary_answer, glossary_index, glossary_not_found, shown
from bot.demo.sample import SAM, sample_partnership
from bot.domain.config import RiskLevel
from bot.domain.glossary import CATEGORIES, Glossary, Term, export_csv, export_markdown, load_default_terms, \
    load_wales_terms, mutations
from bot.domain.language_config import Languages
from bot.i18n import Voice, speaking, using
from bot.services.wiring import build_glossary, risk_term
from bot.standin.rules import check_message
from tests.conftest import start_joinedup

# The terms of the Welsh framework the shipped file must hold: English, Welsh.
WALES_TERMS = [
    ("Looked after child", "Plentyn sy'n derbyn gofal"), ("Care and support plan", "Cynllun gofal a chymorth"),
    ("Child at risk", "Plentyn sy'n wynebu risg"), ("Care and support needs", "Anghenion gofal a chymorth"),
    ("Well-being", "Llesiant"), ("What matters conversation", "Sgwrs ‘beth sy’n bwysig’"),
    ("Independent reviewing officer", "Swyddog adolygu annibynnol"), ("Pathway plan", "Cynllun llwybr"),
    ("Care leaver", "Person ifanc sy'n gadael gofal"), ("Child Protection Register", "Cofrestr Amddiffyn Plant"),
    ("Care and support protection plan", "Cynllun amddiffyn gofal a chymorth"),
    ("Strategy discussion", "Trafodaeth strategaeth"), ("Section 47 enquiry", "Ymholiadau adran 47"),
    ("Duty to report", "Dyletswydd i adrodd"), ("Regional Safeguarding Board", "Bwrdd Diogelu Rhanbarthol"),
    ("Information, advice and assistance", "Gwybodaeth, cyngor a chymorth"),
    ("Corporate parent", "Rhiant corfforaethol"), ("Placement", "Lleoliad"),
    ("Personal education plan", "Cynllun addysg personol"), ("Care Inspectorate Wales", "Arolygiaeth Gofal Cymru"),
]


@pytest.fixture(scope="module")
def wales() -> Glossary:
    return Glossary([*load_default_terms(), *load_wales_terms()])


def welsh_partnership(**changes: Any) -> Any:
    return dataclasses.replace(sample_partnership(), languages=Languages(default="cy"), use_wales_glossary=True,
                               **changes)


# --- the shipped Wales glossary -----------------------------------------------------------------------

def test_the_wales_glossary_loads_and_every_term_has_both_languages_a_source_and_a_kind() -> None:
    terms = load_wales_terms()

    assert len(terms) >= 20
    for term in terms:
        assert term.starter, term.term
        assert term.term_cy and term.definition_cy, term.term
        assert 40 < len(term.definition) < 600 and 40 < len(term.definition_cy) < 650, term.term
        assert term.source and term.category in CATEGORIES, term.term
        assert term.aliases or term.aliases_cy, term.term


@pytest.mark.parametrize("english, welsh", WALES_TERMS)
def test_the_wales_glossary_has_each_statutory_term_under_its_english_and_welsh_names(
        wales: Glossary, english: str, welsh: str) -> None:
    term = wales.lookup(english)

    assert term is not None and term.term_cy == welsh
    assert wales.lookup(welsh) is term


def test_the_sources_name_the_welsh_framework() -> None:
    sources = {term.term: term.source or "" for term in load_wales_terms()}

    assert "section 74" in sources["Looked after child"]
    assert "section 130" in sources["Duty to report"]
    assert "Wales Safeguarding Procedures" in sources["Strategy discussion"]
    assert "Part 6 Code of Practice" in sources["Pathway plan"] + sources["Looked after child"]
    assert "section 47" in sources["Section 47 enquiry"]


def test_the_default_and_wales_glossaries_together_have_no_alias_conflicts(wales: Glossary) -> None:
    assert wales.alias_conflicts() == []


def test_the_default_glossarys_terms_used_in_wales_have_their_welsh() -> None:
    defaults = {term.term: term for term in load_default_terms()}

    for name in ("Significant harm", "Child in need", "Early help", "Care order", "Safeguarding concern",
                 "Child protection conference", "Consent", "Public task"):
        assert defaults[name].term_cy and defaults[name].definition_cy, name
    assert defaults["Significant harm"].term_cy == "Niwed sylweddol"


def test_a_wales_term_replaces_the_default_of_the_same_name() -> None:
    glossary, warnings = build_glossary(welsh_partnership())

    term = glossary.lookup("LAC")
    assert term is not None and "section 74" in (term.source or "")
    assert warnings == []
    assert glossary.lookup("what matters conversation") is not None


def test_an_english_partnership_does_not_load_the_wales_glossary() -> None:
    glossary, _ = build_glossary(sample_partnership())

    assert glossary.lookup("What matters conversation") is None
    assert glossary.lookup("plentyn sy'n derbyn gofal") is not None, "the default glossary has its Welsh too"


def test_the_partnerships_own_term_still_replaces_a_wales_term() -> None:
    own = Term("Pathway plan", "Our own wording.", term_cy="Cynllun llwybr", definition_cy="Ein geiriad ni.")

    glossary, _ = build_glossary(welsh_partnership(glossary=(own,)))

    assert glossary.lookup("cynllun llwybr") == own and not own.starter


def test_the_exports_carry_the_welsh(wales: Glossary) -> None:
    markdown = export_markdown(wales, organisation="Partneriaeth")
    rows = list(csv.DictReader(io.StringIO(export_csv(wales), newline="")))

    assert "Cymraeg: **Plentyn sy'n derbyn gofal**: Plentyn sydd yng ngofal" in markdown
    assert "Also called in Welsh: plant sy'n derbyn gofal" in markdown
    pathway = next(row for row in rows if row["term"] == "Pathway plan")
    assert pathway["term_cy"] == "Cynllun llwybr" and pathway["definition_cy"].startswith("Y cynllun")


# --- recognition in either language --------------------------------------------------------------------

def test_a_welsh_term_in_a_summary_shows_its_english_definition_to_an_english_reader(wales: Glossary) -> None:
    summary = "Cafwyd sgwrs “beth sy’n bwysig” gyda'r teulu; mae'r swyddog adolygu annibynnol yn gwybod."

    found = wales.terms_in(summary)

    assert [t.term for t in found] == ["What matters conversation", "Independent reviewing officer"]
    with speaking("en"):
        assert shown(found[0]) == ("What matters conversation", found[0].definition)


def test_an_english_term_in_a_summary_shows_its_welsh_definition_to_a_welsh_reader(wales: Glossary) -> None:
    [term] = wales.terms_in("The pathway plan was reviewed today.")

    with speaking("cy"):
        name, definition = shown(term)

    assert (name, definition) == ("Cynllun llwybr", term.definition_cy)


def test_a_bilingual_reader_sees_the_welsh_first_then_the_english(wales: Glossary) -> None:
    term = wales.lookup("pathway plan")

    with speaking("cy+en"):
        name, definition = shown(term)

    assert name == "Cynllun llwybr / Pathway plan"
    assert definition == f"{term.definition_cy}\n{term.definition}"


def test_a_term_without_welsh_is_shown_in_english_to_a_welsh_reader() -> None:
    term = Term("Team around the family", "A meeting.")

    with speaking("cy"):
        assert shown(term) == ("Team around the family", "A meeting.")
    with speaking("cy+en"):
        assert shown(term) == ("Team around the family", "A meeting.")


def test_a_welsh_name_is_recognised_after_a_mutation(wales: Glossary) -> None:
    assert mutations("Cynllun llwybr") == ["gynllun llwybr", "nghynllun llwybr", "chynllun llwybr"]
    text = "Mae ei gynllun gofal a chymorth yn barod, ac mae ar y gofrestr amddiffyn plant."

    assert [t.term for t in wales.terms_in(text)] == ["Care and support plan", "Child Protection Register"]
    assert wales.lookup("nghynllun addysg personol").term == "Personal education plan"


def test_straight_and_curly_apostrophes_are_the_same(wales: Glossary) -> None:
    assert wales.lookup("plentyn sy’n derbyn gofal") is wales.lookup("plentyn sy'n derbyn gofal") is not None
    assert [t.term for t in wales.terms_in("plant sy’n wynebu risg")] == ["Child at risk"]
    assert wales.lookup("sgwrs beth sy'n bwysig").term == "What matters conversation"


def test_a_misspelt_welsh_term_is_suggested(wales: Glossary) -> None:
    assert wales.near_matches("cynllun gofal a chymoth")[0].term == "Care and support plan"


def test_a_risk_level_as_a_term_carries_the_partnerships_welsh() -> None:
    level = RiskLevel("early-help", "Early help", "Emerging needs, met with the family's agreement.")
    shipped = next(t for t in load_default_terms() if t.term == "Early help")

    term = risk_term(level, shipped, {"Early help": "Cymorth cynnar (lleol)",
                                      level.definition: "Anghenion sy'n dod i'r amlwg."})

    assert (term.term_cy, term.definition_cy) == ("Cymorth cynnar (lleol)", "Anghenion sy'n dod i'r amlwg.")
    assert term.aliases == shipped.aliases and term.aliases_cy == shipped.aliases_cy
    plain = risk_term(level, shipped)
    assert plain.term_cy == shipped.term_cy, "the shipped Welsh name where the partnership gave none"
    assert plain.definition_cy is None, "never the shipped definition beside the partnership's own"


def test_build_glossary_gives_risk_levels_the_welsh_of_the_partnership() -> None:
    partnership = welsh_partnership()
    level = partnership.risk_levels[1]
    words = {level.label: "Lefel leol", level.definition: "Diffiniad lleol."}
    partnership = dataclasses.replace(partnership, languages=Languages(default="cy", welsh=words))

    glossary, _ = build_glossary(partnership)

    term = glossary.lookup("lefel leol")
    assert term is not None and term.term == level.label and term.definition_cy == "Diffiniad lleol."


# --- the glossary's answers in Welsh ---------------------------------------------------------------------

def text_of(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(b["text"]["text"] if "text" in b else " ".join(e["text"] for e in b["elements"])
                     for b in blocks)


def test_an_answer_in_welsh_has_the_welsh_term_and_its_english_name(wales: Glossary) -> None:
    with speaking("cy"):
        text, blocks = glossary_answer(wales.lookup("LAC"))

    answer = text_of(blocks)
    assert "*Plentyn sy'n derbyn gofal*\nPlentyn sydd yng ngofal awdurdod lleol" in answer
    assert "Yn Saesneg: Looked after child" in answer and "Ffynhonnell:" in answer and "Categori: Statws" in answer
    assert "Diffiniad cychwynnol" in answer
    for english in ("Also called", "Source:", "Category:", "A starting definition"):
        assert english not in answer
    assert text.startswith("Plentyn sy'n derbyn gofal: ")


def test_an_answer_in_english_names_the_term_in_welsh(wales: Glossary) -> None:
    with speaking("en"):
        _, blocks = glossary_answer(wales.lookup("plentyn sy'n derbyn gofal"))

    answer = text_of(blocks)
    assert "*Looked after child*" in answer and "In Welsh: Plentyn sy'n derbyn gofal" in answer


def test_the_index_and_not_found_speak_welsh() -> None:
    glossary, _ = build_glossary(welsh_partnership())
    partnership = welsh_partnership()

    with speaking("cy"):
        summary, blocks = glossary_index(glossary, partnership.name, partnership.risk_levels)
        near, _ = glossary_not_found("cynllun llwybir", glossary.near_matches("cynllun llwybir"), ())
        unknown, _ = glossary_not_found("zzz", [], ())

    index = text_of(blocks)
    assert summary.endswith("o dermau cytunedig, lefelau risg yn gyntaf")
    assert ": termau cytunedig*" in index
    assert "*Lefelau risg*" in index and "*Termau cytunedig eraill*" in index and "*Lefel angen*" in index
    assert "Cynllun llwybr" in index, "with its definition, or named with those that did not fit"
    for english in ("agreed terms", "Ask for any term", "Risk levels", "Other agreed terms", "Need level"):
        assert english not in index
    assert near.startswith("Nid yw “cynllun llwybir” yn yr eirfa. Oeddech chi'n golygu *Cynllun llwybr*")
    assert "eich gweinyddwr Joined Up" in unknown and "isn't" not in unknown


def test_slash_joinedup_glossary_answers_a_welsh_query_in_welsh(database: Any, standin: Any, clock: Any) -> None:
    joinedup = start_joinedup(db=database, standin=standin, clock=clock, partnership=welsh_partnership())
    try:
        def ask(text: str) -> dict[str, Any]:
            reply = joinedup.slack.command("/joinedup", f"glossary {text}".strip(), user=SAM.user_id)
            assert reply.status == 200  # the strict stand-in took it
            return reply.json()

        term = ask("plentyn sy’n derbyn gofal")
        index = ask("")
        unknown = ask("dim byd o gwbl")
    finally:
        joinedup._stop()

    assert "*Plentyn sy'n derbyn gofal*" in text_of(term["blocks"])
    assert "Yn Saesneg: Looked after child" in text_of(term["blocks"])
    assert index["text"].endswith("o dermau cytunedig, lefelau risg yn gyntaf")
    assert "Sgwrs ‘beth sy’n bwysig’" in text_of(index["blocks"])
    assert unknown["text"].startswith("Nid yw “dim byd o gwbl”")


# --- Slack's limits at the largest, in Welsh and bilingual ------------------------------------------------

def long(what: str, length: int) -> str:
    return (f"{what} <!here> & <> *b* _x_ " + "n" * length)[:length]


BIG_TERMS = [Term(long(f"Term {i}", 150), long(f"Defined {i}", 2000), aliases=(long(f"alias {i}", 60),) * 3,
                  source=long("Source", 300), category=f"kind {i % 9}", starter=True,
                  term_cy=long(f"Term cy {i}", 150), definition_cy=long(f"Diffiniad {i}", 2300),
                  aliases_cy=tuple(long(f"enw {i}.{j}", 60) for j in range(3))) for i in range(200)]
RISKS = tuple(RiskLevel(f"level-{i}", long(f"Level {i}", 75), long(f"Means {i}", 2000), urgent=i == 9)
              for i in range(10))
WORDS = {text: ("Cy " + text + " yn Gymraeg " * 30)[:len(text) + 200] for level in RISKS
         for text in (level.label, level.definition)}


@pytest.mark.parametrize("language", ["cy", "cy+en"])
def test_every_glossary_answer_at_its_largest_is_within_slacks_limits(language: str) -> None:
    glossary = Glossary(BIG_TERMS)

    with using(Voice(language=language, words=WORDS)):
        answers = [glossary_index(glossary, long("Partnership", 300), RISKS), glossary_index(glossary, "P"),
                   glossary_answer(BIG_TERMS[0]), glossary_not_found(long("q", 300), BIG_TERMS[:3], ("U0ADMIN1",) * 10),
                   glossary_not_found(long("q", 300), [], ())]

    for text, blocks in answers:
        check_message({"text": text, "blocks": blocks})
        assert len(blocks) <= 50
    index = text_of(answers[1][1])
    assert "Diffiniad 0" in index and ("Defined 0" in index) == (language == "cy+en")


# --- one record, read in each agency's language ----------------------------------------------------------

def test_a_welsh_term_written_by_a_welsh_sharer_is_defined_in_english_for_the_police(
        database: Any, standin: Any, clock: Any) -> None:
    from bot.blocks.ids import Field
    from bot.demo.sample import EDUCATION, POLICE

    partnership = welsh_partnership()
    partnership = dataclasses.replace(partnership, languages=dataclasses.replace(partnership.languages, bilingual=True),
                                      agencies=tuple(
        dataclasses.replace(a, language="en") if a.key == POLICE.key else
        dataclasses.replace(a, language="cy+en") if a.key == EDUCATION.key else a for a in partnership.agencies))
    joinedup = start_joinedup(db=database, standin=standin, clock=clock, partnership=partnership)
    try:
        joinedup.services.languages.choose(SAM.user_id, "cy")
        reply = joinedup.record(**{Field.SHARE_WITH: [POLICE.key, EDUCATION.key],
                                   Field.SUMMARY: "Mae'r cynllun gofal a chymorth wedi'i adolygu heddiw."})
        assert reply.status == 200
        police, school = (all_text(joinedup.posts(a.channel)[-1]["blocks"]) for a in (POLICE, EDUCATION))
    finally:
        joinedup._stop()

    plan = next(t for t in load_wales_terms() if t.term == "Care and support plan")
    assert f"*Care and support plan*: {plan.definition[:60]}" in police
    assert plan.definition_cy[:40] not in police and "Cynllun gofal a chymorth" not in police
    assert "Mae'r cynllun gofal a chymorth wedi'i adolygu heddiw." in police  # what was written, as written
    assert f"*Cynllun gofal a chymorth / Care and support plan*: {plan.definition_cy[:40]}" in school


def all_text(value: Any) -> str:
    """Every text in a payload, one per line."""
    if isinstance(value, dict):
        return "\n".join(all_text(v) if k != "text" or not isinstance(v, str) else v for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(all_text(v) for v in value)
    return ""
