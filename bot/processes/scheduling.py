"""The in-process schedule: deliver what is owed, and sweep for what has fallen due.

Due work lives in the database, so a missed run loses nothing; the next one picks it up.
Several processes may each run this: every message and reminder is claimed before it is sent.
"""
from __future__ import annotations

import functools
import logging
from datetime import timezone
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler

from bot.edge.payloads import where
from bot.services.home_figures import FIGURES_SECONDS

log = logging.getLogger(__name__)

OUTBOX_SECONDS = 15
SWEEP_SECONDS = 60


def start_scheduler(*, sweep: Callable[[], object], deliver_due: Callable[[], object] | None = None,
                    count_figures: Callable[[], object] | None = None) -> BackgroundScheduler:
    """`deliver_due`, where given, is also run every OUTBOX_SECONDS (where nothing else looks for due messages);
    `count_figures`, every FIGURES_SECONDS (App Home's partnership figures, bot/services/home_figures.py)."""
    scheduler = BackgroundScheduler(timezone=timezone.utc)
    job_defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": SWEEP_SECONDS, "replace_existing": True}
    if deliver_due is not None:
        scheduler.add_job(_logged(deliver_due), "interval", seconds=OUTBOX_SECONDS, id="deliver-outbox", **job_defaults)
    scheduler.add_job(_logged(sweep), "interval", seconds=SWEEP_SECONDS, id="sweep", **job_defaults)
    if count_figures is not None:
        scheduler.add_job(_logged(count_figures), "interval", seconds=FIGURES_SECONDS, id="count-figures",
                          **job_defaults)
    scheduler.start()
    return scheduler


def _logged(job: Callable[[], object]) -> Callable[[], None]:
    """A failed run is one line in the log, as for a listener (bot/app.py), rather than APScheduler's traceback,
    which for a database error carries the statement's parameters. The next run tries again."""
    @functools.wraps(job)
    def run() -> None:
        try:
            job()
        except Exception as error:
            log.error("scheduled %s failed: %s at %s", getattr(job, "__name__", "work"), type(error).__name__,
                      where(error))

    return run
