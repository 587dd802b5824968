"""`/joinedup glossary`: the partnership's agreed meanings, on request, in the reader's language. Pure builders.

A term is shown in the reader's voice (`shown`): its Welsh name and definition to a Welsh reader, its English to an
English reader, both (Welsh first) where a channel is bilingual; a term without Welsh is shown in English.
"""
from __future__ import annotations

from typing import Any, Sequence

from bot.blocks.text import SECTION_LIMIT, clip, context, escape, mention, section, sections
from bot.domain.config import RiskLevel
from bot.domain.glossary import OTHER, Glossary, Term
from bot.i18n import ENGLISH, WELSH, N_, _, ngettext, ours, voice
from bot.i18n.voice import both

STARTER_NOTE = N_("A starting definition shipped with Joined Up; the partnership has not yet reviewed it.")
# The shipped kinds of term (bot/domain/glossary.py CATEGORIES); a partnership's own kinds are shown as written.
CATEGORY_TITLES = {"risk level": N_("Risk level"), "need level": N_("Need level"), "legal status": N_("Legal status"),
                   "service": N_("Service"), "process": N_("Process"), OTHER: N_("Other")}
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

Unit = tuple[str, bool]  # a line of the index, and whether it starts a section of its own


def shown(term: Term, gist: int | None = None) -> tuple[str, str]:
    """The term's name and definition as the reader reads them: Welsh, English, or both with the Welsh first (a
    term without Welsh in English). `gist`: only the start of each definition, as the index shows it."""
    languages = voice().languages
    names = [term.term_cy or term.term if code == WELSH else term.term for code in languages]
    definitions = [term.definition_cy or term.definition if code == WELSH else term.definition for code in languages]
    if gist:
        definitions = [_start_of(definition, gist) for definition in definitions]
    return " / ".join(dict.fromkeys(names)), both(definitions)


def aliases_shown(term: Term) -> tuple[str, ...]:
    """Other names for the term in the reader's languages, Welsh first."""
    languages = voice().languages
    return (*(term.aliases_cy if WELSH in languages else ()), *(term.aliases if ENGLISH in languages else ()))


def other_name(term: Term) -> str | None:
    """The term's name in the language the reader does not read, to talk about it across languages."""
    languages = voice().languages
    if languages == (ENGLISH,) and term.term_cy:
        return labelled(_("In Welsh"), escape(term.term_cy))
    if languages == (WELSH,) and term.term_cy:
        return labelled(_("In English"), escape(term.term))
    return None


def labelled(label: str, value: str) -> str:
    return f"{label}: {value}"


def category_title(category: str) -> str:
    own = CATEGORY_TITLES.get(category)
    return _(own) if own else category[:1].upper() + category[1:]


def glossary_index(glossary: Glossary, organisation: str,
                   risk_levels: Sequence[RiskLevel] = ()) -> tuple[str, list[dict[str, Any]]]:
    """The risk scale first, in the partnership's order and in full; then every other term by category, each with
    the start of its definition, as far as one answer holds; then the names of any that did not fit."""
    intro = section(_("*{organisation}: agreed terms*. Ask for any term with `/joinedup glossary TERM`.",
                      organisation=escape(organisation)))
    scale = sections(_risk_scale(risk_levels)) if risk_levels else []
    head = [intro, *scale][:MAX_BLOCKS - 2]  # keeping two to name any terms left out
    shown_in_scale = {(level.label.casefold(), level.definition) for level in risk_levels}
    # In the reader's alphabet: a Welsh reader's terms by their Welsh names.
    groups = [(category, sorted((t for t in in_category if (t.term.casefold(), t.definition) not in shown_in_scale),
                                key=lambda t: shown(t)[0].casefold()))
              for category, in_category in glossary.by_category().items()]
    groups = [(category, in_category) for category, in_category in groups if in_category]
    terms = [term for _, in_category in groups for term in in_category]
    room = INDEX_TEXT - sum(len(block["text"]["text"]) for block in head)
    blocks_left = MAX_BLOCKS - len(head)
    units = _term_units(groups, heading=_("*Other agreed terms*, by kind") + "\n\n" if scale else "")
    listed, count = _packed(units, blocks=blocks_left, chars=room)
    if count < len(units):  # one unit a term: keep room to name the rest
        listed, count = _packed(units, blocks=blocks_left - 2, chars=room - NAMES_ROOM)
        listed += _the_rest(terms[count:])
    count_text = (ngettext("{n} agreed term, risk levels first", "{n} agreed terms, risk levels first",
                           len(glossary.terms)) if scale else
                  ngettext("{n} agreed term", "{n} agreed terms", len(glossary.terms)))
    return count_text, head + listed


def glossary_answer(term: Term) -> tuple[str, list[dict[str, Any]]]:
    name, definition = shown(term)
    details = [other] if (other := other_name(term)) else []
    # Labels in the reader's languages, each value once (a bilingual label reads "Ffynhonnell / Source").
    if aliases := aliases_shown(term):
        details.append(labelled(_("Also called"), escape(", ".join(aliases))))
    if term.source:
        details.append(labelled(_("Source"), escape(term.source)))
    if term.category:
        details.append(labelled(_("Category"), escape(category_title(term.category))))
    blocks = [*sections(f"*{escape(name)}*\n{escape(definition)}")]
    if details:
        blocks.append(context(" · ".join(details)))
    if term.starter:
        blocks.append(context(_(STARTER_NOTE)))
    return escape(clip(f"{name}: {definition}", SECTION_LIMIT)), blocks


def glossary_not_found(query: str, near: list[Term], admins: tuple[str, ...]) -> tuple[str, list[dict[str, Any]]]:
    asked = escape(query[:60])
    if near:
        first, second, third = ([f"*{escape(shown(t)[0])}*" for t in near[:3]] + ["", ""])[:3]
        if third:
            text = _("“{asked}” isn't in the glossary. Did you mean {first}, {second} or {third}?", asked=asked,
                     first=first, second=second, third=third)
        elif second:
            text = _("“{asked}” isn't in the glossary. Did you mean {first} or {second}?", asked=asked, first=first,
                     second=second)
        else:
            text = _("“{asked}” isn't in the glossary. Did you mean {first}?", asked=asked, first=first)
    else:
        who = ", ".join(mention(a) for a in admins) if admins else _("your Joined Up administrator")
        text = _("“{asked}” isn't defined in the partnership's glossary. If agencies use it, ask {who} to add it, "
                 "so that everyone reads it the same way.", asked=asked, who=who)
    return text, [section(text)]


def _risk_scale(levels: Sequence[RiskLevel]) -> str:
    lines = [_("*Risk levels*, in the order agencies choose from when they share:")]
    for level in levels:
        meaning = escape(ours(level.definition)) if level.definition else _("_no agreed definition yet_")
        marker, urgent = (":rotating_light: ", " " + _("_(urgent)_")) if level.urgent else ("• ", "")
        lines.append(f"{marker}*{escape(ours(level.label))}*{urgent}: {meaning}")
    return "\n".join(lines)


def _term_units(groups: list[tuple[str, list[Term]]], heading: str) -> list[Unit]:
    """One unit a term; each category starts a section under its title, the first also under `heading`."""
    units: list[Unit] = []
    for category, terms in groups:
        title = escape(_start_of(category_title(category), NAME))
        first = f"{heading if not units else ''}*{title}*\n{_term_line(terms[0])}"
        units += [(first, True), *((_term_line(t), False) for t in terms[1:])]
    return units


def _term_line(term: Term) -> str:
    name, definition = shown(term, gist=GIST)
    aliases = aliases_shown(term)
    also = f" ({escape(_start_of(', '.join(aliases), NAME))})" if aliases else ""
    return f"*{escape(_start_of(name, NAME))}*{also}: {escape(definition)}"


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
    names, room = [], NAMES_ROOM - len(_("*Also in the glossary*: {names}", names=""))
    for term in terms:
        name = escape(_start_of(shown(term)[0], NAME))
        if len(name) + 2 > room:
            break
        names.append(name)
        room -= len(name) + 2
    more = len(terms) - len(names)
    blocks = [section(_("*Also in the glossary*: {names}", names=", ".join(names)))] if names else []
    if more:
        how = ngettext("{n} more term is not listed here. Ask for any term with `/joinedup glossary TERM`; for the "
                       "whole glossary, ask your Joined Up administrator for its export "
                       "(`joinedup glossary --format markdown`).",
                       "{n} more terms are not listed here. Ask for any term with `/joinedup glossary TERM`; for the "
                       "whole glossary, ask your Joined Up administrator for its export "
                       "(`joinedup glossary --format markdown`).", more)
    else:
        how = _("Ask for any term with `/joinedup glossary TERM`; for the whole glossary, ask your Joined Up "
                "administrator for its export (`joinedup glossary --format markdown`).")
    return [*blocks, context(how)]
