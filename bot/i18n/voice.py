"""Who is being spoken to, and in which language: a context variable, so builders stay pure functions of their
arguments and still say everything in the reader's language.

A person reads English ("en") or Welsh ("cy"); an agency's channel may be bilingual ("cy+en"), Welsh first, as the
Welsh Language Standards expect. Every shown string goes through `_` (or `ngettext`), written in English in the code
and translated from the message catalogue (bot/i18n/locale/), or from the partnership's own overrides.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Mapping, TypeVar

from bot.i18n.catalog import catalogue

ENGLISH = "en"
WELSH = "cy"
BILINGUAL = "cy+en"
LANGUAGES = (ENGLISH, WELSH)
# A bilingual label is written on one line ("Crynodeb / Summary") while it stays this short, on two otherwise.
ONE_LINE = 60
T = TypeVar("T")


@dataclass(frozen=True)
class Voice:
    language: str = ENGLISH  # "en", "cy" or "cy+en"
    timezone: str = "Europe/London"  # where Welsh dates are told, as Slack's date tokens have no Welsh
    # The partnership's own wording of shipped strings, by language then by the English message.
    overrides: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # The partnership's Welsh for its own English texts (bot/i18n/words.py).
    words: Mapping[str, str] = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        return (WELSH, ENGLISH) if self.language == BILINGUAL else (self.language,)


_voice: ContextVar[Voice] = ContextVar("voice", default=Voice())


def voice() -> Voice:
    return _voice.get()


def language() -> str:
    return _voice.get().language


@contextmanager
def speaking(language: str, *, like: Voice | None = None) -> Iterator[Voice]:
    """Say everything inside in `language`, keeping the time zone and overrides of `like` (or of now)."""
    base = like or _voice.get()
    token = _voice.set(replace(base, language=language))
    try:
        yield _voice.get()
    finally:
        _voice.reset(token)


@contextmanager
def using(new: Voice) -> Iterator[Voice]:
    token = _voice.set(new)
    try:
        yield new
    finally:
        _voice.reset(token)


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is defined; it is translated where it is shown, with `_`."""
    return message


def translate(message: str, language: str, overrides: Mapping[str, Mapping[str, str]] | None = None) -> str:
    own = (overrides or {}).get(language, {}).get(message)
    if own is not None:
        return own
    return message if language == ENGLISH else catalogue(language).gettext(message)


def _(message: str, **values: Any) -> str:
    current = _voice.get()
    texts = [translate(message, code, current.overrides) for code in current.languages]
    return _filled(both(texts), values)


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    current = _voice.get()
    texts = []
    for code in current.languages:
        english = singular if n == 1 else plural
        own = current.overrides.get(code, {}).get(english)
        if own is not None:
            texts.append(own)
        else:
            texts.append(english if code == ENGLISH else catalogue(code).ngettext(singular, plural, n))
    return _filled(both(texts), {"n": n, **values})


def in_each_language(build: Callable[[], T]) -> list[T]:
    """What `build` gives in each of the reader's languages, Welsh first."""
    said = []
    for code in _voice.get().languages:
        with speaking(code):
            said.append(build())
    return said


def each_language(build: Callable[[], str]) -> str:
    """A sentence built once in each of the reader's languages, each with its own dates and the partnership's own
    words in that language, joined as `_` joins them (bilingual: Welsh first), so neither is said twice over."""
    return both(in_each_language(build))


def both(texts: list[str]) -> str:
    """Welsh then English; once where they are the same."""
    if len(texts) == 1 or texts[0] == texts[1]:
        return texts[0]
    welsh, english = texts
    if "\n" not in welsh + english and len(welsh) + len(english) + 3 <= ONE_LINE:
        return f"{welsh} / {english}"
    return f"{welsh}\n{english}"


def _filled(text: str, values: Mapping[str, Any]) -> str:
    return text.format(**values) if values else text
