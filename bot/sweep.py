"""One pass over everything that has fallen due."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.app import Services

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    messages: int = 0

    def __str__(self) -> str:
        return f"{self.messages} message(s) delivered or retried"


class Sweeper:
    def __init__(self, services: Services) -> None:
        self.services = services

    def run(self) -> SweepReport:
        report = SweepReport()
        report.messages = self.services.outbox.deliver_due()
        return report


def sweeper_for(services: Services) -> Sweeper:
    return Sweeper(services)
