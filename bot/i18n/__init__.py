"""Joined Up in Welsh and English: `_` and `ngettext` translate shown strings into the voice of the moment."""
from bot.i18n.voice import BILINGUAL, ENGLISH, LANGUAGES, WELSH, N_, Voice, _, each_language, in_each_language, \
    language, ngettext, speaking, using, voice
from bot.i18n.words import ours

__all__ = ["BILINGUAL", "ENGLISH", "LANGUAGES", "WELSH", "N_", "Voice", "_", "each_language", "in_each_language",
           "language", "ngettext", "ours", "speaking", "using", "voice"]
