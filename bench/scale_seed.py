"""A partnership's ten years of history, written by set-based SQL (INSERT … SELECT over a series), not row by row.

Every row follows from its number `i`, so a test can count by hand what the figures should say (see `expected`).
Record i is made at START + (i - 1) × SPAN / N, by agency i % 4; one record in 21 is kept without sharing, the
rest are shared with the other three agencies (3 shares each). With the default 2,100,000 records that is
2,000,000 shared records and 6,000,000 shares.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from bot.domain.config import Partnership
from bot.domain.workcalendar import WorkingCalendar
from bot.reports.service import fill_working_seconds
from bot.reports.workingtime import days_clause, on_day, worked_until
from bot.services.records import calendar_for
from storage.db import Database

END = datetime(2026, 12, 1, tzinfo=timezone.utc)
SPAN = 3652 * 86_400  # ten years, in seconds
START = int(END.timestamp()) - SPAN
DAY = 86_400

# Which rows exist, as SQL over the record number i (the same rules `expected` counts by).
SHARED = "i % 21 <> 0"
ACKNOWLEDGED = "(i + k) % 50 <> 0"
HAS_OUTCOME = f"{SHARED} AND i % 10 <> 0"
AGENCY_RESULT = f"{SHARED} AND i % 5 = 0"
SECOND_OUTCOME = f"{HAS_OUTCOME} AND i % 30 = 1"
CHALLENGED = f"{SHARED} AND i % 20 = 1"
STATES = ("open", "answered", "resolved", "escalated")
ANSWERED = f"{CHALLENGED} AND (i / 20) % 4 <> 0"
SECOND_ANSWER = f"{ANSWERED} AND i % 40 = 1"
AMENDED = "i % 10 = 3"
# A quarter of the records ask the receiving agencies to act; an agency's result (AGENCY_RESULT) is its post k = 1.
ASKS = "i % 4 = 0"
RESULT_DUE = f"{ACKNOWLEDGED} AND {ASKS} AND NOT ({AGENCY_RESULT} AND k = 1)"
FAILED = "i % 500 = 0"


class Seeder:
    def __init__(self, db: Database, partnership: Partnership, records: int) -> None:
        self.db, self.n = db, records
        self.days = days_clause(datetime.fromtimestamp(START, timezone.utc), END + timedelta(days=200),
                                calendar_for(partnership), partnership.zone)
        self.pg = not db.is_sqlite
        self.agencies = [agency.key for agency in partnership.agencies]
        self.risks = [level.key for level in partnership.risk_levels]
        self.purposes = list(partnership.purposes)

    # --- dialect helpers -------------------------------------------------------------------------------

    def series(self, n: int) -> str:
        if self.pg:
            return f"generate_series(1::bigint, {n}) AS s(i)"
        return f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s) AS s"

    def made(self, i: str = "i") -> str:
        """Epoch seconds at which record `i` was made."""
        return f"({START} + (({i} - 1) * {SPAN}) / {self.n})"

    def at(self, seconds: str) -> str:
        if self.pg:
            return f"to_timestamp({seconds})"
        return f"strftime('%Y-%m-%d %H:%M:%S.000000', {seconds}, 'unixepoch')"

    def on(self, seconds: str) -> str:
        return f"to_timestamp({seconds})::date" if self.pg else f"date({seconds}, 'unixepoch')"

    def json(self, value: object) -> str:
        literal = "'" + json.dumps(value).replace("'", "''") + "'"
        return f"{literal}::json" if self.pg else literal

    @staticmethod
    def pick(number: str, values: list[str]) -> str:
        cases = " ".join(f"WHEN {n} THEN '{v}'" for n, v in enumerate(values))
        return f"(CASE ({number}) % {len(values)} {cases} END)"

    def boolean(self, value: bool) -> str:
        return ("true" if value else "false") if self.pg else ("1" if value else "0")

    # --- the history -----------------------------------------------------------------------------------

    def statements(self) -> list[tuple[str, str]]:
        n, c = self.n, self.made()
        one, two = self.json([self.purposes[0]]), self.json(self.purposes[:2])
        shares = f"{self.series(n)} CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) ks"
        ack_delay = "((i * 7 + k * 13) % 97) * 1800"
        answered = f"{c} + {DAY} + (i % 13 + 1) * 3600"
        # The sharer's first outcome, kept on the record as OutcomeService keeps it (the second comes later).
        first_outcome = f"{c} + (1 + i % 60) * {DAY}"
        return [
            ("records", f"""
            INSERT INTO records (id, submission_key, case_reference, occurred_at, created_at, sharer_id, sharer_agency,
                participants, others_present, purposes, purpose_detail, requested_action, first_hand, lawful_basis,
                summary, risk_key, risk_label, risk_definition, actions, follow_up_on, not_shared_reason,
                identifiers_found, last_activity_at, outcome_request_at, outcome_requests_sent, first_outcome_at)
            SELECT i, 'scale-' || i, 'CR-' || (10000 + i % 90000), {self.at(f'{c} - 3600')}, {self.at(c)},
                'U0S' || (i % 200), {self.pick('i', self.agencies)}, {self.json([])}, '',
                CASE WHEN i % 3 = 0 THEN {two} ELSE {one} END, '',
                CASE WHEN {ASKS} THEN 'Tell me what you did.' ELSE '' END, {self.boolean(True)}, 'Public task',
                'A conversation recorded at scale.', {self.pick('i / 4', self.risks)}, 'level', '', '',
                {self.on(f'{c} + 28 * {DAY}')}, CASE WHEN {SHARED} THEN NULL ELSE 'Not proportionate' END,
                {self.json([])}, {self.at(c)}, NULL,
                CASE WHEN {SHARED} AND NOT ({HAS_OUTCOME}) THEN 1 ELSE 0 END,
                CASE WHEN {HAS_OUTCOME} THEN {self.at(first_outcome)} END
            FROM {self.series(n)}"""),
            # The working seconds as AcknowledgementService stores them, the open challenges on each post's record
            # as ChallengeService keeps them (the challenges below), and the result each agency owes as the
            # acknowledgement and outcome services keep it: in the INSERT, as an UPDATE of millions of indexed rows
            # afterwards would take PostgreSQL far longer.
            ("shares", f"""
            WITH {self.days} INSERT INTO shares (id, record_id, agency_key, acknowledged_by, acknowledged_at,
                acknowledgement_note, next_reminder_at, reminders_sent, working_seconds_to_acknowledge,
                open_challenges, result_due_since)
            SELECT 3 * (i - 1) + k, i, {self.pick('i + k', self.agencies)},
                CASE WHEN {ACKNOWLEDGED} THEN 'U0A' || k END,
                CASE WHEN {ACKNOWLEDGED} THEN {self.at(f'{c} + {ack_delay}')} END, NULL, NULL,
                CASE WHEN {ACKNOWLEDGED} THEN 0 ELSE 3 END,
                CASE WHEN {ACKNOWLEDGED} THEN {worked_until('b', f'({c} + {ack_delay})')}
                    - {worked_until('a', c)} END,
                CASE WHEN {CHALLENGED} AND {self.pick('i / 20', list(STATES))} = 'open' THEN 1 ELSE 0 END,
                CASE WHEN {RESULT_DUE} THEN {self.at(f'{c} + {ack_delay}')} END
            FROM {shares} JOIN days a ON {on_day('a', c)} JOIN days b ON {on_day('b', f'({c} + {ack_delay})')}
            WHERE {SHARED}"""),
            ("outcomes", self._outcomes(HAS_OUTCOME, "i", "NULL", first_outcome)
             + " UNION ALL " + self._outcomes(AGENCY_RESULT, f"{n} + i", self.pick("i + 1", self.agencies),
                                              f"{c} + 3 * {DAY}", select_only=True)
             + " UNION ALL " + self._outcomes(SECOND_OUTCOME, f"{2 * n} + i", "NULL", f"{c} + 70 * {DAY}",
                                              select_only=True)),
            ("challenges", f"""
            INSERT INTO challenges (id, record_id, submission_key, raised_by, agency_key, raised_at, kind, text,
                proposed_risk_label, identifiers_reason, state, closed_at, next_reminder_at, reminders_sent)
            SELECT i, i, 'scale-c-' || i, 'U0C', {self.pick('i + 1', self.agencies)}, {self.at(f'{c} + {DAY}')},
                'question', 'A question.', NULL, NULL, {self.pick('i / 20', list(STATES))}, NULL, NULL,
                CASE WHEN (i / 20) % 4 = 0 THEN 1 ELSE 0 END
            FROM {self.series(n)} WHERE {CHALLENGED}"""),
            ("challenge_responses", f"""
            INSERT INTO challenge_responses (id, challenge_id, submission_key, responded_by, responded_at, text)
            SELECT i, i, 'scale-a-' || i, 'U0S', {self.at(answered)}, 'An answer.' FROM {self.series(n)}
            WHERE {ANSWERED}
            UNION ALL
            SELECT {n} + i, i, 'scale-b-' || i, 'U0S', {self.at(f'{answered} + {DAY}')}, 'Another.'
            FROM {self.series(n)} WHERE {SECOND_ANSWER}"""),
            ("revisions", f"""
            INSERT INTO revisions (id, record_id, submission_key, kind, revised_by, revised_at, reason, challenge_id,
                previous, current)
            SELECT i, i, 'scale-v-' || i, 'amendment', 'U0S', {self.at(f'{c} + 2 * {DAY}')}, 'A correction.', NULL,
                {self.json({})}, {self.json({})}
            FROM {self.series(n)} WHERE {AMENDED}"""),
            ("audit_events", f"""
            INSERT INTO audit_events (id, at, actor, action, record_id, surface, detail)
            SELECT i, {self.at(c)}, 'U0S', 'recorded', i, 'form', '' FROM {self.series(n)}
            UNION ALL
            SELECT {n} + 3 * (i - 1) + k, {self.at(f'{c} + {ack_delay}')}, 'U0A' || k, 'acknowledged', i, 'button',
                'for ' || {self.pick('i + k', self.agencies)}
            FROM {shares} WHERE {SHARED} AND {ACKNOWLEDGED}"""),
            ("slack_messages", f"""
            INSERT INTO slack_messages (id, key, kind, record_id, agency_key, target, parent_id, outcome_id,
                subject_id, channel_id, ts, permalink, version, delivered_version, pending, attempts,
                next_attempt_at, claimed_until, claimed_by, post_started_at, last_error, failed_at, cancelled_at,
                created_at, sent_at)
            SELECT i, 'status:' || i, 'sharer_status', i, NULL, 'U0S', NULL, NULL, NULL, 'D0S',
                CASE WHEN {FAILED} THEN NULL ELSE '1.' || i END, NULL, 1, 1, {self.boolean(False)}, 1,
                {self.at(c)}, NULL, NULL, {self.at(c)}, NULL, CASE WHEN {FAILED} THEN {self.at(f'{c} + 60')} END,
                NULL, {self.at(c)}, {self.at(c)}
            FROM {self.series(n)}"""),
        ]

    def _outcomes(self, where: str, row_id: str, agency: str, reported: str, *, select_only: bool = False) -> str:
        select = (f"SELECT {row_id}, i, 'scale-o-' || ({row_id}), 'U0S', {agency}, {self.at(reported)}, "
                  f"'What happened.', '', 'no_further_action', NULL FROM {self.series(self.n)} WHERE {where}")
        if select_only:
            return select
        return ("INSERT INTO outcomes (id, record_id, submission_key, reported_by, agency_key, reported_at, "
                f"what_happened, what_changed, next_step, identifiers_reason) {select}")

    def seed(self, calendar: WorkingCalendar, partnership: Partnership,
             log: callable = lambda _: None) -> dict[str, float]:  # type: ignore[valid-type]
        """Write the history, then the working seconds as the services would have stored them. Seconds taken."""
        taken: dict[str, float] = {}
        for table, sql in self.statements():
            started = time.monotonic()
            with self.db.write() as session:
                session.execute(text(sql))
            taken[table] = time.monotonic() - started
            log(f"seeded {table} in {taken[table]:.0f} s")
        started = time.monotonic()
        fill_working_seconds(self.db, calendar, partnership.zone, END)
        taken["working seconds"] = time.monotonic() - started
        if self.pg:
            with self.db.write() as session:
                for table in ("records", "shares", "outcomes", "challenges", "challenge_responses", "revisions",
                              "audit_events", "slack_messages"):
                    session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                         f"(SELECT MAX(id) FROM {table}))"))
        started = time.monotonic()
        analyze(self.db)
        taken["analyze"] = time.monotonic() - started
        return taken


def analyze(db: Database) -> None:
    """Planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) keep them in production."""
    if db.is_sqlite:
        with db.write() as session:
            session.execute(text("ANALYZE"))
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
