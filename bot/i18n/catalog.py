"""The shipped message catalogues: gettext's, read through Babel.

`scripts/translations compile` builds each language's .mo from its .po (the build and CI run it); where a checkout
has no .mo yet, or one older than its .po, the .po itself is compiled in memory, so a fresh clone speaks Welsh too.
"""
from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "joinedup"


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def po_files(language: str) -> list[Path]:
    return sorted(po_path(language).parent.glob("*.po"))


def read_catalogue(language: str) -> Catalog:
    """Every .po of the language, as one catalogue (the first file to translate a message wins)."""
    merged: Catalog | None = None
    for path in po_files(language):
        with path.open("rb") as file:
            part = read_po(file, locale=language, domain=DOMAIN)
        if merged is None:
            merged = part
            continue
        for message in part:
            if message.id and message.id not in merged:
                merged[message.id] = message
    return merged or Catalog(locale=language, domain=DOMAIN)


@functools.cache
def catalogue(language: str) -> gettext.NullTranslations:
    mo, sources = mo_path(language), po_files(language)
    # pybabel compiles joinedup.po alone: with any other .po beside it, the .po files are read.
    if mo.is_file() and sources == [po_path(language)] and mo.stat().st_mtime >= sources[0].stat().st_mtime:
        with mo.open("rb") as file:
            return Translations(file, domain=DOMAIN)
    if not sources:
        return gettext.NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(language), use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)
