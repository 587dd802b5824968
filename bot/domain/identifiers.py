"""Identifiers that do not belong in a record's free text (UK GDPR data minimisation).

Before a record, an outcome or a challenge is saved its free text is checked here. The sharer sees
what was found, inline on the form, and either removes it or confirms with a reason that it is needed.

A check that cries wolf teaches people to type a reason by reflex, so each kind is looked for in the shape people
actually write it: ordinary numbers (times, money, extensions, room numbers, years) are left alone.
tests/data/identifier_corpus.toml holds the notes that keep it honest both ways.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from bot.i18n import N_, _, each_language, ngettext

NHS_NUMBER = "NHS number"
NI_NUMBER = "National Insurance number"
POSTCODE = "postcode"
PHONE_NUMBER = "phone number"
EMAIL_ADDRESS = "email address"
DATE_OF_BIRTH = "date of birth"
OTHER_CASE_REFERENCE = "another case reference"

# When two findings overlap, the earlier kind here wins.
_PRECEDENCE = (EMAIL_ADDRESS, NHS_NUMBER, NI_NUMBER, PHONE_NUMBER, DATE_OF_BIRTH, POSTCODE, OTHER_CASE_REFERENCE)

# The kinds above are stored with a record as they are; these are how the form names them, in the reader's language.
_NOUNS = {
    NHS_NUMBER: N_("an NHS number"),
    NI_NUMBER: N_("a National Insurance number"),
    POSTCODE: N_("a postcode"),
    PHONE_NUMBER: N_("a phone number"),
    EMAIL_ADDRESS: N_("an email address"),
    DATE_OF_BIRTH: N_("a date of birth"),
    OTHER_CASE_REFERENCE: N_("another case reference"),
}
QUOTED_AT_MOST = 3
LONGEST_QUOTE = 60
LONGEST_DESCRIPTION = 1900


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str  # exactly as it appears in the checked text
    start: int
    end: int


# Ten digits as the NHS writes them (3-3-4, split by spaces or hyphens) or unbroken, and not a piece of a longer
# run of digits. Other groupings are left alone: "attendance 95 92 88 90 90" is five figures, not a number.
# "+44 (0)" introduces a phone number, never an NHS number.
_NHS = re.compile(r"(?<!\d)(?<!\d[ \-])(?<!\(0\))(?<!\(0\) )\d{3}[ \-]?\d{3}[ \-]?\d{4}(?![ \-]?\d)")

# HMRC: first letter not D F I Q U V; second not D F I O Q U V; suffix A-D.
_NI = re.compile(
    r"(?<![A-Z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d\d ?\d\d ?\d\d ?[A-D](?![A-Z0-9])", re.IGNORECASE)
_NI_UNALLOCATED = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})

# Royal Mail's letter rules per position keep ordinary words out. An ordinal in lower case after a capitalised
# school year, key stage or road ("Y7 1st set", "KS2 2nd term", "SE1 7th floor") is not an inward code; a postcode
# written all in lower case ("b33 8th") or all in capitals ("B33 8TH") still is.
_POSTCODE = re.compile(
    r"(?<![A-Z0-9])"
    r"(?:GIR ?0AA"
    r"|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?) ?\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Z0-9])", re.IGNORECASE)
_ORDINAL_INWARD = re.compile(r"1st|2nd|3rd|[04-9]th")

# A UK number is 9 or 10 digits after +44 (or 0044) or the trunk 0. A bracketed area code is checked after
# matching. Freephone numbers (0800, 0808, 0500) belong to helplines and services, never to a person.
_PHONE = re.compile(r"""
    (?<![\w+])
    (?:
        (?:\+|00[ ]?)44[ ]?(?:\(0\)[ ]?)? (?P<intl>0?\d(?:[ \-]?\d){8,9})
      | 0 (?P<national>\d(?:[ \-]?\d){8,9})
      | \(0(?P<area>\d{2,5})\)[ ]? (?P<local>\d(?:[ \-]?\d){3,7})
    )
    (?!\d)
    """, re.VERBOSE)
_FREEPHONE = ("800", "808", "500")

_EMAIL = re.compile(
    r"(?<![\w.%+'\-])[A-Za-z0-9_](?:[\w.%+'\-]*[A-Za-z0-9_])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![\w\-])")

_MONTH = (r"(?P<month_name>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?")
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_FORMS = (
    # 12/03/2015, 12-03-2015, 12.03.2015 (UK order; a two-digit year is read as the latest possible one)
    re.compile(r"(?<![\d./\-])(?P<day>\d{1,2})(?P<sep>[/.\-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})"
               r"(?![\d/\-]|\.\d)"),
    # 2015-03-12, 2015/03/12
    re.compile(r"(?<![\d./\-])(?P<year>\d{4})(?P<sep>[/\-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?![\d/\-])"),
    # 12 March 2015, 12th Mar 2015, 12th of March, 2015
    re.compile(rf"(?<!\d)(?P<day>\d{{1,2}}){_ORDINAL}(?:\s+of)?\s+{_MONTH},?\s+(?P<year>\d{{4}})(?!\d)",
               re.IGNORECASE),
    # March 12, 2015
    re.compile(rf"\b(?=[adfjmnos]){_MONTH}\s+(?P<day>\d{{1,2}}){_ORDINAL},?\s+(?P<year>\d{{4}})(?!\d)", re.IGNORECASE),
)
_MONTH_NUMBERS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
# "Birth" alone is not a cue: "contact with birth mum on 14/03/2025" is a contact date.
_DOB_CUE = re.compile(r"\bborn\b|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bd\.?o\.?b\b|\b(?P<birthday>birthday)\b",
                      re.IGNORECASE)
# A birthday names the date only when nothing else comes between: "birthday is 1 January 2012", not
# "birthday party on 14/06/2025".
_BIRTHDAY_GAP = re.compile(r"\s*(?:(?:is|was)(?:\s+on)?\s+)?(?:the\s+)?[:\-–=]?\s*", re.IGNORECASE)
_CUE_REACH = 25
_EARLIEST_BIRTH_YEAR = 1900
# "She was born in Leeds. We met on 12/03/2024": a cue in an earlier sentence or clause is not about this date.
_SENTENCE_BREAK = re.compile(
    r"[.!?]\s+(?=[A-Z])|;|\b(?:and|but|then|seen|met|visited|when|since|until|after|before)\b", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)\d\d")


def find_identifiers(text: str, *, case_reference_pattern: str | None = None, own_case_reference: str = "",
                     today: date | None = None) -> list[Finding]:
    """Identifiers in the text, sorted by where they start and never overlapping."""
    today = today or date.today()
    dates = list(_dates(text, today))
    candidates = [*_nhs_numbers(text), *_ni_numbers(text), *_postcodes(text), *_phone_numbers(text),
                  *_email_addresses(text), *_dates_of_birth(text, dates, today)]
    if case_reference_pattern:
        candidates += _other_case_references(text, case_reference_pattern, own_case_reference, dates)
    return _without_overlaps(candidates)


def describe(findings: list[Finding]) -> str:
    """One plain sentence for the form's error, in the reader's language (Welsh, then English, where both), quoting
    at most the first few findings."""
    return each_language(lambda: _described(findings))[:LONGEST_DESCRIPTION] if findings else ""


def _described(findings: list[Finding]) -> str:
    quoted = [_("{identifier} (“{text}”)", identifier=_(_NOUNS.get(f.kind, f.kind)), text=_quotable(f.text))
              for f in findings[:QUOTED_AT_MOST]]
    unquoted = len(findings) - len(quoted)
    if unquoted:
        quoted.append(ngettext("{n} more identifier", "{n} more identifiers", unquoted))
    listed = quoted[0] if len(quoted) == 1 else _("{first} and {last}", first=", ".join(quoted[:-1]), last=quoted[-1])
    if len(findings) == 1:
        return _("This looks like it contains {identifiers}. Remove it, or say in the Identifiers box below why it "
                 "is needed.", identifiers=listed)[:LONGEST_DESCRIPTION]
    return _("This looks like it contains {identifiers}. Remove them, or say in the Identifiers box below why they "
             "are needed.", identifiers=listed)[:LONGEST_DESCRIPTION]


def _quotable(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LONGEST_QUOTE else text[:LONGEST_QUOTE - 1] + "…"


def _finding(kind: str, text: str, match: re.Match[str]) -> Finding:
    return Finding(kind, text[match.start():match.end()], match.start(), match.end())


def _nhs_numbers(text: str) -> Iterator[Finding]:
    for match in _NHS.finditer(text):
        if _nhs_check_digit_is_valid(re.sub(r"\D", "", match.group())):
            yield _finding(NHS_NUMBER, text, match)


def _nhs_check_digit_is_valid(digits: str) -> bool:
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _ni_numbers(text: str) -> Iterator[Finding]:
    for match in _NI.finditer(text):
        if match.group(1).upper() not in _NI_UNALLOCATED:
            yield _finding(NI_NUMBER, text, match)


def _postcodes(text: str) -> Iterator[Finding]:
    for match in _POSTCODE.finditer(text):
        outward, inward = match.group()[:-3], match.group()[-3:]
        if not (_ORDINAL_INWARD.fullmatch(inward) and not outward.islower()):
            yield _finding(POSTCODE, text, match)


def _phone_numbers(text: str) -> Iterator[Finding]:
    for match in _PHONE.finditer(text):
        if match["area"] and len(match["area"]) + _digit_count(match["local"]) not in (9, 10):
            continue
        digits = re.sub(r"\D", "", match["intl"] or match["national"] or match["area"]).removeprefix("0")
        if digits.startswith(_FREEPHONE):
            continue
        yield _finding(PHONE_NUMBER, text, match)


def _digit_count(text: str) -> int:
    return sum(character.isdigit() for character in text)


def _email_addresses(text: str) -> Iterator[Finding]:
    if "@" in text:
        for match in _EMAIL.finditer(text):
            yield _finding(EMAIL_ADDRESS, text, match)


def _dates(text: str, today: date) -> Iterator[tuple[re.Match[str], date | None]]:
    """Every date-shaped piece of text with the date it names, or None if no such day exists."""
    matches = [match for form in _DATE_FORMS for match in form.finditer(text)]
    for match in sorted(matches, key=lambda m: m.start()):
        yield match, _date_named(match, today)


def _date_named(match: re.Match[str], today: date) -> date | None:
    groups = match.groupdict()
    if groups.get("month_name"):
        month = _MONTH_NUMBERS[groups["month_name"][:3].lower()]
    else:
        month = int(groups["month"])
    year = int(groups["year"])
    if len(groups["year"]) == 2:
        # The most recent such year not in the future: in 2026, "15" is 2015 and "30" is 1930.
        year += today.year // 100 * 100
        if year > today.year:
            year -= 100
    try:
        return date(year, month, int(groups["day"]))
    except ValueError:
        return None


def _dates_of_birth(text: str, dates: list[tuple[re.Match[str], date | None]], today: date) -> Iterator[Finding]:
    previous_end = 0
    for match, named in dates:
        # A cue belongs to the nearest date after it: "DOB 12/03/2015, seen 14/03/2024" flags only the first.
        reach_from = max(match.start() - _CUE_REACH, previous_end)
        previous_end = max(previous_end, match.end())
        if named is None or named.year < _EARLIEST_BIRTH_YEAR or named > today:
            continue
        before = text[reach_from:match.start()]
        breaks = list(_SENTENCE_BREAK.finditer(before))
        if breaks:
            before = before[breaks[-1].end():]
        cues = list(_DOB_CUE.finditer(before))
        if cues and not (cues[-1]["birthday"] and not _BIRTHDAY_GAP.fullmatch(before, cues[-1].end())):
            yield _finding(DATE_OF_BIRTH, text, match)


# Another child's case reference is recognised by the partnership's own shape in context, never as any number
# the pattern happens to allow: with its letters ("CR-54321", "CR 54321", "cr54321"), or as a bare number only
# right after words that say it is one ("case 54321", "case ref: 54321", "ref no. 54321", "reference 54321").
# "ref" after words naming another kind of reference ("GP appt ref 3344", "claim ref 778812") is not a cue, and
# letters other than the partnership's own after such words ("Order PO-55432", "Flight BA 2490") are not a prefix.
_REFERENCE_CUE = re.compile(
    r"(?:\b(?:case|file)\b|\bref(?:erence)?\b|\b(?:child|client|person)(?:'s)?[ ]+(?=ref|id\b|num|no\b))"
    r"(?:\.?[ ]*\b(?:ref(?:erence)?|id|number|num|no|nos)\b)*\.?[ ]*(?:(?:is|was)[ ]+|[:#=][ ]*|[\-–][ ]*)?$",
    re.IGNORECASE)
_REFERENCE_CUE_REACH = 40
# Words that name another kind of reference or numbered thing: right before "ref", or before letters other than
# the partnership's own prefix, they say whose number it is ("GP appt ref 3344", "claim ref 778812",
# "Order PO-55432", "Flight BA 2490", "room G1204"). "case" or "file" among them keeps it a case reference.
_OTHER_KINDS = frozenset("""
    ACCOUNT ACCT APPLICATION APPOINTMENT APPOINTMENTS APPT APPTS BANK BAY BENEFIT BENEFITS BOOKING BOOKINGS BUS
    CLAIM CLAIMS COACH CONFIRMATION CONSIGNMENT COURIER DELIVERY DESK DWP ESA FLAT FLIGHT FLIGHTS GATE GP HMRC
    HOUSING INVOICE INVOICES ITEM JOB JOBS LIBRARY LOCKER ORDER ORDERS PARCEL PAYMENT PAYMENTS PIP PLATFORM PO
    POLICY PRESCRIPTION PURCHASE RECEIPT REFUND REPAIR REPAIRS RESERVATION RM ROOM ROUTE SEAT TAX TENANCY TICKET
    TICKETS TRACKING TRAIN TRANSACTION TRIP TRIPS UC UNIT VOUCHER WARD
""".split())
_CASE_WORDS = frozenset({"CASE", "CASES", "FILE", "CASEFILE"})
# A new sentence, a bracket or a semicolon starts afresh; a full stop after an abbreviation ("Order no. PO-55432",
# "appt. ref 3344") or inside a number ("C2.04") does not.
_CLAUSE_BREAK = re.compile(r"[!?;()\[\]\n]|(?<!\bno)(?<!\bnos)(?<!\bref)(?<!\bnum)(?<!\bappt)(?<!\binv)(?<!\bacct)"
                           r"(?<!\btel)(?<!\bapprox)(?<!\bvs)\.(?!\d)", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]+")
_CONTEXT_WORDS = 3
_CUE_WORDS = frozenset({"CASE", "FILE", "REF", "ID"})  # the cue may be written straight onto the number: "ref54321"
# Letters written before a number that are not a reference's: "at 1530", "ext 4471", "x2290", "room 1204",
# "FY2024", an officer's collar number ("PC 4471") or a police log ("CAD 1123").
_NOT_PREFIXES = frozenset("""
    ABT ALL ALSO AM AND APPX AT AY BAY BED BUS BY C CA CAD CH COST D DAY DC DCI DI DS DUE EST EUR EXT EXTN FEE
    FLAT FOR FROM FY GATE GBP H HMP HR HRS I IN ITEM JUST KS MIN MINS MOB NHS NI NO NOS NR NUM OF OK ON ONLY OR
    OVER OWES P PAGE PAID PARA PC PCSO PG PH PIN PM PP PS Q RENT RM ROOM S SEC SGT SS TEL TERM THE TO UNIT UP
    URN USD V VS W WARD WK WEEK X Y YR YRS
    JAN FEB MAR APR MAY JUN JUNE JUL JULY AUG SEP SEPT OCT NOV DEC MON TUE TUES WED THU THUR THURS FRI SAT SUN
""".split())
_ROADS = frozenset({"A", "B", "M"})  # "A6010", "B1234", "M62": a road when four digits or fewer follow
_WORDS = ("AT", "NO", "X")  # if the pattern allows these as a prefix, any letters could be one
# Not a fragment of a longer word, number or amount ("943 476 5918", "£2500", "CR-12345-2"); Slack's _italics_
# and *bold* are not part of it.
_ALONE_BEFORE = r"(?<![^\W_])(?<![\-£$€])(?<!\d )"
_ALONE_AFTER = r"(?![^\W_])(?!-)(?! \d)"
_SPACED = re.compile(rf"{_ALONE_BEFORE}([A-Za-z]{{1,10}}) (\d[A-Za-z\d]*){_ALONE_AFTER}")
_NUMBER = re.compile(rf"{_ALONE_BEFORE}\d+{_ALONE_AFTER}")
_LETTERS = re.compile(r"[A-Za-z]*")


def _other_case_references(text: str, pattern: str, own: str,
                           dates: list[tuple[re.Match[str], date | None]]) -> Iterator[Finding]:
    in_text, whole = _case_reference_regex(pattern), _whole_reference_regex(pattern)
    own_key = _reference_key(own)
    own_prefix = _LETTERS.match(own_key).group()
    # "CR 12345" is written often; the pattern may only see "12345", the child's own number.
    own_number = "".join(character for character in own_key if character.isdigit())
    dated = bytearray(len(text))  # 1 for each character of a date, whether or not it is a date of birth
    for match, _day in dates:
        dated[match.start():match.end()] = b"\x01" * (match.end() - match.start())
    for start, end, letters, separator, rest in _reference_candidates(text, in_text, whole, own_prefix):
        # Part of a date is not a reference, whatever the pattern allows.
        if not text[start:end] or dated.find(1, start, end) != -1:
            continue
        if not letters or letters.upper() in _CUE_WORDS:
            if separator == " " or (not letters and not _cued(text, start)):
                continue  # "ref 54321" is found as the number after its cue
            if letters and _another_kind_before(text, start):
                continue  # "booking ref54321"
            if _YEAR.fullmatch(rest) or _reference_key(rest) == own_number:
                continue
        elif _reference_key(text[start:end]) == own_key or not _is_prefix(letters, separator, rest, own_prefix,
                                                                            whole):
            continue
        elif letters.upper() != own_prefix and _another_kind_before(text, start):
            continue  # "Order PO-55432", "Flight BA 2490", "room G1204": someone else's numbering
        yield Finding(OTHER_CASE_REFERENCE, text[start:end], start, end)


def _reference_candidates(text: str, in_text: re.Pattern[str], whole: re.Pattern[str],
                          own_prefix: str) -> Iterator[tuple[int, int, str, str, str]]:
    """Where a reference may be written: start, end, its letters, what separates them from the rest, the rest."""
    for match in in_text.finditer(text):
        token = match.group()
        letters = _LETTERS.match(token).group()
        separator = "-" if token[len(letters):].startswith("-") and letters else ""
        yield match.start(), match.end(), letters, separator, token[len(letters) + len(separator):]
    for match in _SPACED.finditer(text):  # "CR 54321": a space the pattern does not allow
        letters, rest = match.groups()
        if whole.fullmatch(letters + rest) or whole.fullmatch(f"{letters}-{rest}"):
            yield match.start(), match.end(), letters, " ", rest
    if own_prefix:  # "case 54321" where the pattern needs letters: the child's own prefix is understood
        for match in _NUMBER.finditer(text):
            number = match.group()
            if not whole.fullmatch(number) and (whole.fullmatch(own_prefix + number)
                                                or whole.fullmatch(f"{own_prefix}-{number}")):
                yield match.start(), match.end(), "", "", number


def _cued(text: str, start: int) -> bool:
    """Whether words right before a bare number say it is a case reference ("case ref 54321", "ref: 54321"), and
    not another kind of reference ("GP appt ref 3344", "Benefits claim ref 778812", "Trip reference 4431")."""
    window_start = max(0, start - _REFERENCE_CUE_REACH)
    cue = _REFERENCE_CUE.search(text[window_start:start])
    if cue is None:
        return False
    if cue.group().split(None, 1)[0].strip(".:#").upper() in _CASE_WORDS:
        return True  # "case ref 54321", "file ref 54321": whatever comes before
    return not _another_kind_before(text, window_start + cue.start())


def _another_kind_before(text: str, start: int) -> bool:
    """Whether the few words before this point, in the same clause, name another kind of reference. The nearest
    such word decides: "case" or "file" nearer than it keeps a case reference ("school trip case ref 4431")."""
    before = text[max(0, start - 60):start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end():]
    for word in reversed(_WORD.findall(before)[-_CONTEXT_WORDS:]):
        upper = word.upper()
        if upper in _CASE_WORDS:
            return False
        if upper in _OTHER_KINDS:
            return True
    return False


def _is_prefix(letters: str, separator: str, rest: str, own_prefix: str, whole: re.Pattern[str]) -> bool:
    """Whether letters written before a number make it a case reference rather than an ordinary number."""
    upper = letters.upper()
    if upper == own_prefix:
        return True
    if upper in _NOT_PREFIXES or (upper in _ROADS and rest.isdigit() and len(rest) <= 4):
        return False
    # "mid-2024", "GCSE 2026": a year after a word; a reference that looks like a year is written in capitals.
    if _YEAR.fullmatch(rest):
        return letters.isupper() and separator != " "
    if separator == " ":
        # "CR 54321" is a reference; "at 1530" and "Room 1204" are not, unless the pattern allows no other words.
        return letters.isupper() or not any(whole.fullmatch(word + rest) or whole.fullmatch(f"{word}-{rest}")
                                            for word in _WORDS)
    return True


def _reference_key(reference: str) -> str:
    # "CR-12345", "cr 12345" and "CR12345" are the same child's reference.
    return "".join(character for character in reference.upper() if character.isalnum())


_LEADING_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")


def _pattern_body(pattern: str) -> tuple[str, str]:
    """The organisation's whole-value pattern without its anchors, and its leading flags."""
    flags_match = _LEADING_FLAGS.match(pattern)
    flags = flags_match.group() if flags_match else ""
    body = pattern[len(flags):]
    body = body.removeprefix("^").removeprefix(r"\A")
    if body.endswith(r"\Z"):
        body = body[:-2]
    elif body.endswith("$") and not body.endswith(r"\$"):
        body = body[:-1]
    return flags, body


@functools.lru_cache(maxsize=16)
def _case_reference_regex(pattern: str) -> re.Pattern[str]:
    """The organisation's whole-value pattern, turned into one that finds references inside text."""
    flags, body = _pattern_body(pattern)
    return re.compile(rf"{flags}{_ALONE_BEFORE}(?:{body}){_ALONE_AFTER}", re.IGNORECASE)


@functools.lru_cache(maxsize=16)
def _whole_reference_regex(pattern: str) -> re.Pattern[str]:
    """The organisation's pattern for a whole value, in any letter case: to try a reference written with a space."""
    flags, body = _pattern_body(pattern)
    return re.compile(rf"{flags}(?:{body})", re.IGNORECASE)


def _without_overlaps(candidates: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    claimed = bytearray(max((f.end for f in candidates), default=0))  # 1 for each character already reported
    for finding in sorted(candidates, key=lambda f: (_PRECEDENCE.index(f.kind), f.start)):
        if claimed.find(1, finding.start, finding.end) == -1:
            claimed[finding.start:finding.end] = b"\x01" * (finding.end - finding.start)
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)
