"""The partnership's shared glossary: one agreed meaning for each term, whichever agency uses it, in English and
in Welsh.

Shipped starting definitions live in default_glossary.toml (and, where the partnership works in Welsh, the terms of
the Welsh framework in wales_glossary.toml); the partnership's own [[glossary]] entries are passed after them and
replace any shipped term with the same name. A term is recognised by its English or Welsh name or any alias, so a
Welsh term written in a summary brings its agreed definition to an English reader, and the other way round.
"""
from __future__ import annotations

import csv
import difflib
import io
import re
import string
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Mapping

DEFAULT_GLOSSARY_PATH = Path(__file__).with_name("default_glossary.toml")
WALES_GLOSSARY_PATH = Path(__file__).with_name("wales_glossary.toml")
CATEGORIES = ("risk level", "need level", "legal status", "service", "process")
OTHER = "other"
KNOWN_KEYS = ("term", "definition", "aliases", "source", "category", "term_cy", "definition_cy", "aliases_cy")

_EDGE = string.punctuation + string.whitespace + "“”‘’–—…"
# Boundaries are letters and digits only, not \w: Slack's _italics_ must not hide a term.
_BEFORE = r"(?<![^\W_])"
_AFTER = r"(?![^\W_])"
# Between the words of a term: white space, and any quotation marks around a word (sgwrs “beth sy’n bwysig”).
_BETWEEN = r"""[\s"“”„‘’']*\s[\s"“”„‘’']*"""
_APOSTROPHE = "['’‘]"
# A quotation mark that is not an apostrophe inside a word (sy'n, children's).
_QUOTE = re.compile(r"""["“”„]|(?<![^\W_])'|'(?![^\W_])""")
# Welsh mutates a word's first consonant after some words ("ei gynllun gofal a chymorth", "fy mhlentyn"):
# the soft, nasal and aspirate forms of the first word of a Welsh name are recognised too.
_DIGRAPHS = ("ch", "dd", "ff", "ng", "ph", "th")
_MUTATIONS = (
    (("ll", "l"), ("rh", "r"), ("p", "b"), ("t", "d"), ("c", "g"), ("b", "f"), ("d", "dd"), ("g", ""), ("m", "f")),
    (("p", "mh"), ("t", "nh"), ("c", "ngh"), ("b", "m"), ("d", "n"), ("g", "ng")),
    (("p", "ph"), ("t", "th"), ("c", "ch")),
)


@dataclass(frozen=True)
class Term:
    term: str
    definition: str
    aliases: tuple[str, ...] = ()
    source: str | None = None
    category: str | None = None
    starter: bool = False  # a shipped starting definition the partnership has not replaced
    term_cy: str | None = None  # the agreed Welsh name
    definition_cy: str | None = None  # the agreed definition, in Welsh
    aliases_cy: tuple[str, ...] = ()  # other Welsh words for it


def _spaced(text: str) -> str:
    return " ".join(text.split())


def _clean(text: str) -> str:
    return " ".join(text.strip(_EDGE).split())


def _plain(text: str) -> str:
    """The words of a name as they are matched: quotation marks dropped, apostrophes straight."""
    straight = text.replace("’", "'").replace("‘", "'")
    return _clean(_QUOTE.sub(" ", straight))


def _key(text: str) -> str:
    return _plain(text).casefold()


def _names(term: Term) -> list[str]:
    """The term's English and Welsh names then its aliases, without blanks or repeats."""
    seen: dict[str, str] = {}
    for name in (term.term, term.term_cy or "", *term.aliases, *term.aliases_cy):
        if _key(name):
            seen.setdefault(_key(name), name)
    return list(seen.values())


def _welsh_names(term: Term) -> list[str]:
    return [term.term_cy] if term.term_cy else []


def _aliases(term: Term) -> list[str]:
    return [*term.aliases, *term.aliases_cy]


def _mutated(term: Term) -> list[str]:
    return [form for name in (*_welsh_names(term), *term.aliases_cy) for form in mutations(name)]


def mutations(welsh: str) -> list[str]:
    """The soft, nasal and aspirate mutations of a Welsh name's first word, and its h- after "ei" (her) and the like:
    "cynllun llwybr" gives "gynllun llwybr", "nghynllun llwybr", "chynllun llwybr"."""
    first, _, rest = _plain(welsh).partition(" ")
    lower = first.casefold()
    if len(first) < 3 or first.isupper():
        return []  # short words and initials do not mutate
    found = []
    if lower[0] in "aeiouwy":
        found.append("h" + lower)
    elif not lower.startswith(_DIGRAPHS):
        for table in _MUTATIONS:
            found += [after + lower[len(before):] for before, after in table if lower.startswith(before)][:1]
    return [" ".join(filter(None, (form, rest))) for form in found if form != lower]


def _pattern(phrase: str) -> str:
    return _BETWEEN.join(re.escape(word).replace("'", _APOSTROPHE) for word in phrase.split())


class Glossary:
    def __init__(self, terms: Iterable[Term]) -> None:
        by_name: dict[str, Term] = {}
        for term in terms:
            if _key(term.term):
                by_name[_key(term.term)] = term
        self._terms = sorted(by_name.values(), key=lambda t: (_key(t.term), t.term))
        # English names outrank Welsh names, names outrank aliases, and aliases the mutated forms of Welsh words;
        # among aliases the first claim wins (alias_conflicts reports the rest).
        self._index: dict[str, Term] = {_key(t.term): t for t in self._terms}
        for names_of in (_welsh_names, _aliases, _mutated):
            for term in self._terms:
                for name in names_of(term):
                    if _key(name):
                        self._index.setdefault(_key(name), term)
        # Longest first, so "safeguarding concern" wins over "concern" at the same position.
        phrases = sorted({_plain(name) for t in self._terms for name in (*_names(t), *_mutated(t))},
                         key=lambda p: (-len(p), p))
        alternatives = [_pattern(phrase) for phrase in phrases if phrase]
        self._pattern = (re.compile(f"{_BEFORE}(?:{'|'.join(alternatives)}){_AFTER}", re.IGNORECASE)
                         if alternatives else None)

    @property
    def terms(self) -> list[Term]:
        return list(self._terms)

    def lookup(self, query: str) -> Term | None:
        """The term with this name or alias, in English or Welsh."""
        return self._index.get(_key(query))

    def near_matches(self, query: str, limit: int = 3) -> list[Term]:
        key = _key(query)
        if not key or limit <= 0:
            return []
        found: list[Term] = []
        for match in difflib.get_close_matches(key, list(self._index), n=len(self._index), cutoff=0.7):
            term = self._index[match]
            if term not in found:
                found.append(term)
        return found[:limit]

    def terms_in(self, *texts: str) -> list[Term]:
        """Each term named in the texts, in English or Welsh, in order of first appearance."""
        if self._pattern is None:
            return []
        found: dict[str, Term] = {}
        for text in texts:
            for match in self._pattern.finditer(text or ""):
                term = self._index.get(_key(match.group()))
                if term is not None:
                    found.setdefault(_key(term.term), term)
        return list(found.values())

    def by_category(self) -> dict[str, list[Term]]:
        groups: dict[str, list[Term]] = {}
        for term in self._terms:
            groups.setdefault(term.category or OTHER, []).append(term)
        extra = sorted(c for c in groups if c not in CATEGORIES and c != OTHER)
        order = [*CATEGORIES, *extra, OTHER]
        return {category: groups[category] for category in order if category in groups}

    def alias_conflicts(self) -> list[tuple[str, str, str]]:
        """(alias, term claiming it, other term) for every alias or Welsh name that points at two terms."""
        names: dict[str, str] = {}
        for term in self._terms:
            for name in (term.term, term.term_cy or ""):
                if _key(name):
                    names.setdefault(_key(name), term.term)
        claimed: dict[str, str] = {}
        conflicts = []
        for term in self._terms:
            own = {_key(term.term), _key(term.term_cy or "")}
            for alias in _names(term):
                key = _key(alias)
                if key in names and names[key] != term.term:
                    conflicts.append((alias, term.term, names[key]))
                elif key in own:
                    continue
                elif key in claimed:
                    conflicts.append((alias, claimed[key], term.term))
                else:
                    claimed[key] = term.term
        return conflicts


def load_shipped_terms(path: Path = DEFAULT_GLOSSARY_PATH) -> list[Term]:
    """A shipped glossary's terms, each marked as a starting definition."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    terms, problems = terms_from_config(data)
    if problems:
        raise ValueError(f"{path.name} is invalid: " + "; ".join(problems))
    return [replace(term, starter=True) for term in terms]


def load_default_terms() -> list[Term]:
    return load_shipped_terms(DEFAULT_GLOSSARY_PATH)


def load_wales_terms() -> list[Term]:
    """The terms of the Welsh framework (the 2014 Act, its codes of practice, the Wales Safeguarding Procedures)."""
    return load_shipped_terms(WALES_GLOSSARY_PATH)


def terms_from_config(entries: object, key: str = "glossary") -> tuple[list[Term], list[str]]:
    """Read [[glossary]] tables from a loaded TOML document (or the list itself).

    Returns the good terms and one plain-English line per problem; a bad entry is skipped.
    """
    if isinstance(entries, Mapping):
        entries = entries.get(key, [])
    if not isinstance(entries, (list, tuple)):
        return [], [f"{key}: must be an array of tables — write each term as [[{key}]]"]
    terms: list[Term] = []
    problems: list[str] = []
    for index, entry in enumerate(entries):
        path = f"{key}[{index}]"
        entry_problems = _entry_problems(entry, path, key)
        if entry_problems:
            problems.extend(entry_problems)
            continue
        category = entry.get("category")
        terms.append(Term(
            term=_spaced(entry["term"]),
            definition=entry["definition"].strip(),
            aliases=tuple(_spaced(a) for a in entry.get("aliases", [])),
            source=entry["source"].strip() if "source" in entry else None,
            category=category.strip().lower() if category else None,
            term_cy=_spaced(entry["term_cy"]) if "term_cy" in entry else None,
            definition_cy=entry["definition_cy"].strip() if "definition_cy" in entry else None,
            aliases_cy=tuple(_spaced(a) for a in entry.get("aliases_cy", [])),
        ))
    return terms, problems


def _entry_problems(entry: object, path: str, key: str) -> list[str]:
    if not isinstance(entry, Mapping):
        return [f"{path}: must be a table — write it as [[{key}]] with term and definition"]
    problems = [f"{path}.{name}: unknown key — remove it or check the spelling (the keys are {', '.join(KNOWN_KEYS)})"
                for name in sorted(set(entry) - set(KNOWN_KEYS))]
    hints = {"term": "the word or phrase, e.g. \"Child in need\"", "definition": "in plain words"}
    for name, hint in hints.items():
        value = entry.get(name)
        if value is None:
            problems.append(f'{path}.{name}: missing — add {name} = "…" {hint}')
        elif not isinstance(value, str) or not _clean(value):
            problems.append(f'{path}.{name}: must be non-empty text in quotes — {name} = "…" {hint}')
    for name in ("source", "category", "term_cy", "definition_cy"):
        if name in entry and (not isinstance(entry[name], str) or not _clean(entry[name])):
            problems.append(f'{path}.{name}: must be non-empty text in quotes, e.g. {name} = "…", or remove it')
    if "definition_cy" in entry and "term_cy" not in entry:
        problems.append(f'{path}.term_cy: missing — a Welsh definition needs the Welsh name beside it: add '
                        'term_cy = "…"')
    for name, example in (("aliases", '["CIN"]'), ("aliases_cy", '["PDG"]')):
        aliases = entry.get(name, [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and _clean(a) for a in aliases):
            problems.append(f'{path}.{name}: must be a list of non-empty text, e.g. {name} = {example}, or remove it')
    return problems


def export_markdown(glossary: Glossary, *, organisation: str) -> str:
    lines = [f"# {organisation}: shared glossary", "",
             "Every agency in the partnership uses these terms with the meanings below."]
    if any(t.starter for t in glossary.terms):
        lines += ["", "> Terms marked *(starter definition)* are Joined Up's starting wording. The partnership "
                      "needs to review them and adopt or replace them; they are not legal advice."]
    for category, terms in glossary.by_category().items():
        lines += ["", f"## {category[:1].upper()}{category[1:]}"]
        for term in terms:
            lines += ["", f"### {term.term}" + (" *(starter definition)*" if term.starter else ""), "", term.definition]
            if term.aliases:
                lines += ["", f"Also called: {', '.join(term.aliases)}"]
            if term.term_cy:
                lines += ["", f"Cymraeg: **{term.term_cy}**" + (f": {term.definition_cy}" if term.definition_cy else "")]
            if term.aliases_cy:
                lines += ["", f"Also called in Welsh: {', '.join(term.aliases_cy)}"]
            if term.source:
                lines += ["", f"Source: {term.source}"]
    return "\n".join(lines) + "\n"


def export_csv(glossary: Glossary) -> str:
    """One row a term; the Welsh columns where any term has Welsh."""
    out = io.StringIO()
    writer = csv.writer(out)
    welsh = any(t.term_cy or t.definition_cy or t.aliases_cy for t in glossary.terms)
    writer.writerow(["term", "category", "definition", "aliases", "source", "starter",
                     *(("term_cy", "definition_cy", "aliases_cy") if welsh else ())])
    for term in glossary.terms:
        writer.writerow([term.term, term.category or "", term.definition, "; ".join(term.aliases),
                         term.source or "", "yes" if term.starter else "no",
                         *((term.term_cy or "", term.definition_cy or "", "; ".join(term.aliases_cy)) if welsh else ())])
    return out.getvalue()
