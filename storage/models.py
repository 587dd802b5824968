"""The authoritative record. Slack is only where it is shown."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint,
                        text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes only, stored and returned in UTC (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database: pass an aware datetime")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Shared records whose sharer has been asked for the outcome: few next to the whole history.
ASKED = "not_shared_reason IS NULL AND (outcome_requests_sent > 0 OR outcome_request_at IS NOT NULL)"
# Records that asked the receiving agencies to act and are not purged: where App Home looks for results due.
ASKING = "requested_action <> '' AND purged_at IS NULL"
# Shared records, not purged, whose sharer has not reported the outcome: where App Home looks for outcomes due.
OUTCOME_DUE = "not_shared_reason IS NULL AND purged_at IS NULL AND first_outcome_at IS NULL"
# Posts whose agency has acknowledged a record that asked it to act and has not yet told the sharer what it did.
RESULT_DUE = "result_due_since IS NOT NULL"


class Record(Base):
    """One face-to-face conversation, recorded by its sharer."""

    __tablename__ = "records"
    # The partnership figures read a period's records by when they were made.
    __table_args__ = (Index("ix_records_made", "created_at", "sharer_agency"),
                      # A period's record ids from the index alone on PostgreSQL, whose indexes, unlike SQLite's,
                      # do not carry the row's id: the figures join the period's posts and results by them.
                      Index("ix_records_made_ids", "created_at", "id"),
                      Index("ix_records_asked", "sharer_agency", "outcome_requests_sent", "outcome_request_at", "id",
                            sqlite_where=text(ASKED), postgresql_where=text(ASKED)),
                      Index("ix_records_asking", "id", sqlite_where=text(ASKING), postgresql_where=text(ASKING)),
                      # The figures' outcomes overdue now: asked, and no outcome yet (few, however long the history).
                      Index("ix_records_awaiting_outcome", "sharer_agency", "outcome_requests_sent",
                            "outcome_request_at", "id", sqlite_where=text(f"{ASKED} AND first_outcome_at IS NULL"),
                            postgresql_where=text(f"{ASKED} AND first_outcome_at IS NULL")),
                      # When each record was made, by id: App Home sorts the waiting posts by it from the index alone.
                      Index("ix_records_id_made", "id", "created_at"),
                      # App Home's records a person shared, newest first, a page at a time.
                      Index("ix_records_mine", "sharer_id", "created_at", "id"),
                      # App Home's outcomes due: a sharer's shared records still without an outcome, by follow-up.
                      Index("ix_records_outcome_due", "sharer_id", "follow_up_on", "id",
                            sqlite_where=text(OUTCOME_DUE), postgresql_where=text(OUTCOME_DUE)))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_key: Mapped[str] = mapped_column(String(80), unique=True)
    case_reference: Mapped[str] = mapped_column(String(40), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sharer_id: Mapped[str] = mapped_column(String(32), index=True)
    sharer_agency: Mapped[str] = mapped_column(String(40))
    participants: Mapped[list[str]] = mapped_column(JSON)
    others_present: Mapped[str] = mapped_column(Text, default="")
    purposes: Mapped[list[str]] = mapped_column(JSON)
    purpose_detail: Mapped[str] = mapped_column(Text, default="")
    requested_action: Mapped[str] = mapped_column(Text, default="")
    first_hand: Mapped[bool] = mapped_column(Boolean)
    lawful_basis: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    risk_key: Mapped[str] = mapped_column(String(40))
    risk_label: Mapped[str] = mapped_column(String(80))
    risk_definition: Mapped[str] = mapped_column(Text)
    actions: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date] = mapped_column(Date)
    not_shared_reason: Mapped[str | None] = mapped_column(Text)
    # Identifiers the practitioner kept in the text on purpose, and why (data minimisation).
    identifiers_found: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    identifiers_reason: Mapped[str | None] = mapped_column(Text)
    # Set when the retention policy removed the record's content; the reference and audit trail remain.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last thing people did with it, for retention; NULL once purged, so the due query reads only what is due.
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When the sharer is next asked what came of it; NULL once an outcome is in or the asking is over.
    outcome_request_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    outcome_requests_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the sharer first reported the outcome for the child, kept when it is reported, so the partnership
    # figures read a column rather than look through the outcomes; NULL until then.
    first_outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shares: Mapped[list["Share"]] = relationship(back_populates="record", order_by="Share.id")
    outcomes: Mapped[list["Outcome"]] = relationship(back_populates="record", order_by="Outcome.id")
    revisions: Mapped[list["Revision"]] = relationship(order_by="Revision.id", viewonly=True)

    @property
    def reference(self) -> str:
        return format_reference(self.id)

    @property
    def is_shared(self) -> bool:
        return self.not_shared_reason is None


UNCOUNTED = "acknowledged_at IS NOT NULL AND working_seconds_to_acknowledge IS NULL"


class Share(Base):
    """A record shared with one agency, and that agency's acknowledgement of it."""

    __tablename__ = "shares"
    __table_args__ = (UniqueConstraint("record_id", "agency_key"),
                      Index("ix_shares_unacknowledged", "agency_key", "reminders_sent", "next_reminder_at",
                            sqlite_where=text("acknowledged_at IS NULL"),
                            postgresql_where=text("acknowledged_at IS NULL")),
                      # App Home's waiting list: an agency's unacknowledged posts, with the record to sort them by.
                      Index("ix_shares_waiting", "agency_key", "record_id", "id",
                            sqlite_where=text("acknowledged_at IS NULL"), postgresql_where=text("acknowledged_at IS NULL")),
                      # Everything the partnership figures read of a post, in the index: no visit to the table.
                      Index("ix_shares_posts", "record_id", "agency_key", "working_seconds_to_acknowledge",
                            "acknowledged_at"),
                      # Small once every acknowledgement's working seconds are stored: the figures find the rest.
                      Index("ix_shares_uncounted", "record_id", sqlite_where=text(UNCOUNTED),
                            postgresql_where=text(UNCOUNTED)),
                      # App Home's questions to answer: the posts whose records have open challenges, by agency.
                      Index("ix_shares_challenged", "agency_key", "record_id",
                            sqlite_where=text("open_challenges > 0"), postgresql_where=text("open_challenges > 0")),
                      # App Home's results due: an agency's acknowledged posts still owing the sharer its result, in
                      # the order acknowledged.
                      Index("ix_shares_result_due", "agency_key", "result_due_since", "id",
                            sqlite_where=text(RESULT_DUE), postgresql_where=text(RESULT_DUE)))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    agency_key: Mapped[str] = mapped_column(String(40), index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)
    # When the agency is next reminded; NULL once it has acknowledged or the reminders are used up.
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Working seconds from the record being shared to this acknowledgement, worked out when it was made, so the
    # figures read a number; NULL until acknowledged, and on rows acknowledged before the column existed.
    working_seconds_to_acknowledge: Mapped[int | None] = mapped_column(Integer)
    # How many challenges on this post's record are open: kept by ChallengeService when one is raised, answered,
    # resolved or escalated, so App Home reads only the posts with some (ix_shares_challenged).
    open_challenges: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the agency acknowledged a record that asked it to act, until it tells the sharer what it did (kept by
    # AcknowledgementService, cleared by OutcomeService and on purging), so App Home reads only the posts owing one.
    result_due_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    record: Mapped[Record] = relationship(back_populates="shares")


class Outcome(Base):
    """What came of sharing: reported by the sharer, or by a receiving agency."""

    __tablename__ = "outcomes"
    __table_args__ = (Index("ix_outcomes_first_report", "record_id", "agency_key", "reported_at"),
                      # The figures' agencies' own results: a tenth of the outcomes, read whole from the index.
                      Index("ix_outcomes_agency_results", "record_id", "agency_key",
                            sqlite_where=text("agency_key IS NOT NULL"), postgresql_where=text("agency_key IS NOT NULL")))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    submission_key: Mapped[str] = mapped_column(String(80), unique=True)
    reported_by: Mapped[str] = mapped_column(String(32))
    agency_key: Mapped[str | None] = mapped_column(String(40))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    what_happened: Mapped[str] = mapped_column(Text)
    what_changed: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(String(40))
    identifiers_reason: Mapped[str | None] = mapped_column(Text)

    record: Mapped[Record] = relationship(back_populates="outcomes")


class SlackMessage(Base):
    """A message Joined Up owes Slack: written with the change that causes it, then delivered.

    `version` moves when the content should change; delivery brings `delivered_version` up to it.
    `pending` is true while there is something to deliver, so the sweep only reads what is due.
    """

    __tablename__ = "slack_messages"
    __table_args__ = (Index("ix_slack_messages_due", "pending", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), index=True)
    agency_key: Mapped[str | None] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("slack_messages.id"))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"))
    # The challenge, response or revision a message is about, for the kinds that have one.
    subject_id: Mapped[int | None] = mapped_column(Integer)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, default=1)
    delivered_version: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[bool] = mapped_column(Boolean, default=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80))  # host:pid:random of the process sending it
    post_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def state(self) -> str:
        if self.cancelled_at is not None:
            return "cancelled"
        if self.failed_at is not None:
            return "failed"
        if self.ts is None:
            return "pending"
        return "sent"


OPEN = "state = 'open'"
RAISED_SHOWN = "state IN ('open', 'answered')"


class Challenge(Base):
    """A question or a disagreement about a record, raised by a member of a receiving agency."""

    __tablename__ = "challenges"
    # App Home's questions to answer: the open ones in the order they were raised, with what they are checked by
    # (the record, who raised it), so the walk never visits the table; and the open ones by record, for the
    # questions on a person's own records.
    __table_args__ = (Index("ix_challenges_open", "raised_at", "id", "record_id", "raised_by",
                            sqlite_where=text(OPEN), postgresql_where=text(OPEN)),
                      Index("ix_challenges_open_on", "record_id", sqlite_where=text(OPEN), postgresql_where=text(OPEN)),
                      # App Home's "Your questions and challenges": a person's open and answered ones, a page.
                      Index("ix_challenges_raised", "raised_by", "raised_at", "id", sqlite_where=text(RAISED_SHOWN),
                            postgresql_where=text(RAISED_SHOWN)))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    submission_key: Mapped[str] = mapped_column(String(80), unique=True)
    raised_by: Mapped[str] = mapped_column(String(32), index=True)
    agency_key: Mapped[str] = mapped_column(String(40))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    proposed_risk_label: Mapped[str | None] = mapped_column(String(80))
    identifiers_reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="open")  # open, answered, resolved, escalated
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person who must answer is next reminded; NULL once answered or the reminders are used up.
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Working seconds from raising it to its first answer, worked out when that answer came (as on shares).
    working_seconds_to_answer: Mapped[int | None] = mapped_column(Integer)

    record: Mapped[Record] = relationship()
    responses: Mapped[list["ChallengeResponse"]] = relationship(back_populates="challenge",
                                                                order_by="ChallengeResponse.id")


class ChallengeResponse(Base):
    __tablename__ = "challenge_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    submission_key: Mapped[str] = mapped_column(String(80), unique=True)
    responded_by: Mapped[str] = mapped_column(String(32))
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)

    challenge: Mapped[Challenge] = relationship(back_populates="responses")


class Revision(Base):
    """A change to a record: the words it replaced stay here, so every version remains in the history."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    submission_key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # "risk level" or "amendment"
    revised_by: Mapped[str] = mapped_column(String(32))
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reason: Mapped[str] = mapped_column(Text)
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("challenges.id"))
    previous: Mapped[dict[str, str]] = mapped_column(JSON)
    current: Mapped[dict[str, str]] = mapped_column(JSON)


class AuditEvent(Base):
    """One act, append-only: who did what to which record, when, from where. Never content."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int | None] = mapped_column(Integer, index=True)
    surface: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(300), default="")


class SeenEvent(Base):
    """Events API deliveries already handled: Slack retries an event it thinks we missed."""

    __tablename__ = "seen_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class EmailLink(Base):
    """A personal link emailed to one address for one share: only the token's SHA-256 hash is kept."""

    __tablename__ = "email_links"
    __table_args__ = (UniqueConstraint("share_id", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id"), index=True)
    address: Mapped[str] = mapped_column(String(320), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The hash of the secret in the cookie of the one browser the link works on: set by the first to open it,
    # cleared whenever the link is replaced. When another browser last asked for a new link (one per RENEW_EVERY).
    device_hash: Mapped[str | None] = mapped_column(String(64))
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    renewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailMessage(Base):
    """An email Joined Up owes: written with the change that causes it, then sent once through the SMTP relay.

    Unlike a Slack message it is never updated once sent; a retry after a temporary refusal carries a fresh link.
    """

    __tablename__ = "email_messages"
    __table_args__ = (Index("ix_email_messages_due", "pending", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))  # "record", "reminder" or "copy"
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    agency_key: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(320))
    requested_by: Mapped[str | None] = mapped_column(String(32))  # who asked for a copy
    pending: Mapped[bool] = mapped_column(Boolean, default=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def state(self) -> str:
        if self.cancelled_at is not None:
            return "cancelled"
        if self.failed_at is not None:
            return "failed"
        if self.sent_at is not None:
            return "sent"
        return "retrying" if self.attempts else "pending"


class SharerPreference(Base):
    """What the form remembers for each practitioner."""

    __tablename__ = "sharer_preferences"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_key: Mapped[str] = mapped_column(String(40))


class PersonLanguage(Base):
    """The language each person chose (Cymraeg or English); a person without a row reads the partnership's."""

    __tablename__ = "person_languages"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CountedFigures(Base):
    """A report counted each minute by a scheduled job and kept for whoever reads it next (App Home's partnership
    figures): its period, the moment it was counted, and its values as JSON (bot/reports/stored.py). One row per
    use."""

    __tablename__ = "counted_figures"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)  # e.g. "app-home"
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    period_first: Mapped[date] = mapped_column(Date)
    period_last: Mapped[date] = mapped_column(Date)
    period_kind: Mapped[str] = mapped_column(String(10))
    report: Mapped[str] = mapped_column(Text)


REFERENCE_PREFIX = "JU-"


def format_reference(record_id: int) -> str:
    return f"{REFERENCE_PREFIX}{record_id:06d}"


def parse_id(text: object) -> int | None:
    """A row id as it comes back in a button value or form metadata, or None for anything else."""
    value = str(text).strip() if isinstance(text, (str, int)) and not isinstance(text, bool) else ""
    # isdigit() alone accepts "²" and "①", which int() refuses; and ids fit in 31 bits on every database.
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 2**31 else None


def parse_reference(text: str) -> int | None:
    """JU-000042, ju-42 or 42 → 42; anything else → None."""
    cleaned = text.strip().upper()
    if cleaned.startswith(REFERENCE_PREFIX):
        cleaned = cleaned[len(REFERENCE_PREFIX):]
    return parse_id(cleaned)
