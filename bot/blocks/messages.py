"""Short replies: help, refusals and apologies."""
from __future__ import annotations

from typing import Any

from bot.blocks.text import context, escape, plain, section

HELP = (
    "*Joined Up* keeps a written record of face-to-face conversations about a child and shares it with the right agencies.\n"
    "• `/record` (or `/record CR-12345`): record a conversation and share it\n"
    "• `/joinedup mine`: what is waiting for your agency and what you have shared\n"
    "• `/joinedup show JU-000042`: a whole record with its history\n"
    "• `/joinedup glossary [term]`: the partnership's agreed definitions\n"
    "• `/joinedup audit JU-000042`: a record's audit trail (admins)\n"
    "• `/joinedup report [this week | last 30 days | 2026-11-01..2026-11-30]`: partnership figures (admins, leads)\n"
    "• `/joinedup help`: this message"
)


def help_blocks(unknown: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    blocks = []
    if unknown:
        blocks.append(section(f"I don't know `{escape(unknown[:40])}`. Here is what I can do:"))
    blocks.append(section(HELP))
    blocks.append(context("Joined Up is not an emergency service. If a child is in immediate danger, call 999."))
    return "Joined Up: how to use it", blocks


# What a click or command that failed on our side is told (the database unreachable, say): nothing counts as done.
NOT_SAVED = ("Sorry, something went wrong on our side and that was not saved: nothing was changed. "
             "Please try again in a minute.")


def problem_view() -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain("Not saved yet", 24),
        "close": plain("Back to my record", 24),
        "blocks": [section("Something went wrong on our side and your record was *not saved*. "
                           "Go back to your record (your text is still there) and press *Save and share* again. "
                           "If it keeps happening, tell your Joined Up administrator.")],
    }


def form_unavailable(reason: str, *, again: str = "type the command again") -> str:
    return (f"Sorry, the form could not open ({escape(reason)}). Please {again}: "
            "Slack only allows a few seconds to open it.")


def acknowledgement_reply(outcome: str, *, reference: str, agency: str, by: str | None, at: Any) -> str:
    """What the person who clicked is told, in words; nothing of the record's content."""
    from bot.blocks.text import mention, slack_date

    if outcome == "acknowledged":
        return f":white_check_mark: You acknowledged {reference} for {escape(agency)}."
    if outcome == "already":
        who = mention(by) if by else "someone"
        when = f", {slack_date(at, '{date_short_pretty} {time}')}" if at else ""
        return f"{reference} was already acknowledged for {escape(agency)} by {who}{when}. Nothing more to do."
    if outcome == "not_member":
        return (f"Only members of {escape(agency)} can acknowledge for it, and Joined Up doesn't count you as one. "
                f"If you should be, ask to join the agency's channel, or ask its lead to add you.")
    return "This record is no longer available in Joined Up."


def no_access(reference: str) -> str:
    return (f"You don't have access to a record called {escape(reference[:20])}. Records are shown to their sharer, "
            "the agencies they were shared with, and the partnership's admins.")


def acknowledge_note_form(share_id: int, reference: str, agency: str) -> dict[str, Any]:
    from bot.blocks.ids import Callback, Field, VALUE
    from bot.blocks.limits import longest

    return {
        "type": "modal", "callback_id": Callback.ACKNOWLEDGE_NOTE_FORM, "private_metadata": str(share_id),
        "title": plain("Acknowledge receipt", 24), "submit": plain("Acknowledge", 24), "close": plain("Cancel", 24),
        "blocks": [
            section(f"Acknowledge *{reference}* for *{escape(agency)}*, with a note for the sharer."),
            {"type": "input", "block_id": Field.NOTE, "label": plain("Note"),
             "element": {"type": "plain_text_input", "action_id": VALUE, "multiline": True,
                         "max_length": longest(Field.NOTE),
                         "placeholder": plain("e.g. Passed to our duty nurse, who will visit on Thursday")}},
        ],
    }


def info_view(title: str, text: str) -> dict[str, Any]:
    return {"type": "modal", "title": plain(title, 24), "close": plain("Close", 24), "blocks": [section(text)]}
