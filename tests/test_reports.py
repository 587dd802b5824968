"""Partnership figures on a seeded history, every answer worked out by hand; the command's access rules; the CLI."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.cli import main
from bot.demo.sample import ADMIN, LEE, NIA, OUTSIDER, sample_partnership, sample_toml
from bot.reports.export import FORMATS, definitions_markdown
from bot.reports.figures import FIGURES
from bot.reports.period import PeriodError, days, parse_period
from bot.reports.service import PartnershipFigures
from bot.services.records import calendar_for
from storage.models import Challenge, ChallengeResponse, Outcome, Record, Revision, Share, SlackMessage

ROOT = Path(__file__).resolve().parent.parent
PARTNERSHIP = sample_partnership()
ZONE = PARTNERSHIP.zone


def at(text: str) -> datetime:
    """A moment in December 2026: London keeps GMT then, so these are UTC too."""
    return datetime.fromisoformat(f"2026-12-{text}").replace(tzinfo=timezone.utc)


NOW = datetime(2027, 1, 5, 10, 0, tzinfo=timezone.utc)  # a Tuesday after the holidays
# Monday 21 to Thursday 31 December 2026: Friday 25 and Monday 28 are bank holidays, 26 and 27 a weekend.
PERIOD = days(at("21T00:00").date(), at("31T00:00").date(), ZONE)


def record(n: int, agency: str, made: str, *, risk: str = "early-help", purposes: tuple[str, ...] = ("A",),
           shared: bool = True, **columns: object) -> Record:
    return Record(id=n, submission_key=f"r{n}", case_reference=f"CR-{n:05d}", occurred_at=at(made),
                  created_at=at(made), sharer_id="U0SHARER", sharer_agency=agency, participants=[],
                  purposes=list(purposes), first_hand=True, lawful_basis="Public task", summary="s",
                  risk_key=risk, risk_label=risk, risk_definition="", follow_up_on=at("31T00:00").date(),
                  not_shared_reason=None if shared else "Not proportionate", **columns)


def seed(db) -> None:
    with db.write() as session:
        session.add_all([
            # Thursday 24 Dec 15:00: two working hours that day, then nothing until Tuesday 29 at 09:00.
            record(1, "social-care", "24T15:00"),
            # Monday 21 Dec 18:00, after hours: the clock starts at 09:00 on Tuesday.
            record(2, "health", "21T18:00", risk="significant-harm", purposes=("A", "B")),
            record(3, "social-care", "22T10:00", shared=False),
            record(4, "education", "23T16:00", purposes=("B",), outcome_requests_sent=1),
            record(5, "social-care", "18T10:00"),  # before the period
        ])
        session.flush()
        session.add_all([
            Share(record_id=1, agency_key="health", acknowledged_at=at("29T10:00")),  # 2 + 1 = 3 working hours
            Share(record_id=1, agency_key="education", acknowledged_at=at("30T12:00")),  # 2 + 8 + 3 = 13
            Share(record_id=2, agency_key="social-care", acknowledged_at=at("22T09:30")),  # 0.5
            Share(record_id=2, agency_key="police", reminders_sent=1),  # overdue now
            Share(record_id=4, agency_key="social-care", acknowledged_at=at("24T16:00")),  # 1 + 7 = 8: on target
            Share(record_id=5, agency_key="health", acknowledged_at=at("21T10:00")),
            Outcome(record_id=1, submission_key="o1", reported_by="U0SHARER", reported_at=at("29T15:00"),
                    what_happened="x", next_step="no_further_action"),  # 5 days
            Outcome(record_id=2, submission_key="o2", reported_by="U0SHARER", reported_at=at("23T18:00"),
                    what_happened="x", next_step="no_further_action"),  # 2 days
            Outcome(record_id=2, submission_key="o3", reported_by="U0SHARER", reported_at=at("24T18:00"),
                    what_happened="x", next_step="no_further_action"),  # a second report: the first counts
            Outcome(record_id=1, submission_key="o4", reported_by="U0HEALTH", agency_key="health",
                    reported_at=at("30T10:00"), what_happened="x", next_step="further_action"),
            Challenge(id=1, record_id=1, submission_key="c1", raised_by="U0T", agency_key="education",
                      raised_at=at("24T16:00"), kind="question", text="t", state="resolved"),
            Challenge(id=2, record_id=2, submission_key="c2", raised_by="U0P", agency_key="police",
                      raised_at=at("30T10:00"), kind="question", text="t", state="open",
                      next_reminder_at=at("31T10:00")),
            Challenge(id=3, record_id=4, submission_key="c3", raised_by="U0S", agency_key="social-care",
                      raised_at=at("31T09:00"), kind="question", text="t", state="escalated"),
        ])
        session.flush()
        session.add_all([
            ChallengeResponse(challenge_id=1, submission_key="a1", responded_by="U0SHARER",
                              responded_at=at("29T11:00"), text="t"),  # 1 (Thursday) + 2 (Tuesday) = 3
            ChallengeResponse(challenge_id=1, submission_key="a2", responded_by="U0SHARER",
                              responded_at=at("30T11:00"), text="t"),
            ChallengeResponse(challenge_id=3, submission_key="a3", responded_by="U0SHARER",
                              responded_at=at("31T09:30"), text="t"),  # 0.5
            Revision(record_id=1, submission_key="v1", kind="amendment", revised_by="U0SHARER",
                     revised_at=at("30T10:00"), reason="r", previous={}, current={}),
            Revision(record_id=2, submission_key="v2", kind="risk level", revised_by="U0SHARER",
                     revised_at=at("30T10:00"), reason="r", previous={}, current={}),
            SlackMessage(key="m1", kind="agency_post", agency_key="health", target="C0HEALTH",
                         next_attempt_at=at("22T10:00"), created_at=at("22T10:00"), failed_at=at("22T11:00")),
            SlackMessage(key="m2", kind="dm", target="U0SHARER", next_attempt_at=at("22T10:00"),
                         created_at=at("22T10:00"), failed_at=at("23T11:00")),
        ])


def test_the_hand_arithmetic_agrees_with_the_working_calendar():
    calendar = calendar_for(PARTNERSHIP)
    for made, acknowledged, hours in [("24T15:00", "29T10:00", 3), ("24T15:00", "30T12:00", 13),
                                      ("21T18:00", "22T09:30", 0.5), ("23T16:00", "24T16:00", 8)]:
        assert calendar.working_hours_between(at(made), at(acknowledged), ZONE) == hours


@pytest.mark.parametrize("zone", ["Europe/London", "Australia/Sydney"])  # Sydney's working day straddles UTC midnight
def test_working_hours_counted_in_the_database_are_the_calendars(database, zone):
    from zoneinfo import ZoneInfo

    from sqlalchemy import text

    from bot.reports.workingtime import days_clause, for_dialect, worked_until
    tz, calendar = ZoneInfo(zone), calendar_for(PARTNERSHIP)
    # Across the spring and autumn clock changes (in both hemispheres), a weekend, and Christmas.
    pairs = [(datetime(2026, 3, 27, 16, tzinfo=tz), datetime(2026, 3, 30, 10, 30, tzinfo=tz)),
             (datetime(2026, 4, 2, 8, tzinfo=tz), datetime(2026, 4, 7, 9, 15, tzinfo=tz)),
             (datetime(2026, 10, 23, 12, tzinfo=tz), datetime(2026, 10, 27, 18, tzinfo=tz)),
             (datetime(2026, 12, 24, 15, tzinfo=tz), datetime(2026, 12, 29, 10, tzinfo=tz)),
             (datetime(2026, 12, 26, 11, tzinfo=tz), datetime(2026, 12, 27, 11, tzinfo=tz))]
    days = days_clause(min(p[0] for p in pairs), max(p[1] for p in pairs), calendar, tz)
    dialect = "sqlite" if database.is_sqlite else "postgresql"
    with database.read() as session:
        for earlier, later in pairs:
            e, l = int(earlier.timestamp()), int(later.timestamp())
            sql = (f"WITH {days} SELECT ({worked_until('b', str(l))} - {worked_until('a', str(e))}) / 3600.0 "
                   f"FROM days a, days b WHERE a.utc_day = {e // 86400} AND b.utc_day = {l // 86400}")
            hours = session.execute(text(for_dialect(sql, dialect))).scalar_one()
            assert float(hours) == pytest.approx(calendar.working_hours_between(earlier, later, tz)), (earlier, later)


def test_every_figure_matches_the_answers_worked_out_by_hand(database):
    seed(database)

    report = PartnershipFigures(db=database, partnership=PARTNERSHIP, calendar=calendar_for(PARTNERSHIP)).report(
        PERIOD, NOW)

    def get(name, agency=None, item=""):
        return report.get(name, agency, item)

    assert (get("records_made"), get("records_made", "social-care"), get("records_made", "police")) == (4, 2, 0)
    assert (get("records_shared"), get("records_kept_without_sharing"),
            get("records_kept_without_sharing", "social-care")) == (3, 1, 1)
    assert (get("records_shared_by_risk_level", item="early-help"),
            get("records_shared_by_risk_level", item="significant-harm")) == (2, 1)
    assert (get("records_shared_by_purpose", item="A"), get("records_shared_by_purpose", item="B"),
            get("records_shared_by_purpose", "health", "B")) == (2, 2, 1)
    assert (get("posts_received"), get("posts_received", "social-care"), get("posts_acknowledged")) == (5, 2, 4)
    # 3, 13, 0.5 and 8 working hours against a target of 8: on the target counts as within it.
    assert (get("posts_acknowledged_within_target"), get("posts_acknowledged_within_target", "social-care"),
            get("posts_acknowledged_within_target", "education")) == (3, 2, 0)
    # 0.5, 3, 8, 13: the median halfway from 3 to 8; the 90th percentile 0.7 of the way from 8 to 13.
    assert get("working_hours_to_acknowledge_median") == pytest.approx(5.5)
    assert get("working_hours_to_acknowledge_p90") == pytest.approx(11.5)
    # Social care's 0.5 and 8: median 4.25; 90th percentile 0.9 of the way, 7.25.
    assert get("working_hours_to_acknowledge_median", "social-care") == pytest.approx(4.25)
    assert get("working_hours_to_acknowledge_p90", "social-care") == pytest.approx(7.25)
    assert get("working_hours_to_acknowledge_median", "police") is None
    assert (get("working_hours_to_acknowledge_median", "health"), get("working_hours_to_acknowledge_p90", "health"),
            get("working_hours_to_acknowledge_median", "education")) == (3, 3, 13)  # one time each: that time
    assert (get("records_with_outcome"), get("records_with_outcome", "health")) == (2, 1)
    assert get("days_to_outcome_median") == pytest.approx(3.5)  # 2 and 5 days
    assert (get("agency_results"), get("agency_results", "health")) == (1, 1)
    assert (get("overdue_acknowledgements_now"), get("overdue_acknowledgements_now", "police")) == (1, 1)
    assert (get("overdue_outcomes_now"), get("overdue_outcomes_now", "education")) == (1, 1)
    assert (get("overdue_challenges_now"), get("overdue_challenges_now", "police")) == (1, 1)
    assert [get(f"challenges_{what}") for what in ("raised", "answered", "resolved", "escalated")] == [3, 2, 1, 1]
    assert get("working_hours_to_answer_median") == pytest.approx(1.75)  # 0.5 and 3
    assert (get("amendments"), get("amendments", "social-care")) == (1, 1)
    assert (get("delivery_failures"), get("delivery_failures", "health")) == (2, 1)


def test_percentiles_agree_with_postgresqls_own(database):
    if database.is_sqlite:
        pytest.skip("percentile_cont is PostgreSQL's")
    from sqlalchemy import text
    seed(database)
    report = PartnershipFigures(db=database, partnership=PARTNERSHIP, calendar=calendar_for(PARTNERSHIP)).report(
        PERIOD, NOW)
    with database.read() as session:
        median, p90 = session.execute(text(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), percentile_cont(0.9) WITHIN GROUP (ORDER BY v) "
            "FROM (VALUES (0.5), (3.0), (8.0), (13.0)) t(v)")).one()
    assert report.get("working_hours_to_acknowledge_median") == pytest.approx(float(median))
    assert report.get("working_hours_to_acknowledge_p90") == pytest.approx(float(p90))


@pytest.mark.parametrize("values", [[7.0], [1.0, 2.0], [5.0, 1.0, 3.0], [4.0, 4.0, 1.0, 9.0, 2.5, 6.0, 8.0],
                                    [float(n * n % 17) for n in range(1, 24)]])
def test_medians_and_90th_percentiles_interpolate_as_a_spreadsheet_does(database, values):
    import statistics

    from sqlalchemy import text

    from bot.reports.figures import MEDIAN, P90, Figure
    from bot.reports.service import aggregate
    rows = " UNION ALL ".join(f"SELECT 'x' AS agency, '' AS item, {v} AS value" for v in values)
    wanted = {MEDIAN: statistics.median(values),
              P90: statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]}
    with database.read() as session:
        for measure, expected in wanted.items():
            got = session.execute(text(aggregate(Figure("f", "F", "", rows, measure), by_agency=False))).one().value
            assert float(got) == pytest.approx(expected), measure



@pytest.mark.parametrize("width", [1, 7, 60, 1000])
def test_percentiles_found_through_the_histogram_are_the_exact_ones(database, width):
    """Whole seconds counted in buckets `width` wide: the ranks fall inside buckets of many values (read again),
    at a bucket's edges, and in buckets of one value, for each agency and for the total."""
    import random
    import statistics

    from sqlalchemy import text

    from bot.reports.figures import MEDIAN, P90, Figure
    from bot.reports.service import aggregate
    chosen = random.Random(width)
    values = {agency: [chosen.choice([0, 0, 3600, chosen.randrange(0, 20 * width), chosen.randrange(0, 20 * width)])
                       for _ in range(size)]
              for agency, size in (("a", 1), ("b", 2), ("c", 101), ("d", 390))}
    rows = " UNION ALL ".join(f"SELECT '{agency}' AS agency, '' AS item, {v} AS value"
                              for agency, some in values.items() for v in some)
    everything = [v for some in values.values() for v in some]

    def p90(some):
        return statistics.quantiles(some, n=10, method="inclusive")[8] if len(some) > 1 else some[0]
    with database.read() as session:
        for measure, pick in ((MEDIAN, statistics.median), (P90, p90)):
            figure = Figure("f", "F", "", rows, measure, width=width)
            by_agency = {row.agency: float(row.value) for row in session.execute(text(aggregate(figure, True)))}
            assert by_agency == pytest.approx(
                {agency: pick(some) for agency, some in values.items()}), measure
            total = session.execute(text(aggregate(figure, by_agency=False))).one().value
            assert float(total) == pytest.approx(pick(everything)), measure

@pytest.mark.parametrize("words, first, last", [
    ("this week", "2026-11-23", "2026-11-29"), ("", "2026-11-23", "2026-11-29"),
    ("last 30 days", "2026-10-26", "2026-11-24"), ("2026-11-01..2026-11-30", "2026-11-01", "2026-11-30")])
def test_a_period_is_whole_local_days(words, first, last):
    period = parse_period(words, datetime(2026, 11, 24, 10, tzinfo=timezone.utc), ZONE)
    assert (period.start.date().isoformat(), (period.end.date().toordinal() - 1)) == (
        first, datetime.fromisoformat(last).date().toordinal())


@pytest.mark.parametrize("words", ["yesterday", "2026-11-31..2026-12-01", "2026-12-01..2026-11-01", "last 0 days"])
def test_words_that_name_no_period_are_refused_with_examples(words):
    with pytest.raises(PeriodError, match="last 30 days|before it starts"):
        parse_period(words, datetime(2026, 11, 24, 10, tzinfo=timezone.utc), ZONE)


def report_reply(joinedup, text, user):
    before = joinedup.standin.count("response_url")
    reply = joinedup.slack.command("/joinedup", f"report {text}".strip(), user=user)
    assert reply.status == 200
    answers = joinedup.standin.calls("response_url")[before:]
    return answers[0].args if answers else {"text": reply.body}  # an ack with text alone is plain text


def shown(blocks):
    return "\n".join(b["text"]["text"] for b in blocks if b.get("type") == "section")


def test_admins_see_every_agency_beside_the_partnership(joinedup):
    joinedup.record()

    answer = report_reply(joinedup, "this week", ADMIN.user_id)

    text = shown(answer["blocks"])
    assert answer.get("response_type") == "ephemeral"
    assert "whole partnership" in text and "• Records made: *1*" in text
    for agency in joinedup.partnership.agencies:
        assert f"*{agency.name}, beside the partnership*" in text


def test_a_lead_sees_their_agency_beside_the_partnership_and_no_other(joinedup):
    joinedup.record()  # shared with Education and Health

    text = shown(report_reply(joinedup, "last 30 days", LEE.user_id)["blocks"])

    assert "*Health, beside the partnership*" in text and "Posts received: *1* (partnership 2)" in text
    assert "Police" not in text and "Education" not in text


@pytest.mark.parametrize("user", [NIA.user_id, OUTSIDER.user_id])
def test_anyone_else_is_refused_politely(joinedup, user):
    answer = report_reply(joinedup, "", user)
    assert "Only the partnership's Joined Up admins and agencies' leads" in answer["text"]
    assert "blocks" not in answer or not answer["blocks"]


def test_words_that_name_no_period_get_examples(joinedup):
    answer = report_reply(joinedup, "since Easter", ADMIN.user_id)
    assert "since Easter" in answer["text"] and "/joinedup report 2026-11-01..2026-11-30" in answer["text"]


def run_cli(tmp_path, monkeypatch, capsys, *args):
    (tmp_path / "joinedup.toml").write_text(sample_toml(), encoding="utf-8")
    monkeypatch.setenv("JOINEDUP_CONFIG", str(tmp_path / "joinedup.toml"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/joinedup.db")
    code = main(["report", "--from", "2026-12-21", "--to", "2026-12-31", "--at", NOW.isoformat(), *args])
    return code, capsys.readouterr()


@pytest.fixture
def seeded_sqlite(tmp_path):
    from storage.db import Database
    db = Database(f"sqlite:///{tmp_path}/joinedup.db")
    db.migrate()
    seed(db)
    db.dispose()


def test_the_csv_carries_every_figure_for_each_agency_and_the_total(seeded_sqlite, tmp_path, monkeypatch, capsys):
    code, out = run_cli(tmp_path, monkeypatch, capsys, "--format", "csv")

    assert code == 0, out.err
    rows = list(csv.DictReader(io.StringIO(out.out)))
    assert {row["figure"] for row in rows} == {figure.name for figure in FIGURES}
    cell = {(r["figure"], r["item"], r["agency"]): r["value"] for r in rows}
    assert cell[("working_hours_to_acknowledge_p90", "", "partnership")] == "11.5"
    assert cell[("posts_received", "", "social-care")] == "2"
    assert cell[("records_shared_by_purpose", "B", "partnership")] == "2"
    assert {r["agency"] for r in rows} == {"partnership", *(a.key for a in PARTNERSHIP.agencies)}
    assert all(r["definition"] for r in rows)


@pytest.mark.parametrize("form", ["json", "md"])
def test_json_and_markdown_carry_the_same_figures(seeded_sqlite, tmp_path, monkeypatch, capsys, form):
    code, out = run_cli(tmp_path, monkeypatch, capsys, "--format", form)

    assert code == 0, out.err
    if form == "json":
        figures = json.loads(out.out)["figures"]
        assert figures["records_made"]["values"]["partnership"] == 4
        assert figures["working_hours_to_acknowledge_median"]["values"]["social-care"] == 4.25
    else:
        assert "| Records made | 4 | 2 |" in out.out and definitions_markdown() in out.out


def test_the_cli_offers_only_the_formats_it_can_write(tmp_path, monkeypatch, capsys):
    with pytest.raises(SystemExit):
        run_cli(tmp_path, monkeypatch, capsys, "--format", "pdf")
    assert FORMATS == ("csv", "json", "md")  # the text formats; png, the chart, is tested in test_report_chart.py


def test_the_admin_guide_lists_every_definition_as_the_registry_writes_it():
    guide = (ROOT / "docs" / "admin-guide.md").read_text(encoding="utf-8")
    assert definitions_markdown() in guide
    assert "/joinedup report" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_an_acknowledgement_keeps_its_working_seconds_as_the_days_table_counts_them(joinedup):
    from sqlalchemy import select

    from bot.demo.sample import EDUCATION, TIA
    from bot.reports.workingtime import working_seconds
    from tests.test_acknowledgements import click, shared_record
    education, _ = shared_record(joinedup)
    joinedup.clock.advance(hours=30)  # overnight: the working hours only
    assert click(joinedup, education, EDUCATION.channel, TIA.user_id).status == 200
    with joinedup.db.read() as session:
        share, record = session.execute(select(Share, Record).join(Record)
                                        .where(Share.acknowledged_at.is_not(None))).one()
        partnership = joinedup.services.partnership
        expected = working_seconds(record.created_at, share.acknowledged_at, calendar_for(partnership),
                                   partnership.zone)
    assert 0 < share.working_seconds_to_acknowledge == expected < 30 * 3600


def test_the_sharers_first_outcome_is_kept_on_the_record_and_an_agencys_result_is_not_it(joinedup):
    from bot.blocks.outcome import OutcomeForm
    from bot.demo.sample import HEALTH, NIA, SAM
    from bot.services.acts import Done, Subject
    from tests.test_acknowledgements import shared_record
    shared_record(joinedup)
    joinedup.clock.advance(hours=3)
    result = joinedup.services.outcomes.report(Subject(1, HEALTH.key), NIA.user_id, OutcomeForm(
        "School nurse visit booked.", "", "no_further_action"), submission_key="V0RESULT")
    assert result.done == Done.DONE
    with joinedup.db.read() as session:
        assert session.get(Record, 1).first_outcome_at is None  # an agency's result is not the outcome for the child
    joinedup.clock.advance(hours=2)
    first = joinedup.clock.now()
    assert joinedup.services.outcomes.report(Subject(1, None), SAM.user_id, OutcomeForm(
        "Early help assessment started.", "", "no_further_action"), submission_key="V0FIRST").done == Done.DONE
    joinedup.clock.advance(days=2)
    joinedup.services.outcomes.report(Subject(1, None), SAM.user_id, OutcomeForm(
        "Assessment finished.", "", "no_further_action"), submission_key="V0SECOND")
    with joinedup.db.read() as session:
        record = session.get(Record, 1)
        assert record.first_outcome_at == first == min(o.reported_at for o in record.outcomes if o.agency_key is None)
