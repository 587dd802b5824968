import time
from datetime import date

import pytest

from bot.domain.identifiers import (
    DATE_OF_BIRTH,
    EMAIL_ADDRESS,
    NHS_NUMBER,
    NI_NUMBER,
    OTHER_CASE_REFERENCE,
    PHONE_NUMBER,
    POSTCODE,
    Finding,
    describe,
    find_identifiers,
)

TODAY = date(2026, 11, 24)
PATTERN = r"^[A-Z]{0,4}-?[0-9]{4,10}$"


def found(text: str, **options) -> list[tuple[str, str]]:
    options.setdefault("today", TODAY)
    return [(f.kind, f.text) for f in find_identifiers(text, **options)]


# ------------------------------------------------------------------ NHS numbers

@pytest.mark.parametrize("number", [
    "9434765919", "943 476 5919", "943-476-5919", "94 34 76 59 19", "401 023 2137", "4010232137",
    "400 000 0020",  # the check digit works out as 11, which is written 0
])
def test_a_valid_nhs_number_is_found_in_any_spacing(number):
    assert found(f"Her NHS number is {number}.") == [(NHS_NUMBER, number)]


@pytest.mark.parametrize("number", [
    "943 476 5918", "943 476 5929", "953 476 5919",  # one digit changed
    "123 456 7890", "123 456 7891", "400 000 0080",  # the check digit works out as 10: never valid
])
def test_an_nhs_number_with_a_wrong_check_digit_is_not_found(number):
    assert found(f"NHS {number}") == []


@pytest.mark.parametrize("text", ["19434765919", "94347659190", "1 943 476 5919", "943 476 5919 2", "943 476 59190"])
def test_a_valid_nhs_number_inside_a_longer_run_of_digits_is_not_found(text):
    assert (NHS_NUMBER, "943 476 5919") not in found(text)
    assert all(kind != NHS_NUMBER for kind, _ in found(text))


def test_a_finding_records_where_it_is():
    text = "NHS no. 943 476 5919 noted"
    [finding] = find_identifiers(text, today=TODAY)
    assert finding == Finding(NHS_NUMBER, "943 476 5919", 8, 20)
    assert text[finding.start:finding.end] == finding.text


# ------------------------------------------------------------------ National Insurance numbers

@pytest.mark.parametrize("number", [
    "AB123456C", "AB 12 34 56 C", "ab123456c", "JT 123456 D", "ZY123456A", "ce 12 34 56 b",
])
def test_a_national_insurance_number_is_found(number):
    assert found(f"NI: {number}") == [(NI_NUMBER, number)]


@pytest.mark.parametrize("number", [
    "QQ123456C", "QQ 12 34 56 C",  # the documented example prefix
    "DA123456A", "FA123456A", "IA123456A", "QA123456A", "UA123456A", "VA123456A",  # bad first letter
    "AD123456A", "AF123456A", "AI123456A", "AO123456A", "AQ123456A", "AU123456A", "AV123456A",  # bad second letter
    "BG123456A", "GB123456A", "NK123456A", "KN123456A", "TN123456A", "NT123456A", "ZZ123456A",  # not allocated
    "AB123456E", "AB12345C", "AB1234567C", "XAB123456C",
])
def test_an_impossible_national_insurance_number_is_not_found(number):
    assert all(kind != NI_NUMBER for kind, _ in found(f"NI: {number}"))


# ------------------------------------------------------------------ postcodes

@pytest.mark.parametrize("postcode", [
    "SW1A 1AA", "SW1A1AA", "sw1a 1aa", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB",
    "GIR 0AA", "gir0aa",
])
def test_a_postcode_is_found_with_or_without_the_space_in_any_case(postcode):
    assert found(f"She lives at {postcode}, near the park") == [(POSTCODE, postcode)]


@pytest.mark.parametrize("text", [
    "the SW1A area", "in M1 today", "LS1 and LS2", "ASW1A 1AA", "SW1A 1AAB", "QA1 1AA", "SW1A 1AC", "SW1A 1AI",
])
def test_an_outward_code_alone_or_an_impossible_postcode_is_not_found(text):
    assert found(text) == []


def test_a_postcode_in_slack_italics_is_found():
    assert found("_SW1A 1AA_") == [(POSTCODE, "SW1A 1AA")]


# ------------------------------------------------------------------ phone numbers

@pytest.mark.parametrize("number", [
    "07700 900123", "07700900123", "07700 900 123", "07700-900-123", "(01632) 960000", "(020) 7946 0018",
    "020 7946 0018", "0161 496 0000", "+44 20 7946 0018", "+442079460018", "+44 7700 900123",
    "+44 (0)20 7946 0018", "01632 96000",
])
def test_a_uk_phone_number_is_found_in_several_formats(number):
    assert found(f"Call {number} after 3") == [(PHONE_NUMBER, number)]


@pytest.mark.parametrize("text", ["0770 0900", "07700 9001", "01632 9600", "+44 1234 5678", "077009001234567"])
def test_a_run_of_too_few_or_too_many_digits_is_not_a_phone_number(text):
    assert found(f"Call {text}") == []


def test_a_valid_nhs_number_that_starts_with_zero_is_reported_once_as_an_nhs_number():
    # 010 000 0002 validates, and 0 followed by nine digits is also phone-shaped.
    assert found("number 010 000 0002") == [(NHS_NUMBER, "010 000 0002")]
    assert found("number 010 000 0003") == [(PHONE_NUMBER, "010 000 0003")]


@pytest.mark.parametrize("number", ["+44 (0)20 7946 0013", "+44 20 7946 0013", "+447700900124", "07700 900124"])
def test_a_phone_number_whose_last_ten_digits_happen_to_validate_is_still_a_phone_number(number):
    assert found(f"Call {number}") == [(PHONE_NUMBER, number)]


def test_two_phone_numbers_next_to_each_other_are_both_found():
    assert found("07700 900123 07700 900124") == [(PHONE_NUMBER, "07700 900123"), (PHONE_NUMBER, "07700 900124")]


# ------------------------------------------------------------------ email addresses

@pytest.mark.parametrize("address", [
    "jo@example.org", "jo.smith@example.org.uk", "Jo.O'Neil+school@mail.example.co.uk", "a_b-c@sub-domain.example.com",
])
def test_an_email_address_is_found(address):
    assert found(f"Email {address}.") == [(EMAIL_ADDRESS, address)]


@pytest.mark.parametrize("text", ["meet @ 3pm", "@jo said so", "jo@localhost", "jo@example.", "not-an-email@"])
def test_something_that_is_not_an_email_address_is_not_found(text):
    assert found(text) == []


# ------------------------------------------------------------------ dates of birth

@pytest.mark.parametrize("written", [
    "12/03/2015", "12-03-2015", "12.03.2015", "2015-03-12", "2015/03/12", "12 March 2015", "12th Mar 2015",
    "12th of March 2015", "March 12, 2015", "Mar. 12th 2015", "1/3/2015", "12/03/15",
])
@pytest.mark.parametrize("cue", ["born", "born on", "DOB", "DOB:", "D.O.B", "d.o.b.", "Date of birth:", "birthday is",
                                 "DoB -"])
def test_a_date_of_birth_is_found_after_a_cue_in_every_written_form(cue, written):
    assert found(f"Child {cue} {written}, lives with mum") == [(DATE_OF_BIRTH, written)]


@pytest.mark.parametrize("text", [
    "We met on 12/03/2024 at school.",
    "Strategy meeting 12 March 2025, review on 2025-06-01.",
    "Conference held on March 12, 2024",
])
def test_an_ordinary_meeting_date_is_not_found(text):
    assert found(text) == []


def test_a_cue_belongs_only_to_the_nearest_date_after_it():
    assert found("DOB 12/03/2015, seen 14/03/2024") == [(DATE_OF_BIRTH, "12/03/2015")]


def test_a_cue_more_than_about_25_characters_before_the_date_does_not_count():
    assert found("Born in Leeds, moved around a lot before we met on 12/03/2024") == []


def test_a_cue_in_an_earlier_sentence_does_not_count():
    assert found("She was born in Leeds. We met on 12/03/2024") == []


@pytest.mark.parametrize("text", [
    "DOB 25/11/2026", "born 01/01/2030", "DOB 2027-01-01",  # after today
    "DOB 31/02/2015", "DOB 29/02/2015", "born 32 March 2015", "DOB 12/13/2015", "DOB 00/03/2015",  # no such day
    "born 12/03/1850",  # nobody alive
    "born in March 2015",  # not a full date
])
def test_a_future_impossible_or_partial_date_of_birth_is_not_found(text):
    assert found(text) == []


def test_a_date_of_birth_today_is_found():
    assert found("born 24/11/2026") == [(DATE_OF_BIRTH, "24/11/2026")]


def test_a_leap_day_date_of_birth_is_found():
    assert found("DOB 29/02/2016") == [(DATE_OF_BIRTH, "29/02/2016")]


def test_today_defaults_to_the_real_date():
    assert found("born 01/01/2999", today=None) == []
    assert found("born 01/01/2000", today=None) == [(DATE_OF_BIRTH, "01/01/2000")]


def test_a_two_digit_year_is_read_as_the_latest_year_not_in_the_future():
    assert found("DOB 12/03/30") == [(DATE_OF_BIRTH, "12/03/30")]  # 1930
    assert found("DOB 24/12/26") == []  # a month from now, not 1926


# ------------------------------------------------------------------ other children's case references

def test_another_childs_case_reference_is_found_but_not_the_childs_own():
    text = "Siblings: CR-12345 (this child) and CR-54321."
    assert found(text, case_reference_pattern=PATTERN, own_case_reference="CR-12345") == [
        (OTHER_CASE_REFERENCE, "CR-54321")]


@pytest.mark.parametrize("written", ["cr-12345", "CR12345", "cr 12345", "12345"])
def test_the_childs_own_reference_is_recognised_however_it_is_written(written):
    assert found(f"Case {written}", case_reference_pattern=PATTERN, own_case_reference=" CR-12345 ") == []


def test_a_bare_number_is_another_reference_only_if_it_differs_from_the_childs_own_number():
    assert found("Case 54321", case_reference_pattern=PATTERN, own_case_reference="CR-12345") == [
        (OTHER_CASE_REFERENCE, "54321")]
    assert found("Case LA-12345", case_reference_pattern=PATTERN, own_case_reference="CR-12345") == [
        (OTHER_CASE_REFERENCE, "LA-12345")]


def test_case_references_are_matched_case_insensitively_and_inside_text():
    assert found("see ab-998877's file", case_reference_pattern=PATTERN, own_case_reference="CR-12345") == [
        (OTHER_CASE_REFERENCE, "ab-998877")]


def test_no_case_references_are_looked_for_without_a_pattern():
    assert found("CR-54321", own_case_reference="CR-12345") == []


@pytest.mark.parametrize("text", [
    "since 2019", "born 12 March 2015", "met on 12/03/2024", "2015-03-12", "£2500", "943 476 5918",
    "CR-54321-2", "ABCDE-54321", "AB123456C",
])
def test_years_dates_amounts_and_fragments_are_not_case_references(text):
    assert all(kind != OTHER_CASE_REFERENCE for kind, _ in found(text, case_reference_pattern=PATTERN))


def test_a_number_already_reported_as_something_else_is_not_also_a_case_reference():
    text = "NHS 9434765919, mobile 07700900123, home (01632) 960000"
    assert found(text, case_reference_pattern=PATTERN) == [
        (NHS_NUMBER, "9434765919"), (PHONE_NUMBER, "07700900123"), (PHONE_NUMBER, "(01632) 960000")]


@pytest.mark.parametrize("pattern", [r"\A[A-Z]{2}[0-9]{6}\Z", r"[A-Z]{2}[0-9]{6}", r"(?i)^[a-z]{2}[0-9]{6}$"])
def test_a_case_reference_pattern_works_with_or_without_anchors_and_flags(pattern):
    assert found("refs LA123456 and ab654321", case_reference_pattern=pattern, own_case_reference="LA123456") == [
        (OTHER_CASE_REFERENCE, "ab654321")]


# ------------------------------------------------------------------ overlaps and order

def test_findings_are_sorted_by_where_they_start_and_never_overlap():
    text = ("Mum jo@example.org, 07700 900123. NHS 943 476 5919, NI AB123456C, SW1A 1AA, DOB 12/03/2015, "
            "sibling CR-54321.")
    findings = find_identifiers(text, case_reference_pattern=PATTERN, own_case_reference="CR-12345", today=TODAY)
    assert [f.kind for f in findings] == [EMAIL_ADDRESS, PHONE_NUMBER, NHS_NUMBER, NI_NUMBER, POSTCODE,
                                          DATE_OF_BIRTH, OTHER_CASE_REFERENCE]
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:]))


@pytest.mark.parametrize("address", ["sw1a1aa@example.org", "07700900123@example.org", "9434765919@example.org",
                                     "cr-54321@example.org"])
def test_an_email_address_wins_over_anything_inside_it(address):
    assert found(address, case_reference_pattern=PATTERN) == [(EMAIL_ADDRESS, address)]


def test_nothing_is_found_in_ordinary_text():
    text = ("Met with Sam's foster carer at 10:30 on 12/03/2024. Sam is in Year 7, doing well in the 2nd set for "
            "maths. Review in 6 weeks; 3 of 4 actions done. Ref to the 2019 plan.")
    assert found(text) == []


# ------------------------------------------------------------------ describe

def test_describe_names_and_quotes_two_findings():
    findings = find_identifiers("NHS 943 476 5919, lives SW1A 1AA", today=TODAY)
    assert describe(findings) == (
        "This looks like it contains an NHS number (“943 476 5919”) and a postcode (“SW1A 1AA”). "
        "Remove them, or say in the Identifiers box below why they are needed.")


def test_describe_speaks_of_one_finding_in_the_singular():
    assert describe([Finding(EMAIL_ADDRESS, "jo@example.org", 0, 14)]) == (
        "This looks like it contains an email address (“jo@example.org”). "
        "Remove it, or say in the Identifiers box below why it is needed.")


@pytest.mark.parametrize("kind, noun", [
    (NHS_NUMBER, "an NHS number"), (NI_NUMBER, "a National Insurance number"), (POSTCODE, "a postcode"),
    (PHONE_NUMBER, "a phone number"), (EMAIL_ADDRESS, "an email address"), (DATE_OF_BIRTH, "a date of birth"),
    (OTHER_CASE_REFERENCE, "another case reference"),
])
def test_describe_uses_the_right_article_for_each_kind(kind, noun):
    assert describe([Finding(kind, "x", 0, 1)]).startswith(f"This looks like it contains {noun} (“x”).")


def test_describe_quotes_at_most_three_findings_and_counts_the_rest():
    findings = [Finding(POSTCODE, f"M{i} 1AE", 0, 6) for i in range(1, 6)]
    sentence = describe(findings)
    assert sentence == (
        "This looks like it contains a postcode (“M1 1AE”), a postcode (“M2 1AE”), a postcode (“M3 1AE”) "
        "and 2 more identifiers. Remove them, or say in the Identifiers box below why they are needed.")
    assert describe(findings[:4]).count("and 1 more identifier.") == 1


def test_describe_stays_short_however_long_or_many_the_findings():
    findings = [Finding(OTHER_CASE_REFERENCE, "X" * 5000 + "\n" + "Y" * 5000, 0, 10001)] * 500
    sentence = describe(findings)
    assert len(sentence) <= 1900
    assert "\n" not in sentence
    assert sentence.endswith("below why they are needed.")


def test_describe_of_nothing_is_empty():
    assert describe([]) == ""


# ------------------------------------------------------------------ speed

def best_time(text: str, **options) -> float:
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        find_identifiers(text, today=TODAY, **options)
        timings.append(time.perf_counter() - started)
    return min(timings)


def test_a_3000_character_text_is_checked_quickly():
    paragraph = ("Met Sam's carer on 12/03/2024 about school. Mum on 07700 900123 or jo@example.org; "
                 "NHS 943 476 5919, DOB 12 March 2015, lives near SW1A 1AA. Sibling CR-54321 is doing well. ")
    text = (paragraph * 20)[:3000]
    assert best_time(text, case_reference_pattern=PATTERN, own_case_reference="CR-12345") < 0.05


@pytest.mark.parametrize("text", ["1" * 3000, "a" * 2999 + "@", "a." * 1499 + "@", "1 " * 1500, "0-" * 1500,
                                  ("DOB " * 750), "x@" + "a-" * 1499])
def test_pathological_3000_character_texts_are_checked_quickly(text):
    assert best_time(text, case_reference_pattern=PATTERN) < 0.05
