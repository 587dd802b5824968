"""One pass over everything that has fallen due."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.services.wiring import Services

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    acknowledgement_reminders: int = 0
    outcome_requests: int = 0
    challenge_reminders: int = 0
    deferred: int = 0
    purged: int = 0
    messages: int = 0
    digests: int = 0  # weekly digests owed by this pass (0 or 1)
    emails: int = 0  # emails sent or retried

    def __str__(self) -> str:
        return (f"{self.acknowledgement_reminders} acknowledgement reminder(s), {self.outcome_requests} outcome "
                f"request(s), {self.challenge_reminders} challenge reminder(s), {self.deferred} waiting for working "
                f"hours, {self.purged} record(s) removed under the retention policy, "
                f"{self.messages} message(s) sent or retried"
                + (f", {self.digests} weekly digest(s) owed" if self.digests else "")
                + (f", {self.emails} email(s) sent or retried" if self.emails else ""))


class Sweeper:
    def __init__(self, services: Services) -> None:
        self.services = services

    def run(self) -> SweepReport:
        services = self.services
        reminders = services.reminders.run()
        report = SweepReport(
            acknowledgement_reminders=reminders.acknowledgement_reminders,
            outcome_requests=reminders.outcome_requests,
            challenge_reminders=services.challenges.remind(),
            deferred=reminders.deferred,
            purged=len(services.retention.run()),
        )
        services.events.forget_old()
        if services.digest is not None:
            report.digests = 1 if services.digest.run() else 0
        if services.email is not None:
            report.emails = services.email.deliver_due()
        report.messages = services.outbox.deliver_due()  # last, so what this pass owed goes out now
        return report


def sweeper_for(services: Services) -> Sweeper:
    return Sweeper(services)
