"""Each figure written once: its name, what it means, and the query that counts it.

Code, tests, the CSV and docs/admin-guide.md all read this registry. A query yields one row per thing
counted or measured, as (agency, item, value): `agency` is whose figure it is, `item` splits a figure
(a risk level, a purpose) or is empty, and `value` is what is measured (1 for things counted, or a count
already made; whole seconds for times). The service aggregates those rows in the database for each agency
and for the whole partnership, the period's figures in one statement, so a query may read the named row sets in
SOURCES (the period's posts, say), which are worked out once per report rather than once per figure. The figures
"now" (`now=True`) count over the whole history at the report's moment, in a statement of their own that reports
at the same moment share.

Parameters: :start and :end bound the period [start, end); :now is the moment of the report (the figures now
only); :target_hours is the partnership's acknowledgement target (reminders.acknowledge_within_working_hours).
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_
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
    # A measured figure's rows give whole seconds, and its value is their percentile divided by this: 3600 for
    # hours, 86,400 for days. They are ranked through a histogram of buckets this many seconds wide
    # (bot/reports/percentiles.py); `counted` is that histogram when a source already holds it.
    per: int = 1
    width: int = 60
    counted: str = ""
    # Counted over the whole history at the moment of the report, not over the period: worked out once however
    # many periods are reported at that moment (the weekly digest's five weeks).
    now: bool = False


MADE = "r.created_at >= :start AND r.created_at < :end"
SHARER_OUTCOME = "o.agency_key IS NULL"
RECORDS = "FROM records r WHERE"
POSTS = f"FROM shares s JOIN records r ON r.id = s.record_id WHERE {MADE}"


def _working_hours(agency: str, earlier: str, later: str, rows: str) -> str:
    """(agency, '', working seconds from `earlier` to `later`) for each of `rows`. The instants are turned into
    seconds once, in an inner query kept whole (ONCE), and each finds its day in the days table by equality."""
    return (f"SELECT t.agency, '' AS item, ({worked_until('b', 't.later')} - {worked_until('a', 't.earlier')}) "
            f"AS value FROM (SELECT {agency} AS agency, EPOCH({earlier}) AS earlier, EPOCH({later}) AS later "
            f"{rows} ONCE) t JOIN days a ON {on_day('a', 't.earlier')} JOIN days b ON {on_day('b', 't.later')}")


def _stored_or_worked_out(stored: str, agency: str, earlier: str, later: str, rows: str, done: str) -> str:
    """Working seconds as stored when the act was written (`stored`, seconds); rows written before that column
    existed (NULL) are worked out from the days table."""
    return (f"SELECT {agency} AS agency, '' AS item, {stored} AS value {rows} AND {stored} IS NOT NULL "
            f"UNION ALL {_working_hours(agency, earlier, later, f'{rows} AND {done} AND {stored} IS NULL')}")


# The period's posts, read once for every figure about them: (agency, acknowledged 1/0, working seconds from
# sharing to acknowledging or NULL). Acknowledgements from before the seconds were stored are worked out from
# the days table; CROSS JOIN makes SQLite find those few through their partial index (ix_shares_uncounted).
STORED_ACK = "s.working_seconds_to_acknowledge"
POSTS_SOURCE = (
    f"SELECT s.agency_key AS agency, CASE WHEN s.acknowledged_at IS NULL THEN 0 ELSE 1 END AS acknowledged, "
    f"{STORED_ACK} AS seconds {POSTS} AND (s.acknowledged_at IS NULL OR {STORED_ACK} IS NOT NULL) UNION ALL "
    f"SELECT t.agency, 1, {worked_until('b', 't.later')} - {worked_until('a', 't.earlier')} FROM (SELECT "
    f"s.agency_key AS agency, EPOCH(r.created_at) AS earlier, EPOCH(s.acknowledged_at) AS later FROM shares s "
    f"CROSS JOIN records r WHERE s.acknowledged_at IS NOT NULL AND {STORED_ACK} IS NULL AND r.id = s.record_id "
    f"AND {MADE} ONCE) t JOIN days a ON {on_day('a', 't.earlier')} JOIN days b ON {on_day('b', 't.later')}")
# The period's posts counted once, in one GROUP BY, for every figure about them: by agency, acknowledged or not,
# within the target or not, and the minute of working time they took (NULL if not acknowledged), with the least
# and greatest seconds of each minute: the histogram the median and 90th percentile are found in.
ACK_WIDTH = 60
POSTS_HISTOGRAM = (
    f"SELECT h.agency, h.acknowledged, h.bucket, h.on_target, COUNT(*) AS n, MIN(h.seconds) AS least, "
    f"MAX(h.seconds) AS most FROM (SELECT p.agency, p.acknowledged, p.seconds, p.seconds / {ACK_WIDTH} AS bucket, "
    f"CASE WHEN p.seconds <= :target_hours * 3600 THEN 1 ELSE 0 END AS on_target FROM posts p) h "
    f"GROUP BY h.agency, h.acknowledged, h.bucket, h.on_target")
POSTS_COUNTED = ("SELECT h.agency, SUM(h.n) AS received, SUM(h.acknowledged * h.n) AS acknowledged, "
                 "SUM(h.on_target * h.n) AS on_target FROM posts_histogram h GROUP BY h.agency")
# The period's records, read once: (agency, risk level, shared 1/0, purposes as written, seconds from the record
# being made to its sharer's first outcome or NULL). The first outcome is kept on the record when reported
# (records.first_outcome_at); a record without one is looked for among its outcomes, so rows from before that
# column, or written some other way, still count.
FIRST_OUTCOME = (f"COALESCE(r.first_outcome_at, (SELECT MIN(o.reported_at) FROM outcomes o WHERE o.record_id = r.id "
                 f"AND {SHARER_OUTCOME}))")
MADE_SOURCE = (
    f"SELECT m.agency, m.risk, m.shared, m.purposes, CASE WHEN m.first_at IS NOT NULL THEN EPOCH(m.first_at) "
    f"- EPOCH(m.created_at) END AS to_outcome FROM "
    f"(SELECT r.sharer_agency AS agency, r.risk_key AS risk, CASE WHEN r.not_shared_reason IS NULL THEN 1 ELSE 0 "
    f"END AS shared, CAST(r.purposes AS TEXT) AS purposes, r.created_at, CASE WHEN r.not_shared_reason IS NULL "
    f"THEN {FIRST_OUTCOME} END AS first_at {RECORDS} {MADE} ONCE) m")
# The period's records counted once, in one GROUP BY, for the figures that count them in different ways (a
# record's purposes are read once for each way of writing them, not once for each record), and by the hour of
# time to outcome (NULL if none) with its least and greatest seconds: the histogram of days to outcome.
OUTCOME_WIDTH = 3600
MADE_COUNTED = (f"SELECT m.agency, m.risk, m.shared, m.purposes, CASE WHEN m.to_outcome IS NULL THEN 0 ELSE 1 END "
                f"AS with_outcome, m.to_outcome / {OUTCOME_WIDTH} AS bucket, COUNT(*) AS n, MIN(m.to_outcome) AS least, "
                f"MAX(m.to_outcome) AS most FROM made m GROUP BY m.agency, m.risk, m.shared, m.purposes, "
                f"CASE WHEN m.to_outcome IS NULL THEN 0 ELSE 1 END, m.to_outcome / {OUTCOME_WIDTH}")
# Named row sets a figure's query may read (FROM posts p); each is worked out once per report, in this order.
SOURCES = {"made": MADE_SOURCE, "made_counted": MADE_COUNTED, "posts": POSTS_SOURCE,
           "posts_histogram": POSTS_HISTOGRAM, "posts_counted": POSTS_COUNTED}
ACK_SECONDS = "SELECT p.agency, '' AS item, p.seconds AS value FROM posts p WHERE p.seconds IS NOT NULL"
OUTCOME_COUNTED = ("SELECT m.agency, '' AS item, m.bucket, SUM(m.n) AS n, MIN(m.least) AS least, MAX(m.most) AS "
                   "most FROM made_counted m WHERE m.bucket IS NOT NULL GROUP BY m.agency, m.bucket")
ACK_COUNTED = ("SELECT h.agency, '' AS item, h.bucket, SUM(h.n) AS n, MIN(h.least) AS least, MAX(h.most) AS most "
               "FROM posts_histogram h WHERE h.bucket IS NOT NULL GROUP BY h.agency, h.bucket")
RAISED = "c.raised_at >= :start AND c.raised_at < :end"
# Each challenge raised in the period with its first answer (NULL if none), found through the responses' index.
CHALLENGES_ANSWERED = (f"FROM (SELECT c.agency_key, c.raised_at, c.working_seconds_to_answer, (SELECT "
                       f"MIN(a.responded_at) FROM challenge_responses a WHERE a.challenge_id = c.id) AS answered_at "
                       f"FROM challenges c WHERE {RAISED} ONCE) c WHERE c.answered_at IS NOT NULL")
CHALLENGES = "FROM challenges c WHERE"
OVERDUE = "(reminders_sent > 0 OR next_reminder_at <= :now)"

# Counting figures yield a row per thing counted (value 1), or rows already counted (value n): the service sums.
FIGURES: tuple[Figure, ...] = (
    Figure("records_made", N_("Records made"),
           "Records made in the period, shared or not, by the sharer's agency.",
           "SELECT m.agency, '' AS item, m.n AS value FROM made_counted m"),
    Figure("records_shared", N_("Records shared"),
           "Records made in the period and shared with at least one agency, by the sharer's agency.",
           "SELECT m.agency, '' AS item, m.n AS value FROM made_counted m WHERE m.shared = 1"),
    Figure("records_shared_by_risk_level", N_("Records shared, by risk level"),
           "Records shared in the period, by the risk level the sharer gave when recording.",
           "SELECT m.agency, m.risk AS item, m.n AS value FROM made_counted m WHERE m.shared = 1",
           split_by="risk level"),
    Figure("records_shared_by_purpose", N_("Records shared, by purpose"),
           "Records shared in the period, once under each purpose given for sharing (a record may give several).",
           "SELECT m.agency, p.value AS item, m.n AS value FROM made_counted m, PURPOSES(m) WHERE m.shared = 1",
           split_by="purpose"),
    Figure("records_kept_without_sharing", N_("Records kept without sharing"),
           "Records made in the period where the sharer recorded a decision not to share, and why.",
           "SELECT m.agency, '' AS item, m.n AS value FROM made_counted m WHERE m.shared = 0"),
    Figure("posts_received", N_("Posts received"),
           "Posts to an agency: one for each agency a record made in the period was shared with, by receiving agency.",
           "SELECT c.agency, '' AS item, c.received AS value FROM posts_counted c"),
    Figure("posts_acknowledged", N_("Posts acknowledged"),
           "Posts received (above) that the receiving agency has acknowledged, by the time of the report.",
           "SELECT c.agency, '' AS item, c.acknowledged AS value FROM posts_counted c WHERE c.acknowledged > 0"),
    Figure("posts_acknowledged_within_target", N_("Acknowledged within target"),
           "Posts acknowledged within the partnership's acknowledgement target, counted in working hours from "
           "the moment the record was shared.",
           "SELECT c.agency, '' AS item, c.on_target AS value FROM posts_counted c WHERE c.on_target > 0"),
    Figure("working_hours_to_acknowledge_median", N_("Time to acknowledge (median)"),
           "The median time from a record being shared to an agency acknowledging its post, in working hours "
           "(weekends, bank holidays and out-of-hours excluded, as the reminders count them).",
           ACK_SECONDS, MEDIAN, N_("working hours"), per=3600, width=ACK_WIDTH, counted=ACK_COUNTED),
    Figure("working_hours_to_acknowledge_p90", N_("Time to acknowledge (90th percentile)"),
           "Nine in ten acknowledged posts were acknowledged within this many working hours of being shared.",
           ACK_SECONDS, P90, N_("working hours"), per=3600, width=ACK_WIDTH, counted=ACK_COUNTED),
    Figure("records_with_outcome", N_("Records with an outcome"),
           "Records shared in the period whose sharer has reported the outcome for the child.",
           "SELECT m.agency, '' AS item, m.n AS value FROM made_counted m WHERE m.shared = 1 AND m.with_outcome = 1"),
    Figure("days_to_outcome_median", N_("Days to outcome (median)"),
           "The median time, in calendar days, from sharing a record made in the period to its sharer's first "
           "report of the outcome for the child.",
           "SELECT m.agency, '' AS item, m.to_outcome AS value FROM made m WHERE m.to_outcome IS NOT NULL",
           MEDIAN, N_("days"), per=86_400, width=OUTCOME_WIDTH, counted=OUTCOME_COUNTED),
    Figure("agency_results", N_("Agencies' own results"),
           "Results receiving agencies reported to the sharer (what they did) about records made in the period, "
           "by the reporting agency.",
           f"SELECT o.agency_key AS agency, '' AS item, 1 AS value FROM outcomes o JOIN records r "
           f"ON r.id = o.record_id WHERE {MADE} AND o.agency_key IS NOT NULL"),
    Figure("overdue_acknowledgements_now", N_("Acknowledgements overdue now"),
           "Posts not yet acknowledged whose acknowledgement target has passed (the agency has been reminded), "
           "at the time of the report, whenever the record was made.",
           f"SELECT s.agency_key AS agency, '' AS item, 1 AS value FROM shares s "
           f"SQLITE_INDEXED_BY(ix_shares_unacknowledged) WHERE s.acknowledged_at IS NULL AND "
           f"{OVERDUE.replace('reminders', 's.reminders').replace('next_', 's.next_')}", now=True),
    Figure("overdue_outcomes_now", N_("Outcomes overdue now"),
           "Shared records whose follow-up date has come (the sharer has been asked) with no outcome for the "
           "child yet, at the time of the report, by the sharer's agency.",
           f"SELECT r.sharer_agency AS agency, '' AS item, 1 AS value {RECORDS} r.not_shared_reason IS NULL AND "
           f"(r.outcome_requests_sent > 0 OR r.outcome_request_at IS NOT NULL) AND r.first_outcome_at IS NULL AND "
           f"(r.outcome_requests_sent > 0 OR r.outcome_request_at <= :now)", now=True),
    Figure("overdue_challenges_now", N_("Challenges overdue now"),
           "Open challenges not answered within the acknowledgement target (a reminder is due or sent), at the "
           "time of the report, by the challenging agency.",
           f"SELECT c.agency_key AS agency, '' AS item, 1 AS value {CHALLENGES} c.state = 'open' AND "
           f"{OVERDUE.replace('reminders', 'c.reminders').replace('next_', 'c.next_')}", now=True),
    Figure("challenges_raised", N_("Challenges raised"),
           "Questions and challenges raised in the period, by the agency that raised them.",
           f"SELECT c.agency_key AS agency, '' AS item, 1 AS value {CHALLENGES} {RAISED}"),
    Figure("challenges_answered", N_("Challenges answered"),
           "Challenges raised in the period that have had at least one answer.",
           f"SELECT c.agency_key AS agency, '' AS item, 1 AS value {CHALLENGES} {RAISED} AND EXISTS "
           f"(SELECT 1 FROM challenge_responses a WHERE a.challenge_id = c.id)"),
    Figure("challenges_resolved", N_("Challenges resolved"),
           "Challenges raised in the period that the challenger has marked resolved.",
           f"SELECT c.agency_key AS agency, '' AS item, 1 AS value {CHALLENGES} {RAISED} AND c.state = 'resolved'"),
    Figure("challenges_escalated", N_("Challenges escalated"),
           "Challenges raised in the period that the challenger has escalated to the agencies' leads.",
           f"SELECT c.agency_key AS agency, '' AS item, 1 AS value {CHALLENGES} {RAISED} AND c.state = 'escalated'"),
    Figure("working_hours_to_answer_median", N_("Time to answer a challenge (median)"),
           "The median time from a challenge being raised in the period to its first answer, in working hours.",
           _stored_or_worked_out("c.working_seconds_to_answer", "c.agency_key", "c.raised_at", "c.answered_at",
                                 CHALLENGES_ANSWERED, "c.answered_at IS NOT NULL"),
           MEDIAN, N_("working hours"), per=3600),
    Figure("amendments", N_("Amendments"),
           "Amendments sharers made in the period to their records (each one reaches every recipient), by the "
           "sharer's agency.",
           "SELECT r.sharer_agency AS agency, '' AS item, 1 AS value FROM revisions v JOIN records r "
           "ON r.id = v.record_id WHERE v.kind = 'amendment' AND v.revised_at >= :start AND v.revised_at < :end"),
    Figure("delivery_failures", N_("Delivery failures"),
           "Messages Joined Up gave up delivering to Slack in the period, by the agency they were for (messages "
           "for no one agency count in the partnership's total only).",
           "SELECT COALESCE(m.agency_key, '') AS agency, '' AS item, 1 AS value FROM slack_messages m "
           "WHERE m.failed_at >= :start AND m.failed_at < :end"),
)

BY_NAME = {figure.name: figure for figure in FIGURES}
