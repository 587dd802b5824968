"""`joinedup serve`: gunicorn's asyncio workers in front of the Bolt app (never Bolt's development server).

Each worker reads every request whole on its event loop, then runs the WSGI application on a pool of threads
(bot/edge/asgi.py), so a client that sends slowly or not at all holds a connection, never a thread.
"""
from __future__ import annotations

import gc
import logging
import os
import signal
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.domain.config import Settings
from bot.processes.delivery import Deliverer, Nudge
from bot.processes.runtime import build_runtime
from bot.edge.asgi import WsgiOnAsyncio
from bot.edge.web import LARGEST_BODY, wsgi_application
from bot.links.web import LinkPages


log = logging.getLogger("joinedup")


def default_workers(is_sqlite: bool, cpus: int | None = None) -> int:
    """SQLite allows one writer at a time: one process with many threads beats several fighting for the lock.
    On PostgreSQL, one web worker per core but one: the delivery process and the database take the last. On
    two cores a second worker bought no throughput and cost a fifth more CPU per submission."""
    if is_sqlite:
        return 1
    return max(1, (cpus or os.cpu_count() or 1) - 1)


def server_options(settings: Settings, *, host: str, is_sqlite: bool) -> dict[str, Any]:
    workers = settings.workers or default_workers(is_sqlite)
    return {
        "bind": f"{host}:{settings.port}",
        "workers": workers,
        "worker_class": "asgi",
        "asgi_lifespan": "on",
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "backlog": 2048,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "joinedup",
        "control_socket_disable": True,  # gunicorn's runtime control socket, in the service user's home: unused
    }


class ConfiguredServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured from our options rather than its command line. `load()` returns a WSGI application,
    served on `settings.threads` threads in each worker."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def wsgi(self) -> Any:
        if self.callable is None:
            self.callable = WsgiOnAsyncio(self.load(), threads=self.settings.threads, largest_body=LARGEST_BODY)
        return self.callable


class JoinedUpServer(ConfiguredServer):
    """The web workers, and the deliverer that sends what they owe Slack (bot/processes/delivery.py)."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.nudge = Nudge()
        self.deliverer = Deliverer(settings, self.nudge)
        super().__init__(settings, {**options, "on_exit": lambda _arbiter: self.deliverer.stop(),
                                    "post_fork": lambda _arbiter, _worker: self.deliverer.forget(),
                                    "when_ready": lambda _arbiter: self._tell_deliverer_when_stopping()})

    def _tell_deliverer_when_stopping(self) -> None:
        """A service manager's SIGTERM and a terminal's Ctrl-C reach the whole process group, so the deliverer
        ends by itself while the server stops: the server's own handlers (gunicorn's, installed by now) first
        tell the deliverer's watch to expect it, rather than take it for a failure and start it again."""
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            gunicorns = signal.getsignal(number)

            def handler(signum: int, frame: Any, gunicorns: Any = gunicorns) -> None:
                self.deliverer.expect_stop()
                gunicorns(signum, frame)

            signal.signal(number, handler)

    def run(self) -> None:
        self.deliverer.start()
        try:
            super().run()
        finally:
            self.deliverer.stop()

    def load(self) -> Any:
        """Runs in each worker after the fork: its own database pool and Slack client."""
        runtime = build_runtime(self.settings, migrate=False, deliver_elsewhere=self.nudge.poke)
        links = LinkPages(services=runtime.services, secret=self.settings.signing_secret or "") \
            if runtime.services.partnership.email else None
        application = wsgi_application(runtime.app, runtime.services.db, signing_secret=self.settings.signing_secret or "",
                                       links=links)
        # What start-up made lives as long as the worker: keep it out of the collector's full passes, which
        # otherwise walk all of it and hold every request thread for tens of milliseconds under load.
        gc.freeze()
        log.info("worker ready")
        return application
