"""App Home: each person's own work, published when they open it and after they act on it; for the partnership's
admins, this week's partnership figures below it. Where the partnership offers Welsh and English, each person
chooses theirs at the top, and App Home is published again in it at once."""
from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.home_figures import partnership_blocks
from bot.blocks.ids import Action, Event, LanguageAction
from bot.blocks.overview import home_view, parse_more
from bot.i18n import LANGUAGES, using
from bot.services.home_figures import home_figures
from bot.services.languages import voice_for
from bot.services.wiring import Services


def publish_home(services: Services, user_id: str, *, waiting_offset: int = 0, shared_offset: int = 0) -> None:
    """Always in the person's own language, whoever's action led here."""
    language = services.languages.of(user_id)
    with using(voice_for(services.partnership, language)):
        overview = services.overview.overview(user_id, waiting_offset=waiting_offset, shared_offset=shared_offset)
        figures = home_figures(user_id, db=services.db, partnership=services.partnership,
                               directory=services.directory, clock=services.clock)
        below = None if figures is None else partnership_blocks(figures.report, services.partnership,
                                                                kept=figures.kept)
        view = home_view(overview, below, language=language if services.languages.offered else None)
    services.client.views_publish(user_id=user_id, view=view)


def register(app: App, services: Services) -> None:
    @app.event(Event.APP_HOME_OPENED)
    def home_opened(event: dict[str, Any]) -> None:
        if event.get("tab") == "home" and event.get("user"):
            services.later(publish_home, services, event["user"])

    @app.action(Action.HOME_MORE)
    def show_older(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        waiting, shared = parse_more(str(action.get("value") or ""))
        services.later(publish_home, services, body["user"]["id"], waiting_offset=waiting, shared_offset=shared)

    def choose_language(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Cymraeg or English from App Home's buttons: stored, then App Home again in it. Choosing the language
        already chosen stores the same and publishes the same; a value that names no language changes nothing."""
        ack()
        chosen = action.get("value")
        user_id = body["user"]["id"]
        if not services.languages.offered or chosen not in LANGUAGES:
            return
        services.languages.choose(user_id, chosen)  # a failure here is told "not saved" in the DM (bot/app.py)
        services.later(publish_home, services, user_id)

    for action_id in LanguageAction:
        app.action(action_id)(choose_language)
