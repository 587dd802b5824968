"""Events API subscriptions (App Home's lives in handlers/home.py)."""
from __future__ import annotations

from slack_bolt import App

from bot.services.wiring import Services
from handlers import home


def register(app: App, services: Services) -> None:
    home.register(app, services)
