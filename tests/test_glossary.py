import csv
import io
import tomllib

import pytest

from bot.domain.glossary import (
    CATEGORIES,
    DEFAULT_GLOSSARY_PATH,
    Glossary,
    Term,
    export_csv,
    export_markdown,
    load_default_terms,
    terms_from_config,
)


@pytest.fixture(scope="module")
def defaults() -> Glossary:
    return Glossary(load_default_terms())


def small_glossary() -> Glossary:
    return Glossary([
        Term("Child in need", "Needs services to stay healthy.", aliases=("CIN",), category="need level"),
        Term("Safeguarding concern", "Something that suggests harm.", aliases=("concern", "welfare concern"),
             category="process"),
        Term("Looked after child", "In the council's care.", aliases=("LAC", "CLA", "child in care"),
             category="legal status"),
        Term("Significant harm", "Harm judged significant.", category="risk level"),
        Term("Child", "Anyone under 18."),
    ])


# ------------------------------------------------------------------ the shipped defaults

def test_the_default_glossary_loads_and_every_term_is_a_starter(defaults):
    assert 25 <= len(defaults.terms) <= 40
    assert all(term.starter for term in defaults.terms)


def test_every_default_term_has_a_short_definition_a_source_and_a_known_category(defaults):
    for term in defaults.terms:
        assert term.definition.strip() and len(term.definition) < 600, term.term
        assert term.source and term.source.strip(), term.term
        assert term.category in CATEGORIES, term.term


def test_the_default_glossary_has_no_alias_conflicts(defaults):
    assert defaults.alias_conflicts() == []


def test_the_default_file_has_no_unknown_keys_or_bad_entries():
    terms, problems = terms_from_config(tomllib.loads(DEFAULT_GLOSSARY_PATH.read_text(encoding="utf-8")))
    assert problems == []
    assert len(terms) == len({t.term.casefold() for t in terms})


def test_the_default_file_says_the_definitions_are_starting_points_and_not_legal_advice():
    opening = DEFAULT_GLOSSARY_PATH.read_text(encoding="utf-8").split("\n[[glossary]]")[0]
    assert "not legal advice" in opening
    assert "review" in opening and "replace" in opening


@pytest.mark.parametrize("word", [
    "Child in need", "Significant harm", "Section 47 enquiry", "Child protection plan", "Looked after child",
    "Care leaver", "Care order", "Interim care order", "Section 20 accommodation", "Early help", "Levels of need",
    "Universal services", "Targeted support", "Child at risk", "Care and support plan", "Personal education plan",
    "Virtual school head", "Independent reviewing officer", "Designated safeguarding lead", "MASH",
    "Strategy meeting", "Safeguarding concern", "Contextual safeguarding", "Extra-familial harm", "CSE", "CCE",
    "Missing episode", "Return home interview", "Corporate parent", "Consent", "Public task", "Vital interests",
    "RAG rating", "LAC", "CLA", "child in care", "DSP", "designated safeguarding person", "welfare concern",
    "voluntary accommodation", "threshold of need",
])
def test_the_default_glossary_covers_the_terms_agencies_use(defaults, word):
    assert defaults.lookup(word) is not None


def test_significant_harm_says_significant_has_no_statutory_definition(defaults):
    definition = defaults.lookup("significant harm").definition
    assert "no legal definition" in definition and "professional judgement" in definition


# ------------------------------------------------------------------ lookup and near matches

def test_lookup_finds_a_term_by_its_name_in_any_case():
    glossary = small_glossary()
    assert glossary.lookup("child in need").term == "Child in need"
    assert glossary.lookup("CHILD IN NEED").term == "Child in need"


def test_lookup_finds_a_term_by_its_alias_in_any_case():
    glossary = small_glossary()
    assert glossary.lookup("cin").term == "Child in need"
    assert glossary.lookup("Cla").term == "Looked after child"


def test_lookup_ignores_surrounding_whitespace_and_punctuation_and_extra_spaces():
    glossary = small_glossary()
    assert glossary.lookup("  (CIN)?  ").term == "Child in need"
    assert glossary.lookup('"child   in\ncare".').term == "Looked after child"


def test_lookup_of_an_unknown_term_gives_none():
    assert small_glossary().lookup("care order") is None
    assert small_glossary().lookup("") is None


def test_near_matches_suggest_the_term_a_misspelling_meant(defaults):
    assert defaults.near_matches("significent harm")[0].term == "Significant harm"
    assert defaults.near_matches("safegaurding concern")[0].term == "Safeguarding concern"
    assert defaults.near_matches("Independant reviewing oficer")[0].term == "Independent reviewing officer"


def test_near_matches_for_nonsense_may_be_empty_and_respect_the_limit(defaults):
    assert defaults.near_matches("zzqxj") == []
    assert len(defaults.near_matches("child", limit=2)) <= 2
    assert defaults.near_matches("child", limit=0) == []


def test_near_matches_do_not_repeat_a_term_reached_through_several_aliases():
    glossary = Glossary([Term("Looked after child", "In care.", aliases=("looked after children", "looked-after child"))])
    assert glossary.near_matches("looked after chld", limit=5) == [glossary.lookup("looked after child")]


# ------------------------------------------------------------------ terms_in

def test_terms_in_finds_terms_by_alias_and_in_any_case():
    glossary = small_glossary()
    found = glossary.terms_in("the cin review is today; she is LAC")
    assert [t.term for t in found] == ["Child in need", "Looked after child"]


def test_terms_in_matches_whole_words_only():
    glossary = small_glossary()
    assert glossary.terms_in("medicine at the CINEMA; we were concerned; children's centre; lacrosse") == []


def test_terms_in_tolerates_punctuation_around_words():
    glossary = small_glossary()
    for text in ("CIN.", "(CIN)", "CIN's plan", "“CIN”", "*CIN*", "_CIN_", "CIN,", "-CIN-"):
        assert [t.term for t in glossary.terms_in(text)] == ["Child in need"], text


def test_terms_in_needs_the_exact_words_not_a_hyphenated_version():
    assert small_glossary().terms_in("a child-in-need meeting") == [small_glossary().lookup("child")]


def test_terms_in_matches_multi_word_terms_across_line_breaks_and_runs_of_spaces():
    glossary = small_glossary()
    found = glossary.terms_in("Risk of significant\nharm to a child  in\n\tneed")
    assert [t.term for t in found] == ["Significant harm", "Child in need"]


def test_terms_in_prefers_the_longer_term_at_the_same_position():
    glossary = small_glossary()
    assert [t.term for t in glossary.terms_in("a safeguarding concern")] == ["Safeguarding concern"]
    assert [t.term for t in glossary.terms_in("child in need")] == ["Child in need"]


def test_terms_in_lists_each_term_once_in_order_of_first_appearance_across_texts():
    glossary = small_glossary()
    found = glossary.terms_in("LAC and CIN", "a concern about the CLA; CIN again", "Significant harm, concern")
    assert [t.term for t in found] == ["Looked after child", "Child in need", "Safeguarding concern", "Significant harm"]


def test_terms_in_leaves_the_texts_unchanged():
    text = "Welfare concern about a CIN.\nChild in care."
    copy = str(text)
    small_glossary().terms_in(text)
    assert text == copy


def test_terms_in_with_no_terms_or_no_texts_finds_nothing():
    assert Glossary([]).terms_in("CIN") == []
    assert small_glossary().terms_in() == []
    assert small_glossary().terms_in("") == []


def test_terms_in_finds_default_terms_in_a_realistic_post(defaults):
    post = ("School DSL here. Raising a welfare concern for a CLA pupil (missing episode last night).\n"
            "RHI not done yet; PEP review due. S47?")
    assert [t.term for t in defaults.terms_in(post)] == [
        "Designated safeguarding lead", "Safeguarding concern", "Looked after child", "Missing from care",
        "Return home interview", "Personal education plan", "Section 47 enquiry"]


# ------------------------------------------------------------------ overrides, categories, conflicts

def test_a_partnership_term_overrides_a_default_with_the_same_name():
    ours = Term("child in need", "Our agreed wording.", aliases=("CiN",), source="Local threshold document")
    glossary = Glossary([*load_default_terms(), ours])
    term = glossary.lookup("Child in need")
    assert term == ours and not term.starter
    assert sum(1 for t in glossary.terms if t.term.casefold() == "child in need") == 1


def test_terms_are_sorted_by_name_ignoring_case():
    glossary = Glossary([Term("beta", "b"), Term("Alpha", "a"), Term("gamma", "g")])
    assert [t.term for t in glossary.terms] == ["Alpha", "beta", "gamma"]


def test_by_category_groups_terms_in_a_stable_order_with_uncategorised_last():
    glossary = small_glossary()
    groups = glossary.by_category()
    assert list(groups) == ["risk level", "need level", "legal status", "process", "other"]
    assert [t.term for t in groups["other"]] == ["Child"]


def test_alias_conflicts_finds_an_alias_claimed_by_two_terms():
    glossary = Glossary([Term("Child in need", "a", aliases=("CIN",)), Term("Children in need census", "b", aliases=("cin",))])
    assert glossary.alias_conflicts() == [("cin", "Child in need", "Children in need census")]


def test_alias_conflicts_finds_an_alias_that_is_another_terms_name():
    glossary = Glossary([Term("Concern", "a"), Term("Safeguarding concern", "b", aliases=("concern",))])
    assert glossary.alias_conflicts() == [("concern", "Safeguarding concern", "Concern")]


def test_an_alias_repeating_its_own_term_name_is_not_a_conflict():
    assert Glossary([Term("CIN", "a", aliases=("cin", "CIN"))]).alias_conflicts() == []


# ------------------------------------------------------------------ terms_from_config

def test_terms_from_config_reads_good_entries():
    config = tomllib.loads('''
        [[glossary]]
        term = "Child in need"
        definition = "Our wording."
        aliases = ["CIN"]
        source = "Children Act 1989, s17"
        category = "need level"

        [[glossary]]
        term = "Team around the family"
        definition = "A meeting of the people working with a family."
    ''')
    terms, problems = terms_from_config(config)
    assert problems == []
    assert terms == [
        Term("Child in need", "Our wording.", ("CIN",), "Children Act 1989, s17", "need level"),
        Term("Team around the family", "A meeting of the people working with a family."),
    ]


def test_terms_from_config_with_no_glossary_is_empty_and_fine():
    assert terms_from_config({"organisation": {}}) == ([], [])


def test_terms_from_config_accepts_the_entries_themselves():
    terms, problems = terms_from_config(({"term": "X", "definition": "Y"},))
    assert problems == [] and terms == [Term("X", "Y")]


def test_terms_from_config_reports_a_glossary_that_is_not_a_list():
    terms, problems = terms_from_config({"glossary": {"term": "X", "definition": "Y"}})
    assert terms == []
    assert len(problems) == 1 and problems[0].startswith("glossary:") and "[[glossary]]" in problems[0]


@pytest.mark.parametrize("entry, path, words", [
    ({"term": "X"}, "glossary[1].definition", "missing"),
    ({"definition": "Y"}, "glossary[1].term", "missing"),
    ({"term": "X", "definition": "   "}, "glossary[1].definition", "non-empty"),
    ({"term": "", "definition": "Y"}, "glossary[1].term", "non-empty"),
    ({"term": 17, "definition": "Y"}, "glossary[1].term", "text"),
    ({"term": "X", "definition": "Y", "aliases": "CIN"}, "glossary[1].aliases", "list"),
    ({"term": "X", "definition": "Y", "aliases": ["CIN", 3]}, "glossary[1].aliases", "list"),
    ({"term": "X", "definition": "Y", "aliases": ["CIN", " "]}, "glossary[1].aliases", "non-empty"),
    ({"term": "X", "definition": "Y", "source": ""}, "glossary[1].source", "non-empty"),
    ({"term": "X", "definition": "Y", "category": ["risk"]}, "glossary[1].category", "text"),
    ({"term": "X", "definition": "Y", "defintion": "Z"}, "glossary[1].defintion", "unknown key"),
    ("just text", "glossary[1]", "table"),
])
def test_terms_from_config_names_the_key_and_skips_a_bad_entry_but_keeps_good_ones(entry, path, words):
    good = {"term": "Good", "definition": "Fine."}
    terms, problems = terms_from_config({"glossary": [good, entry, good | {"term": "Also good"}]})
    assert [t.term for t in terms] == ["Good", "Also good"]
    assert len(problems) == 1
    assert problems[0].startswith(path + ":") and words in problems[0]


def test_terms_from_config_problems_say_how_to_fix_them():
    _, problems = terms_from_config({"glossary": [{"term": "X"}]})
    assert problems == ['glossary[0].definition: missing — add definition = "…" in plain words']


def test_terms_from_config_lists_every_problem_in_one_entry():
    _, problems = terms_from_config({"glossary": [{"colour": "red", "aliases": 5}]})
    assert [p.split(":")[0] for p in problems] == [
        "glossary[0].colour", "glossary[0].term", "glossary[0].definition", "glossary[0].aliases"]


def test_terms_from_config_uses_the_key_it_is_given_in_problems():
    _, problems = terms_from_config({"terms": [{}]}, key="terms")
    assert problems and all(p.startswith("terms[0].") for p in problems)


# ------------------------------------------------------------------ exports

def test_export_csv_round_trips_through_the_csv_module():
    glossary = Glossary([
        Term("Child in need", 'Needs "services", and more.\nSecond line.', ("CIN", "children in need"),
             "Children Act 1989, s17", "need level", starter=True),
        Term("Team around the family", "A meeting."),
    ])
    rows = list(csv.DictReader(io.StringIO(export_csv(glossary), newline="")))
    assert list(rows[0]) == ["term", "category", "definition", "aliases", "source", "starter"]
    assert rows[0] == {"term": "Child in need", "category": "need level",
                       "definition": 'Needs "services", and more.\nSecond line.',
                       "aliases": "CIN; children in need", "source": "Children Act 1989, s17", "starter": "yes"}
    assert rows[1]["term"] == "Team around the family" and rows[1]["aliases"] == "" and rows[1]["starter"] == "no"


def test_export_csv_of_the_defaults_has_a_row_per_term(defaults):
    rows = list(csv.DictReader(io.StringIO(export_csv(defaults), newline="")))
    assert [r["term"] for r in rows] == [t.term for t in defaults.terms]


def test_export_markdown_has_a_title_a_section_per_category_and_each_term():
    markdown = export_markdown(small_glossary(), organisation="Northshire Partnership")
    lines = markdown.splitlines()
    assert lines[0] == "# Northshire Partnership: shared glossary"
    assert [l for l in lines if l.startswith("## ")] == [
        "## Risk level", "## Need level", "## Legal status", "## Process", "## Other"]
    assert "### Child in need" in lines
    assert "Also called: LAC, CLA, child in care" in lines
    assert "starter" not in markdown


def test_export_markdown_flags_starter_definitions_for_the_partnerships_review(defaults):
    markdown = export_markdown(defaults, organisation="Northshire")
    assert "review" in markdown and "not legal advice" in markdown
    assert "### Significant harm *(starter definition)*" in markdown.splitlines()
    assert "Source: Children Act 1989, section 31(9) and (10)" in markdown
