"""Events API subscriptions."""
from __future__ import annotations

from slack_bolt import App

from bot.app import Services


def register(app: App, services: Services) -> None:
    pass
