"""The partnership's own words (risk levels and their definitions, purposes, lawful bases, emergency instructions),
in the reader's language: the Welsh the partnership gave in its TOML, or its English where it gave none."""
from __future__ import annotations

from bot.i18n.catalog import catalogue
from bot.i18n.voice import ENGLISH, both, voice


def ours(english: str) -> str:
    """Where the partnership kept a shipped default (a purpose, a lawful basis), the catalogue has its Welsh."""
    if not english:
        return english  # gettext's empty message is the catalogue's header
    current = voice()
    texts = [english if code == ENGLISH else current.words.get(english) or catalogue(code).gettext(english)
             for code in current.languages]
    return both(texts)
