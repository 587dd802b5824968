"""Data minimisation at the point of capture: identifiers that do not belong in free text are caught
before anything is saved, and kept only with a reason the practitioner gives."""
from __future__ import annotations

from datetime import date

from bot.domain.config import Partnership
from bot.domain.identifiers import describe, find_identifiers
from bot.blocks.ids import Field
from bot.blocks.limits import longest
from bot.i18n import _

REASON_LIMIT = longest(Field.IDENTIFIERS_REASON)


def identifier_problems(texts: dict[str, str], *, reason: str, partnership: Partnership, own_case_reference: str,
                        today: date) -> tuple[dict[str, str], list[str]]:
    """Errors keyed by the field each identifier was found in, and the kinds found (to store with the reason)."""
    if not partnership.check_identifiers:
        return {}, []
    errors: dict[str, str] = {}
    kinds: list[str] = []
    for field, text in texts.items():
        findings = find_identifiers(text, case_reference_pattern=partnership.case_reference_pattern,
                                    own_case_reference=own_case_reference, today=today)
        if findings:
            kinds += [f.kind for f in findings]
            if not reason:
                errors[field] = describe(findings)
    if errors:
        errors[Field.IDENTIFIERS_REASON] = _("Say why these identifiers are necessary, or remove them from the text.")
    elif len(reason) > REASON_LIMIT:
        errors[Field.IDENTIFIERS_REASON] = _("Keep the reason within {limit} characters.", limit=REASON_LIMIT)
    return errors, sorted(set(kinds))
