"""The partnership's languages in joinedup.toml: every key, every problem named by its key with its fix, and
check-config naming each of the partnership's texts without Welsh where it works in Welsh."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.domain.config import DEFAULT_PURPOSES, Partnership, parse_partnership
from bot.domain.language_config import CATALOGUE_FOLDER, shipped_messages
from bot.i18n.catalog import catalogue
from tests.test_config import error_at, example, example_text, problems_in

KNOWN_MESSAGE = "*Also in the glossary*: {names}"  # a message Joined Up shows, with a placeholder


def parsed(data: dict[str, Any]) -> Partnership:
    partnership, problems = parse_partnership(data)
    assert partnership is not None, [str(p) for p in problems if not p.warning]
    return partnership


def warnings_at(data: dict[str, Any], key: str) -> list[str]:
    return [p.message for p in problems_in(data) if p.key == key and p.warning]


def welsh_warnings(data: dict[str, Any]) -> list[str]:
    return [p.key for p in problems_in(data) if p.warning and "Welsh" in p.message]


def bilingual(data: dict[str, Any] | None = None) -> dict[str, Any]:
    data = data or example()
    data["organisation"]["language"] = "cy"
    return data


# --- [organisation] language and bilingual ---------------------------------------------------------

def test_an_english_partnership_by_default_offers_no_choice_and_asks_for_no_welsh() -> None:
    partnership = parsed(example())

    assert partnership.languages.default == "en" and not partnership.languages.bilingual
    assert not partnership.languages.works_in_welsh
    assert all(agency.language == "en" for agency in partnership.agencies)
    assert not partnership.use_wales_glossary
    assert welsh_warnings(example()) == []


def test_a_welsh_partnership_is_bilingual_by_default_and_its_channels_read_welsh_first() -> None:
    partnership = parsed(bilingual())

    assert partnership.languages.default == "cy" and partnership.languages.bilingual
    assert partnership.languages.works_in_welsh and partnership.use_wales_glossary
    assert {agency.language for agency in partnership.agencies} == {"cy+en"}


def test_a_welsh_partnership_that_is_not_bilingual_posts_in_welsh_only() -> None:
    data = bilingual()
    data["organisation"]["bilingual"] = False

    partnership = parsed(data)

    assert not partnership.languages.bilingual and partnership.languages.works_in_welsh
    assert {agency.language for agency in partnership.agencies} == {"cy"}


def test_an_english_partnership_may_be_bilingual() -> None:
    data = example()
    data["organisation"]["bilingual"] = True

    partnership = parsed(data)

    assert partnership.languages.default == "en" and partnership.languages.channel_default == "cy+en"


@pytest.mark.parametrize("value", ["welsh", "CY", "fr", 1])
def test_a_language_that_is_not_en_or_cy_is_an_error_naming_both(value: Any) -> None:
    data = example()
    data["organisation"]["language"] = value

    message = error_at(data, "organisation.language")

    assert '"en"' in message and '"cy"' in message and "Cymraeg" in message


def test_bilingual_must_be_true_or_false() -> None:
    data = example()
    data["organisation"]["bilingual"] = "yes"

    assert "true or false" in error_at(data, "organisation.bilingual")


# --- [[agencies]] language -------------------------------------------------------------------------

@pytest.mark.parametrize("written, language", [("en", "en"), ("cy", "cy"), ("bilingual", "cy+en")])
def test_an_agency_sets_its_own_channels_language(written: str, language: str) -> None:
    data = bilingual()
    data["agencies"][3]["language"] = written

    assert parsed(data).agency("police").language == language


def test_an_agency_language_that_is_not_known_is_an_error_naming_the_choices() -> None:
    data = example()
    data["agencies"][2]["language"] = "cy+en"

    message = error_at(data, "agencies[health].language")

    assert '"en"' in message and '"cy"' in message and '"bilingual"' in message


def test_one_welsh_agency_makes_an_english_partnership_work_in_welsh() -> None:
    data = example()
    data["agencies"][1]["language"] = "cy"

    partnership = parsed(data)

    assert partnership.languages.works_in_welsh and partnership.use_wales_glossary
    assert not partnership.languages.bilingual, "people are not offered a choice"
    assert "risk_levels[0].label" in welsh_warnings(data)


# --- the Welsh of the partnership's own texts -------------------------------------------------------

def test_a_risk_levels_welsh_label_and_definition_are_the_welsh_of_its_english() -> None:
    data = bilingual()
    level = data["risk_levels"][1]
    level["label_cy"], level["definition_cy"] = "Cymorth cynnar", "Anghenion sy'n dod i'r amlwg."

    welsh = parsed(data).languages.welsh

    assert welsh[level["label"]] == "Cymorth cynnar"
    assert welsh[level["definition"]] == "Anghenion sy'n dod i'r amlwg."
    assert "risk_levels[1].label" not in welsh_warnings(data)
    assert "risk_levels[1].definition" not in welsh_warnings(data)


def test_a_welsh_label_longer_than_a_form_option_is_an_error() -> None:
    data = bilingual()
    data["risk_levels"][0]["label_cy"] = "Gwasanaethau cyffredinol " * 4

    assert "at most 75" in error_at(data, "risk_levels[0].label_cy")


@pytest.mark.parametrize("key", ["label_cy", "definition_cy"])
@pytest.mark.parametrize("value", ["", "   ", 3])
def test_an_empty_welsh_text_is_an_error_saying_how_to_write_it(key: str, value: Any) -> None:
    data = bilingual()
    data["risk_levels"][0][key] = value

    assert f'{key} = "…"' in error_at(data, f"risk_levels[0].{key}")


def test_an_unknown_key_on_a_risk_level_names_the_welsh_keys_among_the_known_ones() -> None:
    data = example()
    data["risk_levels"][0]["label_welsh"] = "Cyffredinol"

    message = error_at(data, "risk_levels[0].label_welsh")

    assert "label_cy" in message and "definition_cy" in message


def test_emergency_instructions_cy_is_the_welsh_of_the_emergency_instructions() -> None:
    data = bilingual()
    data["organisation"]["emergency_instructions_cy"] = "Os yw plentyn mewn perygl, ffoniwch 999 nawr."

    partnership = parsed(data)

    assert partnership.languages.welsh[partnership.emergency_instructions].startswith("Os yw plentyn")
    assert "organisation.emergency_instructions" not in welsh_warnings(data)


def test_emergency_instructions_cy_beside_the_default_english_is_the_welsh_of_the_default() -> None:
    data = bilingual()
    del data["organisation"]["emergency_instructions"]
    data["organisation"]["emergency_instructions_cy"] = "Ffoniwch 999."

    partnership = parsed(data)

    assert partnership.languages.welsh[Partnership.emergency_instructions] == "Ffoniwch 999."


def test_empty_emergency_instructions_cy_is_an_error() -> None:
    data = bilingual()
    data["organisation"]["emergency_instructions_cy"] = " "

    assert "emergency_instructions_cy" in error_at(data, "organisation.emergency_instructions_cy")


@pytest.mark.parametrize("key", ["purposes", "lawful_bases"])
def test_a_purpose_or_lawful_basis_takes_its_welsh_as_en_and_cy(key: str) -> None:
    data = bilingual()
    data[key] = [{"en": "To keep the child safe", "cy": "Cadw'r plentyn yn ddiogel"}, "A local reason of ours"]

    partnership = parsed(data)

    assert getattr(partnership, key) == ("To keep the child safe", "A local reason of ours")
    assert partnership.languages.welsh["To keep the child safe"] == "Cadw'r plentyn yn ddiogel"
    assert f"{key}[0]" not in welsh_warnings(data)
    assert f"{key}[1]" in welsh_warnings(data)


@pytest.mark.parametrize("key", ["purposes", "lawful_bases"])
def test_the_problems_of_a_bilingual_entry_are_each_named_by_key(key: str) -> None:
    data = example()
    data[key] = [{"en": "Fine", "cy": "Iawn", "fr": "Bien"}, {"cy": "Dim Saesneg"}, {"en": "Long", "cy": "x" * 80},
                 {"en": "Fine"}]

    assert "{ en" in error_at(data, f"{key}[0].fr")
    assert "non-empty text" in error_at(data, f"{key}[1].en")
    assert "at most 75" in error_at(data, f"{key}[2].cy")
    assert "same entry twice" in error_at(data, key)


def test_two_entries_with_the_same_welsh_are_an_error() -> None:
    data = example()
    data["lawful_bases"] = [{"en": "Consent", "cy": "Cydsyniad"}, {"en": "Consent given", "cy": "Cydsyniad"}]

    assert "same Welsh" in error_at(data, "lawful_bases")


@pytest.mark.parametrize("value", [[], "To keep the child safe", {"en": "x"}])
def test_purposes_that_are_not_a_list_are_an_error_showing_both_forms(value: Any) -> None:
    data = example()
    data["purposes"] = value

    message = error_at(data, "purposes")

    assert "non-empty list" in message and "{ en" in message


def test_the_shipped_purposes_need_no_welsh_from_the_partnership_where_joined_up_has_it() -> None:
    data = bilingual()
    del data["purposes"]

    warned = welsh_warnings(data)

    for index, purpose in enumerate(DEFAULT_PURPOSES):
        has_welsh = catalogue("cy").gettext(purpose) != purpose
        assert (f"purposes[{index}]" in warned) != has_welsh


def test_each_missing_welsh_text_is_a_warning_naming_the_key_to_add() -> None:
    data = bilingual()
    data["purposes"] = ["A local purpose"]
    data["organisation"]["emergency_instructions"] = "Ring the duty team."

    assert 'label_cy = "…"' in warnings_at(data, "risk_levels[2].label")[0]
    assert 'definition_cy = "…"' in warnings_at(data, "risk_levels[2].definition")[0]
    assert 'emergency_instructions_cy = "…"' in warnings_at(data, "organisation.emergency_instructions")[0]
    assert '{ en = "…", cy = "…" }' in warnings_at(data, "purposes[0]")[0]
    assert all("Welsh readers see the English" in warnings_at(data, key)[0]
               for key in ("risk_levels[2].label", "purposes[0]"))
    assert parse_partnership(data)[0] is not None, "missing Welsh is a warning, not an error"


# --- [[glossary]] in Welsh ---------------------------------------------------------------------------

def test_a_glossary_term_takes_its_welsh_name_definition_and_aliases() -> None:
    term = parsed(example()).glossary[0]

    assert term.term_cy == "Tîm o amgylch y teulu"
    assert term.definition_cy and term.definition_cy.startswith("Cyfarfod")
    assert "TAT" in term.aliases_cy


def test_a_glossary_term_without_welsh_is_a_warning_only_where_the_partnership_works_in_welsh() -> None:
    data = bilingual()
    for key in ("term_cy", "definition_cy", "aliases_cy"):
        del data["glossary"][0][key]

    assert "term_cy" in warnings_at(data, "glossary[0].term_cy")[0]
    assert 'definition_cy = "…"' in warnings_at(data, "glossary[0].definition_cy")[0]
    english = example()
    del english["glossary"][0]["term_cy"]
    assert warnings_at(english, "glossary[0].term_cy") == []


@pytest.mark.parametrize("key, value, words", [
    ("term_cy", "", "non-empty text"), ("definition_cy", 4, "non-empty text"), ("aliases_cy", "TAT", "list"),
    ("aliases_cy", ["TAT", ""], "list")])
def test_a_glossary_terms_welsh_problems_are_named_by_key(key: str, value: Any, words: str) -> None:
    data = example()
    data["glossary"][0][key] = value

    assert words in error_at(data, f"glossary[0].{key}")


def test_a_welsh_definition_without_a_welsh_name_is_an_error() -> None:
    data = example()
    del data["glossary"][0]["term_cy"]

    assert 'term_cy = "…"' in error_at(data, "glossary[0].term_cy")


# --- use_wales_glossary -----------------------------------------------------------------------------

def test_use_wales_glossary_can_be_turned_off_in_wales_and_on_in_english() -> None:
    data = bilingual()
    data["organisation"]["use_wales_glossary"] = False
    assert not parsed(data).use_wales_glossary

    data = example()
    data["organisation"]["use_wales_glossary"] = True
    assert parsed(data).use_wales_glossary


def test_use_wales_glossary_must_be_true_or_false() -> None:
    data = example()
    data["organisation"]["use_wales_glossary"] = "yes"

    assert "true or false" in error_at(data, "organisation.use_wales_glossary")


# --- [translations.*] -------------------------------------------------------------------------------

def test_the_partnerships_wording_of_a_shipped_message_is_kept_by_language() -> None:
    data = bilingual()
    data["translations"] = {"cy": {KNOWN_MESSAGE: "*Hefyd yn ein geirfa*: {names}"},
                            "en": {KNOWN_MESSAGE: "*Also defined*: {names}"}}

    partnership = parsed(data)

    assert partnership.languages.translations["cy"][KNOWN_MESSAGE] == "*Hefyd yn ein geirfa*: {names}"
    assert partnership.languages.translations["en"][KNOWN_MESSAGE] == "*Also defined*: {names}"
    assert [p for p in problems_in(data) if p.key.startswith("translations")] == []


def test_a_translation_key_that_is_not_a_shipped_message_is_a_warning_saying_where_to_copy_it_from() -> None:
    data = example()
    data["translations"] = {"cy": {"*Also in the glosary*: {names}": "*Hefyd*: {names}"}}

    [message] = warnings_at(data, 'translations.cy."*Also in the glosary*: {names}"')

    assert message.startswith(f"not a message Joined Up shows: copy the English exactly from a msgid in "
                              f"{CATALOGUE_FOLDER}")
    assert f"did you mean “{KNOWN_MESSAGE}”" in message
    assert KNOWN_MESSAGE in shipped_messages()


@pytest.mark.parametrize("text, words", [
    ("*Hefyd*", "every {placeholder}"),  # drops {names}
    ("*Hefyd*: {names} {who}", "every {placeholder}"),  # invents one
    ("*Hefyd*: {Names}", "every {placeholder}"),  # not the same name
    ("*Hefyd*: {names} }", "on its own"),
    ("  ", "non-empty text"),
])
def test_a_translation_that_would_break_the_message_is_an_error_with_the_fix(text: str, words: str) -> None:
    data = example()
    data["translations"] = {"cy": {KNOWN_MESSAGE: text}}

    message = error_at(data, f'translations.cy."{KNOWN_MESSAGE}"')

    assert words in message
    if words == "every {placeholder}":
        assert "{names}" in message


def test_translations_for_a_language_joined_up_does_not_speak_is_an_error() -> None:
    data = example()
    data["translations"] = {"fr": {KNOWN_MESSAGE: "{names}"}}

    assert "unknown key" in error_at(data, "translations.fr")


def test_translations_that_are_not_a_table_are_an_error_showing_the_table() -> None:
    data = example()
    data["translations"] = {"cy": "Cymraeg"}

    assert "[translations.cy]" in error_at(data, "translations.cy")


# --- check-config -----------------------------------------------------------------------------------

def test_check_config_on_a_bilingual_file_lists_every_missing_welsh_text(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    text = example_text().replace('name = "Anyshire Children\'s Partnership"',
                                  'name = "Anyshire Children\'s Partnership"\nlanguage = "cy"\nbilingual = true', 1)
    text = text.replace('"Public task: statutory safeguarding duty (no consent sought)"', '"Public task"', 1)
    text = text.replace('    "To keep the child safe from harm",',
                        '    { en = "To keep the child safe from harm", cy = "Cadw\'r plentyn yn ddiogel rhag niwed" },',
                        1)
    path = tmp_path / "joinedup.toml"
    path.write_text(text, encoding="utf-8")

    assert main(["check-config", "--config", str(path)]) == 0
    out = capsys.readouterr().out

    expected = ["lawful_bases[0]", "organisation.emergency_instructions",
                *(f"risk_levels[{i}].{field}" for i in range(4) for field in ("label", "definition"))]
    expected += [f"purposes[{i}]" for i, purpose in enumerate(DEFAULT_PURPOSES)
                 if i and catalogue("cy").gettext(purpose) == purpose]
    expected += [f"lawful_bases[{i}]" for i, basis in enumerate(parsed(example()).lawful_bases)
                 if i and catalogue("cy").gettext(basis) == basis]
    warned = [line.split(": ")[2] for line in out.splitlines() if ": warning: " in line and "has no Welsh" in line]
    assert sorted(warned) == sorted(expected), out
    assert all(f"{path}: warning: {key}: has no Welsh" in out for key in expected)
    assert "purposes[0]" not in warned and "glossary[0]" not in out
    assert out.strip().endswith(": OK (4 agencies, 4 risk levels)")


def test_check_config_on_the_english_example_mentions_no_welsh(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "joinedup.toml"
    path.write_text(example_text(), encoding="utf-8")

    assert main(["check-config", "--config", str(path)]) == 0
    assert "Welsh" not in capsys.readouterr().out


def test_the_welsh_options_the_example_file_shows_in_comments_are_valid_once_uncommented() -> None:
    shown = ("language = ", "bilingual = ", "use_wales_glossary = ", "label_cy = ", "definition_cy = ",
             "emergency_instructions_cy = ")
    lines = [line[2:] if line.startswith("# ") and line[2:].startswith(shown) else line
             for line in example_text().splitlines()]
    data = tomllib.loads("\n".join(lines))

    partnership, problems = parse_partnership(data)

    assert [str(p) for p in problems if not p.warning] == []
    assert partnership is not None and partnership.languages.default == "cy" and partnership.languages.bilingual
    assert partnership.use_wales_glossary and partnership.agency("police").language == "cy+en"
    assert partnership.languages.welsh["Early help"] == "Cymorth cynnar"
    assert partnership.languages.welsh[partnership.emergency_instructions].startswith("Os yw plentyn")


# --- an override, from the file to what a reader sees ------------------------------------------------

def test_a_partnerships_override_reaches_what_each_reader_sees() -> None:
    from bot.blocks.text import button
    from bot.i18n import _, using
    from bot.services.languages import voice_for

    data = bilingual()
    data["translations"] = {"cy": {"Acknowledge receipt": "Cadarnhau derbyn"},
                            "en": {"Acknowledge receipt": "Confirm receipt"}}
    partnership = parsed(data)

    shown = {}
    for language in ("cy", "en", "cy+en"):
        with using(voice_for(partnership, language)):
            shown[language] = button(_("Acknowledge receipt"), "a", "1")["text"]["text"]

    assert shown == {"cy": "Cadarnhau derbyn", "en": "Confirm receipt", "cy+en": "Cadarnhau derbyn / Confirm receipt"}
