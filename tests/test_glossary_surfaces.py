"""The glossary wherever people meet it: the form, every post, /joinedup glossary and the export."""
from __future__ import annotations

import csv
import io

from bot.services.wiring import build_glossary
from bot.cli import main
from bot.demo.sample import ADMIN, EDUCATION, SAM, sample_partnership
from bot.blocks.ids import Field
from tests.test_config import example_text


def glossary_reply(joinedup, text):
    reply = joinedup.slack.command("/joinedup", f"glossary {text}".strip(), user=SAM.user_id)
    assert reply.status == 200
    return reply.json()


def test_a_summary_using_another_agencys_word_is_posted_with_the_agreed_term_and_its_definition(joinedup):
    joinedup.record(**{Field.SUMMARY: "School has a niggle about lunch money; the DSL will keep an eye out."})

    blocks = str(joinedup.posts(EDUCATION.channel)[0]["blocks"])

    assert "*Terms used*" in blocks
    assert "*Low-level concern*: Something a practitioner has noticed" in blocks
    assert "*Designated safeguarding lead*" in blocks
    assert "School has a niggle about lunch money" in blocks, "the user's words are never altered"


def test_every_risk_option_in_the_form_shows_its_meaning(joinedup):
    form = joinedup.open_form()
    select = next(b for b in form["blocks"] if b.get("block_id") == Field.RISK_LEVEL)["element"]

    for option, level in zip(select["options"], joinedup.partnership.risk_levels):
        assert option["description"]["text"].rstrip("…") in level.definition
    shown = str(form["blocks"])
    assert all(level.definition in shown for level in joinedup.partnership.risk_levels)


def test_a_risk_level_keeps_the_aliases_of_the_shipped_term_it_replaces():
    partnership = sample_partnership()

    glossary, _ = build_glossary(partnership)

    term = glossary.lookup("CIN")
    assert term is not None and term.term == "Child in need"
    assert term.definition == partnership.risk_level("child-in-need").definition
    assert not term.starter


def test_glossary_lists_the_terms_by_category(joinedup):
    answer = glossary_reply(joinedup, "")

    text = str(answer["blocks"])
    assert "*Risk level*" in text and "*Need level*" in text and "Low-level concern (niggle, worry)" in text
    assert len(answer["blocks"]) <= 50


def test_glossary_answers_a_term_or_an_alias_with_its_definition_aliases_and_source(joinedup):
    for query in ("significant harm", "LAC", "niggle"):
        answer = str(glossary_reply(joinedup, query)["blocks"])
        assert "Source:" in answer

    lac = str(glossary_reply(joinedup, "lac")["blocks"])
    assert "Looked after child" in lac and "Also called:" in lac and "starting definition shipped" in lac


def test_glossary_suggests_near_matches_for_a_misspelling(joinedup):
    assert "Did you mean *Significant harm*" in glossary_reply(joinedup, "significent harm")["text"]


def test_glossary_says_plainly_when_a_term_is_not_defined_and_who_to_ask(joinedup):
    text = glossary_reply(joinedup, "zzz blorp")["text"]

    assert "isn't defined" in text and f"<@{ADMIN.user_id}>" in text


def test_check_config_warns_about_two_terms_claiming_one_alias():
    partnership = sample_partnership()
    clash = partnership.glossary[0].__class__("Worry list", "A school's list of pupils to watch.", aliases=("worry",))
    partnership = partnership.__class__(**{**partnership.__dict__, "glossary": (*partnership.glossary, clash)})

    _, warnings = build_glossary(partnership)

    assert any("“worry” is claimed by both" in str(w) and w.warning for w in warnings)


def test_a_risk_level_without_a_definition_is_a_warning_in_check_config(tmp_path, capsys):
    text = example_text()  # the example with its placeholder IDs replaced, which check-config would flag
    start = text.index("definition = ", text.index("\n[[risk_levels]]\nkey"))
    end = text.index("\n", start)
    (tmp_path / "j.toml").write_text(text[:start] + 'definition = ""' + text[end:], encoding="utf-8")

    assert main(["check-config", "--config", str(tmp_path / "j.toml")]) == 0
    assert "warning: risk_levels[0].definition" in capsys.readouterr().out


def test_the_glossary_exports_as_markdown_and_csv(monkeypatch, capsys, tmp_path):
    (tmp_path / "j.toml").write_text(example_text(), encoding="utf-8")
    monkeypatch.setenv("JOINEDUP_CONFIG", str(tmp_path / "j.toml"))

    assert main(["glossary", "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert main(["glossary", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))

    assert markdown.startswith("# ") and "\n## Risk level\n" in markdown and "(starter definition)" in markdown
    assert {"term", "definition", "aliases", "source", "category", "starter"} <= set(rows[0])
    assert any(r["term"] == "Significant harm" for r in rows)
    assert sum(r["category"] == "risk level" for r in rows) >= 4
