import re
import time
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.demo.sample import sample_partnership
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
    "9434765919", "943 476 5919", "943-476-5919", "401 023 2137", "4010232137",
    "400 000 0020",  # the check digit works out as 11, which is written 0
])
def test_a_valid_nhs_number_is_found_written_3_3_4_or_unbroken(number):
    assert found(f"Her NHS number is {number}.") == [(NHS_NUMBER, number)]


@pytest.mark.parametrize("text", ["94 34 76 59 19", "Attendance by half-term: 95 92 88 90 90", "9 4 3 4 7 6 5 9 1 9"])
def test_ten_digits_grouped_otherwise_are_figures_not_an_nhs_number(text):
    # Each of these would pass the check digit.
    assert found(text) == []


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


@pytest.mark.parametrize("text", ["Y7 1st set for science", "In KS2 2nd term", "SE1 7th floor office",
                                  "M6 3rd junction"])
def test_an_ordinal_in_lower_case_after_a_year_stage_or_road_is_not_an_inward_code(text):
    assert found(text) == []


@pytest.mark.parametrize("postcode", ["LS1 1ST", "b33 8th", "ls1 1st"])
def test_an_ordinal_shaped_inward_code_all_in_capitals_or_all_in_lower_case_is_still_a_postcode(postcode):
    assert found(f"Moved to {postcode}") == [(POSTCODE, postcode)]


def test_a_postcode_in_slack_italics_is_found():
    assert found("_SW1A 1AA_") == [(POSTCODE, "SW1A 1AA")]


# ------------------------------------------------------------------ phone numbers

@pytest.mark.parametrize("number", [
    "07700 900123", "07700900123", "07700 900 123", "07700-900-123", "(01632) 960000", "(020) 7946 0018",
    "020 7946 0018", "0161 496 0000", "+44 20 7946 0018", "+442079460018", "+44 7700 900123",
    "+44 (0)20 7946 0018", "01632 96000", "0044 7700 900123", "00 44 20 7946 0018",
])
def test_a_uk_phone_number_is_found_in_several_formats(number):
    assert found(f"Call {number} after 3") == [(PHONE_NUMBER, number)]


@pytest.mark.parametrize("text", ["0770 0900", "07700 9001", "01632 9600", "+44 1234 5678", "077009001234567"])
def test_a_run_of_too_few_or_too_many_digits_is_not_a_phone_number(text):
    assert found(f"Call {text}") == []


@pytest.mark.parametrize("number", ["0808 800 5000", "0800 111 1111", "+44 800 111 1111", "(0800) 111 1111",
                                    "0500 123 456"])
def test_a_freephone_number_belongs_to_a_service_and_is_not_found(number):
    assert found(f"Gave mum the helpline, {number}.") == []


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


def test_a_cue_in_an_earlier_sentence_or_clause_does_not_count():
    assert found("She was born in Leeds. We met on 12/03/2024") == []
    assert found("Born in Leeds; seen 12/03/2024") == []
    assert found("Born early and seen 12/03/2024") == []


@pytest.mark.parametrize("text", ["Contact with birth mum on 14/03/2025", "Birth family contact on 21/06/2025",
                                  "Her birthday party on 14/06/2025 was at the bowling alley"])
def test_birth_family_and_birthday_events_are_not_dates_of_birth(text):
    assert found(text) == []


@pytest.mark.parametrize("cue", ["birthday", "Birthday:", "birthday is", "birthday was on the", "Birthdate",
                                 "birth date"])
def test_a_birthday_or_birth_date_right_before_the_date_is_a_date_of_birth(cue):
    assert found(f"Her {cue} 14/06/2015") == [(DATE_OF_BIRTH, "14/06/2015")]


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


@pytest.mark.parametrize("written", ["CR-54321", "CR 54321", "cr54321", "CR54321", "cr-54321", "cr 54321", "Cr 54321",
                                     "LA-54321", "LA 54321", "la54321", "ab-998877", "CR-1234567890"])
def test_another_reference_with_its_letters_is_found_however_it_is_spaced(written):
    assert found(f"Sibling {written} is placed out of area", case_reference_pattern=PATTERN,
                 own_case_reference="CR-12345") == [(OTHER_CASE_REFERENCE, written)]


@pytest.mark.parametrize("text", ["_CR-54321_", "*cr 54321*", "(CR54321)", "“CR 54321”"])
def test_a_reference_in_slack_formatting_or_brackets_is_found(text):
    assert found(text, case_reference_pattern=PATTERN, own_case_reference="CR-12345") == [
        (OTHER_CASE_REFERENCE, text[1:-1])]


@pytest.mark.parametrize("cue", ["case", "Case", "case ref", "case ref:", "Case reference", "case number",
                                 "case no.", "case no", "Case #", "case:", "ref", "Ref.", "ref:", "ref no.",
                                 "reference", "reference number", "reference is", "child's ref", "case ID",
                                 "file ref", "case number is"])
def test_a_bare_number_right_after_words_that_say_it_is_a_reference_is_found(cue):
    assert found(f"Sibling's {cue} 54321.", case_reference_pattern=PATTERN, own_case_reference="CR-12345") == [
        (OTHER_CASE_REFERENCE, "54321")]


def test_a_reference_cue_written_onto_the_number_is_found_with_it():
    assert found("Cousin is ref54321", case_reference_pattern=PATTERN, own_case_reference="CR-12345") == [
        (OTHER_CASE_REFERENCE, "ref54321")]
    assert found("ref12345 and case12345", case_reference_pattern=PATTERN, own_case_reference="CR-12345") == []


@pytest.mark.parametrize("text", [
    "extension 1234", "ext 4471", "Ext. 4471", "x2290", "at 1530", "by 0330", "from 0930 to 1530", "£2500",
    "2500 pounds", "GBP 2500", "Room 1204", "Flat 1204", "Rm 1107", "room B12", "1234 words", "over 5000 children",
    "10000 steps", "PC 4471", "DC 2290", "CAD 1123", "FY2024", "mid-2024", "GCSE 2026", "EHCP 2023", "A6010",
    "B1234 lay-by", "M62", "Form 7B", "Year 10", "s47", "Children Act 1989 s17", "Sibling 54321",
    "la 54321", "in case 1 of 3", "case load 18", "Ref to the 2019 plan",
])
def test_an_ordinary_number_is_not_another_case_reference(text):
    assert found(text, case_reference_pattern=PATTERN, own_case_reference="CR-12345") == []


@pytest.mark.parametrize("text", [
    "GP appt ref 3344", "Benefits claim ref 778812", "Trip reference 4431 from school", "Dentist appt. ref: 88213",
    "Council tax reference 40012345", "Booking ref 77410", "Invoice ref 20431", "Parcel tracking ref 99812734",
    "GP appointment, ref 5521", "Benefit claim ref no. 5541220", "Job ref 44120", "booking ref54321",
])
def test_a_number_after_ref_is_not_a_case_reference_when_the_words_before_name_another_kind(text):
    assert found(text, case_reference_pattern=PATTERN, own_case_reference="CR-12345") == []


@pytest.mark.parametrize("text", [
    "Meeting in room C2.04, room G1204", "Order PO-55432", "Order no. PO-77120", "Flight BA 2490",
    "Invoice INV-20987", "Holiday booking BK-44120", "Flight EZY 8841",
])
def test_letters_other_than_the_partnerships_own_after_another_kind_of_thing_are_not_a_case_reference(text):
    assert found(text, case_reference_pattern=PATTERN, own_case_reference="CR-12345") == []


@pytest.mark.parametrize("text, reference", [
    ("case ref 54321", "54321"), ("ref: 54321", "54321"), ("Ref 54321 (case)", "54321"),
    ("School trip case ref 4431220", "4431220"), ("Booking for the sibling, file ref 6677123", "6677123"),
    ("Seen at the GP. Ref 5566123 is the brother's", "5566123"), ("Order CR-54321", "CR-54321"),
    ("Order PO-55432. LA-54321 is the sibling", "LA-54321"),
])
def test_a_case_word_the_partnerships_own_prefix_or_a_new_sentence_keeps_a_case_reference(text, reference):
    assert found(text, case_reference_pattern=PATTERN, own_case_reference="CR-12345") == [
        (OTHER_CASE_REFERENCE, reference)]


def test_with_a_fixed_prefix_a_bare_number_after_a_cue_and_any_spacing_of_the_prefix_are_found():
    pattern = r"^CR-?[0-9]{4,10}$"
    assert found("case 54321, cr 65432, at 1530, LA 76543", case_reference_pattern=pattern,
                 own_case_reference="CR-12345") == [(OTHER_CASE_REFERENCE, "54321"), (OTHER_CASE_REFERENCE, "cr 65432")]


def test_with_a_digits_only_pattern_a_number_is_a_reference_only_after_a_cue():
    pattern = r"^[0-9]{6,8}$"
    assert found("ref: 654321; room 765432, 876543 people, case 123456", case_reference_pattern=pattern,
                 own_case_reference="123456") == [(OTHER_CASE_REFERENCE, "654321")]


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


def test_a_reference_already_reported_as_an_nhs_number_is_not_also_a_case_reference():
    assert found("NHS no 9434765919", case_reference_pattern=PATTERN) == [(NHS_NUMBER, "9434765919")]


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
                                  ("DOB " * 750), "x@" + "a-" * 1499, "case 1234 " * 300, "a 1234 " * 430])
def test_pathological_3000_character_texts_are_checked_quickly(text):
    assert best_time(text, case_reference_pattern=PATTERN) < 0.05


# ------------------------------------------------------------------ the corpus of practitioners' notes

CORPUS = tomllib.loads((Path(__file__).parent / "data" / "identifier_corpus.toml").read_text(encoding="utf-8"))
MARKED = re.compile(r"\{([^{}]*)\}")


def corpus_findings(note: str) -> list[tuple[str, str]]:
    return found(note, case_reference_pattern=sample_partnership().case_reference_pattern,
                 own_case_reference=CORPUS["own_case_reference"], today=CORPUS["today"])


def identified_notes() -> list[tuple[str, str]]:
    return [(group["kind"], note) for group in CORPUS["identified"] for note in group["notes"]]


def test_the_corpus_has_at_least_200_notes_each_way_and_every_kind():
    assert len(CORPUS["clean"]) >= 200 and len(set(CORPUS["clean"])) == len(CORPUS["clean"])
    assert len(identified_notes()) >= 200
    assert {kind for kind, _ in identified_notes()} == {
        OTHER_CASE_REFERENCE, NHS_NUMBER, NI_NUMBER, POSTCODE, PHONE_NUMBER, EMAIL_ADDRESS, DATE_OF_BIRTH}
    assert all(MARKED.search(note) for _, note in identified_notes())


def test_no_note_without_identifiers_raises_a_false_alarm():
    alarms = {note: corpus_findings(note) for note in CORPUS["clean"]}
    assert {note: findings for note, findings in alarms.items() if findings} == {}


def test_every_identifier_in_the_corpus_is_caught_as_its_kind_and_nothing_else():
    missed = {}
    for kind, note in identified_notes():
        expected = [(kind, text) for text in MARKED.findall(note)]
        if (findings := corpus_findings(MARKED.sub(r"\1", note))) != expected:
            missed[note] = findings
    assert missed == {}


def test_every_identifier_in_the_corpus_is_caught_in_the_other_ways_it_is_written():
    missed, tried = {}, 0
    for kind, note in identified_notes():
        [first, *_] = MARKED.finditer(note)
        for variant in written_otherwise(kind, first.group(1)):
            rewritten = note[:first.start()] + "{" + variant + "}" + note[first.end():]
            expected = [(kind, text) for text in MARKED.findall(rewritten)]
            tried += 1
            if (findings := corpus_findings(MARKED.sub(r"\1", rewritten))) != expected:
                missed[rewritten] = findings
    assert missed == {}
    assert tried >= 600


def written_otherwise(kind: str, text: str) -> list[str]:
    """The same identifier as people also write it: other spacing, hyphens, letter case or date forms."""
    digits = re.sub(r"\D", "", text)
    if kind == NHS_NUMBER:
        return [f"{digits[:3]} {digits[3:6]} {digits[6:]}", f"{digits[:3]}-{digits[3:6]}-{digits[6:]}", digits]
    if kind == NI_NUMBER:
        compact = re.sub(r"\s", "", text).upper()
        letters, pairs, suffix = compact[:2], re.findall(r"\d\d", compact), compact[-1]
        return [compact, f"{letters} {' '.join(pairs)} {suffix}", compact.lower(), f"{letters} {digits} {suffix}"]
    if kind == POSTCODE:
        compact = re.sub(r"\s", "", text).upper()
        spaced = f"{compact[:-3]} {compact[3 if compact == 'GIR0AA' else -3:]}"
        return [spaced, compact, spaced.lower()]
    if kind == PHONE_NUMBER:
        national = digits.removeprefix("0044").removeprefix("44").removeprefix("0")
        if text.startswith(("+44 (0)", "0")):
            written = re.sub(r"^(\+44 \(0\) ?|0044 |0)", "", text).replace("(", "").replace(")", "")
        else:
            written = national
        return ["0" + national, "+44" + national, "+44 " + written, f"+44 (0){written}", "0" + written]
    if kind == EMAIL_ADDRESS:
        return [text.upper(), text.lower()]
    if kind == DATE_OF_BIRTH:
        born = parsed_date(text)
        ordinal = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(born.day, "th")
        return [f"{born:%d/%m/%Y}", f"{born.day}/{born.month}/{born:%Y}", f"{born:%d.%m.%y}", f"{born:%Y-%m-%d}",
                f"{born.day} {born:%B %Y}", f"{born.day}{ordinal} {born:%b %Y}", f"{born:%B} {born.day}, {born:%Y}"]
    if (match := re.fullmatch(r"([A-Za-z]+)[ -]?(\d+)", text)) and match[1].upper() not in ("REF", "CASE"):
        letters, number = match.groups()
        upper, lower = letters.upper(), letters.lower()
        variants = [f"{upper}-{number}", f"{upper} {number}", f"{upper}{number}", f"{lower}-{number}",
                    f"{lower}{number}"]
        if upper == "CR":  # the child's own prefix is known in any letter case
            variants.append(f"{lower} {number}")
        return variants
    return []  # a number after its cue ("case 54321", "ref54321") is written one way


def parsed_date(text: str) -> date:
    cleaned = re.sub(r"(?<=\d)(st|nd|rd|th)\b|\bof\b|,|\.(?=\s)", "", text).replace("Sept", "Sep")
    cleaned = " ".join(cleaned.split())
    for form in ("%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%Y/%m/%d", "%d-%m-%Y",
                 "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y"):
        try:
            return datetime.strptime(cleaned, form).date()
        except ValueError:
            continue
    raise ValueError(f"no date form for {text!r}")
