"""`joinedup serve` delivers in a process of its own.

The web workers only validate, save and answer Slack; everything owed to Slack after that is sent from here.
Under load the two no longer compete for one interpreter, the deliverer runs at a lower priority so that
answering within Slack's 3 seconds comes first, and the messages that pile up while it is busy are delivered
together. A worker nudges it through a pipe after each save; it also looks for due work every second, so a
lost nudge costs at most a second, and it runs the schedule (reminders, retention) once for the whole server.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import select
import signal
import threading
import time
from typing import Any

from bot.domain.config import Settings
from bot.edge.payloads import where
from bot.services.outbox import DUE_LIMIT

log = logging.getLogger("joinedup.delivery")

LOOK_EVERY_SECONDS = 1.0
NICENESS = 5  # below the web workers: an ack waiting for a core matters more than a post a moment later
DRAIN_PASSES = 20  # passes in a row while each finds a full batch, before listening for nudges again
RESTART_PAUSE_SECONDS = 1.0
PROCESS_NAME = "joinedup-deliv"  # as ps and top show it (Linux keeps 15 characters)


class Nudge:
    """A pipe made before the fork: workers write to it, the deliverer waits on it."""

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)

    def poke(self) -> None:
        try:
            os.write(self._write, b"!")
        except BlockingIOError:
            pass  # the pipe is full of nudges not yet read: the deliverer has plenty to wake for

    def wait(self, timeout: float) -> None:
        ready, _, _ = select.select([self._read], [], [], timeout)
        if ready:
            try:
                while os.read(self._read, 4096):
                    pass
            except BlockingIOError:
                pass


class Deliverer:
    """Runs the delivery process, and starts it again if it ever stops on its own."""

    def __init__(self, settings: Settings, nudge: Nudge) -> None:
        self.settings = settings
        self.nudge = nudge
        self._process: Any = None
        self._stopping = threading.Event()
        self._owner = os.getpid()  # the server; its forked web workers inherit this object, not the process

    def start(self) -> None:
        self._spawn()
        threading.Thread(target=self._watch, name="joinedup-deliverer-watch", daemon=True).start()

    def stop(self) -> None:
        if os.getpid() != self._owner:
            return  # a web worker leaving: the server stops the deliverer
        self._stopping.set()
        process = self._process
        if process is not None and process.is_alive():
            process.terminate()
            process.join(10)

    def expect_stop(self) -> None:
        """The server is stopping: the deliverer ending now is not to be started again."""
        self._stopping.set()

    def forget(self) -> None:
        """In a web worker, just forked from the server. gunicorn forks without multiprocessing knowing, so the
        worker would still count the deliverer among its children and, on leaving, terminate it (the server would
        start it again) and then fail to join it, with a traceback. It is the server's child alone."""
        self._stopping.set()
        if self._process is not None:
            multiprocessing.process._children.discard(self._process)  # what multiprocessing does in its own children

    def _spawn(self) -> None:
        context = multiprocessing.get_context("fork")
        self._process = context.Process(target=deliver_forever, args=(self.settings, self.nudge, os.getpid()),
                                        name="joinedup-deliverer", daemon=True)
        self._process.start()
        log.info("deliverer started (pid %s)", self._process.pid)

    def _watch(self) -> None:
        while not self._stopping.is_set():
            # The sentinel, not is_alive(): gunicorn's master reaps every child that exits, ours included.
            if not multiprocessing.connection.wait([self._process.sentinel], 1.0) or self._stopping.is_set():
                continue
            if self._stopping.wait(RESTART_PAUSE_SECONDS):
                return  # it ended with the server, whose stop arrived a moment later
            log.error("the deliverer stopped; starting it again")
            self._spawn()


def deliver_forever(settings: Settings, nudge: Nudge, parent: int) -> None:
    """The delivery process: deliver what is due whenever nudged, and at least every second."""
    from bot.processes.runtime import build_services_for
    from bot.processes.scheduling import start_scheduler
    from bot.processes.sweep import sweeper_for
    from bot.services.home_figures import keeper_for

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C reaches the whole group: the server stops us in order
    for inherited in (signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH,
                      signal.SIGTTIN, signal.SIGTTOU, signal.SIGCHLD):
        signal.signal(inherited, signal.SIG_DFL)  # gunicorn's, if it started us
    os.nice(NICENESS)
    try:
        with open("/proc/self/comm", "w") as comm:
            comm.write(PROCESS_NAME)
    except OSError:
        pass  # not Linux: the name is only for people reading ps
    services = build_services_for(settings)
    gc.freeze()  # as in the web workers (bot/processes/server.py): full collections walk only what delivery makes
    start_scheduler(sweep=sweeper_for(services).run, count_figures=keeper_for(services))
    outbox = services.outbox
    checkpointed = time.monotonic()
    while not stopping.is_set() and os.getppid() == parent:
        nudge.wait(LOOK_EVERY_SECONDS)
        try:
            for _ in range(DRAIN_PASSES):
                if outbox.deliver_due() < DUE_LIMIT or stopping.is_set():
                    break
            if services.email is not None:  # on the work pool: a slow mail server never holds up Slack's posts
                services.work.submit(services.email.deliver_due)
            if time.monotonic() - checkpointed >= LOOK_EVERY_SECONDS:
                services.db.checkpoint()  # the web workers leave SQLite's checkpoints to us
                checkpointed = time.monotonic()
        except Exception as error:  # the messages stay owed; the next pass tries again
            # One line, as for a listener (bot/app.py): a database error's text and traceback carry its parameters.
            log.error("a delivery pass failed: %s at %s", type(error).__name__, where(error))
