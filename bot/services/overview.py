"""Each person's own work: what waits for their agency, what they shared, and whole records they may see."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from sqlalchemy import Select, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from bot.blocks.record_post import Delivery, agency_name
from bot.domain.clock import Clock
from bot.services.audit import Act, Surface, audit
from bot.domain.config import Partnership
from bot.services.content import MessageContent
from bot.services.directory import Directory
from storage.db import Database
from storage.models import Challenge, Outcome, Record, Share, SlackMessage, format_reference, \
    parse_reference

PAGE = 10
# Written into the SQL, not bound, so both planners match the partial indexes App Home reads (storage/models.py).
OPEN = literal_column("'open'")
ANSWERED = literal_column("'answered'")
NONE = literal_column("0")
# Each list is counted up to this many past the page asked for; a longer one is shown as "more than" that, so App
# Home reads about what it shows however long an agency's backlog.
COUNT_UP_TO = 1000
# Up to this many posts with open challenges, App Home reads their records' open challenges; beyond, it walks the
# open challenges in the order raised until a page reaches the person's agencies.
FEW = 1000


@dataclass(frozen=True)
class Waiting:
    share_id: int
    reference: str
    case_reference: str
    agency_name: str
    risk_label: str
    sharer_id: str
    sharer_agency: str
    shared_at: datetime


@dataclass(frozen=True)
class Shared:
    reference: str
    case_reference: str
    created_at: datetime
    is_shared: bool
    deliveries: list[Delivery]


@dataclass(frozen=True)
class OutcomeDue:
    record_id: int
    reference: str
    case_reference: str
    follow_up_on: date


@dataclass(frozen=True)
class ResultDue:
    """A record an agency acknowledged, which asked it to act, and whose sharer it has not yet told what it did."""

    record_id: int
    reference: str
    case_reference: str
    agency_key: str
    agency_name: str
    acknowledged_at: datetime


@dataclass(frozen=True)
class OpenChallenge:
    challenge_id: int
    reference: str
    raised_by: str
    agency_name: str
    state: str
    raised_at: datetime


@dataclass(frozen=True)
class Overview:
    waiting: list[Waiting]
    waiting_total: int
    waiting_offset: int
    shared: list[Shared]
    shared_total: int
    shared_offset: int
    belongs_to_an_agency: bool
    outcomes_due: list[OutcomeDue] = field(default_factory=list)
    to_answer: list[OpenChallenge] = field(default_factory=list)
    raised: list[OpenChallenge] = field(default_factory=list)
    results_due: list[ResultDue] = field(default_factory=list)
    waiting_counted_all: bool = True  # False: more than waiting_total wait (counted up to COUNT_UP_TO past the page)
    shared_counted_all: bool = True


def _page_in_order(agencies: list[str], rows_of: Callable[[str], Select[Any]], offset: int, page: int) -> Select[Any]:
    """The ids of a page of rows in the order of `rows_of`'s columns after the id, read in that order from each
    agency's own index range and, for several agencies, merged: `agency_key IN (…)` would make both planners read
    every entry of every agency to sort them."""
    def ordered(rows: Select[Any]) -> Select[Any]:
        columns = list(rows.selected_columns)
        return rows.order_by(*columns[1:], columns[0])

    if len(agencies) == 1:
        return ordered(rows_of(agencies[0])).with_only_columns(Share.id).offset(offset).limit(page)
    merged = union_all(*[select(ordered(rows_of(agency)).limit(offset + page).subquery())
                         for agency in agencies]).subquery()
    return ordered(select(*merged.c)).with_only_columns(merged.c[0]).offset(offset).limit(page)


def _waiting_in(agency: str) -> Select[Any]:
    """An agency's unacknowledged posts, in the order of ix_shares_waiting."""
    return select(Share.id, Share.record_id).where(Share.agency_key == agency, Share.acknowledged_at.is_(None))


def _owing_result_in(agency: str) -> Select[Any]:
    """An agency's posts owing the sharer its result, in the order of ix_shares_result_due, still checked."""
    told = select(Outcome.id).where(Outcome.record_id == Share.record_id, Outcome.agency_key == Share.agency_key)
    return (select(Share.id, Share.result_due_since).join(Record, Share.record_id == Record.id)
            .where(Share.agency_key == agency, Share.result_due_since.is_not(None), Record.purged_at.is_(None),
                   ~told.exists()))


def _count(session: Session, rows: Any, shown_to: int) -> tuple[int, bool]:
    """How many rows, counted up to COUNT_UP_TO past `shown_to`, and whether that was all of them."""
    most = shown_to + COUNT_UP_TO
    counted = session.scalar(select(func.count()).select_from(rows.limit(most + 1).subquery())) or 0
    return min(counted, most), counted <= most


@dataclass(frozen=True)
class RecordHistory:
    record: Record
    deliveries: list[Delivery]
    posts: list[SlackMessage]
    challenges: list[Challenge] = field(default_factory=list)


class OverviewService:
    def __init__(self, *, db: Database, partnership: Partnership, directory: Directory, content: MessageContent,
                 clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.partnership = partnership
        self.directory = directory
        self.content = content

    def overview(self, user_id: str, *, waiting_offset: int = 0, shared_offset: int = 0, page: int = PAGE) -> Overview:
        agencies = self.directory.agencies_of(user_id)
        with self.db.read() as session:
            # Counted and paged from the partial index of unacknowledged posts (ix_shares_waiting: the agency, the
            # record and the post), never the acknowledged history: in the order the records were saved, which is
            # the index's, so a page reads a page of entries from each of their agencies however many wait; only
            # the page's rows are read whole.
            waiting_here = (Share.agency_key.in_(agencies), Share.acknowledged_at.is_(None))
            waiting_total, waiting_counted_all = _count(session, select(Share.id).where(*waiting_here),
                                                        waiting_offset + page)
            on_page = _page_in_order(agencies, _waiting_in, waiting_offset, page) if waiting_total else None
            rows = session.execute(select(Share, Record).join(Record, Share.record_id == Record.id)
                                   .where(Share.id.in_(on_page.scalar_subquery()))
                                   .order_by(Share.record_id, Share.id)).all() if on_page is not None else []
            waiting = [Waiting(share.id, record.reference, record.case_reference,
                               agency_name(self.partnership, share.agency_key), record.risk_label, record.sharer_id,
                               agency_name(self.partnership, record.sharer_agency), record.created_at)
                       for share, record in rows]
            mine = select(Record).where(Record.sharer_id == user_id)
            shared_total, shared_counted_all = _count(session, select(Record.id).where(Record.sharer_id == user_id),
                                                      shared_offset + page)
            records = session.scalars(mine.order_by(Record.created_at.desc(), Record.id.desc())
                                      .offset(shared_offset).limit(page)).all()
            shared = [Shared(r.reference, r.case_reference, r.created_at, r.is_shared,
                             self.content.deliveries(session, r)) for r in records]
            today = self.clock.now().astimezone(self.partnership.zone).date()
            # Read along ix_records_outcome_due, which holds only a sharer's records still without an outcome, in
            # follow-up order. A record with first_outcome_at has an outcome (OutcomeService keeps the column); one
            # without it (rows written some other way) still has its outcomes looked up, as before.
            due = session.scalars(
                select(Record).where(Record.sharer_id == user_id, Record.not_shared_reason.is_(None),
                                     Record.purged_at.is_(None), Record.first_outcome_at.is_(None),
                                     Record.follow_up_on <= today,
                                     ~Record.outcomes.any(Outcome.agency_key.is_(None)))
                .order_by(Record.follow_up_on, Record.id).limit(page)).all()
            outcomes_due = [OutcomeDue(r.id, r.reference, r.case_reference, r.follow_up_on) for r in due]
            to_answer = self._to_answer(session, user_id, agencies, page)
            results_due = self._results_due(session, agencies, page)
            # Read along ix_challenges_raised: the person's open and answered challenges, in the order raised.
            raised = self._challenges(session, (Challenge.raised_by == user_id)
                                      & Challenge.state.in_([OPEN, ANSWERED]), page)
        return Overview(waiting, waiting_total, waiting_offset, shared, shared_total, shared_offset, bool(agencies),
                        outcomes_due, to_answer, raised, results_due, waiting_counted_all, shared_counted_all)

    def _results_due(self, session: Session, agencies: list[str], page: int) -> list[ResultDue]:
        """Records shared with these agencies that asked for an action, acknowledged, with no result told yet.

        Read in the order acknowledged from the posts marked as owing one (ix_shares_result_due, kept by the
        acknowledgement and outcome services), not from every record that ever asked; each is still checked for a
        result and a purge, so a mark left by two services racing shows nothing that is not due."""
        if not agencies:
            return []
        on_page = _page_in_order(agencies, _owing_result_in, 0, page)
        rows = session.execute(select(Share, Record).join(Record, Share.record_id == Record.id)
                               .where(Share.id.in_(on_page.scalar_subquery()))
                               .order_by(Share.result_due_since, Share.id)).all()
        return [ResultDue(record.id, record.reference, record.case_reference, share.agency_key,
                          agency_name(self.partnership, share.agency_key), share.acknowledged_at)
                for share, record in rows]

    def _to_answer(self, session: Session, user_id: str, agencies: list[str], page: int) -> list[OpenChallenge]:
        """Open questions, not their own, on records they shared or that reached an agency of theirs: a page, in the
        order raised. Two reads of at most a page each, merged: the open questions on their own records (their
        records from ix_records_mine, then the open challenges on them from ix_challenges_open_on), each worked out
        whole first, so no plan (PostgreSQL's generic plan of a prepared statement included) walks every open
        challenge hoping to meet one on their records; and, for a member of an agency, the open challenges on the
        records whose posts to their agencies have some open (Share.open_challenges, kept by ChallengeService) when
        they are few, or else the open challenges in the order raised, each checked against their agencies'
        posts, until a page."""
        theirs = select(Record.id).where(Record.sharer_id == user_id).cte("their_records").prefix_with("MATERIALIZED")
        # Who raised them is checked after: in a generic plan PostgreSQL guesses `raised_by <> $1` keeps one row.
        mine = (select(Challenge.id, Challenge.raised_at, Challenge.raised_by)
                .where(Challenge.record_id.in_(select(theirs.c.id)), Challenge.state == OPEN)
                .cte("mine").prefix_with("MATERIALIZED"))
        found = self._challenges(session, Challenge.id.in_(
            select(mine.c.id).where(mine.c.raised_by != user_id).order_by(mine.c.raised_at, mine.c.id).limit(page)
            .scalar_subquery()), page)
        if agencies:
            # The posts to their agencies whose records have open challenges (ix_shares_challenged: open_challenges,
            # kept by ChallengeService), counted up to FEW from the index alone.
            challenged = select(Share.record_id).where(Share.agency_key.in_(agencies), Share.open_challenges > NONE)
            few = session.scalar(select(func.count()).select_from(challenged.limit(FEW).subquery())) or 0
            if few < FEW:
                # Few: their records worked out first, then the open challenges on them from ix_challenges_open_on.
                reached = challenged.cte("reached").prefix_with("MATERIALIZED")
                on_reached = (select(Challenge.id, Challenge.raised_at, Challenge.raised_by)
                              .where(Challenge.record_id.in_(select(reached.c.record_id)), Challenge.state == OPEN)
                              .cte("on_reached").prefix_with("MATERIALIZED"))
                condition = Challenge.id.in_(select(on_reached.c.id).where(on_reached.c.raised_by != user_id)
                                             .order_by(on_reached.c.raised_at, on_reached.c.id).limit(page)
                                             .scalar_subquery())
            else:
                # Many: the open challenges walked in the order raised from ix_challenges_open alone, each checked
                # by one seek into the shares' unique index, stopping at a page, which so many soon fill.
                received = select(Share.id).where(Share.record_id == Challenge.record_id,
                                                  Share.agency_key.in_(agencies)).exists()
                condition = (Challenge.state == OPEN) & (Challenge.raised_by != user_id) & received
            seen = {c.challenge_id for c in found}
            found += [c for c in self._challenges(session, condition, page) if c.challenge_id not in seen]
        return sorted(found, key=lambda c: (c.raised_at, c.challenge_id))[:page]

    def _challenges(self, session: Session, condition: Any, page: int) -> list[OpenChallenge]:
        # The page's ids first, from the index the condition names alone; then only the page's rows, whole.
        ids = select(Challenge.id).where(condition).order_by(Challenge.raised_at, Challenge.id).limit(page)
        rows = session.scalars(select(Challenge).where(Challenge.id.in_(ids.scalar_subquery()))
                               .order_by(Challenge.raised_at, Challenge.id)).all()
        return [OpenChallenge(c.id, format_reference(c.record_id), c.raised_by,
                              agency_name(self.partnership, c.agency_key), c.state, c.raised_at) for c in rows]

    def may_see(self, user_id: str, record: Record) -> bool:
        """The sharer, members of the agencies it was shared with, and the partnership's admins."""
        if user_id == record.sharer_id or self.directory.is_admin(user_id):
            return True
        return any(self.directory.is_member(user_id, share.agency_key) for share in record.shares)

    def history(self, user_id: str, reference: str) -> RecordHistory | None:
        """The whole record, or None both when it does not exist and when this person may not see it."""
        record_id = parse_reference(reference)
        if record_id is None:
            return None
        with self.db.read() as session:
            record = session.get(Record, record_id)
            if record is None or not self.may_see(user_id, record):
                return None
            posts = list(session.scalars(select(SlackMessage).where(SlackMessage.record_id == record.id)
                                         .order_by(SlackMessage.id)))
            challenges = list(session.scalars(select(Challenge).where(Challenge.record_id == record.id)
                                              .order_by(Challenge.id)))
            for challenge in challenges:
                challenge.responses  # loaded for the history, outside the session
            record.revisions, record.outcomes  # loaded for the history, outside the session
            history = RecordHistory(record, self.content.deliveries(session, record), posts, challenges)
        with self.db.write() as session:
            audit(session, at=self.clock.now(), actor=user_id, act=Act.VIEWED, surface=Surface.COMMAND,
                  record_id=record_id, detail="/joinedup show")
        return history
