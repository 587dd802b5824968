"""The composition root: every part is built here from what it is given, never from globals."""
from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.blocks.messages import problem_view
from bot.clock import Clock
from bot.config import Partnership, Problem, RiskLevel
from bot.glossary import Glossary, Term, load_default_terms
from bot.services.acknowledgements import AcknowledgementService
from bot.services.challenges import ChallengeService
from bot.services.content import MessageContent
from bot.services.directory import Directory
from bot.services.events import EventLog
from bot.services.outbox import Outbox
from bot.services.overview import OverviewService
from bot.services.outcomes import OutcomeService
from bot.services.records import RecordService, calendar_for
from bot.services.reminders import ReminderService
from bot.services.retention import RetentionService
from bot.slack_client import KeepAliveWebClient, KeptRespond
from storage.db import Database

log = logging.getLogger(__name__)

# Work after the ack (Slack calls) is mostly waiting on Slack, but every thread here competes with the
# request threads for the interpreter: a few keep acks fast under a burst and still post to agencies in parallel.
WORK_THREADS = 8
# Sending mostly waits on Slack: enough threads to post a record to every agency's channel at once.
SEND_THREADS = 16
SLACK_TIMEOUT_SECONDS = 10


@dataclass
class Services:
    partnership: Partnership
    glossary: Glossary
    db: Database
    clock: Clock
    client: WebClient
    work: Executor
    outbox: Outbox
    directory: Directory
    records: RecordService
    acknowledgements: AcknowledgementService
    overview: OverviewService
    reminders: ReminderService
    outcomes: OutcomeService
    challenges: ChallengeService
    retention: RetentionService
    events: EventLog

    def later(self, function: Any, *args: Any, **kwargs: Any) -> None:
        """Run slow work (Slack calls) after the 3-second acknowledgement has gone."""
        def logged() -> None:
            try:
                function(*args, **kwargs)
            except Exception:
                log.exception("background work %s failed", getattr(function, "__name__", function))
        self.work.submit(logged)


def slack_client(token: str, api_url: str | None) -> WebClient:
    base_url = api_url or "https://slack.com/api/"
    return KeepAliveWebClient(token=token, base_url=base_url if base_url.endswith("/") else base_url + "/",
                              timeout=SLACK_TIMEOUT_SECONDS, retry_handlers=[])


def build_glossary(partnership: Partnership) -> tuple[Glossary, list[Problem]]:
    """Shipped starting terms, then the partnership's risk levels and its own terms, which win."""
    starting = Glossary(load_default_terms() if partnership.use_default_glossary else [])
    risk_terms = [risk_term(level, starting.lookup(level.label)) for level in partnership.risk_levels if level.definition]
    glossary = Glossary([*starting.terms, *risk_terms, *partnership.glossary])
    warnings = [Problem("glossary", f"“{alias}” is claimed by both “{a}” and “{b}”: give it to one term only",
                        warning=True) for alias, a, b in glossary.alias_conflicts()]
    return glossary, warnings


def risk_term(level: RiskLevel, shipped: Term | None) -> Term:
    """A risk level is a term; it keeps any aliases a shipped term of the same name had (CIN, LAC…)."""
    aliases = shipped.aliases if shipped and shipped.term.casefold() == level.label.casefold() else ()
    return Term(term=level.label, definition=level.definition, aliases=aliases, category="risk level",
                source="The partnership's agreed risk levels")


def after_delay(seconds: float, action: Callable[[], None]) -> None:
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()


def build_services(*, partnership: Partnership, db: Database, client: WebClient, clock: Clock,
                   work: Executor | None = None,
                   delay: Callable[[float, Callable[[], None]], None] | None = None,
                   deliver_elsewhere: Callable[[], None] | None = None) -> Services:
    """Without a `work` executor of the caller's, work after the ack goes to a pool of threads and messages to
    different channels are sent at the same time; with one (the CLI's and the tests' inline executor),
    everything runs in order in the caller's thread."""
    glossary, _ = build_glossary(partnership)
    senders = None if work else ThreadPoolExecutor(SEND_THREADS, thread_name_prefix="joinedup-send")
    work = work or ThreadPoolExecutor(WORK_THREADS, thread_name_prefix="joinedup-work")
    content = MessageContent(partnership=partnership, glossary=glossary)
    outbox = Outbox(db=db, client=client, clock=clock, executor=work, senders=senders, content=content,
                    after_delay=delay, deliver_elsewhere=deliver_elsewhere)
    directory = Directory(client=client, partnership=partnership, clock=clock)
    return Services(
        partnership=partnership, glossary=glossary, db=db, clock=clock, client=client, work=work, outbox=outbox,
        directory=directory,
        records=RecordService(db=db, partnership=partnership, clock=clock, outbox=outbox),
        acknowledgements=AcknowledgementService(db=db, directory=directory, clock=clock, outbox=outbox),
        overview=OverviewService(db=db, partnership=partnership, directory=directory, content=content, clock=clock),
        reminders=ReminderService(db=db, partnership=partnership, clock=clock, outbox=outbox, directory=directory,
                                  calendar=calendar_for(partnership)),
        outcomes=OutcomeService(db=db, partnership=partnership, directory=directory, clock=clock, outbox=outbox),
        challenges=ChallengeService(db=db, partnership=partnership, directory=directory, clock=clock, outbox=outbox,
                                    calendar=calendar_for(partnership)),
        retention=RetentionService(db=db, clock=clock, outbox=outbox,
                                   keep_for=timedelta(days=partnership.retention.keep_for_days)),
        events=EventLog(db=db, clock=clock),
    )


def create_app(services: Services, *, signing_secret: str | None, listener_executor: Executor | None = None,
               token_verification: bool = True) -> App:
    """A Bolt app whose listeners answer inside the request and hand slow work to `services.later`."""
    from handlers import actions, commands, events, views

    app = App(
        client=services.client,
        signing_secret=signing_secret or "",
        # Listeners run in the request thread and only ack, validate and save; Slack calls go to the work pool.
        process_before_response=True,
        token_verification_enabled=token_verification,
        # bot/web.py checks every request's signature before Bolt parses it; a second check here would only cost.
        request_verification_enabled=False,
        listener_executor=listener_executor,
        raise_error_for_unhandled_request=False,
    )
    if isinstance(services.client, KeepAliveWebClient):
        connections = services.client.connections

        @app.middleware
        def use_kept_connections(context: BoltContext, next: Any) -> BoltResponse | None:
            # Bolt gives each request a new WebClient and Respond, which open a new connection to Slack for
            # every call: listeners get the services' client and a respond() that share its kept connections.
            context["client"] = services.client
            if context.response_url:
                context["respond"] = KeptRespond(response_url=context.response_url, connections=connections)
            return next()

    @app.middleware
    def handle_each_event_once(body: dict[str, Any], next: Any) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id and not services.events.first_time(event_id):
            return BoltResponse(status=200, body="")  # a retry of something already handled
        return next()

    commands.register(app, services)
    views.register(app, services)
    actions.register(app, services)
    events.register(app, services)

    @app.error
    def unexpected(error: Exception, body: dict[str, Any]) -> BoltResponse:
        kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
        log.error("listener failed on a %s request: %s", kind, type(error).__name__, exc_info=error)
        if kind == "view_submission":
            # Pushed on top of the form, so closing it returns the practitioner to their text, intact.
            return _json(200, {"response_action": "push", "view": problem_view()})
        if kind == "slash_command":
            return _json(200, {"response_type": "ephemeral",
                               "text": "Sorry, something went wrong on our side and nothing was changed. Please try again in a minute."})
        return BoltResponse(status=200, body="")

    return app


def _json(status: int, body: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=status, body=json.dumps(body), headers={"content-type": "application/json;charset=utf-8"})
