"""The message catalogues: every message the code shows has its Welsh, with the same placeholders; the catalogues
compile with Babel's own tools and are what Joined Up reads."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot.i18n.catalog import po_files, po_path, read_catalogue
from bot.i18n.checks import extracted, placeholders, problems
from bot.i18n.voice import Voice, ngettext, using

ROOT = Path(__file__).resolve().parents[1]


def test_every_message_the_code_shows_has_its_welsh_with_every_placeholder() -> None:
    missing = problems("cy")
    assert not missing, f"{len(missing)} message(s) without their Welsh:\n" + "\n".join(map(str, missing[:40]))


def test_the_check_catches_a_missing_translation_and_a_dropped_placeholder(tmp_path, monkeypatch) -> None:
    source = tmp_path / "bot"
    source.mkdir()
    (source / "sample.py").write_text('_("Shared by {name}")\n_("Not translated at all")\n', encoding="utf-8")
    locale = tmp_path / "locale" / "cy" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "joinedup.po").write_text('msgid "Shared by {name}"\nmsgstr "Rhannwyd gan {enw}"\n', encoding="utf-8")
    monkeypatch.setattr("bot.i18n.checks.ROOT", tmp_path)
    monkeypatch.setattr("bot.i18n.catalog.LOCALE_DIR", tmp_path / "locale")
    found = {problem.message: problem.problem for problem in problems("cy", sources=("bot",))}
    assert found["Not translated at all"] == "no translation"
    assert "placeholders" in found["Shared by {name}"]


def test_every_plural_has_welshs_six_forms() -> None:
    catalogue = read_catalogue("cy")
    assert catalogue.num_plurals == 6
    for message in catalogue:
        if isinstance(message.id, tuple):
            assert len(message.string) == 6 and all(message.string), message.id


def test_welsh_plurals_follow_the_number() -> None:
    plural = next((m.id for m in read_catalogue("cy") if isinstance(m.id, tuple)), None)
    if plural is None:
        return
    values = {name.strip("{}"): "x" for name in placeholders(plural[1]) - {"{n}"}}
    with using(Voice(language="cy")):
        forms = {n: ngettext(plural[0], plural[1], n, **values) for n in (0, 1, 2, 3, 6, 7)}
    assert len(set(forms.values())) >= 2


def test_no_catalogue_keeps_a_message_the_code_no_longer_shows() -> None:
    shown = {m if isinstance(m, str) else m[0] for m in extracted()}
    stale = [m.id for m in read_catalogue("cy") if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in shown]
    assert not stale, f"translated but no longer in the code: {stale[:20]}"


def test_the_catalogues_are_one_file_per_language() -> None:
    assert po_files("cy") == [po_path("cy")]


def frozen(value: object) -> object:
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_pybabel_compiles_the_catalogue_joined_up_reads(tmp_path) -> None:
    compiled_path = tmp_path / "joinedup.mo"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-i", str(po_path("cy")),
                    "-o", str(compiled_path), "-l", "cy"], check=True, cwd=ROOT, capture_output=True)
    with compiled_path.open("rb") as file:
        compiled = {frozen(m.id): frozen(m.string) for m in read_mo(file) if m.id}
    with po_path("cy").open("rb") as file:
        written = {frozen(m.id): frozen(m.string) for m in read_po(file) if m.id and not m.fuzzy}
    assert compiled == written
    assert compiled, "the Welsh catalogue is empty"
