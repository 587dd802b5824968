"""Who holds a message while it is being sent, and for how long.

A claim is short and renewed while its batch is in flight, so the claims of a process that was killed end soon
after it; and a delivery process that starts on the same host takes back at once those of its predecessors that
are no longer running, rather than waiting for them to end.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from sqlalchemy import select, update

from bot.domain.clock import Clock
from storage.db import Database
from storage.models import SlackMessage

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
RENEW_EVERY_SECONDS = 10.0


class Claimant:
    """This process, as its claims name it: host, process ID, and a random part that tells a restarted
    process from its predecessor when both had the same ID (a container started again)."""

    def __init__(self) -> None:
        self._pid = -1
        self._name = ""

    @property
    def name(self) -> str:
        if self._pid != os.getpid():  # forked since: a child is a claimant of its own
            self._pid = os.getpid()
            self._name = f"{_host()}:{self._pid}:{secrets.token_hex(4)}"
        return self._name


THIS_PROCESS = Claimant()  # one name for every outbox in a process, so that another name with our ID is a predecessor's


def release_orphans(db: Database, clock: Clock, claimant: Claimant) -> int:
    """End the claims of processes on this host that are no longer running. Returns how many were ended."""
    now, me = clock.now(), claimant.name
    with db.read() as session:
        holders = set(session.scalars(select(SlackMessage.claimed_by).where(
            SlackMessage.claimed_until >= now, SlackMessage.claimed_by.like(f"{_host()}:%"))))
    gone = [holder for holder in holders if holder and holder != me and not _running(holder)]
    if not gone:
        return 0
    with db.write() as session:
        ended = session.execute(update(SlackMessage).where(
            SlackMessage.claimed_by.in_(gone), SlackMessage.claimed_until >= now).values(claimed_until=None)).rowcount
    log.info("took back %s message(s) claimed by a delivery process that stopped", ended)
    return int(ended or 0)


@contextmanager
def renewed(db: Database, clock: Clock, claimant: Claimant, message_ids: list[int]) -> Iterator[None]:
    """While the body runs, keep renewing the claims on these messages, so that a slow Slack does not let
    another process take them in the middle of sending."""
    done = threading.Event()

    def renew() -> None:
        while not done.wait(RENEW_EVERY_SECONDS):
            try:
                with db.write() as session:
                    session.execute(update(SlackMessage).where(
                        SlackMessage.id.in_(message_ids), SlackMessage.claimed_by == claimant.name,
                        SlackMessage.claimed_until.is_not(None)).values(claimed_until=clock.now() + LEASE))
            except Exception as error:  # the database is away: the claims end, and sending goes on regardless
                log.warning("could not renew the claim on %s message(s): %s", len(message_ids), type(error).__name__)

    renewer = threading.Thread(target=renew, name="joinedup-claim-renewal", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()


def _host() -> str:
    return socket.gethostname()[:40]


def _running(holder: str) -> bool:
    """Whether the process a claim names (on this host) is still running; a zombie, killed but not yet reaped,
    is not. The same process ID with another random part is a predecessor whose ID was reused: not running."""
    try:
        _host_name, pid_text, _ = holder.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[:1] != ["Z"]
    except FileNotFoundError:
        return False
    except OSError:
        pass  # no /proc: ask the kernel whether the ID is in use
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
