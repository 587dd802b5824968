"""What the message catalogues must hold: every shown string of the code, translated, with its placeholders."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_from_dir

from bot.i18n.catalog import read_catalogue

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "handlers")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")


@dataclass(frozen=True)
class Missing:
    message: str
    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message!r}: {self.problem}"


def extracted(sources: tuple[str, ...] = SOURCES) -> dict[str | tuple[str, str], str]:
    """Each message the code shows, with the first place it is written."""
    found: dict[str | tuple[str, str], str] = {}
    for source in sources:
        for filename, line, message, _comments, _context in extract_from_dir(
                ROOT / source, method_map=[("**.py", "python")], keywords=KEYWORDS):
            if isinstance(message, tuple):
                message = tuple(message[:2])
            if message and message not in found:
                found[message] = f"{source}/{filename}:{line}"
    return found


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def problems(language: str, sources: tuple[str, ...] = SOURCES, only: str | None = None) -> list[Missing]:
    """Messages without a translation, and translations that drop or invent a placeholder. `only`: a path prefix."""
    catalogue = read_catalogue(language)
    found: list[Missing] = []
    for message, where in extracted(sources).items():
        if only and not where.startswith(only):
            continue
        key = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(key)
        shown = message[0] if isinstance(message, tuple) else message
        strings = entry.string if entry is not None else None
        texts = list(strings) if isinstance(strings, (tuple, list)) else [strings]
        if entry is None or not all(texts) or entry.fuzzy:
            found.append(Missing(shown, where, "no translation"))
            continue
        wanted = placeholders(" ".join(message) if isinstance(message, tuple) else message)
        for text in texts:
            have = placeholders(text)
            if have - wanted or (wanted - {"{n}"}) - have:
                found.append(Missing(shown, where, f"placeholders {sorted(have)} in {text!r}, wanted {sorted(wanted)}"))
    return found
