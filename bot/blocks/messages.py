"""Short replies: help, refusals and apologies; and each person's choice of language."""
from __future__ import annotations

from typing import Any

from bot.blocks.text import context, escape, plain, section
from bot.i18n import WELSH, N_, _, speaking

# Each line of the help is one sentence of its own.
HELP = (
    N_("*Joined Up* keeps a written record of face-to-face conversations about a child and shares it with the right "
       "agencies."),
    N_("• `/record` (or `/record CR-12345`): record a conversation and share it"),
    N_("• `/joinedup mine`: what is waiting for your agency and what you have shared"),
    N_("• `/joinedup show JU-000042`: a whole record with its history"),
    N_("• `/joinedup glossary [term]`: the partnership's agreed definitions"),
    N_("• `/joinedup audit JU-000042`: a record's audit trail (admins)"),
    N_("• `/joinedup report [this week | last 30 days | 2026-11-01..2026-11-30]`: partnership figures (admins, "
       "leads)"),
)
HELP_LANGUAGE = N_("• `/joinedup language [cymraeg | english]`: Joined Up in Welsh or in English, for you "
                   "(`/joinedup iaith` too)")
HELP_HELP = N_("• `/joinedup help`: this message")


def help_blocks(unknown: str | None = None, *, languages: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """`languages`: where the partnership offers Welsh and English, each person chooses, and the help says how."""
    blocks = []
    if unknown:
        blocks.append(section(_("I don't know `{word}`. Here is what I can do:", word=escape(unknown[:40]))))
    lines = [_(line) for line in HELP] + ([_(HELP_LANGUAGE)] if languages else []) + [_(HELP_HELP)]
    blocks.append(section("\n".join(lines)))
    blocks.append(context(_("Joined Up is not an emergency service. If a child is in immediate danger, call 999.")))
    return _("Joined Up: how to use it"), blocks


# --- each person's language (`/joinedup language`, `/joinedup iaith`) --------------------------------------------

def one_language() -> str:
    """Where the partnership works in one language: nothing to choose, and no word of any other."""
    return _("Joined Up speaks one language in this partnership, so there is nothing to choose.")


def language_now(current: str) -> str:
    if current == WELSH:
        return _("Joined Up speaks to you in Welsh. To change it: `/joinedup language english`, or the buttons at the "
                 "top of Joined Up's App Home.")
    return _("Joined Up speaks to you in English. To change it: `/joinedup language cymraeg`, or the buttons at the "
             "top of Joined Up's App Home.")


def unknown_language(word: str) -> str:
    return _("I don't know a language called `{word}`. Joined Up speaks Cymraeg and English: "
             "`/joinedup language cymraeg` or `/joinedup language english`.", word=escape(word[:40]))


def language_chosen(chosen: str) -> str:
    """The confirmation, in the language just chosen."""
    with speaking(chosen):
        if chosen == WELSH:
            return _("Done: Joined Up will speak to you in Welsh from now on, here and in App Home.")
        return _("Done: Joined Up will speak to you in English from now on, here and in App Home.")


# What a click or command that failed on our side is told (the database unreachable, say): nothing counts as done.
NOT_SAVED = N_("Sorry, something went wrong on our side and that was not saved: nothing was changed. "
               "Please try again in a minute.")


def problem_view() -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain(_("Not saved yet"), 24),
        "close": plain(_("Back to my record"), 24),
        "blocks": [section(_("Something went wrong on our side and your record was *not saved*. "
                             "Go back to your record (your text is still there) and press *Save and share* again. "
                             "If it keeps happening, tell your Joined Up administrator."))],
    }


# Whole sentences for each way of trying again, by the words callers give.
_AGAIN = {
    "type the command again": N_("Sorry, the form could not open ({reason}). Please type the command again: Slack "
                                 "only allows a few seconds to open it."),
    "click the button again": N_("Sorry, the form could not open ({reason}). Please click the button again: Slack "
                                 "only allows a few seconds to open it."),
    "use the shortcut again": N_("Sorry, the form could not open ({reason}). Please use the shortcut again: Slack "
                                 "only allows a few seconds to open it."),
}


def form_unavailable(reason: str, *, again: str = "type the command again") -> str:
    return _(_AGAIN.get(again, _AGAIN["type the command again"]), reason=escape(reason))


def acknowledgement_reply(outcome: str, *, reference: str, agency: str, by: str | None, at: Any) -> str:
    """What the person who clicked is told, in words; nothing of the record's content."""
    from bot.blocks.text import mention, slack_date

    if outcome == "acknowledged":
        return _(":white_check_mark: You acknowledged {reference} for {agency}.", reference=reference,
                 agency=escape(agency))
    if outcome == "already":
        who = mention(by) if by else _("someone")
        if at:
            return _("{reference} was already acknowledged for {agency} by {person}, {when}. Nothing more to do.",
                     reference=reference, agency=escape(agency), person=who,
                     when=slack_date(at, '{date_short_pretty} {time}'))
        return _("{reference} was already acknowledged for {agency} by {person}. Nothing more to do.",
                 reference=reference, agency=escape(agency), person=who)
    if outcome == "not_member":
        return _("Only members of {agency} can acknowledge for it, and Joined Up doesn't count you as one. "
                 "If you should be, ask to join the agency's channel, or ask its lead to add you.",
                 agency=escape(agency))
    return _("This record is no longer available in Joined Up.")


def no_access(reference: str) -> str:
    return _("You don't have access to a record called {reference}. Records are shown to their sharer, the agencies "
             "they were shared with, and the partnership's admins.", reference=escape(reference[:20]))


def acknowledge_note_form(share_id: int, reference: str, agency: str) -> dict[str, Any]:
    from bot.blocks.ids import Callback, Field, VALUE
    from bot.blocks.limits import longest

    return {
        "type": "modal", "callback_id": Callback.ACKNOWLEDGE_NOTE_FORM, "private_metadata": str(share_id),
        "title": plain(_("Acknowledge receipt"), 24), "submit": plain(_("Acknowledge"), 24),
        "close": plain(_("Cancel"), 24),
        "blocks": [
            section(_("Acknowledge *{reference}* for *{agency}*, with a note for the sharer.", reference=reference,
                      agency=escape(agency))),
            {"type": "input", "block_id": Field.NOTE, "label": plain(_("Note")),
             "element": {"type": "plain_text_input", "action_id": VALUE, "multiline": True,
                         "max_length": longest(Field.NOTE),
                         "placeholder": plain(_("e.g. Passed to our duty nurse, who will visit on Thursday"))}},
        ],
    }


def info_view(title: str, text: str) -> dict[str, Any]:
    """`title` and `text` come already in the reader's language."""
    return {"type": "modal", "title": plain(title, 24), "close": plain(_("Close"), 24), "blocks": [section(text)]}

