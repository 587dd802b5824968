"""Representative rows for a database at each earlier schema revision, written with raw SQL as that revision's
tables stood, and what `joinedup migrate` must make of them at head.

Two records: JU-000001 shared with education (acknowledged) and health (reminded), with posts, a reminder, an
outcome, a challenge answered, an amendment and an audit trail, as far as the revision had them; JU-000002 kept
"record only, not shared", and (from 0005, which added retention) purged.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

EARLIER_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007")
T0 = datetime(2026, 3, 2, 9, 30, 15, 250000, tzinfo=timezone.utc)
CREATED = T0 + timedelta(minutes=5)
ACKNOWLEDGED = T0 + timedelta(hours=1)
CHALLENGED = T0 + timedelta(days=2)
REMINDED = T0 + timedelta(days=20)  # not an activity: retention does not count reminders
PURGED = T0 + timedelta(days=400)
FOLLOW_UP = date(2026, 3, 16)
SUMMARY = "Met at school. The child said they had not had breakfast this week."


def at_least(revision: str, since: str) -> bool:
    return revision >= since


def rows(revision: str) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, in an order that satisfies the foreign keys, with the columns `revision` had."""
    def since(first: str, **columns: Any) -> dict[str, Any]:
        return columns if at_least(revision, first) else {}

    record = dict(
        submission_key="V0000000001", case_reference="CR-12345", occurred_at=T0, created_at=CREATED,
        sharer_id="U0SAM", sharer_agency="social-care", participants=json.dumps(["U0SAM", "U0TIA"]),
        others_present="Head of year", purposes=json.dumps(["To keep the child safe from harm"]),
        purpose_detail="", requested_action="Please note for the child's plan", first_hand=True,
        lawful_basis="Public task: statutory safeguarding duty (no consent sought)", summary=SUMMARY,
        risk_key="early-help", risk_label="Early help", risk_definition="Emerging needs that a single agency can meet.",
        actions="School to offer breakfast club.", follow_up_on=FOLLOW_UP, not_shared_reason=None)
    tables: dict[str, list[dict[str, Any]]] = {
        "records": [
            {"id": 1, **record, **since("0002", outcome_request_at=T0 + timedelta(days=14), outcome_requests_sent=1),
             **since("0005", identifiers_found=json.dumps(["postcode"]), identifiers_reason="The visit's address",
                     purged_at=None), **since("0007", last_activity_at=CHALLENGED)},
            {"id": 2, **record, "submission_key": "V0000000002", "case_reference": "CR-67890",
             "not_shared_reason": "Record only: for the file", "first_hand": False,
             **since("0002", outcome_request_at=None, outcome_requests_sent=0),
             **since("0005", identifiers_found="[]", identifiers_reason=None, purged_at=PURGED),
             **since("0007", last_activity_at=None)},
        ],
        "sharer_preferences": [{"user_id": "U0SAM", "agency_key": "social-care"}],
        "shares": [
            {"id": 1, "record_id": 1, "agency_key": "education", "acknowledged_by": "U0TIA",
             "acknowledged_at": ACKNOWLEDGED, "acknowledgement_note": "Seen, thank you",
             **since("0002", next_reminder_at=None, reminders_sent=0)},
            {"id": 2, "record_id": 1, "agency_key": "health", "acknowledged_by": None, "acknowledged_at": None,
             "acknowledgement_note": None, **since("0002", next_reminder_at=REMINDED + timedelta(days=1),
                                                    reminders_sent=1)},
        ],
    }
    if at_least(revision, "0002"):
        tables["outcomes"] = [{
            "id": 1, "record_id": 1, "submission_key": "O0000000001", "reported_by": "U0SAM", "agency_key": None,
            "reported_at": T0 + timedelta(days=15), "what_happened": "Breakfast club started.",
            "what_changed": "Attends every day.", "next_step": "no_further_action",
            **since("0005", identifiers_reason=None)}]
    message = dict(kind="agency_post", record_id=1, target="C0EDUCATION", parent_id=None, channel_id="C0EDUCATION",
                   ts="1772443815.000100",
                   permalink="https://anyshire.slack.com/archives/C0EDUCATION/p1772443815000100",
                   version=2, delivered_version=2, pending=False, attempts=1, next_attempt_at=CREATED,
                   claimed_until=None, post_started_at=CREATED, last_error=None, failed_at=None, created_at=CREATED,
                   sent_at=CREATED + timedelta(seconds=1))
    tables["slack_messages"] = [
        {"id": 1, "key": "post:1:education", "agency_key": "education", **message,
         **since("0002", outcome_id=None, cancelled_at=None), **since("0004", subject_id=None)},
        {"id": 2, "key": "reminder:1:health:1", **message, "kind": "ack_reminder", "agency_key": "health",
         "target": "C0HEALTH", "channel_id": "C0HEALTH", "parent_id": 1, "ts": None, "permalink": None,
         "version": 1, "delivered_version": 0, "pending": True, "attempts": 3, "next_attempt_at": REMINDED,
         "post_started_at": None, "last_error": "ratelimited", "sent_at": None,
         **since("0002", outcome_id=None, cancelled_at=None), **since("0004", subject_id=None)},
    ]
    if at_least(revision, "0002"):
        tables["slack_messages"].append(
            {"id": 3, "key": "outcome:1:education", **message, "kind": "outcome_reply", "agency_key": "education",
             "parent_id": 1, "ts": "1773739815.000200", "outcome_id": 1, "cancelled_at": None,
             **since("0004", subject_id=None)})
    if at_least(revision, "0003"):
        tables["audit_events"] = [
            {"id": 1, "at": CREATED, "actor": "U0SAM", "action": "created", "record_id": 1, "surface": "form",
             "detail": ""},
            {"id": 2, "at": ACKNOWLEDGED, "actor": "U0TIA", "action": "acknowledged", "record_id": 1,
             "surface": "button", "detail": "education"},
            {"id": 3, "at": REMINDED, "actor": "system", "action": "reminded", "record_id": 1, "surface": "sweep",
             "detail": "health"},
            {"id": 4, "at": CREATED, "actor": "U0SAM", "action": "created", "record_id": 2, "surface": "form",
             "detail": ""},
        ]
    if at_least(revision, "0004"):
        tables["audit_events"].append({"id": 5, "at": CHALLENGED, "actor": "U0TIA", "action": "challenged",
                                       "record_id": 1, "surface": "button", "detail": "question"})
        tables["challenges"] = [{
            "id": 1, "record_id": 1, "submission_key": "C0000000001", "raised_by": "U0TIA", "agency_key": "education",
            "raised_at": CHALLENGED, "kind": "question", "text": "Which breakfast club?", "proposed_risk_label": None,
            "state": "answered", "closed_at": None, "next_reminder_at": CHALLENGED + timedelta(days=1),
            "reminders_sent": 0, **since("0005", identifiers_reason=None)}]
        tables["challenge_responses"] = [{
            "id": 1, "challenge_id": 1, "submission_key": "R0000000001", "responded_by": "U0SAM",
            "responded_at": CHALLENGED + timedelta(hours=1), "text": "The school's own."}]
        tables["revisions"] = [{
            "id": 1, "record_id": 1, "submission_key": "A0000000001", "kind": "amendment", "revised_by": "U0SAM",
            "revised_at": CHALLENGED + timedelta(hours=2), "reason": "A typo", "challenge_id": None,
            "previous": json.dumps({"summary": "Met at scool."}), "current": json.dumps({"summary": SUMMARY})}]
    if at_least(revision, "0006"):
        tables["seen_events"] = [{"event_id": "Ev0000000001", "received_at": T0}]
    return tables


def insert(connection: Connection, revision: str) -> dict[str, int]:
    """Write rows(revision) with plain INSERT statements, values stored as Joined Up stored them on this database
    (SQLite: UTC times as text without a zone); returns each table's row count."""
    sqlite = connection.dialect.name == "sqlite"

    def stored(value: Any) -> Any:
        if sqlite and isinstance(value, datetime):
            return value.astimezone(timezone.utc).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        if sqlite and isinstance(value, date):
            return value.isoformat()
        return value

    counts = {}
    for table, entries in rows(revision).items():
        for entry in entries:
            columns = ", ".join(entry)
            connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in entry)})"),
                               {name: stored(value) for name, value in entry.items()})
        counts[table] = len(entries)
    if not sqlite:  # rows written with their ids: move each sequence past them, as the application's inserts would
        for table in counts:
            if table not in ("sharer_preferences", "seen_events"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
    return counts


def expected_last_activity(revision: str) -> dict[int, datetime | None]:
    """What 0007 must compute: the latest activity in the audit trail (reminders are not activity), else when
    the record was created; nothing for a purged record."""
    first = ACKNOWLEDGED if at_least(revision, "0003") else CREATED
    if at_least(revision, "0004"):
        first = CHALLENGED
    return {1: first, 2: None if at_least(revision, "0005") else CREATED}
