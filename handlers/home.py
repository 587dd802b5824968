"""App Home: each person's own work, published when they open it and after they act on it; for the partnership's
admins, this week's partnership figures below it."""
from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.home_figures import partnership_blocks
from bot.blocks.ids import Action, Event
from bot.blocks.overview import home_view, parse_more
from bot.services.home_figures import home_figures
from bot.services.wiring import Services


def publish_home(services: Services, user_id: str, *, waiting_offset: int = 0, shared_offset: int = 0) -> None:
    overview = services.overview.overview(user_id, waiting_offset=waiting_offset, shared_offset=shared_offset)
    figures = home_figures(user_id, db=services.db, partnership=services.partnership,
                           directory=services.directory, clock=services.clock)
    below = None if figures is None else partnership_blocks(figures.report, services.partnership)
    services.client.views_publish(user_id=user_id, view=home_view(overview, below))


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
