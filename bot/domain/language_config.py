"""Languages: which the partnership works in, the Welsh of its own words, and its own wording of shipped strings.

[organisation] language ("en" or "cy") is what people see until they choose, and bilingual (default: true where
language is "cy") offers both. Each of the partnership's own texts takes its Welsh beside it: label_cy and
definition_cy on a risk level, emergency_instructions_cy, { en = "…", cy = "…" } for a purpose or lawful basis, and
term_cy and definition_cy on a [[glossary]] term (read with the term, in bot/domain/glossary.py).
[translations.cy] and [translations.en] replace any shipped message, keyed by its English exactly as the message
catalogue has it (a msgid in bot/i18n/locale/cy/LC_MESSAGES/). Where the partnership works in Welsh (its language is
Welsh, it is bilingual, or an agency's channel reads Welsh), each of its own texts without Welsh is named in a warning.
"""
from __future__ import annotations

import difflib
import functools
import re
import string
from dataclasses import dataclass, field
from typing import Any, Mapping

from bot.domain.config_reader import SLACK_OPTION_TEXT_LIMIT, Reader
from bot.i18n.catalog import read_catalogue

LANGUAGES = ("en", "cy")
CHANNEL_LANGUAGES = {"en": "en", "cy": "cy", "bilingual": "cy+en"}
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")
CATALOGUE_FOLDER = "bot/i18n/locale/cy/LC_MESSAGES/"


@dataclass(frozen=True)
class Languages:
    default: str = "en"
    bilingual: bool = False
    welsh: Mapping[str, str] = field(default_factory=dict)  # the partnership's Welsh for its own English texts
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    channels_in_welsh: bool = False  # an agency's channel or inbox reads Welsh, whatever the partnership's default

    @property
    def works_in_welsh(self) -> bool:
        return self.bilingual or self.default == "cy" or self.channels_in_welsh

    @property
    def channel_default(self) -> str:
        return "cy+en" if self.bilingual else self.default


def read_languages(reader: Reader, organisation: Mapping[str, Any], data: Mapping[str, Any]) -> Languages:
    default = organisation.get("language", "en")
    if default not in LANGUAGES:
        reader.error("organisation.language", f'{default!r} is not a language here: use "en" (English) or "cy" (Cymraeg)')
        default = "en"
    bilingual = reader.switch(organisation, "bilingual", "organisation.bilingual", default == "cy")
    return Languages(default=default, bilingual=bilingual, translations=_translations(reader, data))


def bilingual_list(reader: Reader, data: Mapping[str, Any], key: str,
                   default: tuple[str, ...]) -> tuple[tuple[str, ...], dict[str, str]]:
    """A list of texts, each "…" or { en = "…", cy = "…" }: the English texts, and the Welsh for each."""
    if key not in data:
        return default, {}
    value = data[key]
    if not isinstance(value, list) or not value:
        reader.error(key, f'must be a non-empty list, e.g. {key} = ["…", "…"] or [{{ en = "…", cy = "…" }}]')
        return default, {}
    english, welsh = [], {}
    for index, item in enumerate(value):
        path = f"{key}[{index}]"
        if isinstance(item, dict):
            for unknown in sorted(set(item) - {"en", "cy"}):
                reader.error(f"{path}.{unknown}", 'unknown key: write { en = "…", cy = "…" }')
            text = _option_text(reader, item.get("en"), f"{path}.en")
            if item.get("cy") is not None:
                welsh[text] = _option_text(reader, item.get("cy"), f"{path}.cy")
        else:
            text = _option_text(reader, item, path)
        english.append(text)
    if len(set(english)) != len(english):
        reader.error(key, "lists the same entry twice: remove the repeat")
    elif len(set(welsh.values())) != len(welsh):
        reader.error(key, "gives two entries the same Welsh: Welsh readers could not tell them apart, so word them "
                          "differently")
    return tuple(english), welsh


def welsh_text(reader: Reader, entry: Mapping[str, Any], key: str, path: str, *, limit: int | None = None) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        reader.error(path, f'must be non-empty text in quotes, e.g. {key} = "…"')
        return None
    if limit and len(value.strip()) > limit:
        reader.error(path, f"is {len(value.strip())} characters; Slack shows at most {limit} in a form option: shorten it")
    return value.strip()


def report_missing_welsh(reader: Reader, languages: Languages, wanted: list[tuple[str, str]],
                         shipped_welsh: Mapping[str, str]) -> None:
    """Where the partnership works in Welsh, name each of its own texts that has no Welsh (`wanted`: key, English)."""
    if not languages.works_in_welsh:
        return
    for path, english in wanted:
        if english and english not in languages.welsh and english not in shipped_welsh:
            reader.warn(path, "has no Welsh, and the partnership works in Welsh: add it beside the English "
                              f"({_how(path)}), or Welsh readers see the English")


def report_missing_welsh_terms(reader: Reader, languages: Languages, entries: Any) -> None:
    """Where the partnership works in Welsh, name each [[glossary]] term without its Welsh name or definition."""
    if not languages.works_in_welsh or not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("term"), str):
            continue
        for key, beside in (("term_cy", "term"), ("definition_cy", "definition")):
            if key not in entry:
                reader.warn(f"glossary[{index}].{key}", f"“{entry['term'].strip()}” has no Welsh {beside}, and the "
                                                        f'partnership works in Welsh: add {key} = "…" beside '
                                                        f"{beside}, or Welsh readers see the English")


def _how(path: str) -> str:
    name = path.rsplit(".", 1)[-1].split("[", 1)[0]
    if path.endswith("]"):
        return 'write the entry as { en = "…", cy = "…" }'
    return f'{name}_cy = "…"'


def _option_text(reader: Reader, value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        reader.error(path, 'must be non-empty text in quotes, e.g. "…"')
        return ""
    if len(value.strip()) > SLACK_OPTION_TEXT_LIMIT:
        reader.error(path, f"is {len(value.strip())} characters; Slack shows at most {SLACK_OPTION_TEXT_LIMIT} in a "
                           "form option: shorten it")
    return value.strip()


@functools.cache
def shipped_messages() -> frozenset[str]:
    """The English of every message Joined Up shows that its catalogue holds (each plural's two forms)."""
    ids: set[str] = set()
    for message in read_catalogue("cy"):
        if message.id:
            ids.update(message.id if isinstance(message.id, (tuple, list)) else (message.id,))
    return frozenset(ids)


def _fields(text: str) -> set[str] | None:
    """The {placeholders} a text fills in, or None where a brace stands alone."""
    try:
        return {f"{{{name}}}" for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def _translations(reader: Reader, data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    section = reader.table(data, "translations", set(LANGUAGES))
    found: dict[str, dict[str, str]] = {}
    for language, table in section.items():
        path = f"translations.{language}"
        if not isinstance(table, dict):
            reader.error(path, f'must be a table: write it as [{path}] with "English message" = "your wording"')
            continue
        own: dict[str, str] = {}
        for message, text in table.items():
            where = f'{path}."{message}"'
            if not isinstance(text, str) or not text.strip():
                reader.error(where, "must be non-empty text in quotes")
                continue
            wanted = set(PLACEHOLDER.findall(message))
            fields = _fields(text)
            if fields is None:
                reader.error(where, "has a { or } on its own: write {{ or }} for a brace, or keep the message's "
                                    "{placeholder} exactly as it is")
                continue
            if fields != wanted:
                reader.error(where, "must keep every {placeholder} of the message, and add none: "
                                    f"{', '.join(sorted(wanted)) or 'it has none'}")
                continue
            if message not in shipped_messages():
                near = difflib.get_close_matches(message, sorted(shipped_messages()), n=1, cutoff=0.6)
                reader.warn(where, "not a message Joined Up shows: copy the English exactly from a msgid in "
                                   f"{CATALOGUE_FOLDER}" + (f" (did you mean “{near[0]}”?)" if near else "")
                                   + ", or remove it")
            own[message] = text
        found[language] = own
    return found
