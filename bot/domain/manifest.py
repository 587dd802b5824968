"""The bot scopes app_manifest.yml asks Slack for, read with a few lines rather than a YAML library.

Only one list is needed (oauth_config → scopes → bot), and Joined Up's runtime has no YAML parser: PyYAML is a test
dependency, and adding it to every installation for one list of words is not worth its weight. This reads block
lists ("- chat:write", comments after them allowed, quotes stripped) and one-line flow lists ("bot: [a, b]").
tests/test_doctor.py checks that it reads the real manifest exactly as PyYAML does.
"""
from __future__ import annotations

from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[2] / "app_manifest.yml"
BOT_SCOPES_PATH = ("oauth_config", "scopes", "bot")


class ManifestError(ValueError):
    """The manifest has no oauth_config.scopes.bot list that can be read."""


def bot_scopes(text: str) -> tuple[str, ...]:
    """The scopes listed under oauth_config: scopes: bot:, in order."""
    stack: list[tuple[int, str]] = []  # (indent, key) of the mappings the current line is inside
    found: list[str] | None = None
    for raw in text.splitlines():
        line = _without_comment(raw).rstrip()
        if not line.strip() or line.lstrip().startswith(("---", "...")):
            continue
        indent = len(line) - len(line.lstrip(" "))
        content = line.strip()
        if content.startswith("- ") or content == "-":
            while stack and stack[-1][0] > indent:  # a list may sit at its key's own indent
                stack.pop()
            if tuple(key for _, key in stack) == BOT_SCOPES_PATH and found is not None:
                found.append(_scalar(content[1:]))
            continue
        key, colon, value = content.partition(":")
        if not colon:
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, _scalar(key)))
        if tuple(k for _, k in stack) == BOT_SCOPES_PATH:
            value = value.strip()
            if value.startswith("[") and value.endswith("]"):
                found = [_scalar(item) for item in value[1:-1].split(",") if item.strip()]
            else:
                found = []
    if not found:
        raise ManifestError("it has no list of bot scopes under oauth_config: scopes: bot:")
    return tuple(scope for scope in found if scope)


def read_bot_scopes(path: Path = MANIFEST) -> tuple[str, ...]:
    """The manifest file's bot scopes; OSError if it cannot be read, ManifestError if it lists none."""
    return bot_scopes(path.read_text(encoding="utf-8"))


def _without_comment(line: str) -> str:
    quote = None
    for index, char in enumerate(line):
        if char in "'\"" and quote in (None, char):
            quote = None if quote else char
        elif char == "#" and quote is None and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line


def _scalar(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text
