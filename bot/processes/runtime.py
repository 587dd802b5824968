"""Builds a running Joined Up from the operator's settings: used by serve, socket, sweep and demo."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Callable

from slack_bolt import App
from slack_bolt.error import BoltError

from bot.app import create_app
from bot.edge.client import slack_client
from bot.domain.clock import Clock, SystemClock
from bot.domain.config import Settings, load_partnership
from bot.services.wiring import Services, build_services
from storage.db import Database

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Joined Up cannot start; the message says why and what to do, in one line."""


@dataclass
class Runtime:
    app: App
    services: Services


def after_delay(seconds: float, action: Callable[[], None]) -> None:
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()


def build_services_for(settings: Settings, *, clock: Clock | None = None, work: Executor | None = None,
                       migrate: bool = False, long_running: bool = True,
                       deliver_elsewhere: Callable[[], None] | None = None) -> Services:
    """`long_running` (serve, socket) retries rate-limited messages on timers; a one-off command does not wait.
    `deliver_elsewhere`, where given, is called instead of delivering in this process (serve's web workers)."""
    partnership = load_partnership(settings.config_path)
    assert settings.bot_token, "call settings.require first"
    db = Database(settings.database_url, checkpoints=deliver_elsewhere is None)  # the deliverer checkpoints
    if migrate:
        db.migrate()
    return build_services(partnership=partnership, db=db, clock=clock or SystemClock(), work=work,
                          client=slack_client(settings.bot_token, settings.slack_api_url),
                          delay=after_delay if long_running else None, deliver_elsewhere=deliver_elsewhere,
                          smtp_login=(settings.smtp_username, settings.smtp_password))


def build_runtime(settings: Settings, *, clock: Clock | None = None, work: Executor | None = None,
                  listener_executor: Executor | None = None, migrate: bool = True, long_running: bool = True,
                  deliver_elsewhere: Callable[[], None] | None = None) -> Runtime:
    services = build_services_for(settings, clock=clock, work=work, migrate=migrate, long_running=long_running,
                                  deliver_elsewhere=deliver_elsewhere)
    try:
        app = create_app(services, signing_secret=settings.signing_secret, listener_executor=listener_executor)
    except BoltError as error:
        raise StartupError(f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token again") from None
    except OSError as error:
        where = settings.slack_api_url or "Slack"
        raise StartupError(f"could not reach {where} to check SLACK_BOT_TOKEN ({error}): check the network"
                           + (" and SLACK_API_URL" if settings.slack_api_url else "")) from None
    if long_running:
        services.records.warm()
    return Runtime(app=app, services=services)
