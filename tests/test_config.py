"""The operator's contract: joinedup.example.toml, every configuration problem, and the environment."""
from __future__ import annotations

import copy
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.services.wiring import build_glossary
from bot.domain.config import (
    CHANNEL_ID, DEFAULT_CASE_REFERENCE_PATTERN, DEFAULT_LAWFUL_BASES, DEFAULT_PURPOSES, EXAMPLE_PLACEHOLDER_IDS,
    USER_ID, ConfigError, MissingSetting, Problem, Settings, check_partnership_file, load_partnership,
    parse_partnership,
)
from bot.domain.glossary import KNOWN_KEYS as GLOSSARY_KEYS

EXAMPLE = Path(__file__).resolve().parents[1] / "joinedup.example.toml"


@cache
def _example_data() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))


def placeholders_in(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, ID) for every Slack ID in the example's settings, in the order check-config reads them."""
    found = [(f"organisation.admins[{i}]", user) for i, user in enumerate(data["organisation"]["admins"])]
    for agency in data["agencies"]:
        path = f"agencies[{agency['key']}]"
        found.append((f"{path}.channel", agency["channel"]))
        found += [(f"{path}.{field}[{i}]", user) for field in ("leads", "members")
                  for i, user in enumerate(agency[field])]
    return found


# Each placeholder in the example, and an ID of the same shape that a real workspace could have.
REAL_IDS = {placeholder: f"{placeholder[0]}0REAL{number:04d}"
            for number, (_, placeholder) in enumerate(placeholders_in(_example_data()), start=1)}


def example() -> dict[str, Any]:
    """A fresh, editable copy of the example file's contents, its placeholder IDs replaced as an operator would."""
    data = copy.deepcopy(_example_data())
    data["organisation"]["admins"] = [REAL_IDS[u] for u in data["organisation"]["admins"]]
    for agency in data["agencies"]:
        agency["channel"] = REAL_IDS[agency["channel"]]
        for field in ("leads", "members"):
            agency[field] = [REAL_IDS[u] for u in agency[field]]
    return data


def example_text() -> str:
    """The example file's text, its placeholder IDs replaced as an operator would."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for placeholder, real in REAL_IDS.items():
        text = text.replace(f'"{placeholder}"', f'"{real}"')
    return text


def problems_in(data: dict[str, Any]) -> list[Problem]:
    return parse_partnership(data)[1]


def error_at(data: dict[str, Any], key: str) -> str:
    """The message of the one error about `key`; fails if there is none, or it is only a warning."""
    found = [p for p in problems_in(data) if p.key == key]
    assert found, f"no problem about {key}; got {problems_in(data)}"
    assert len(found) == 1, found
    assert not found[0].warning, f"{key} is only a warning: {found[0]}"
    return found[0].message


def keys_with_errors(data: dict[str, Any]) -> set[str]:
    return {p.key for p in problems_in(data) if not p.warning}


# --- the example file ------------------------------------------------------------------------------

def test_the_example_files_only_problems_are_its_placeholder_ids_each_named_by_key_with_the_fix() -> None:
    partnership, problems = check_partnership_file(EXAMPLE)
    expected = placeholders_in(_example_data())
    assert partnership is None
    assert [(p.key, p.warning) for p in problems] == [(key, False) for key, _ in expected]
    for problem, (_, placeholder) in zip(problems, expected, strict=True):
        assert problem.message.startswith(f"{placeholder!r} is a placeholder from joinedup.example.toml: replace it ")
    channel = next(p for p in problems if p.key == "agencies[health].channel")
    assert "channel's details" in channel.message
    lead = next(p for p in problems if p.key == "agencies[health].leads[0]")
    assert "Copy member ID" in lead.message


def test_the_example_file_with_its_ids_replaced_loads_with_no_errors_and_no_warnings(tmp_path: Path) -> None:
    path = tmp_path / "joinedup.toml"
    path.write_text(example_text(), encoding="utf-8")
    partnership, problems = check_partnership_file(path)
    assert problems == []
    assert partnership is not None
    assert build_glossary(partnership)[1] == []
    assert load_partnership(path) == partnership == parse_partnership(example())[0]


def test_the_placeholder_list_is_every_id_the_example_file_shows() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    shown = {word for word in re.findall(r"\b[UWCG][A-Z0-9]{6,}\b", text) if USER_ID.match(word) or CHANNEL_ID.match(word)}
    assert {placeholder for _, placeholder in placeholders_in(_example_data())} <= shown
    assert EXAMPLE_PLACEHOLDER_IDS == shown


def test_the_example_file_describes_a_four_agency_partnership_with_one_urgent_level() -> None:
    partnership = parse_partnership(example())[0]
    assert partnership is not None
    assert [a.name for a in partnership.agencies] == ["Children's Social Care", "Education", "Health", "Police"]
    assert all(a.leads for a in partnership.agencies)
    assert len({a.channel for a in partnership.agencies}) == 4
    assert len(partnership.risk_levels) == 4
    assert [r.key for r in partnership.risk_levels if r.urgent] == ["significant-harm"]
    assert all(r.definition for r in partnership.risk_levels)
    assert partnership.admins


def test_the_example_file_writes_out_the_defaults_for_purposes_lawful_bases_and_case_references() -> None:
    partnership = parse_partnership(example())[0]
    assert partnership is not None
    assert partnership.purposes == DEFAULT_PURPOSES
    assert partnership.lawful_bases == DEFAULT_LAWFUL_BASES
    assert partnership.case_reference_pattern == DEFAULT_CASE_REFERENCE_PATTERN
    assert partnership.timezone == "Europe/London"
    assert partnership.working_hours.days == (0, 1, 2, 3, 4)


def test_the_example_file_sets_every_key_an_operator_can_set() -> None:
    data = _example_data()
    assert set(data) == {"organisation", "agencies", "risk_levels", "purposes", "lawful_bases", "working_hours",
                         "reminders", "retention", "glossary"}
    assert set(data["organisation"]) == {"name", "timezone", "admins", "emergency_instructions",
                                         "case_reference_pattern", "case_reference_example",
                                         "follow_up_working_days", "use_default_glossary", "check_identifiers"}
    assert all(set(a) == {"key", "name", "channel", "leads", "members"} for a in data["agencies"])
    assert all(set(r) == {"key", "label", "definition", "urgent"} for r in data["risk_levels"])
    assert set(data["working_hours"]) == {"start", "end", "days", "holiday_region"}
    assert set(data["reminders"]) == {"acknowledge_within_working_hours", "escalate_after_working_hours",
                                      "max_reminders"}
    assert set(data["retention"]) == {"keep_for_days"}
    assert [set(g) for g in data["glossary"]] == [set(GLOSSARY_KEYS)]


def test_the_example_file_says_where_to_find_user_and_channel_ids_in_slack() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "Copy member ID" in text
    assert "channel details" in text


# --- organisation ----------------------------------------------------------------------------------

def test_a_missing_organisation_name_is_an_error_saying_what_to_add() -> None:
    data = example()
    del data["organisation"]["name"]
    assert "add name =" in error_at(data, "organisation.name")


def test_a_missing_organisation_table_is_an_error_saying_what_to_add() -> None:
    data = example()
    del data["organisation"]
    assert "[organisation]" in error_at(data, "organisation")
    assert "organisation.name" in keys_with_errors(data)


def test_a_timezone_that_is_not_an_iana_name_is_an_error_suggesting_one() -> None:
    for bad in ("London", "GMT+1 (UK)", "Europe", "../etc/passwd"):
        data = example()
        data["organisation"]["timezone"] = bad
        assert '"Europe/London"' in error_at(data, "organisation.timezone")


def test_admins_given_as_names_instead_of_user_ids_are_errors_for_each_entry() -> None:
    data = example()
    data["organisation"]["admins"] = [data["organisation"]["admins"][0], "@ash.patel", "Ash Patel"]
    assert "not a Slack user ID" in error_at(data, "organisation.admins[1]")
    assert "U012AB3CD" in error_at(data, "organisation.admins[2]")
    assert "organisation.admins[0]" not in keys_with_errors(data)


def test_admins_given_as_a_single_text_instead_of_a_list_is_an_error() -> None:
    data = example()
    data["organisation"]["admins"] = data["organisation"]["admins"][0]
    assert "list of user IDs" in error_at(data, "organisation.admins")


def test_a_follow_up_of_zero_working_days_is_an_error() -> None:
    data = example()
    data["organisation"]["follow_up_working_days"] = 0
    assert "at least 1" in error_at(data, "organisation.follow_up_working_days")


def test_use_default_glossary_must_be_true_or_false() -> None:
    data = example()
    data["organisation"]["use_default_glossary"] = "yes"
    assert "true or false" in error_at(data, "organisation.use_default_glossary")


# --- agencies -------------------------------------------------------------------------------------

def test_an_agency_channel_given_as_a_name_is_an_error_saying_where_to_find_the_id() -> None:
    data = example()
    data["agencies"][2]["channel"] = "#health"
    message = error_at(data, "agencies[health].channel")
    assert "'#health' is not a channel ID" in message
    assert "channel's details" in message and "C012AB3CD" in message


def test_agency_leads_given_as_names_are_errors() -> None:
    data = example()
    data["agencies"][0]["leads"] = ["sam.okafor"]
    assert "not a Slack user ID" in error_at(data, "agencies[social-care].leads[0]")


def test_two_agencies_with_the_same_key_is_an_error_on_the_second_named_by_its_place() -> None:
    data = example()
    data["agencies"][3]["key"] = data["agencies"][1]["key"]
    assert "used twice" in error_at(data, "agencies[3].key")
    assert "agencies[education].key" not in keys_with_errors(data)


def test_two_agencies_with_the_same_channel_is_an_error_on_the_second() -> None:
    data = example()
    data["agencies"][1]["channel"] = data["agencies"][0]["channel"]
    assert "each channel must be unique" in error_at(data, "agencies[education].channel")


def test_an_agency_key_with_spaces_or_capitals_is_an_error_and_the_agency_is_named_by_its_place() -> None:
    data = example()
    data["agencies"][0]["key"] = "Social Care"
    data["agencies"][0]["channel"] = "#social-care"
    assert "lower-case letters, digits and hyphens" in error_at(data, "agencies[0].key")
    assert "is not a channel ID" in error_at(data, "agencies[0].channel")


def test_an_agency_without_a_key_is_named_by_its_place_and_the_others_by_their_keys() -> None:
    data = example()
    del data["agencies"][1]["key"]
    data["agencies"][3]["leads"] = ["PC Pat"]
    assert keys_with_errors(data) == {"agencies[1].key", "agencies[police].leads[0]"}


def test_placeholder_ids_left_from_the_example_are_errors_naming_the_key_and_the_fix() -> None:
    data = example()
    data["agencies"][2]["channel"] = "C0HEALTH01"
    data["agencies"][2]["members"] = ["U0SCHOOLNURSE"]
    data["organisation"]["admins"].append("U012AB3CD")  # the shape shown in the example's comments
    assert keys_with_errors(data) == {"agencies[health].channel", "agencies[health].members[0]",
                                      "organisation.admins[2]"}
    assert "'C0HEALTH01' is a placeholder from joinedup.example.toml" in error_at(data, "agencies[health].channel")
    assert "replace it with a real member ID" in error_at(data, "organisation.admins[2]")


def test_missing_agencies_is_an_error_saying_what_to_add() -> None:
    for agencies in (None, []):
        data = example()
        if agencies is None:
            del data["agencies"]
        else:
            data["agencies"] = agencies
        assert "[[agencies]]" in error_at(data, "agencies")


def test_an_agency_without_leads_is_a_warning_not_an_error() -> None:
    data = example()
    data["agencies"][1]["leads"] = []
    partnership, problems = parse_partnership(data)
    assert partnership is not None
    assert [(p.key, p.warning) for p in problems] == [("agencies[education].leads", True)]


# --- risk levels ----------------------------------------------------------------------------------

def test_missing_risk_levels_is_an_error_saying_what_to_add() -> None:
    data = example()
    del data["risk_levels"]
    assert "[[risk_levels]]" in error_at(data, "risk_levels")


def test_a_risk_level_without_a_definition_is_a_warning_not_an_error() -> None:
    for missing in (None, "  "):
        data = example()
        if missing is None:
            del data["risk_levels"][1]["definition"]
        else:
            data["risk_levels"][1]["definition"] = missing
        partnership, problems = parse_partnership(data)
        assert partnership is not None
        assert [(p.key, p.warning) for p in problems] == [("risk_levels[1].definition", True)]
        assert "agreed by the partnership" in problems[0].message
        assert partnership.risk_levels[1].definition == ""


def test_a_risk_level_marked_urgent_with_text_instead_of_true_is_an_error() -> None:
    data = example()
    data["risk_levels"][3]["urgent"] = "yes"
    assert "true or false" in error_at(data, "risk_levels[3].urgent")


# --- purposes and lawful bases --------------------------------------------------------------------

def test_a_purpose_longer_than_slack_shows_in_a_form_option_is_an_error() -> None:
    data = example()
    data["purposes"].append("To " + "support the child " * 5)
    message = error_at(data, "purposes[5]")
    assert "at most 75" in message and "shorten it" in message


def test_a_lawful_basis_of_exactly_75_characters_is_allowed_but_76_is_not() -> None:
    data = example()
    data["lawful_bases"] += ["x" * 75, "y" * 76]
    assert keys_with_errors(data) == {"lawful_bases[5]"}


def test_a_purpose_listed_twice_is_an_error() -> None:
    data = example()
    data["purposes"].append(data["purposes"][0])
    assert "twice" in error_at(data, "purposes")


def test_leaving_out_purposes_and_lawful_bases_uses_the_defaults() -> None:
    data = example()
    del data["purposes"], data["lawful_bases"]
    partnership, problems = parse_partnership(data)
    assert problems == []
    assert partnership is not None
    assert (partnership.purposes, partnership.lawful_bases) == (DEFAULT_PURPOSES, DEFAULT_LAWFUL_BASES)


# --- case references ------------------------------------------------------------------------------

def test_a_case_reference_pattern_that_is_not_a_regular_expression_is_an_error() -> None:
    data = example()
    data["organisation"]["case_reference_pattern"] = "^[A-Z{2}-[0-9]+$"
    assert "not a valid regular expression" in error_at(data, "organisation.case_reference_pattern")


def test_a_case_reference_example_that_does_not_match_the_pattern_is_an_error() -> None:
    data = example()
    data["organisation"]["case_reference_pattern"] = r"^LA[0-9]{6}$"
    data["organisation"]["case_reference_example"] = "CR-12345"
    assert "does not match case_reference_pattern" in error_at(data, "organisation.case_reference_example")


def test_a_local_case_reference_pattern_with_a_matching_example_is_accepted() -> None:
    data = example()
    data["organisation"]["case_reference_pattern"] = r"^LA[0-9]{6}$"
    data["organisation"]["case_reference_example"] = "LA123456"
    partnership, problems = parse_partnership(data)
    assert problems == []
    assert partnership is not None and partnership.case_reference_regex.match("LA654321")


# --- working hours and reminders ------------------------------------------------------------------

def test_working_hours_that_end_before_they_start_is_an_error() -> None:
    for start, end in (("17:00", "09:00"), ("09:00", "09:00")):
        data = example()
        data["working_hours"].update(start=start, end=end)
        assert "later than working_hours.start" in error_at(data, "working_hours.end")


def test_a_working_hours_time_not_written_as_hh_mm_is_an_error() -> None:
    data = example()
    data["working_hours"]["start"] = "9am"
    assert '"09:00"' in error_at(data, "working_hours.start")


def test_unknown_working_days_are_an_error_listing_the_day_names() -> None:
    data = example()
    data["working_hours"]["days"] = ["Monday", "Tuesday"]
    assert "Mon, Tue, Wed" in error_at(data, "working_hours.days")


def test_an_unknown_holiday_region_is_an_error_listing_the_regions() -> None:
    data = example()
    data["working_hours"]["holiday_region"] = "UK"
    message = error_at(data, "working_hours.holiday_region")
    assert "England and Wales" in message and "Scotland" in message


def test_a_reminder_interval_below_a_quarter_hour_is_an_error() -> None:
    data = example()
    data["reminders"]["acknowledge_within_working_hours"] = 0
    assert "at least 0.25" in error_at(data, "reminders.acknowledge_within_working_hours")


def test_max_reminders_given_as_text_is_an_error() -> None:
    data = example()
    data["reminders"]["max_reminders"] = "three"
    assert "max_reminders = 3" in error_at(data, "reminders.max_reminders")


# --- unknown sections and keys --------------------------------------------------------------------

def test_an_unknown_top_level_section_is_an_error_listing_the_known_ones() -> None:
    data = example()
    data["agency"] = {"key": "health"}
    message = error_at(data, "agency")
    assert "unknown section" in message and "agencies" in message


def test_unknown_keys_in_each_section_are_errors_naming_the_key() -> None:
    data = example()
    data["organisation"]["nmae"] = "Typo"
    data["agencies"][0]["lead"] = data["agencies"][0]["leads"]
    data["risk_levels"][0]["colour"] = "green"
    data["working_hours"]["timezone"] = "Europe/London"
    data["reminders"]["max_reminder"] = 3
    assert keys_with_errors(data) == {"organisation.nmae", "agencies[social-care].lead", "risk_levels[0].colour",
                                      "working_hours.timezone", "reminders.max_reminder"}
    assert "check the spelling" in error_at(data, "organisation.nmae")
    assert "leads" in error_at(data, "agencies[social-care].lead")


def test_purposes_written_after_a_section_header_are_reported_as_an_unknown_key_in_that_section() -> None:
    text = example_text().replace(
        "[working_hours]\n", '[working_hours]\npurposes = ["To keep the child safe from harm"]\n')
    partnership, problems = parse_partnership(tomllib.loads(text))
    assert partnership is None
    assert [p.key for p in problems] == ["working_hours.purposes"]


# --- the file itself ------------------------------------------------------------------------------

def test_invalid_toml_syntax_is_one_error_naming_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "joinedup.toml"
    path.write_text('[organisation]\nname = "Anyshire\n', encoding="utf-8")
    partnership, problems = check_partnership_file(path)
    assert partnership is None
    assert len(problems) == 1
    assert problems[0].key == str(path)
    assert "not valid TOML" in problems[0].message and "line 2" in problems[0].message


def test_a_missing_file_is_one_error_naming_the_file_and_how_to_make_it(tmp_path: Path) -> None:
    path = tmp_path / "joinedup.toml"
    partnership, problems = check_partnership_file(path)
    assert partnership is None
    assert [p.key for p in problems] == [str(path)]
    assert "file not found" in problems[0].message
    assert "joinedup.example.toml" in problems[0].message and "JOINEDUP_CONFIG" in problems[0].message
    with pytest.raises(ConfigError) as raised:
        load_partnership(path)
    assert raised.value.problems == problems


def test_a_directory_in_place_of_the_file_is_reported_as_not_found(tmp_path: Path) -> None:
    partnership, problems = check_partnership_file(tmp_path)
    assert partnership is None
    assert "file not found" in problems[0].message


def test_a_file_that_is_not_utf8_is_one_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "joinedup.toml"
    path.write_bytes('[organisation]\nname = "Caf\u00e9"\n'.encode("latin-1"))
    _, problems = check_partnership_file(path)
    assert [(p.key, "UTF-8" in p.message) for p in problems] == [(str(path), True)]


def test_a_file_that_cannot_be_read_is_one_error_naming_the_file(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "joinedup.toml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")

    def refuse(self: Path, *args: Any, **kwargs: Any) -> str:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", refuse)
    _, problems = check_partnership_file(path)
    assert [p.key for p in problems] == [str(path)]
    assert "Permission denied" in problems[0].message


# --- several problems at once ---------------------------------------------------------------------

def test_several_problems_are_all_reported_at_once() -> None:
    data = example()
    del data["organisation"]["name"]
    data["organisation"]["timezone"] = "Mars/Olympus"
    data["agencies"][2]["channel"] = "#health"
    del data["risk_levels"][0]["definition"]
    data["purposes"][0] = "p" * 80
    data["working_hours"]["holiday_region"] = "Ireland"
    data["reminders"]["max_reminders"] = 0
    data["extras"] = {}
    partnership, problems = parse_partnership(data)
    assert partnership is None
    assert keys_with_errors(data) == {
        "organisation.name", "organisation.timezone", "agencies[health].channel", "purposes[0]",
        "working_hours.holiday_region", "reminders.max_reminders", "extras"}
    assert [p.key for p in problems if p.warning] == ["risk_levels[0].definition"]


def test_load_partnership_raises_one_config_error_listing_every_error_but_no_warnings(tmp_path: Path) -> None:
    path = tmp_path / "joinedup.toml"
    text = example_text()
    text = text.replace('timezone = "Europe/London"', 'timezone = "London"')
    text = text.replace(f'channel = "{REAL_IDS["C0HEALTH01"]}"', 'channel = "#health"')
    text = text.replace(f'leads = ["{REAL_IDS["U0EDLEAD01"]}"]', "leads = []")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_partnership(path)
    assert [p.key for p in raised.value.problems] == ["organisation.timezone", "agencies[health].channel"]
    assert "organisation.timezone" in str(raised.value) and "agencies[health].channel" in str(raised.value)


# --- the environment ------------------------------------------------------------------------------

def test_settings_from_an_empty_environment_use_the_documented_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.bot_token is None and settings.signing_secret is None and settings.app_token is None
    assert settings.database_url == "sqlite:///joinedup.db"
    assert settings.slack_api_url is None
    assert settings.port == 3000
    assert settings.config_path == "./joinedup.toml"


def test_settings_read_every_variable_of_the_operator_contract() -> None:
    settings = Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret", "SLACK_APP_TOKEN": "xapp-1",
        "DATABASE_URL": "postgresql://joinedup@db/joinedup", "SLACK_API_URL": "http://127.0.0.1:9999/api/",
        "PORT": "8080", "JOINEDUP_CONFIG": "/etc/joinedup/joinedup.toml"})
    assert settings == Settings(
        bot_token="xoxb-1", signing_secret="secret", app_token="xapp-1",
        database_url="postgresql://joinedup@db/joinedup", slack_api_url="http://127.0.0.1:9999/api/",
        port=8080, config_path="/etc/joinedup/joinedup.toml")


def test_blank_environment_variables_count_as_unset() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "  ", "DATABASE_URL": "", "PORT": " ", "JOINEDUP_CONFIG": ""})
    assert settings == Settings.from_env({})


def test_port_is_read_as_a_whole_number_ignoring_surrounding_spaces() -> None:
    assert Settings.from_env({"PORT": " 8080 "}).port == 8080
    assert Settings.from_env({"PORT": "1"}).port == 1


@pytest.mark.parametrize("port", ["abc", "0", "-1", "3.5", "80 80", "8080a", "\u00b2", "\u0663", "65536"])
def test_a_port_that_is_not_a_whole_number_from_1_to_65535_names_port_and_the_value(port: str) -> None:
    with pytest.raises(MissingSetting) as raised:
        Settings.from_env({"PORT": port})
    assert str(raised.value).startswith("PORT must be a whole number from 1 to 65535")
    assert repr(port) in str(raised.value)


def test_require_names_the_first_missing_variable_and_where_to_find_it() -> None:
    settings = Settings(bot_token="xoxb-1")
    with pytest.raises(MissingSetting) as raised:
        settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")
    assert str(raised.value).startswith("SLACK_SIGNING_SECRET is not set: ")
    assert "Basic Information" in str(raised.value)
    with pytest.raises(MissingSetting, match="^SLACK_BOT_TOKEN is not set: .*OAuth & Permissions"):
        Settings().require("SLACK_BOT_TOKEN")
    with pytest.raises(MissingSetting, match="^SLACK_APP_TOKEN is not set: .*connections:write"):
        Settings(bot_token="xoxb-1", signing_secret="s").require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")


def test_require_passes_when_every_named_variable_is_set() -> None:
    Settings(bot_token="xoxb-1", signing_secret="s").require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
