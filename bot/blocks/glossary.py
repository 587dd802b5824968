"""`/joinedup glossary`: the partnership's agreed meanings, on request. Pure builders."""
from __future__ import annotations

from typing import Any

from bot.blocks.text import SECTION_LIMIT, clip, context, escape, mention, section, sections
from bot.domain.glossary import Glossary, Term

STARTER_NOTE = "A starting definition shipped with Joined Up; the partnership has not yet reviewed it."


def glossary_index(glossary: Glossary, organisation: str) -> tuple[str, list[dict[str, Any]]]:
    blocks = [section(f"*{escape(organisation)}: agreed terms*. "
                      "Ask for any of them with `/joinedup glossary TERM`.")]
    for category, terms in glossary.by_category().items():
        names = ", ".join(escape(t.term) + (f" ({escape(', '.join(t.aliases))})" if t.aliases else "") for t in terms)
        blocks += sections(f"*{escape(category[:1].upper() + category[1:])}*\n{names}")
    return f"{len(glossary.terms)} agreed terms", blocks[:50]


def glossary_answer(term: Term) -> tuple[str, list[dict[str, Any]]]:
    details = []
    if term.aliases:
        details.append(f"Also called: {escape(', '.join(term.aliases))}")
    if term.source:
        details.append(f"Source: {escape(term.source)}")
    if term.category:
        details.append(f"Category: {escape(term.category)}")
    blocks = [section(f"*{escape(term.term)}*\n{escape(term.definition)}")]
    if details:
        blocks.append(context(" · ".join(details)))
    if term.starter:
        blocks.append(context(STARTER_NOTE))
    return escape(clip(f"{term.term}: {term.definition}", SECTION_LIMIT)), blocks


def glossary_not_found(query: str, near: list[Term], admins: tuple[str, ...]) -> tuple[str, list[dict[str, Any]]]:
    asked = escape(query[:60])
    if near:
        text = f"“{asked}” isn't in the glossary. Did you mean " + " or ".join(f"*{escape(t.term)}*" for t in near) + "?"
    else:
        who = ", ".join(mention(a) for a in admins) if admins else "your Joined Up administrator"
        text = (f"“{asked}” isn't defined in the partnership's glossary. If agencies use it, ask {who} "
                "to add it, so that everyone reads it the same way.")
    return text, [section(text)]
