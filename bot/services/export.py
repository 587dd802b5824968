"""Exporting records, whole: for a child's case file, a subject access request or an inspection.

Every part of each record is written out (its deliveries, acknowledgements, outcomes, challenges and
their answers, revisions with the words they replaced, and its audit trail), as JSON or as a CSV a
spreadsheet can open with one row per entry in time order. Exporting is itself an act on each record,
and is appended to the audit trail.
"""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import selectinload

from bot.blocks.challenge import KINDS
from bot.blocks.outcome import NEXT_STEPS
from bot.services.audit import Act, Surface, audit
from bot.services.readable import Names, act_in_words, day, moment
from storage.db import Database
from storage.models import AuditEvent, Challenge, Record, Revision, SlackMessage, parse_reference

AGENCY_POST = "agency_post"
# "when" and "who" are the machine's (UTC, a Slack user ID); the _readable columns beside them are for people.
CSV_COLUMNS = ("reference", "case_reference", "when", "when_readable", "entry", "who", "who_readable", "agency",
               "details")
# Where a spreadsheet would read a cell as a formula; such cells are written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The record's fields as a revision names them, as people read them.
FIELD_LABELS = {"risk_key": "Risk level key", "risk_label": "Risk level", "risk_definition": "Risk definition",
                "summary": "Summary", "actions": "Actions"}
PURGED_NOTE = "The content of this record was removed under the retention policy on {date}."


def export_records(db: Database, *, case_reference: str | None = None, start: date | None = None,
                   end: date | None = None, zone: tzinfo, agency_names: Mapping[str, str],
                   names: Names | None = None, channel_names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Every record for one child (or every record, when case_reference is None) created from `start` to `end`
    inclusive, as dates in `zone`; oldest first, each with all of its parts. Times are ISO 8601 in UTC, IDs as
    stored; beside each, a `_readable` field has the time in `zone` with the zone named, the person by name (from
    `names`), and each audited act in words (agencies by name, and channels by `channel_names`)."""
    readable = _Readable(zone, names or Names(None), agency_names, channel_names or {})
    condition = _condition(case_reference, start, end, zone)
    ids = select(Record.id).where(*condition).scalar_subquery()
    with db.read() as session:
        records = list(session.scalars(
            select(Record).where(*condition).order_by(Record.created_at, Record.id)
            .options(selectinload(Record.shares), selectinload(Record.outcomes), selectinload(Record.revisions))))
        posts = _grouped(session.scalars(select(SlackMessage).where(SlackMessage.record_id.in_(ids),
                                                                    SlackMessage.kind == AGENCY_POST)
                                         .order_by(SlackMessage.id)))
        challenges = _grouped(session.scalars(select(Challenge).where(Challenge.record_id.in_(ids))
                                              .order_by(Challenge.raised_at, Challenge.id)
                                              .options(selectinload(Challenge.responses))))
        events = _grouped(session.scalars(select(AuditEvent).where(AuditEvent.record_id.in_(ids))
                                          .order_by(AuditEvent.at, AuditEvent.id)))
        return [_record(r, posts[r.id], challenges[r.id], events[r.id], agency_names, readable) for r in records]


def to_json(records: Sequence[Mapping[str, Any]], *, exported_at: datetime, exported_by: str,
            partnership: str | None, query: Mapping[str, Any], zone: tzinfo = timezone.utc,
            names_note: str | None = None) -> str:
    document = {"exported_at": _iso(exported_at), "exported_at_readable": moment(exported_at, zone),
                "exported_by": exported_by, "partnership": partnership, "query": dict(query),
                "names": names_note or "people are named as Slack knows them, with their Slack user ID",
                "records": list(records)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_csv(records: Sequence[Mapping[str, Any]]) -> str:
    """One row per entry: each record's own row first, then everything that happened to it in time order."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for record in records:
        for row in csv_rows(record):
            writer.writerow({column: _cell(value) for column, value in row.items()})
    return out.getvalue()


def record_exported(db: Database, records: Iterable[Mapping[str, Any]], actor: str, detail: str,
                    now: datetime) -> int:
    """One EXPORTED act in each record's audit trail, in one transaction. Returns how many."""
    ids = [record_id for r in records if (record_id := parse_reference(r["reference"])) is not None]
    with db.write() as session:
        for record_id in ids:
            audit(session, at=now, actor=actor[:32], act=Act.EXPORTED, surface=Surface.CLI, record_id=record_id,
                  detail=detail)
    return len(ids)


def day_range(start: date | None, end: date | None, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    """The first moment of `start` and the first moment after `end`, in `zone`, as UTC."""
    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)

    return (midnight(start) if start else None), (midnight(end + timedelta(days=1)) if end else None)


# --- one record ---------------------------------------------------------------------------------------

def _condition(case_reference: str | None, start: date | None, end: date | None,
               zone: tzinfo) -> list[ColumnElement[bool]]:
    condition: list[ColumnElement[bool]] = []
    if case_reference is not None:
        condition.append(Record.case_reference == case_reference)
    since, until = day_range(start, end, zone)
    if since is not None:
        condition.append(Record.created_at >= since)
    if until is not None:
        condition.append(Record.created_at < until)
    return condition


def _grouped(rows: Iterable[Any]) -> defaultdict[int, list[Any]]:
    groups: defaultdict[int, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row.record_id].append(row)
    return groups


class _Readable:
    """What an export writes beside the machine's fields, for people."""

    def __init__(self, zone: tzinfo, names: Names, agencies: Mapping[str, str], channels: Mapping[str, str]) -> None:
        self.zone, self.person, self.agencies, self.channels = zone, names, agencies, channels

    def time(self, value: datetime | None) -> str | None:
        return moment(value, self.zone)

    def act(self, event: AuditEvent) -> str:
        return act_in_words(event.action, event.detail, agencies=self.agencies, channels=self.channels,
                            person=self.person)


def _record(record: Record, posts: list[SlackMessage], challenges: list[Challenge], events: list[AuditEvent],
            names: Mapping[str, str], readable: _Readable) -> dict[str, Any]:
    def name(key: str | None) -> str | None:
        return None if key is None else names.get(key, key)

    time, person = readable.time, readable.person
    purged_at = getattr(record, "purged_at", None)
    return {
        "reference": record.reference,
        "case_reference": record.case_reference,
        "occurred_at": _iso(record.occurred_at),
        "occurred_at_readable": time(record.occurred_at),
        "created_at": _iso(record.created_at),
        "created_at_readable": time(record.created_at),
        "sharer": record.sharer_id,
        "sharer_readable": person(record.sharer_id),
        "sharer_agency": name(record.sharer_agency),
        "shared_with": [name(share.agency_key) for share in record.shares],
        "participants": list(record.participants or []),
        "participants_readable": [person(user) for user in record.participants or []],
        "others_present": record.others_present,
        "purposes": list(record.purposes or []),
        "purpose_detail": record.purpose_detail,
        "requested_action": record.requested_action,
        "source": "first-hand" if record.first_hand else "reported",
        "lawful_basis": record.lawful_basis,
        "risk": {"key": record.risk_key, "label": record.risk_label, "definition": record.risk_definition},
        "summary": record.summary,
        "actions": record.actions,
        "follow_up_on": record.follow_up_on.isoformat() if record.follow_up_on else None,
        "follow_up_on_readable": day(record.follow_up_on),
        "not_shared_reason": record.not_shared_reason,
        "purged_at": _iso(purged_at),
        "purged_at_readable": time(purged_at),
        "note": PURGED_NOTE.format(date=_iso(purged_at)[:10]) if purged_at else None,  # type: ignore[index]
        "deliveries": [{
            "agency": name(post.agency_key),
            "agency_key": post.agency_key,
            "channel": post.channel_id or post.target,
            "state": post.state,
            "posted_at": _iso(post.sent_at),
            "posted_at_readable": time(post.sent_at),
            "permalink": post.permalink,
            "error": post.last_error if post.state == "failed" else None,
            "queued_at": _iso(post.created_at),
            "queued_at_readable": time(post.created_at),
        } for post in posts],
        "acknowledgements": [{
            "agency": name(share.agency_key),
            "agency_key": share.agency_key,
            "acknowledged_by": share.acknowledged_by,
            "acknowledged_by_readable": person(share.acknowledged_by),
            "acknowledged_at": _iso(share.acknowledged_at),
            "acknowledged_at_readable": time(share.acknowledged_at),
            "note": share.acknowledgement_note,
        } for share in record.shares if share.acknowledged_at is not None],
        "outcomes": [{
            "reported_by": outcome.reported_by,
            "reported_by_readable": person(outcome.reported_by),
            # An outcome without an agency was reported by the sharer, for the sharer's agency.
            "agency": name(outcome.agency_key or record.sharer_agency),
            "agency_key": outcome.agency_key,
            "reported_at": _iso(outcome.reported_at),
            "reported_at_readable": time(outcome.reported_at),
            "what_happened": outcome.what_happened,
            "what_changed": outcome.what_changed,
            "next_step": NEXT_STEPS.get(outcome.next_step, outcome.next_step),
        } for outcome in record.outcomes],
        "challenges": [{
            "number": challenge.id,
            "raised_by": challenge.raised_by,
            "raised_by_readable": person(challenge.raised_by),
            "agency": name(challenge.agency_key),
            "agency_key": challenge.agency_key,
            "raised_at": _iso(challenge.raised_at),
            "raised_at_readable": time(challenge.raised_at),
            "kind": KINDS.get(challenge.kind, challenge.kind),
            "text": challenge.text,
            "proposed_risk_label": challenge.proposed_risk_label,
            "state": challenge.state,
            "closed_at": _iso(challenge.closed_at),
            "closed_at_readable": time(challenge.closed_at),
            "responses": [{
                "responded_by": response.responded_by,
                "responded_by_readable": person(response.responded_by),
                "responded_at": _iso(response.responded_at),
                "responded_at_readable": time(response.responded_at),
                "text": response.text,
            } for response in challenge.responses],
        } for challenge in challenges],
        "revisions": [{
            "kind": revision.kind,
            "revised_by": revision.revised_by,
            "revised_by_readable": person(revision.revised_by),
            "revised_at": _iso(revision.revised_at),
            "revised_at_readable": time(revision.revised_at),
            "reason": revision.reason,
            "challenge": revision.challenge_id,
            "previous": dict(revision.previous or {}),
            "current": dict(revision.current or {}),
        } for revision in _revisions(record)],
        "audit": [{
            "at": _iso(event.at),
            "at_readable": time(event.at),
            "actor": event.actor,
            "actor_readable": readable.person.actor(event.actor),
            "action": event.action,
            "action_readable": readable.act(event),
            "surface": event.surface,
            "detail": event.detail,
        } for event in events],
    }


def _revisions(record: Record) -> list[Revision]:
    return sorted(record.revisions, key=lambda r: (r.revised_at, r.id))


# --- CSV ----------------------------------------------------------------------------------------------

def csv_rows(record: Mapping[str, Any]) -> list[dict[str, str]]:
    """The record's own row, then its entries sorted by time (ties keep the order they are listed in)."""
    def row(item: Mapping[str, Any], when: str, entry: str, who: str | None, agency: str | None,
            details: str) -> dict[str, str]:
        """`when` and `who` name the item's fields; each has a `_readable` twin."""
        person = (item.get(who), item.get(f"{who}_readable")) if who else (None, None)
        return {"reference": record["reference"], "case_reference": record["case_reference"],
                "when": item.get(when) or "", "when_readable": item.get(f"{when}_readable") or "", "entry": entry,
                "who": person[0] or "", "who_readable": person[1] or "", "agency": agency or "", "details": details}

    entries = [row(d, "posted_at" if d["posted_at"] else "queued_at", "delivery", None, d["agency"], _delivery(d))
               for d in record["deliveries"]]
    entries += [row(a, "acknowledged_at", "acknowledgement", "acknowledged_by", a["agency"],
                    f"Acknowledged for {a['agency']}." + (f"\nNote: {a['note']}" if a["note"] else ""))
                for a in record["acknowledgements"]]
    entries += [row(o, "reported_at", "outcome", "reported_by", o["agency"], _outcome(o))
                for o in record["outcomes"]]
    for challenge in record["challenges"]:
        entries.append(row(challenge, "raised_at", "challenge", "raised_by", challenge["agency"],
                           _challenge(challenge)))
        entries += [row(r, "responded_at", "response", "responded_by", None,
                        f"Answer to challenge {challenge['number']} ({challenge['kind']}):\n{r['text']}")
                    for r in challenge["responses"]]
    entries += [row(r, "revised_at", "revision", "revised_by", None, _revision(r)) for r in record["revisions"]]
    entries += [row(e, "at", "audit", "actor", None, f"{e['action_readable']} ({e['surface']})")
                for e in record["audit"]]
    entries.sort(key=lambda entry: _moment(entry["when"]))
    first = row(record, "created_at", "record", "sharer", record["sharer_agency"], _record_details(record))
    return [first, *entries]


def _record_details(record: Mapping[str, Any]) -> str:
    risk = record["risk"]
    lines = [
        ("Case reference", record["case_reference"]),
        ("Conversation took place", record["occurred_at_readable"]),
        ("Recorded", record["created_at_readable"]),
        ("Shared by", f"{record['sharer_readable']}, {record['sharer_agency']}"),
        ("Shared with", ", ".join(record["shared_with"]) or "nobody"),
        ("Not shared because", record["not_shared_reason"]),
        ("Who was there", ", ".join(record["participants_readable"])),
        ("Others present", record["others_present"]),
        ("Purposes", "; ".join(record["purposes"])),
        ("Purpose detail", record["purpose_detail"]),
        ("Requested action", record["requested_action"]),
        ("Source", record["source"]),
        ("Lawful basis", record["lawful_basis"]),
        ("Risk level", f"{risk['label']} ({risk['key']})"),
        ("Risk definition", risk["definition"]),
        ("Summary", record["summary"]),
        ("Actions", record["actions"]),
        ("Follow up on", record["follow_up_on_readable"]),
        ("Note", record["note"]),
    ]
    return "\n".join(f"{label}: {value}" for label, value in lines if value)


def _delivery(delivery: Mapping[str, Any]) -> str:
    text = f"Posted to {delivery['agency']} in channel {delivery['channel']}: {delivery['state']}."
    if delivery["error"]:
        text += f" Slack said: {delivery['error']}."
    if delivery["permalink"]:
        text += f"\nLink: {delivery['permalink']}"
    return text


def _outcome(outcome: Mapping[str, Any]) -> str:
    text = f"What happened: {outcome['what_happened']}"
    if outcome["what_changed"]:
        text += f"\nWhat changed: {outcome['what_changed']}"
    return text + f"\nNext step: {outcome['next_step']}"


def _challenge(challenge: Mapping[str, Any]) -> str:
    text = f"Challenge {challenge['number']}, {challenge['kind']}:\n{challenge['text']}"
    if challenge["proposed_risk_label"]:
        text += f"\nProposed risk level: {challenge['proposed_risk_label']}"
    text += f"\nNow: {challenge['state']}"
    return text + (f" ({challenge['closed_at_readable']})" if challenge["closed_at"] else "")


def _revision(revision: Mapping[str, Any]) -> str:
    what = "Risk level revised" if revision["kind"] == "risk level" else f"Record revised ({revision['kind']})"
    lines = [f"{what}. Reason: {revision['reason']}"]
    if revision["challenge"]:
        lines.append(f"In answer to challenge {revision['challenge']}")
    for field in dict.fromkeys([*revision["previous"], *revision["current"]]):
        label = FIELD_LABELS.get(field, field)
        lines.append(f"{label} was: {revision['previous'].get(field) or '(blank)'}")
        lines.append(f"{label} now: {revision['current'].get(field) or '(blank)'}")
    return "\n".join(lines)


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


# --- times --------------------------------------------------------------------------------------------

def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(timezone.utc).isoformat()


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text) if text else datetime.max.replace(tzinfo=timezone.utc)
