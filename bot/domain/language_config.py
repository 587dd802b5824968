"""Languages: which the partnership works in, the Welsh of its own words, and its own wording of shipped strings.

[organisation] language ("en" or "cy") is what people see until they choose, and bilingual (default: true where
language is "cy") offers both. Each of the partnership's own texts takes its Welsh beside it: label_cy and
definition_cy on a risk level, emergency_instructions_cy, and { en = "…", cy = "…" } for a purpose or lawful basis.
[translations.cy] and [translations.en] replace any shipped message, keyed by its English.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from bot.domain.config_reader import SLACK_OPTION_TEXT_LIMIT, Reader

LANGUAGES = ("en", "cy")
CHANNEL_LANGUAGES = {"en": "en", "cy": "cy", "bilingual": "cy+en"}
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")


@dataclass(frozen=True)
class Languages:
    default: str = "en"
    bilingual: bool = False
    welsh: Mapping[str, str] = field(default_factory=dict)  # the partnership's Welsh for its own English texts
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def works_in_welsh(self) -> bool:
        return self.bilingual or self.default == "cy"

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
            if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(message)):
                reader.error(where, "must keep every {placeholder} of the message, and add none: "
                                    f"{', '.join(sorted(set(PLACEHOLDER.findall(message)))) or 'it has none'}")
                continue
            own[message] = text
        found[language] = own
    return found
