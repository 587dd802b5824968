"""The partnership's shared glossary: one agreed meaning for each term, whichever agency uses it.

Shipped starting definitions live in default_glossary.toml; the partnership's own [[glossary]]
entries are passed after them and replace any default with the same name.
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
CATEGORIES = ("risk level", "need level", "legal status", "service", "process")
OTHER = "other"
KNOWN_KEYS = ("term", "definition", "aliases", "source", "category")

_EDGE = string.punctuation + string.whitespace + "“”‘’–—…"
# Boundaries are letters and digits only, not \w: Slack's _italics_ must not hide a term.
_BEFORE = r"(?<![^\W_])"
_AFTER = r"(?![^\W_])"


@dataclass(frozen=True)
class Term:
    term: str
    definition: str
    aliases: tuple[str, ...] = ()
    source: str | None = None
    category: str | None = None
    starter: bool = False  # a shipped starting definition the partnership has not replaced


def _spaced(text: str) -> str:
    return " ".join(text.split())


def _clean(text: str) -> str:
    return " ".join(text.strip(_EDGE).split())


def _key(text: str) -> str:
    return _clean(text).casefold()


def _names(term: Term) -> list[str]:
    """The term's name then its aliases, without blanks or repeats."""
    seen: dict[str, str] = {}
    for name in (term.term, *term.aliases):
        if _key(name):
            seen.setdefault(_key(name), name)
    return list(seen.values())


class Glossary:
    def __init__(self, terms: Iterable[Term]) -> None:
        by_name: dict[str, Term] = {}
        for term in terms:
            if _key(term.term):
                by_name[_key(term.term)] = term
        self._terms = sorted(by_name.values(), key=lambda t: (_key(t.term), t.term))
        # Names outrank aliases; among aliases the first claim wins (alias_conflicts reports the rest).
        self._index: dict[str, Term] = {_key(t.term): t for t in self._terms}
        for term in self._terms:
            for alias in term.aliases:
                if _key(alias):
                    self._index.setdefault(_key(alias), term)
        # Longest first, so "safeguarding concern" wins over "concern" at the same position.
        phrases = sorted({_clean(name) for t in self._terms for name in _names(t)}, key=lambda p: (-len(p), p))
        alternatives = [r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases]
        self._pattern = (re.compile(f"{_BEFORE}(?:{'|'.join(alternatives)}){_AFTER}", re.IGNORECASE)
                         if alternatives else None)

    @property
    def terms(self) -> list[Term]:
        return list(self._terms)

    def lookup(self, query: str) -> Term | None:
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
        """(alias, term claiming it, other term) for every alias that points at two terms."""
        names = {_key(t.term): t.term for t in self._terms}
        claimed: dict[str, str] = {}
        conflicts = []
        for term in self._terms:
            for alias in _names(term)[1:]:
                key = _key(alias)
                if key in names and names[key] != term.term:
                    conflicts.append((alias, term.term, names[key]))
                elif key in claimed:
                    conflicts.append((alias, claimed[key], term.term))
                else:
                    claimed[key] = term.term
        return conflicts


def load_default_terms() -> list[Term]:
    data = tomllib.loads(DEFAULT_GLOSSARY_PATH.read_text(encoding="utf-8"))
    terms, problems = terms_from_config(data)
    if problems:
        raise ValueError(f"{DEFAULT_GLOSSARY_PATH.name} is invalid: " + "; ".join(problems))
    return [replace(term, starter=True) for term in terms]


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
    for name in ("source", "category"):
        if name in entry and (not isinstance(entry[name], str) or not entry[name].strip()):
            problems.append(f'{path}.{name}: must be non-empty text in quotes, e.g. {name} = "…", or remove it')
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and _clean(a) for a in aliases):
        problems.append(f'{path}.aliases: must be a list of non-empty text, e.g. aliases = ["CIN"], or remove it')
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
            if term.source:
                lines += ["", f"Source: {term.source}"]
    return "\n".join(lines) + "\n"


def export_csv(glossary: Glossary) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["term", "category", "definition", "aliases", "source", "starter"])
    for term in glossary.terms:
        writer.writerow([term.term, term.category or "", term.definition, "; ".join(term.aliases),
                         term.source or "", "yes" if term.starter else "no"])
    return out.getvalue()
