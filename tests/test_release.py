"""What a council's IT team gets before reading any source: a licence, a version, commands that explain
themselves, and a package that carries every file it reads."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from bot import cli

REPO = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
PACKAGES = ("bot", "handlers", "storage")


def run_joinedup(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed `joinedup` command where there is one (as an operator runs it), else `python -m bot`."""
    script = Path(sys.executable).parent / "joinedup"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    env = {"PATH": os.environ.get("PATH", os.defpath), "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([*command, *args], cwd=REPO, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=60)


def test_version_prints_the_version_pyproject_names() -> None:
    result = run_joinedup("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"joinedup {VERSION}\n", (
        f"{result.stdout!r}: if pyproject.toml's version changed, install the package again (pip install -e .)")


def test_version_falls_back_to_pyproject_when_the_package_metadata_is_missing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    assert cli._version() == VERSION


@pytest.mark.parametrize("command, names", [
    ("serve", ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL", "JOINEDUP_CONFIG", "PORT", "JOINEDUP_HOST")),
    ("socket", ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DATABASE_URL", "JOINEDUP_CONFIG")),
    ("migrate", ("DATABASE_URL",)),
])
def test_the_running_commands_explain_themselves_and_the_settings_they_read(command: str,
                                                                           names: tuple[str, ...]) -> None:
    result = run_joinedup(command, "--help")
    assert result.returncode == 0, result.stderr
    usage, _, rest = result.stdout.partition("\n\n")
    assert usage.startswith(f"usage: joinedup {command}")
    description = rest.split("\n\noptions:")[0]
    assert len(description.split()) >= 20, result.stdout
    for name in names:
        assert name in description, f"`joinedup {command} --help` does not mention {name}"


def test_the_licence_is_the_mit_licence_of_the_joined_up_contributors() -> None:
    text = " ".join((REPO / "LICENSE").read_text(encoding="utf-8").split())
    assert text.startswith("MIT License Copyright (c) 2026 Joined Up contributors Permission is hereby granted, free "
                           "of charge, to any person obtaining a copy of this software")
    for clause in ("to deal in the Software without restriction, including without limitation the rights to use, "
                   "copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software",
                   "The above copyright notice and this permission notice shall be included in all copies or "
                   "substantial portions of the Software.",
                   'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND',
                   "IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER "
                   "LIABILITY"):
        assert clause in text


def test_the_changelog_has_an_unreleased_section_and_one_for_this_version() -> None:
    headings = re.findall(r"^## \[([^\]]+)\]", (REPO / "CHANGELOG.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert headings[0] == "Unreleased"
    assert VERSION in headings, f"CHANGELOG.md has no section for {VERSION}, the version pyproject.toml names"


def test_security_policy_says_how_to_report_privately_and_never_with_real_case_data() -> None:
    text = " ".join((REPO / "SECURITY.md").read_text(encoding="utf-8").split())
    assert "Report a vulnerability" in text and "Do not open a public issue" in text
    assert "Never put real case data" in text
    assert "Only the latest release gets security fixes" in text


def _data_files(root: Path) -> set[str]:
    """Every file in the packages that is not Python source: what the code reads at run time."""
    return {path.relative_to(root).as_posix() for package in PACKAGES for path in (root / package).rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts}


def test_the_built_package_carries_every_file_the_code_reads(tmp_path: Path) -> None:
    """The container image and a plain `pip install` get the wheel, not this folder: a data file left out of
    pyproject.toml's package-data works in a checkout and fails in production."""
    source = tmp_path / "source"
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    for package in PACKAGES:
        shutil.copytree(REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # Built as the Dockerfile's `pip install .` builds it: with the build requirements pyproject.toml names.
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "--wheel-dir", str(tmp_path / "wheel"), str(source)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "wheel").glob("joinedup-*.whl")
    assert wheel.name.startswith(f"joinedup-{VERSION}-")
    packaged = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_data_files(source) - packaged)
    assert missing == [], f"not in the wheel: {missing}; add them to [tool.setuptools.package-data] in pyproject.toml"
