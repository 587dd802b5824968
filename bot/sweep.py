"""One pass over everything that has fallen due."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.app import Services

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    acknowledgement_reminders: int = 0
    outcome_requests: int = 0
    challenge_reminders: int = 0
    deferred: int = 0
    purged: int = 0
    messages: int = 0

    def __str__(self) -> str:
        return (f"{self.acknowledgement_reminders} acknowledgement reminder(s), {self.outcome_requests} outcome "
                f"request(s), {self.challenge_reminders} challenge reminder(s), {self.deferred} waiting for working "
                f"hours, {self.purged} record(s) removed under the retention policy, "
                f"{self.messages} message(s) sent or retried")


class Sweeper:
    def __init__(self, services: Services) -> None:
        self.services = services

    def run(self) -> SweepReport:
        reminders = self.services.reminders.run()
        return SweepReport(
            acknowledgement_reminders=reminders.acknowledgement_reminders,
            outcome_requests=reminders.outcome_requests,
            challenge_reminders=self.services.challenges.remind(),
            deferred=reminders.deferred,
            purged=len(self.services.retention.run()),
            messages=self.services.outbox.deliver_due(),
        )


def sweeper_for(services: Services) -> Sweeper:
    return Sweeper(services)
