"""`/joinedup glossary`: the partnership's agreed meanings, on request. Pure builders."""
from __future__ import annotations

from typing import Any, Sequence

from bot.blocks.text import SECTION_LIMIT, clip, context, escape, mention, section, sections
from bot.domain.config import RiskLevel
from bot.domain.glossary import Glossary, Term

STARTER_NOTE = "A starting definition shipped with Joined Up; the partnership has not yet reviewed it."
MAX_BLOCKS = 50  # in a message, and so in a command's answer
# Characters of text in the whole index. Slack has refused messages of about 11,000 characters spread over many
# blocks (msg_blocks_too_long) although each block was within its own limit; a list this long is also as much
# as anyone reads in one go.
INDEX_TEXT = 10000
NAMES_ROOM = 1500  # kept for the names of the terms that do not fit with their definitions
GIST = 160  # characters of a definition shown in the index; the whole of it is one `/joinedup glossary TERM` away
NAME = 150  # characters of a term's name, and of its aliases, shown in the index
# Marks a definition or name shortened on purpose, unlike "…", which marks text Slack's limits cut off.
ABRIDGED = " […]"
LOOK_UP = "Ask for any term with `/joinedup glossary TERM`."
EXPORT = ("for the whole glossary, ask your Joined Up administrator for its export "
          "(`joinedup glossary --format markdown`).")

Unit = tuple[str, bool]  # a line of the index, and whether it starts a section of its own


def glossary_index(glossary: Glossary, organisation: str,
                   risk_levels: Sequence[RiskLevel] = ()) -> tuple[str, list[dict[str, Any]]]:
    """The risk scale first, in the partnership's order and in full; then every other term by category, each with
    the start of its definition, as far as one answer holds; then the names of any that did not fit."""
    intro = section(f"*{escape(organisation)}: agreed terms*. {LOOK_UP}")
    scale = sections(_risk_scale(risk_levels)) if risk_levels else []
    head = [intro, *scale][:MAX_BLOCKS - 2]  # keeping two to name any terms left out
    shown_in_scale = {(level.label.casefold(), level.definition) for level in risk_levels}
    groups = [(category, [t for t in in_category if (t.term.casefold(), t.definition) not in shown_in_scale])
              for category, in_category in glossary.by_category().items()]
    groups = [(category, in_category) for category, in_category in groups if in_category]
    terms = [term for _, in_category in groups for term in in_category]
    room = INDEX_TEXT - sum(len(block["text"]["text"]) for block in head)
    blocks_left = MAX_BLOCKS - len(head)
    units = _term_units(groups, heading="*Other agreed terms*, by kind\n\n" if scale else "")
    listed, count = _packed(units, blocks=blocks_left, chars=room)
    if count < len(units):  # one unit a term: keep room to name the rest
        listed, count = _packed(units, blocks=blocks_left - 2, chars=room - NAMES_ROOM)
        listed += _the_rest(terms[count:])
    return f"{len(glossary.terms)} agreed terms" + (", risk levels first" if scale else ""), head + listed


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


def _risk_scale(levels: Sequence[RiskLevel]) -> str:
    lines = ["*Risk levels*, in the order agencies choose from when they share:"]
    for level in levels:
        meaning = escape(level.definition) if level.definition else "_no agreed definition yet_"
        marker, urgent = (":rotating_light: ", " _(urgent)_") if level.urgent else ("• ", "")
        lines.append(f"{marker}*{escape(level.label)}*{urgent}: {meaning}")
    return "\n".join(lines)


def _term_units(groups: list[tuple[str, list[Term]]], heading: str) -> list[Unit]:
    """One unit a term; each category starts a section under its title, the first also under `heading`."""
    units: list[Unit] = []
    for category, terms in groups:
        title = escape(_start_of(category[:1].upper() + category[1:], NAME))
        first = f"{heading if not units else ''}*{title}*\n{_term_line(terms[0])}"
        units += [(first, True), *((_term_line(t), False) for t in terms[1:])]
    return units


def _term_line(term: Term) -> str:
    also = f" ({escape(_start_of(', '.join(term.aliases), NAME))})" if term.aliases else ""
    return f"*{escape(_start_of(term.term, NAME))}*{also}: {escape(_start_of(term.definition, GIST))}"


def _start_of(text: str, limit: int) -> str:
    """The text on one line, or as much of it as fits in `limit`, cut at a word and marked as shortened."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - len(ABRIDGED)
    cut = text.rfind(" ", room // 2, room + 1)
    return text[:cut if cut != -1 else room].rstrip(" ,.;:–—-") + ABRIDGED


def _packed(units: list[Unit], *, blocks: int, chars: int) -> tuple[list[dict[str, Any]], int]:
    """Sections holding as many whole units as fit in `blocks` sections and `chars` characters; and how many."""
    texts: list[str] = []
    used = 0
    for count, (unit, starts_section) in enumerate(units):
        joins = bool(texts) and not starts_section and len(texts[-1]) + 1 + len(unit) <= SECTION_LIMIT
        cost = len(unit) + 1 if joins else len(unit)
        if used + cost > chars or (not joins and len(texts) >= blocks):
            return [section(text) for text in texts], count
        if joins:
            texts[-1] += "\n" + unit
        else:
            texts.append(clip(unit, SECTION_LIMIT))
        used += cost
    return [section(text) for text in texts], len(units)


def _the_rest(terms: list[Term]) -> list[dict[str, Any]]:
    """The names of terms left out, as many as the room kept for them holds, and how to read them all."""
    names, room = [], NAMES_ROOM - len("*Also in the glossary*: ")
    for term in terms:
        name = escape(_start_of(term.term, NAME))
        if len(name) + 2 > room:
            break
        names.append(name)
        room -= len(name) + 2
    more = len(terms) - len(names)
    blocks = [section("*Also in the glossary*: " + ", ".join(names))] if names else []
    left = (f"{more} more terms are not listed here. " if more > 1 else
            "1 more term is not listed here. " if more else "")
    return [*blocks, context(f"{left}{LOOK_UP[:-1]}; {EXPORT}")]
