"""The glossary wherever people meet it: the form, every post, /joinedup glossary and the export."""
from __future__ import annotations

import csv
import dataclasses
import io

from bot.blocks.glossary import ABRIDGED, INDEX_TEXT, glossary_index
from bot.blocks.text import SECTION_LIMIT
from bot.cli import main
from bot.demo.sample import ADMIN, EDUCATION, SAM, sample_partnership
from bot.blocks.ids import Field
from bot.domain.config import RiskLevel
from bot.domain.glossary import Term
from bot.services.wiring import build_glossary
from tests.conftest import start_joinedup
from tests.test_config import example_text


def glossary_reply(joinedup, text):
    """The answer as Slack took it: the stand-in refuses one that breaks Block Kit's rules."""
    reply = joinedup.slack.command("/joinedup", f"glossary {text}".strip(), user=SAM.user_id)
    assert reply.status == 200
    return reply.json()


def shown(blocks):
    return "\n".join(b["text"]["text"] if "text" in b else b["elements"][0]["text"] for b in blocks)


def index_of(partnership):
    glossary, _ = build_glossary(partnership)
    return glossary_index(glossary, partnership.name, partnership.risk_levels)


# A scale whose order is not the alphabet's, as a RAG-style partnership might have it.
LOW_MEDIUM_HIGH = (RiskLevel("low", "Low", "Needs met by universal services."),
                   RiskLevel("medium", "Medium", "Needs met by early help with the family's agreement."),
                   RiskLevel("high", "High", "Reasonable cause to suspect significant harm: act now.", urgent=True))
A_FEW_TERMS = (Term("Strategy discussion", "Agencies decide together whether to start enquiries.", category="process"),
               Term("Care order", "The court places the child in the council's care.", category="legal status"),
               Term("Consent", "Freely given, specific, informed agreement.", category="process"),
               Term("Corporate parent", "The council as parent to the children it looks after.", category="service"))


def test_the_glossary_index_leads_with_the_risk_scale_in_its_own_order_then_the_categories():
    partnership = dataclasses.replace(sample_partnership(), risk_levels=LOW_MEDIUM_HIGH, glossary=A_FEW_TERMS,
                                      use_default_glossary=False)

    text, blocks = index_of(partnership)

    answer = shown(blocks)
    order = ["*Low*: Needs met by universal services.", "*Medium*: Needs met by early help",
             ":rotating_light: *High* _(urgent)_: Reasonable cause to suspect significant harm",
             "*Legal status*\n*Care order*: The court places", "*Service*\n*Corporate parent*",
             "*Process*\n*Consent*: Freely given", "*Strategy discussion*: Agencies decide"]
    positions = [answer.find(part) for part in order]
    assert -1 not in positions and positions == sorted(positions), answer
    assert answer.count("*Medium*") == 1, "a risk level is defined once, on the scale"
    assert "risk levels first" in text


def test_the_glossary_index_shows_the_start_of_a_long_definition_cut_at_a_word():
    long = "Harm means ill-treatment or damage to a child's health or development. " * 10
    partnership = dataclasses.replace(sample_partnership(), use_default_glossary=False,
                                      glossary=(Term("Significant harm", long.strip(), category="risk level"),))

    _, blocks = index_of(partnership)

    line = next(line for line in shown(blocks).splitlines() if line.startswith("*Significant harm*"))
    assert line.endswith(ABRIDGED) and len(line) < 250, "visibly shortened"
    start = line.removeprefix("*Significant harm*: ").removesuffix(ABRIDGED)
    assert long.startswith(start) and long[len(start)] in " .", "cut between words, not inside one"


def test_slack_takes_a_glossary_index_that_shows_early_help_with_its_meaning_before_other_terms(joinedup):
    early_help = joinedup.partnership.risk_level("early-help")

    answer = shown(glossary_reply(joinedup, "")["blocks"])

    assert f"*{early_help.label}*: {early_help.definition}" in answer
    assert answer.index(early_help.definition) < answer.index("*Other agreed terms*")
    assert answer.index(early_help.definition) < answer.index("*Low-level concern*")


def test_a_glossary_of_two_hundred_long_terms_stays_within_slacks_limits_and_says_how_to_find_the_rest(
        database, standin, clock):
    terms = tuple(Term(f"Term {i:03d} " + "long name " * 20, "A long & <careful> definition. " * 120,
                       aliases=tuple(f"alias {i}.{j} " * 6 for j in range(10)), category=f"kind {i % 9}")
                  for i in range(200))
    partnership = dataclasses.replace(sample_partnership(), glossary=terms)
    joinedup = start_joinedup(db=database, standin=standin, clock=clock, partnership=partnership)
    try:
        blocks = glossary_reply(joinedup, "")["blocks"]  # the strict stand-in took it
    finally:
        joinedup._stop()

    answer = shown(blocks)
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks if "text" in b)
    assert len(answer) <= INDEX_TEXT + 1000
    assert all(level.definition in answer for level in partnership.risk_levels), "the risk scale is shown in full"
    assert "more terms are not listed here" in blocks[-1]["elements"][0]["text"]
    assert "`/joinedup glossary TERM`" in blocks[-1]["elements"][0]["text"]
    assert "&amp; &lt;careful&gt;" in answer and "<careful>" not in answer


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
    assert "*Risk level*" in text and "*Need level*" in text
    assert "*Low-level concern* (niggle, worry): Something a practitioner has noticed" in text
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
