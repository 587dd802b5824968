"""Real parts: a real HTTP server running Joined Up, the Slack stand-in over HTTP, SQLite and PostgreSQL."""
from __future__ import annotations

import re

import os
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from socketserver import ThreadingMixIn

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.app import create_app
from bot.edge.client import slack_client
from bot.services.wiring import Services, build_services
from bot.domain.clock import FixedClock
from bot.domain.config import Partnership
from bot.processes.executors import InlineExecutor
from bot.demo.sample import SAM, SAMPLE_ANSWERS, populate, sample_partnership
from bot.standin.slack import SlackStandIn
from bot.edge.web import wsgi_application
from storage.db import Database, normalise_url
from storage.models import Base
from bot.standin.filling import FormFiller
from bot.standin.signed_requests import Reply, SlackSender

SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-token"
# A Tuesday morning in November, Europe/London (GMT).
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
POSTGRES_ENV = "JOINEDUP_TEST_POSTGRES_URL"


# --- databases ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test run, dropped at the end."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}, e.g. postgresql://postgres@127.0.0.1:5432/postgres")
    admin_url = make_url(normalise_url(server))
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure to connect means: skip, and say why
        pytest.skip(f"PostgreSQL at {admin_url.render_as_string(hide_password=True)} did not answer: {error}")
    name = f"joinedup_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    Database(url).migrate()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path}/joinedup.db")
        db.migrate()
    else:
        db = Database(request.getfixturevalue("postgres_url"))
        with db.engine.begin() as connection:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield db
    db.dispose()


# --- Slack ----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def standin_server() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def standin(standin_server: SlackStandIn) -> SlackStandIn:
    standin_server.reset()
    standin_server.set_delay(0)
    populate(standin_server)
    return standin_server


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


VALID_ANSWERS: dict[str, Any] = dict(SAMPLE_ANSWERS)


@dataclass
class JoinedUp:
    """Joined Up running behind a real HTTP server, with Slack played by the stand-in."""

    services: Services
    standin: SlackStandIn
    clock: FixedClock
    slack: SlackSender
    db: Database
    partnership: Partnership
    _stop: Any = field(repr=False, default=None)

    def open_form(self, user: str = SAM.user_id, text: str = "") -> dict[str, Any]:
        before = self.standin.count("views.open")
        reply = self.slack.command("/record", text, user=user)
        assert reply.status == 200, reply
        assert self.standin.count("views.open") == before + 1, f"no form opened: {reply.body}"
        return self.standin.views(user)[-1]

    def record(self, user: str = SAM.user_id, **answers: Any) -> Reply:
        """Open the form, fill it in validly (with any answers changed) and submit it. An answer for a field the
        form shows only on a choice or a click is given as a person gives it: see bot/standin/filling.py."""
        return self.filler.submit(self.open_form(user), {**VALID_ANSWERS, **answers}, user=user)

    @property
    def filler(self) -> FormFiller:
        return FormFiller(self.slack, lambda view_id: next(v for v in self.standin.views() if v["id"] == view_id))

    def fill_form(self, view: dict[str, Any], answers: dict[str, Any], user: str = SAM.user_id,
                  every_choice: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
        """The form as a person leaves it after giving these answers (choices sent to Joined Up as they are made),
        and its state, ready to submit."""
        return self.filler.fill_in(view, answers, user=user, every_choice=every_choice)

    def posts(self, channel: str) -> list[dict[str, Any]]:
        return [m for m in self.standin.messages(channel) if not m.get("thread_ts") or m["thread_ts"] == m["ts"]]


def start_joinedup(*, db: Database, standin: SlackStandIn, clock: FixedClock,
                   partnership: Partnership | None = None) -> JoinedUp:
    partnership = partnership or sample_partnership()
    services = build_services(partnership=partnership, db=db, clock=clock, work=InlineExecutor(),
                              client=slack_client(BOT_TOKEN, standin.api_url))
    app = create_app(services, signing_secret=SIGNING_SECRET, listener_executor=InlineExecutor())
    server = make_server("127.0.0.1", 0, wsgi_application(app, db, signing_secret=SIGNING_SECRET), server_class=_ThreadingServer,
                         handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    sender = SlackSender("127.0.0.1", server.server_port, SIGNING_SECRET, standin.response_url(), standin.trigger_id)
    return JoinedUp(services=services, standin=standin, clock=clock, slack=sender, db=db,
                    partnership=partnership, _stop=stop)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TUESDAY_10AM)


@pytest.fixture
def joinedup(database: Database, standin: SlackStandIn, clock: FixedClock) -> Iterator[JoinedUp]:
    running = start_joinedup(db=database, standin=standin, clock=clock)
    yield running
    running._stop()
    assert_notifications_show_no_case_content(standin)


def assert_notifications_show_no_case_content(standin: SlackStandIn) -> None:
    """Whatever a test did, no post could put case content on a lock screen or a shared monitor: a phone shows a
    post's `text` and a desktop its blocks first (edits notify no one), and both may show only Joined Up's
    reference, the agency and what kind of message it is; never a case reference or anything typed."""
    typed = [str(value) for value in VALID_ANSWERS.values() if isinstance(value, str) and len(value) > 20]
    case_reference = re.compile(r"\bCR-?[0-9]{4,10}\b")  # the sample partnership's case references
    for notification in standin.notifications():
        for shown in (notification["desktop"], notification["mobile"]):
            assert not case_reference.search(shown), notification
            assert not any(text in shown for text in typed), notification
