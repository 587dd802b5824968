"""The README and the guides can be followed as written: every link lands, every command they name exists and
explains itself, every setting they name is read, and every key they name is in the example configuration."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
COMMAND = re.compile(r"(?<![/\w-])joinedup ([a-z][a-z-]+)\b")  # not /joinedup, the slash command
VARIABLE = re.compile(r"`((?:SLACK|JOINEDUP|DATABASE|PORT)[A-Z_]*)`")
KEY_ROW = re.compile(r"^\| `(\w+)`", re.M)
NOT_COMMANDS = {"is", "reads", "runs", "stops", "keeps", "will", "does", "holds", "can", "has", "in", "and", "from",
                "itself", "needs", "takes", "writes", "was", "on", "answers", "says",
                "joinedup", "sh"}  # `docker compose exec joinedup joinedup …` or `… joinedup sh`: the service


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_every_link_lands(guide: Path) -> None:
    broken = []
    for target in LINK.findall(_text(guide)):
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        file, _, anchor = target.partition("#")
        landed = (guide.parent / file).resolve()
        if not landed.exists():
            broken.append(target)
        elif anchor and landed.suffix == ".md" and anchor not in _anchors(_text(landed)):
            broken.append(target)
    assert broken == []


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#+ (.+)$", markdown, re.M)}


def test_every_command_the_guides_name_exists_and_explains_itself() -> None:
    named = {command for guide in GUIDES for command in COMMAND.findall(_text(guide))} - NOT_COMMANDS
    assert {"serve", "migrate", "doctor", "backup", "export", "check-config"} <= named
    for command in sorted(named):
        shown = subprocess.run([sys.executable, "-m", "bot", command, "--help"], cwd=ROOT, capture_output=True,
                               text=True, timeout=60)
        assert shown.returncode == 0 and "usage: joinedup" in shown.stdout, (command, shown.stderr)


def test_every_setting_the_guides_name_is_read() -> None:
    code = "".join(_text(path) for folder in ("bot", "bench", "tests") for path in (ROOT / folder).rglob("*.py")
                   if path.name != "test_guides.py") + _text(ROOT / "scripts" / "test")
    named = {variable for guide in GUIDES for variable in VARIABLE.findall(_text(guide))}
    assert "DATABASE_URL" in named
    assert sorted(v for v in named if f'"{v}"' not in code) == []


def test_every_key_in_the_admin_guide_is_in_the_example_configuration() -> None:
    example = _text(ROOT / "joinedup.example.toml")
    keys = set(KEY_ROW.findall(_text(ROOT / "docs" / "admin-guide.md")))
    assert {"timezone", "admins", "case_reference_pattern"} <= keys
    assert sorted(key for key in keys if not re.search(rf"^\s*#?\s*{key}\s*=", example, re.M)
                  and f"[{key}]" not in example) == []
