"""Slash commands: /record opens the form; /joinedup answers questions."""
from __future__ import annotations

from typing import Any, Callable

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.blocks.audit import audit_blocks
from bot.blocks.glossary import glossary_answer, glossary_index, glossary_not_found
from bot.blocks.ids import Command
from bot.blocks.messages import form_unavailable, help_blocks, language_chosen, language_now, no_access, \
    one_language, unknown_language
from bot.blocks.overview import history_blocks, mine_message
from bot.blocks.record_form import record_form
from bot.blocks.report import REFUSED as REPORT_REFUSED, bad_period, report_blocks
from bot.reports.period import Period, PeriodError, parse_period
from bot.reports.service import PartnershipFigures
from bot.i18n import N_, _
from bot.services.languages import NAMES
from bot.services.records import calendar_for
from bot.services.audit import trail
from bot.services.wiring import Services
from storage.models import parse_reference
from handlers.home import publish_home


def register(app: App, services: Services) -> None:
    @app.command(Command.RECORD)
    def open_record_form(ack: Ack, body: dict[str, Any]) -> None:
        # views.open must come first: the trigger_id dies three seconds after the command was typed.
        defaults = services.records.form_defaults(body["user_id"], body.get("text") or "")
        try:
            services.client.views_open(trigger_id=body["trigger_id"], view=record_form(services.partnership, defaults))
        except SlackApiError as error:
            ack(text=form_unavailable(error.response.get("error") or _("Slack refused")))
            return
        ack()

    def mine(argument: str, body: dict[str, Any], ack: Ack, respond: Respond) -> None:
        ack()
        services.later(_respond_with_overview, services, body["user_id"], respond)

    def show(argument: str, body: dict[str, Any], ack: Ack, respond: Respond) -> None:
        if not argument.strip():
            ack(text=_("Say which record, e.g. `/joinedup show JU-000042`."))
            return
        ack()
        services.later(_respond_with_record, services, body["user_id"], argument.strip(), respond)

    def glossary(argument: str, body: dict[str, Any], ack: Ack, respond: Respond) -> None:
        query = argument.strip()
        if not query:
            text, blocks = glossary_index(services.glossary, services.partnership.name,
                                          services.partnership.risk_levels)
        elif term := services.glossary.lookup(query):
            text, blocks = glossary_answer(term)
        else:
            text, blocks = glossary_not_found(query, services.glossary.near_matches(query),
                                              services.partnership.admins)
        ack(text=text, blocks=blocks)

    def audit(argument: str, body: dict[str, Any], ack: Ack, respond: Respond) -> None:
        record_id = parse_reference(argument)
        if not services.directory.is_admin(body["user_id"]):
            ack(text=_("Only the partnership's Joined Up admins can see audit trails."))
        elif record_id is None:
            ack(text=_("Say which record, e.g. `/joinedup audit JU-000042`."))
        else:
            text, blocks = audit_blocks(record_id, trail(services.db, record_id), services.partnership)
            ack(text=text, blocks=blocks)

    def report(argument: str, body: dict[str, Any], ack: Ack, respond: Respond) -> None:
        user = body["user_id"]
        agencies = [a.key for a in services.partnership.agencies] if services.directory.is_admin(user) else \
            [a.key for a in services.partnership.agencies if user in a.leads]
        if not agencies:
            ack(text=_(REPORT_REFUSED))
            return
        try:
            period = parse_period(argument, services.clock.now(), services.partnership.zone)
        except PeriodError as error:
            ack(text=bad_period(str(error)))
            return
        ack()
        services.later(_respond_with_report, services, period, agencies, respond)

    def language(argument: str, body: dict[str, Any], ack: Ack, respond: Respond) -> None:
        """Cymraeg or English, where the partnership offers both: stored first, then confirmed in the new one."""
        languages, user = services.languages, body["user_id"]
        word = argument.strip().lower()
        if not languages.offered:
            ack(text=one_language())
        elif not word:
            ack(text=language_now(languages.of(user)))
        elif (chosen := NAMES.get(word)) is None:
            ack(text=unknown_language(argument.strip()))
        else:
            languages.choose(user, chosen)  # a failure here is answered "not saved" (bot/app.py), never "done"
            ack(text=language_chosen(chosen))
            services.later(publish_home, services, user)  # App Home in the new language, straight away

    subcommands: dict[str, Callable[[str, dict[str, Any], Ack, Respond], None]] = {
        "mine": mine, "show": show, "glossary": glossary, "audit": audit, "report": report,
        "language": language, "iaith": language}

    @app.command(Command.JOINEDUP)
    def joinedup(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        words = (body.get("text") or "").strip().split(maxsplit=1)
        name = words[0].lower() if words else "help"
        argument = words[1] if len(words) > 1 else ""
        handler = subcommands.get(name)
        if handler is None:
            text, blocks = help_blocks(None if name in ("help", "cymorth") else name,
                                       languages=services.languages.offered)
            ack(text=text, blocks=blocks)
            return
        handler(argument, body, ack, respond)



MINE_PAGE = 5  # a message holds 50 blocks, App Home 100: five of each kind fit with room to spare


# After the ack the command has no answer of its own: one that fails on our side must still say so.
UNREACHABLE = N_("Sorry, Joined Up could not reach its records just now, so there is nothing to show. "
                 "Please try again in a minute.")


def _respond_with_overview(services: Services, user_id: str, respond: Respond) -> None:
    try:
        overview = services.overview.overview(user_id, page=MINE_PAGE)
    except SQLAlchemyError:
        respond(text=_(UNREACHABLE), response_type="ephemeral")
        raise
    text, blocks = mine_message(overview)
    respond(text=text, blocks=blocks, response_type="ephemeral")


def _respond_with_record(services: Services, user_id: str, reference: str, respond: Respond) -> None:
    try:
        history = services.overview.history(user_id, reference)  # and the audit trail's note that it was seen
    except SQLAlchemyError:
        respond(text=_(UNREACHABLE), response_type="ephemeral")
        raise
    if history is None:
        respond(text=no_access(reference), response_type="ephemeral")
        return
    record = history.record
    terms = services.glossary.terms_in(record.summary, record.actions, record.purpose_detail, record.requested_action)
    respond(text=record.reference, response_type="ephemeral",
            blocks=history_blocks(history, services.partnership, terms))


def _respond_with_report(services: Services, period: Period, agencies: list[str], respond: Respond) -> None:
    figures = PartnershipFigures(db=services.db, partnership=services.partnership,
                                 calendar=calendar_for(services.partnership))
    try:
        report = figures.report(period, services.clock.now())
    except SQLAlchemyError:
        respond(text=_(UNREACHABLE), response_type="ephemeral")
        raise
    text, blocks = report_blocks(report, services.partnership, agencies)
    respond(text=text, blocks=blocks, response_type="ephemeral")
