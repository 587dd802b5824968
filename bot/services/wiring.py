"""The services of a running Joined Up, built together from what they are given, never from globals.

Handlers are handed a `Services`; they never import the module that registers them.
"""
from __future__ import annotations

import contextvars
import functools
import logging
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Mapping

from slack_sdk import WebClient

from bot.domain.clock import Clock
from bot.domain.config import Partnership, Problem, RiskLevel
from bot.domain.glossary import Glossary, Term, load_default_terms, load_wales_terms
from bot.blocks.text import name_link_holders
from bot.edge.payloads import where
from bot.email.copies import CopyService
from bot.email.outbox import EmailOutbox
from bot.email.relay import Relay
from bot.links.service import LinkService
from bot.reports.digest import DigestContent, DigestService
from bot.services.acknowledgements import AcknowledgementService
from bot.services.challenges import ChallengeService
from bot.services.content import MessageContent
from bot.services.directory import Directory
from bot.services.events import EventLog
from bot.services.languages import PersonLanguages
from bot.services.outbox import Outbox
from bot.services.outcomes import OutcomeService
from bot.services.overview import OverviewService
from bot.services.records import RecordService, calendar_for
from bot.services.reminders import ReminderService
from bot.services.retention import RetentionService
from storage.db import Database

log = logging.getLogger(__name__)

# Work after the ack (Slack calls) is mostly waiting on Slack, but every thread here competes with the
# request threads for the interpreter: a few keep acks fast under a burst and still post to agencies in parallel.
WORK_THREADS = 8
# Sending mostly waits on Slack: enough threads to post a record to every agency's channel at once.
SEND_THREADS = 16


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
    languages: PersonLanguages
    digest: DigestService | None = None  # the weekly digest, owed by the sweep
    email: EmailOutbox | None = None  # emails to agencies not in Slack, reminders and copies; None without [email]
    copies: CopyService | None = None  # "Email me a copy"; None without [email]

    def later(self, function: Any, *args: Any, **kwargs: Any) -> None:
        """Run slow work (Slack calls) after the 3-second acknowledgement has gone."""
        def logged() -> None:
            try:
                function(*args, **kwargs)
            except Exception as error:
                # One line, as for a listener (bot/app.py): an error's message or traceback may carry what was typed.
                log.error("background work %s failed: %s at %s", getattr(function, "__name__", "(unnamed)"),
                          type(error).__name__, where(error))
        # In the voice of the request that asked for it (bot/i18n/): the context goes with the work.
        self.work.submit(contextvars.copy_context().run, logged)


def build_glossary(partnership: Partnership) -> tuple[Glossary, list[Problem]]:
    """Shipped starting terms (the Welsh framework's replacing any of the same name), then the partnership's risk
    levels and its own terms, which win."""
    shipped = [*(load_default_terms() if partnership.use_default_glossary else []),
               *(load_wales_terms() if partnership.use_wales_glossary else [])]
    starting = Glossary(shipped)
    risk_terms = [risk_term(level, starting.lookup(level.label), partnership.languages.welsh)
                  for level in partnership.risk_levels if level.definition]
    glossary = Glossary([*starting.terms, *risk_terms, *partnership.glossary])
    warnings = [Problem("glossary", f"“{alias}” is claimed by both “{a}” and “{b}”: give it to one term only",
                        warning=True) for alias, a, b in glossary.alias_conflicts()]
    return glossary, warnings


def risk_term(level: RiskLevel, shipped: Term | None, welsh: Mapping[str, str] | None = None) -> Term:
    """A risk level is a term, with the partnership's Welsh for its label and definition; it keeps any aliases a
    shipped term of the same name had (CIN, LAC…), and that term's Welsh name where the partnership gave none."""
    welsh = welsh or {}
    same = shipped if shipped and shipped.term.casefold() == level.label.casefold() else None
    return Term(term=level.label, definition=level.definition, aliases=same.aliases if same else (),
                category="risk level", source="The partnership's agreed risk levels",
                term_cy=welsh.get(level.label) or (same.term_cy if same else None),
                definition_cy=welsh.get(level.definition), aliases_cy=same.aliases_cy if same else ())


def build_services(*, partnership: Partnership, db: Database, client: WebClient, clock: Clock,
                   work: Executor | None = None,
                   delay: Callable[[float, Callable[[], None]], None] | None = None,
                   deliver_elsewhere: Callable[[], None] | None = None,
                   smtp_login: tuple[str | None, str | None] = (None, None)) -> Services:
    """Without a `work` executor of the caller's, work after the ack goes to a pool of threads and messages to
    different channels are sent at the same time; with one (the CLI's and the tests' inline executor),
    everything runs in order in the caller's thread."""
    glossary, _ = build_glossary(partnership)
    senders = None if work else ThreadPoolExecutor(SEND_THREADS, thread_name_prefix="joinedup-send")
    work = work or ThreadPoolExecutor(WORK_THREADS, thread_name_prefix="joinedup-work")
    calendar = calendar_for(partnership)
    languages = PersonLanguages(db=db, partnership=partnership, clock=clock)
    content = MessageContent(partnership=partnership, glossary=glossary, languages=languages,
                             digest=DigestContent(db=db, partnership=partnership, calendar=calendar))
    outbox = Outbox(db=db, client=client, clock=clock, executor=work, senders=senders, content=content,
                    after_delay=delay, deliver_elsewhere=deliver_elsewhere)
    directory = Directory(client=client, partnership=partnership, clock=clock)
    # Whoever acted through an emailed link is shown by their address (bot/links/): a link's address never changes.
    name_link_holders(functools.lru_cache(maxsize=1024)(
        LinkService(db=db, clock=clock, partnership=partnership).address_of))
    email = None if partnership.email is None else EmailOutbox(
        db=db, clock=clock, partnership=partnership, executor=work, slack=outbox, deliver_elsewhere=deliver_elsewhere,
        relay=Relay(partnership.email, username=smtp_login[0], password=smtp_login[1]),
        links=LinkService(db=db, clock=clock, partnership=partnership), languages=languages)
    return Services(
        partnership=partnership, glossary=glossary, db=db, clock=clock, client=client, work=work, outbox=outbox,
        directory=directory,
        records=RecordService(db=db, partnership=partnership, clock=clock, outbox=outbox, email=email),
        acknowledgements=AcknowledgementService(db=db, directory=directory, clock=clock, outbox=outbox),
        overview=OverviewService(db=db, partnership=partnership, directory=directory, content=content, clock=clock),
        reminders=ReminderService(db=db, partnership=partnership, clock=clock, outbox=outbox, directory=directory,
                                  calendar=calendar_for(partnership), email=email),
        outcomes=OutcomeService(db=db, partnership=partnership, directory=directory, clock=clock, outbox=outbox),
        challenges=ChallengeService(db=db, partnership=partnership, directory=directory, clock=clock, outbox=outbox,
                                    calendar=calendar_for(partnership), email=email),
        retention=RetentionService(db=db, clock=clock, outbox=outbox,
                                   keep_for=timedelta(days=partnership.retention.keep_for_days)),
        events=EventLog(db=db, clock=clock),
        languages=languages,
        digest=DigestService(db=db, partnership=partnership, calendar=calendar, clock=clock, outbox=outbox),
        email=email,
        copies=None if email is None else CopyService(db=db, partnership=partnership, directory=directory,
                                                      email=email),
    )
