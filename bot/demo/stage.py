"""The demo's stage: Joined Up running behind a real HTTP server on 127.0.0.1 with Slack played by the stand-in,
and what each person sees, rendered as plain text for a terminal."""
from __future__ import annotations

import contextlib
import logging
import re
import secrets
import tempfile
import textwrap
import threading
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from socketserver import ThreadingMixIn
from typing import Any, Callable, Iterator, TextIO
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.app import create_app
from bot.demo.sample import PEOPLE, Person, populate, sample_partnership
from bot.domain.clock import FixedClock
from bot.domain.config import Partnership
from bot.edge.client import slack_client
from bot.edge.web import wsgi_application
from bot.processes.executors import InlineExecutor
from bot.services.records import calendar_for
from bot.services.wiring import Services, build_services
from bot.standin.render import render_blocks, render_view
from bot.standin.signed_requests import Reply, SlackSender
from bot.standin.slack import SlackStandIn
from storage.db import Database

WIDTH = 80
FRAME = "  | "
QUIET_LOGGERS = ("bot", "handlers", "storage", "joinedup", "slack_bolt", "slack_sdk", "alembic", "sqlalchemy")
BOT_TOKEN = "xoxb-joinedup-demo"
# Slack's emoji, as a terminal can show them.
EMOJI = {
    ":white_check_mark:": "[OK]", ":hourglass_flowing_sand:": "[waiting]", ":warning:": "[!]",
    ":rotating_light:": "[URGENT]", ":outbox_tray:": "[sending]", ":arrows_counterclockwise:": "[↻]",
    ":no_entry:": "[X]", ":lock:": "[locked]", ":information_source:": "[i]", ":alarm_clock:": "[reminder]",
    ":raising_hand:": "[question]", ":speech_balloon:": "[answer]", ":bookmark_tabs:": "[outcome]",
    ":arrow_up:": "[escalated]", ":wastebasket:": "[deleted]",
}
_DATE_TOKEN = re.compile(r"<!date\^(\d+)\^([^|>]*)\|([^>]*)>")


class DemoError(Exception):
    """The app did not do what the walk-through expects; the message says what."""


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class DemoContext:
    """Everything the steps share: the running app, the stand-in, the output, and what earlier steps made."""

    out: TextIO
    services: Services
    standin: SlackStandIn
    slack: SlackSender
    clock: FixedClock
    partnership: Partnership
    names: dict[str, str]
    width: int = WIDTH
    step_number: int = 0
    form: dict[str, Any] | None = None  # the record form as Slack holds it, once opened
    reference: str | None = None  # the saved record's reference, e.g. JU-000001
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)  # channel id -> the record's post there
    extra: dict[str, Any] = field(default_factory=dict)  # for later steps to pass things along

    # -- output -----------------------------------------------------------
    def write(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def heading(self, title: str) -> None:
        self.step_number += 1
        self.write()
        self.write("=" * self.width)
        self.write(wrap(f"{self.step_number}. {title}", self.width, "   "))
        self.write("=" * self.width)

    def say(self, *paragraphs: str) -> None:
        for paragraph in paragraphs:
            self.write()
            self.write(wrap(paragraph, self.width))

    def surface(self, caption: str, text: str) -> None:
        """A Slack surface, framed and indented, under a caption saying whose screen it is."""
        self.write()
        self.write(wrap(caption, self.width))
        for line in text.split("\n"):
            for part in _fit(line, self.width - len(FRAME)):
                self.write((FRAME + part).rstrip())

    def view(self, caption: str, view: dict[str, Any]) -> None:
        self.surface(caption, _plain(render_view(self._local(view), width=self.width - len(FRAME), names=self.names)))

    def blocks(self, caption: str, blocks: list[dict[str, Any]] | None, text: str | None = None) -> None:
        self.surface(caption, self.render(blocks, text))

    def render(self, blocks: list[dict[str, Any]] | None, text: str | None = None) -> str:
        """A message as plain text, sized to fit in a frame."""
        return _plain(render_blocks(self._local(blocks or []), text=self._local(text or ""),
                                    width=self.width - len(FRAME), names=self.names))

    def _local(self, value: Any) -> Any:
        """Slack shows dates in each reader's time zone; the people in the demo are all in the partnership's."""
        zone = self.partnership.zone

        def localise(match: re.Match[str]) -> str:
            at = datetime.fromtimestamp(int(match.group(1)), zone)
            return f"<!date^{match.group(1)}^{match.group(2)}|{at:%a} {at.day} {at:%b %Y at %H:%M}>"

        if isinstance(value, str):
            return _plain(_DATE_TOKEN.sub(localise, value))  # emoji first, so lines are wrapped as shown
        if isinstance(value, list):
            return [self._local(v) for v in value]
        if isinstance(value, dict):
            return {k: self._local(v) for k, v in value.items()}
        return value

    # -- Slack ------------------------------------------------------------
    def name(self, user_id: str) -> str:
        return self.names.get(user_id, user_id)

    def channel_name(self, channel_id: str) -> str:
        return "#" + self.names.get(channel_id, channel_id)

    def latest_post(self, channel: str) -> dict[str, Any] | None:
        posts = [m for m in self.standin.messages(channel) if not m.get("thread_ts") or m["thread_ts"] == m["ts"]]
        return posts[-1] if posts else None

    def dm(self, user_id: str) -> list[dict[str, Any]]:
        return self.standin.messages(user_id)


Step = Callable[[DemoContext], None]


def _plain(text: str) -> str:
    for code, shown in EMOJI.items():
        text = text.replace(code, shown)
    return text


def elide_common(shown: list[str], lines: list[str], what: str, keep: int = 2) -> list[str]:
    """`lines` with the middle it shares with `shown` replaced by one line saying so."""
    common = 0
    while common < min(len(shown), len(lines)) and shown[common] == lines[common]:
        common += 1
    if common <= keep + 3:
        return lines
    return [*lines[:keep], f"  … {common - keep} lines {what} …", *lines[common:]]


def _fit(line: str, width: int) -> list[str]:
    """`line` in pieces no wider than `width`: a row of buttons breaks between buttons, text between words."""
    if len(line) <= width:
        return [line]
    if "]  [" not in line:
        return textwrap.wrap(line, width, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False)
    rows: list[str] = []
    for button in line.split("  "):
        if rows and len(rows[-1]) + 2 + len(button) <= width:
            rows[-1] += "  " + button
        else:
            rows.append(button)
    return rows


def wrap(text: str, width: int, indent: str = "") -> str:
    return "\n".join(textwrap.fill(line, width, initial_indent=indent if i else "", subsequent_indent=indent,
                                   break_long_words=False, break_on_hyphens=False) or ""
                     for i, line in enumerate(text.split("\n")))


def describe(person: Person) -> str:
    return f"{person.name} ({person.role})"


def reply_json(reply: Reply, what: str) -> dict[str, Any]:
    if reply.status != 200:
        raise DemoError(f"{what}: Joined Up answered HTTP {reply.status}: {reply.body[:300]}")
    try:
        body = reply.json()
    except ValueError:
        raise DemoError(f"{what}: Joined Up's answer was not JSON: {reply.body[:300]}") from None
    if not isinstance(body, dict):
        raise DemoError(f"{what}: Joined Up answered with nothing")
    return body


# -- the walk-through --------------------------------------------------------------------------------


def demo_moment(partnership: Partnership, today: datetime | None = None) -> datetime:
    """10:00 in the partnership's time zone on the latest working day up to today."""
    zone = partnership.zone
    day = (today or datetime.now(zone)).astimezone(zone).date()
    calendar = calendar_for(partnership)
    for _ in range(14):
        if calendar.is_working_day(day):
            break
        day -= timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=zone)


@contextlib.contextmanager
def quiet_logging() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


@contextlib.contextmanager
def running_joinedup(out: TextIO, standin: SlackStandIn, db: Database) -> Iterator[DemoContext]:
    """Joined Up behind a real HTTP server on 127.0.0.1, its Slack client pointed at the stand-in."""
    partnership = sample_partnership()
    clock = FixedClock(demo_moment(partnership))
    signing_secret = secrets.token_hex(16)
    services = build_services(partnership=partnership, db=db, clock=clock, work=InlineExecutor(),
                              client=slack_client(BOT_TOKEN, standin.api_url))
    app = create_app(services, signing_secret=signing_secret, listener_executor=InlineExecutor())
    server = make_server("127.0.0.1", 0, wsgi_application(app, db, signing_secret=signing_secret), server_class=_ThreadingServer,
                         handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="joinedup-demo", daemon=True)
    thread.start()
    try:
        sender = SlackSender("127.0.0.1", server.server_port, signing_secret, standin.response_url(),
                             standin.trigger_id)
        names = {person.user_id: person.name for person in PEOPLE}
        names[standin.bot_user_id] = "Joined Up"
        names.update({agency.channel: agency.key for agency in partnership.agencies})
        yield DemoContext(out=out, services=services, standin=standin, slack=sender, clock=clock,
                          partnership=partnership, names=names)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def demo_world(out: TextIO, prefix: str) -> Iterator[DemoContext]:
    """The sample partnership's Slack played by the stand-in, a throwaway SQLite database, and Joined Up running
    against both, quietly: what the demo and the pictures each drive."""
    with quiet_logging(), tempfile.TemporaryDirectory(prefix=prefix) as folder, SlackStandIn() as standin:
        populate(standin)
        db = Database(f"sqlite:///{folder}/joinedup.db")
        try:
            db.migrate()
            with running_joinedup(out, standin, db) as ctx:
                yield ctx
        finally:
            db.dispose()  # before the folder goes: Windows will not delete an open file
