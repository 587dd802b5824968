"""`joinedup serve`: gunicorn's threaded workers in front of the Bolt app (never Bolt's development server)."""
from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.config import Settings
from bot.runtime import build_runtime
from bot.scheduling import start_scheduler
from bot.sweep import sweeper_for
from bot.web import wsgi_application


log = logging.getLogger("joinedup")


def server_options(settings: Settings, *, host: str, is_sqlite: bool) -> dict[str, Any]:
    # SQLite allows one writer at a time: one process with many threads beats several fighting for the lock.
    workers = settings.workers or (1 if is_sqlite else 2)
    return {
        "bind": f"{host}:{settings.port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": settings.threads,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "backlog": 2048,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "joinedup",
    }


class ConfiguredServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured from our options rather than its command line."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)


class JoinedUpServer(ConfiguredServer):
    def load(self) -> Any:
        """Runs in each worker after the fork: its own database pool, Slack client and schedule."""
        runtime = build_runtime(self.settings, migrate=False)
        sweeper = sweeper_for(runtime.services)
        start_scheduler(deliver_due=runtime.services.outbox.deliver_due, sweep=sweeper.run)
        log.info("worker ready")
        return wsgi_application(runtime.app, runtime.services.db, signing_secret=self.settings.signing_secret or "")
