"""Each figure written once: its name, what it means, and the query that counts it.

Code, tests, the CSV and docs/admin-guide.md all read this registry. A query yields one row per thing
counted or measured, as (agency, item, value): `agency` is whose figure it is, `item` splits a figure
(a risk level, a purpose) or is empty, and `value` is what is measured (1 for things counted). The
service aggregates those rows in the database for each agency and for the whole partnership.

Parameters: :start and :end bound the period [start, end); :now is the moment of the report;
:target_hours is the partnership's acknowledgement target (reminders.acknowledge_within_working_hours).
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.reports.workingtime import on_day, worked_until

COUNT, MEDIAN, P90 = "count", "median", "90th percentile"


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    definition: str
    query: str
    measure: str = COUNT
    unit: str = ""
    split_by: str = ""  # what `item` names, when the figure is split

    @property
    def uses_days(self) -> bool:
        return " days " in self.query


MADE = "r.created_at >= :start AND r.created_at < :end"
SHARED = f"{MADE} AND r.not_shared_reason IS NULL"
SHARER_OUTCOME = "o.agency_key IS NULL"
RECORDS = "FROM records r WHERE"
POSTS = f"FROM shares s JOIN records r ON r.id = s.record_id WHERE {MADE}"


def _working_hours(agency: str, earlier: str, later: str, rows: str) -> str:
    """(agency, '', working hours from `earlier` to `later`) for each of `rows`. The instants are turned into
    seconds once, in an inner query kept whole (ONCE), and each finds its day in the days table by equality."""
    return (f"SELECT t.agency, '' AS item, ({worked_until('b', 't.later')} - {worked_until('a', 't.earlier')}) "
            f"/ 3600.0 AS value FROM (SELECT {agency} AS agency, EPOCH({earlier}) AS earlier, EPOCH({later}) AS later "
            f"{rows} ONCE) t JOIN days a ON {on_day('a', 't.earlier')} JOIN days b ON {on_day('b', 't.later')}")


ACK_HOURS = _working_hours("s.agency_key", "r.created_at", "s.acknowledged_at",
                           f"{POSTS} AND s.acknowledged_at IS NOT NULL")
CHALLENGES_ANSWERED = ("FROM challenges c JOIN (SELECT challenge_id, MIN(responded_at) AS answered_at "
                       "FROM challenge_responses GROUP BY challenge_id) f ON f.challenge_id = c.id")
RAISED = "c.raised_at >= :start AND c.raised_at < :end"
CHALLENGES = "FROM challenges c WHERE"
OVERDUE = "(reminders_sent > 0 OR next_reminder_at <= :now)"

FIGURES: tuple[Figure, ...] = (
    Figure("records_made", "Records made",
           "Records made in the period, shared or not, by the sharer's agency.",
           f"SELECT r.sharer_agency AS agency, '' AS item, 1 AS value {RECORDS} {MADE}"),
    Figure("records_shared", "Records shared",
           "Records made in the period and shared with at least one agency, by the sharer's agency.",
           f"SELECT r.sharer_agency AS agency, '' AS item, 1 AS value {RECORDS} {SHARED}"),
    Figure("records_shared_by_risk_level", "Records shared, by risk level",
           "Records shared in the period, by the risk level the sharer gave when recording.",
           f"SELECT r.sharer_agency AS agency, r.risk_key AS item, 1 AS value {RECORDS} {SHARED}",
           split_by="risk level"),
    Figure("records_shared_by_purpose", "Records shared, by purpose",
           "Records shared in the period, once under each purpose given for sharing (a record may give several).",
           f"SELECT r.sharer_agency AS agency, p.value AS item, 1 AS value FROM records r, PURPOSES(r) WHERE {SHARED}",
           split_by="purpose"),
    Figure("records_kept_without_sharing", "Records kept without sharing",
           "Records made in the period where the sharer recorded a decision not to share, and why.",
           f"SELECT r.sharer_agency AS agency, '' AS item, 1 AS value {RECORDS} {MADE} AND r.not_shared_reason IS NOT NULL"),
    Figure("posts_received", "Posts received",
           "Posts to an agency: one for each agency a record made in the period was shared with, by receiving agency.",
           f"SELECT s.agency_key AS agency, '' AS item, 1 AS value {POSTS}"),
    Figure("posts_acknowledged", "Posts acknowledged",
           "Posts received (above) that the receiving agency has acknowledged, by the time of the report.",
           f"SELECT s.agency_key AS agency, '' AS item, 1 AS value {POSTS} AND s.acknowledged_at IS NOT NULL"),
    Figure("posts_acknowledged_within_target", "Acknowledged within target",
           "Posts acknowledged within the partnership's acknowledgement target, counted in working hours from "
           "the moment the record was shared.",
           f"SELECT agency, item, 1 AS value FROM ({ACK_HOURS}) h WHERE h.value <= :target_hours"),
    Figure("working_hours_to_acknowledge_median", "Time to acknowledge (median)",
           "The median time from a record being shared to an agency acknowledging its post, in working hours "
           "(weekends, bank holidays and out-of-hours excluded, as the reminders count them).",
           ACK_HOURS, MEDIAN, "working hours"),
    Figure("working_hours_to_acknowledge_p90", "Time to acknowledge (90th percentile)",
           "Nine in ten acknowledged posts were acknowledged within this many working hours of being shared.",
           ACK_HOURS, P90, "working hours"),
    Figure("records_with_outcome", "Records with an outcome",
           "Records shared in the period whose sharer has reported the outcome for the child.",
           f"SELECT r.sharer_agency AS agency, '' AS item, 1 AS value {RECORDS} {SHARED} AND EXISTS "
           f"(SELECT 1 FROM outcomes o WHERE o.record_id = r.id AND {SHARER_OUTCOME})"),
    Figure("days_to_outcome_median", "Days to outcome (median)",
           "The median time, in calendar days, from sharing a record made in the period to its sharer's first "
           "report of the outcome for the child.",
           f"SELECT r.sharer_agency AS agency, '' AS item, (EPOCH(o.first_at) - EPOCH(r.created_at)) / 86400.0 "
           f"AS value FROM records r JOIN (SELECT o.record_id, MIN(o.reported_at) AS first_at FROM outcomes o "
           f"WHERE {SHARER_OUTCOME} GROUP BY o.record_id) o ON o.record_id = r.id WHERE {SHARED}",
           MEDIAN, "days"),
    Figure("agency_results", "Agencies' own results",
           "Results receiving agencies reported to the sharer (what they did) about records made in the period, "
           "by the reporting agency.",
           f"SELECT o.agency_key AS agency, '' AS item, 1 AS value FROM outcomes o JOIN records r "
           f"ON r.id = o.record_id WHERE {MADE} AND o.agency_key IS NOT NULL"),
    Figure("overdue_acknowledgements_now", "Acknowledgements overdue now",
           "Posts not yet acknowledged whose acknowledgement target has passed (the agency has been reminded), "
           "at the time of the report, whenever the record was made.",
           f"SELECT s.agency_key AS agency, '' AS item, 1 AS value FROM shares s "
           f"WHERE s.acknowledged_at IS NULL AND {OVERDUE.replace('reminders', 's.reminders').replace('next_', 's.next_')}"),
    Figure("overdue_outcomes_now", "Outcomes overdue now",
           "Shared records whose follow-up date has come (the sharer has been asked) with no outcome for the "
           "child yet, at the time of the report, by the sharer's agency.",
           f"SELECT r.sharer_agency AS agency, '' AS item, 1 AS value {RECORDS} r.not_shared_reason IS NULL AND "
           f"(r.outcome_requests_sent > 0 OR r.outcome_request_at <= :now) AND NOT EXISTS "
           f"(SELECT 1 FROM outcomes o WHERE o.record_id = r.id AND {SHARER_OUTCOME})"),
    Figure("overdue_challenges_now", "Challenges overdue now",
           "Open challenges not answered within the acknowledgement target (a reminder is due or sent), at the "
           "time of the report, by the challenging agency.",
           f"SELECT c.agency_key AS agency, '' AS item, 1 AS value {CHALLENGES} c.state = 'open' AND "
           f"{OVERDUE.replace('reminders', 'c.reminders').replace('next_', 'c.next_')}"),
    Figure("challenges_raised", "Challenges raised",
           "Questions and challenges raised in the period, by the agency that raised them.",
           f"SELECT c.agency_key AS agency, '' AS item, 1 AS value {CHALLENGES} {RAISED}"),
    Figure("challenges_answered", "Challenges answered",
           "Challenges raised in the period that have had at least one answer.",
           f"SELECT c.agency_key AS agency, '' AS item, 1 AS value {CHALLENGES} {RAISED} AND EXISTS "
           f"(SELECT 1 FROM challenge_responses a WHERE a.challenge_id = c.id)"),
    Figure("challenges_resolved", "Challenges resolved",
           "Challenges raised in the period that the challenger has marked resolved.",
           f"SELECT c.agency_key AS agency, '' AS item, 1 AS value {CHALLENGES} {RAISED} AND c.state = 'resolved'"),
    Figure("challenges_escalated", "Challenges escalated",
           "Challenges raised in the period that the challenger has escalated to the agencies' leads.",
           f"SELECT c.agency_key AS agency, '' AS item, 1 AS value {CHALLENGES} {RAISED} AND c.state = 'escalated'"),
    Figure("working_hours_to_answer_median", "Time to answer a challenge (median)",
           "The median time from a challenge being raised in the period to its first answer, in working hours.",
           _working_hours("c.agency_key", "c.raised_at", "f.answered_at", f"{CHALLENGES_ANSWERED} WHERE {RAISED}"),
           MEDIAN, "working hours"),
    Figure("amendments", "Amendments",
           "Amendments sharers made in the period to their records (each one reaches every recipient), by the "
           "sharer's agency.",
           "SELECT r.sharer_agency AS agency, '' AS item, 1 AS value FROM revisions v JOIN records r "
           "ON r.id = v.record_id WHERE v.kind = 'amendment' AND v.revised_at >= :start AND v.revised_at < :end"),
    Figure("delivery_failures", "Delivery failures",
           "Messages Joined Up gave up delivering to Slack in the period, by the agency they were for (messages "
           "for no one agency count in the partnership's total only).",
           "SELECT COALESCE(m.agency_key, '') AS agency, '' AS item, 1 AS value FROM slack_messages m "
           "WHERE m.failed_at >= :start AND m.failed_at < :end"),
)

BY_NAME = {figure.name: figure for figure in FIGURES}
