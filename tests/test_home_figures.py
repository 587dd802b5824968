"""App Home's partnership part: admins see this week's figures and what is overdue, worked out by hand from a seeded
week; nobody else does, at no cost to them; a report that fails leaves the rest of App Home in place. A scheduled
job counts the figures each minute and keeps them; App Home shows what was kept while it is fresh and of this week,
and otherwise counts them itself."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

import bot.services.home_figures as service
from bot.blocks.home_figures import POINTER, UNCOUNTED, partnership_blocks
from bot.blocks.overview import home_view
from bot.demo.sample import ADMIN, LEE, NIA, SAM, sample_partnership
from bot.domain.clock import FixedClock
from bot.domain.config import Agency
from bot.reports.figures import BY_NAME
from bot.reports.period import parse_period
from bot.reports.service import PartnershipFigures, Report, Value
from bot.processes.sweep import Sweeper
from bot.reports.stored import report_from_json, report_json
from bot.services.home_figures import FRESH_FOR, home_figures, keeper_for
from bot.services.records import calendar_for
from bot.services.overview import OpenChallenge, Overview, Waiting
from bot.standin.blockkit import HOME, block_problems
from storage.models import Challenge, CountedFigures, Outcome, Record, Share


def nov(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026: London keeps GMT then. Monday 23rd to Sunday 29th is 'this week'."""
    return datetime(2026, 11, day, hour, minute, tzinfo=timezone.utc)


def record(n: int, agency: str, made: datetime, *, shared: bool = True, **columns: object) -> Record:
    return Record(id=n, submission_key=f"r{n}", case_reference=f"CR-{n:05d}", occurred_at=made, created_at=made,
                  sharer_id="U0SHARER", sharer_agency=agency, participants=[], purposes=["A"], first_hand=True,
                  lawful_basis="Public task", summary="s", risk_key="early-help", risk_label="early-help",
                  risk_definition="", follow_up_on=made.date(),
                  not_shared_reason=None if shared else "Not proportionate", **columns)


def seed(db) -> None:
    with db.write() as session:
        session.add_all([
            record(1, "social-care", nov(23, 9)),
            record(2, "health", nov(23, 10)),
            record(3, "education", nov(23, 12), outcome_requests_sent=1),  # outcome overdue
            record(4, "education", nov(20, 10), outcome_requests_sent=1),  # last week: overdue now only
            record(5, "social-care", nov(23, 13), shared=False),
        ])
        session.flush()
        session.add_all([
            Share(record_id=1, agency_key="health", acknowledged_at=nov(23, 11)),  # 2 working hours
            Share(record_id=1, agency_key="education", acknowledged_at=nov(23, 15)),  # 6
            Share(record_id=1, agency_key="police", reminders_sent=1),  # overdue
            Share(record_id=2, agency_key="social-care", acknowledged_at=nov(24, 9, 30)),  # 7 + 0.5 = 7.5
            Share(record_id=3, agency_key="health"),  # waiting, not yet overdue
            Share(record_id=4, agency_key="police", reminders_sent=2),  # overdue
            Outcome(record_id=2, submission_key="o1", reported_by="U0SHARER", reported_at=nov(24, 9),
                    what_happened="x", next_step="no_further_action"),
            Challenge(id=1, record_id=1, submission_key="c1", raised_by="U0H", agency_key="health",
                      raised_at=nov(23, 12), kind="question", text="t", state="open",
                      next_reminder_at=nov(24, 9)),  # its reminder is due: overdue
            Challenge(id=2, record_id=2, submission_key="c2", raised_by="U0S", agency_key="social-care",
                      raised_at=nov(23, 14), kind="question", text="t", state="resolved", closed_at=nov(23, 16)),
        ])


def open_home(joinedup, user: str) -> str:
    reply = joinedup.slack.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                                  "event_ts": "1732442400.000100"})
    assert reply.status == 200
    return "\n".join(str(b) for b in joinedup.standin.home_views[user]["blocks"])


def test_an_admin_sees_this_weeks_figures_and_what_is_overdue_below_their_own_work(joinedup):
    seed(joinedup.db)

    home = open_home(joinedup, ADMIN.user_id)

    assert home.index("Shared by you") < home.index("'Partnership'")
    assert "This week, this week (23 Nov 2026 on)" in home
    assert "Records shared: *3*" in home  # 1, 2 and 3; 5 was kept, 4 was last week
    assert "Posts acknowledged: *3* of 5; within the 8-working-hour target: *3*" in home  # 2, 6 and 7.5 hours
    # 2, 6, 7.5: the median is 6; the 90th percentile 0.8 of the way from 6 to 7.5.
    assert "median *6* working hours, 90th percentile *7.2*" in home
    assert "Slowest to acknowledge: *Children's Social Care* (median 7.5 working hours)" in home
    assert "Outcome rate: *33%* of records shared have an outcome for the child (1 of 3)" in home
    assert "Challenges: *2* raised, *1* still open (not resolved or escalated)" in home
    assert "Acknowledgements overdue: *2* (by the receiving agency: Police 2)" in home
    assert "Outcomes overdue: *2* (by the sharer's agency: Education (Oakfield Primary) 2)" in home
    assert "Challenges overdue: *1* (by the challenging agency: Health 1)" in home
    assert "/joinedup report last 30 days" in home


def test_practitioners_and_leads_see_their_own_work_and_no_partnership_figures(joinedup):
    seed(joinedup.db)

    for user in (NIA.user_id, SAM.user_id, LEE.user_id):  # a nurse; leads of social care and of health
        home = open_home(joinedup, user)
        assert "Waiting for your agency" in home
        assert "'Partnership'" not in home and "overdue" not in home and POINTER not in home


def reports_fail(joinedup, monkeypatch) -> None:
    """Every report raises an error whose message carries what a log must never hold."""
    seed(joinedup.db)

    def fails(self, period, now):
        raise RuntimeError("CR-00001 the child said something")
    monkeypatch.setattr(PartnershipFigures, "report", fails)


def logged_about_figures(caplog) -> list[str]:
    assert not any("CR-00001" in r.getMessage() or "child said" in r.getMessage() for r in caplog.records)
    return [r.getMessage() for r in caplog.records if "partnership figures" in r.getMessage()]


def test_a_report_that_fails_leaves_app_home_whole_and_logs_no_content(joinedup, monkeypatch, caplog):
    reports_fail(joinedup, monkeypatch)

    with caplog.at_level(logging.ERROR):
        home = open_home(joinedup, ADMIN.user_id)

    assert "Shared by you" in home and UNCOUNTED in home
    lines = logged_about_figures(caplog)
    assert lines and "RuntimeError" in lines[0]


class Untouchable:
    def __getattr__(self, name):
        raise AssertionError(f"the database was asked for {name}")


def test_no_one_but_an_admin_costs_a_query():
    partnership = sample_partnership()

    class Directory:
        def is_admin(self, user_id):
            return user_id in partnership.admins

    for user in (NIA.user_id, SAM.user_id, LEE.user_id, "U0NOBODY"):
        assert home_figures(user, db=Untouchable(), partnership=partnership, directory=Directory(),
                            clock=FixedClock(nov(24, 10))) is None


def busy_report(partnership) -> Report:
    """A report with every overdue figure non-zero for every agency."""
    period = parse_period("this week", nov(24, 10), partnership.zone)
    values = [Value(BY_NAME[name], "", agency.key, 3.0) for agency in partnership.agencies
              for name in ("overdue_acknowledgements_now", "overdue_outcomes_now", "overdue_challenges_now",
                           "working_hours_to_acknowledge_median", "records_shared", "records_with_outcome")]
    return Report(period, nov(24, 10), 8.0, tuple(values))


def test_a_full_app_home_with_many_agencies_stays_within_slacks_limits():
    base = sample_partnership()
    agencies = tuple(Agency(f"agency-{i}", f"Agency {i} with a long name of the partnership " * 2, f"C0{i:04d}")
                     for i in range(60))
    partnership = replace(base, agencies=agencies)
    waiting = Waiting(1, "JU-000001", "CR-1", "Health", "Low", SAM.user_id, "Social Care", nov(24, 9))
    challenge = OpenChallenge(1, "JU-000001", SAM.user_id, "Health", "open", nov(24, 9))
    full = Overview([waiting] * 10, 500, 0, [], 0, 0, True, to_answer=[challenge] * 10, raised=[challenge] * 10)

    part = partnership_blocks(busy_report(partnership), partnership)
    view = home_view(full, part)

    assert block_problems(view["blocks"], HOME, "/view/blocks") == []
    assert len(view["blocks"]) <= 100 and view["blocks"][-1] == part[-1]  # all of it fits, pointer last
    assert "and 52 more agencies" in str(part) and "…" not in str(part)  # the 8 most overdue named, none cut


def test_without_figures_the_part_is_a_short_note():
    part = partnership_blocks(None, sample_partnership())
    assert len(part) == 3 and UNCOUNTED in str(part)
    assert block_problems(part, HOME, "/view/blocks") == []


# --- counted each minute, kept for App Home --------------------------------------------------------------------------

def keep(joinedup) -> bool:
    """The scheduled job's run, as bot/processes/scheduling.py runs it each minute."""
    return keeper_for(joinedup.services)()


def kept(db) -> CountedFigures | None:
    with db.read() as session:
        return session.scalar(select(CountedFigures))


def counted_at(moment: datetime) -> str:
    return f"Counted at <!date^{int(moment.timestamp())}^{{time}}|"


def test_the_kept_figures_are_shown_until_two_minutes_have_passed(joinedup, monkeypatch):
    seed(joinedup.db)
    swept = joinedup.clock.now()

    keep(joinedup)

    row = kept(joinedup.db)
    assert row is not None and row.key == "app-home" and row.counted_at == swept
    assert (row.period_first, row.period_last, row.period_kind) == (nov(23, 0).date(), nov(29, 0).date(), "week")
    with joinedup.db.write() as session:  # a fourth record shared this week, after the count
        session.add(record(6, "health", nov(24, 9)))

    joinedup.clock.set(swept + FRESH_FOR)
    home = open_home(joinedup, ADMIN.user_id)
    assert "Records shared: *3*" in home and counted_at(swept) in home  # what was kept, and when
    assert "Acknowledgements overdue: *2*" in home and "This week, this week (23 Nov 2026 on)" in home

    assert "and again every minute" in home
    later = joinedup.clock.advance(seconds=1)  # more than two minutes ago: App Home counts, keeps nothing
    home = open_home(joinedup, ADMIN.user_id)
    assert "Records shared: *4*" in home and counted_at(later) in home
    assert "every minute" not in home, "nothing counts them each minute just now"
    assert kept(joinedup.db).counted_at == swept

    swept_again = joinedup.clock.advance(seconds=5)
    keep(joinedup)

    def fails(self, period, now):
        raise AssertionError("counted again while what was kept is fresh")
    monkeypatch.setattr(PartnershipFigures, "report", fails)
    joinedup.clock.advance(seconds=30)
    home = open_home(joinedup, ADMIN.user_id)
    assert "Records shared: *4*" in home and counted_at(swept_again) in home


def test_last_weeks_figures_are_never_shown_as_this_weeks(joinedup):
    seed(joinedup.db)
    joinedup.clock.set(datetime(2026, 11, 29, 23, 59, 30, tzinfo=timezone.utc))  # Sunday night, London (GMT)
    keep(joinedup)
    assert kept(joinedup.db).period_first == nov(23, 0).date()

    monday = joinedup.clock.advance(seconds=40)  # fresh, but of last week
    home = open_home(joinedup, ADMIN.user_id)

    assert "This week, this week (30 Nov 2026 on)" in home and "23 Nov 2026 on" not in home
    assert "Records shared: *0*" in home and counted_at(monday) in home
    assert "Acknowledgements overdue: *2*" in home  # overdue now is over the whole history
    assert kept(joinedup.db).period_first == nov(23, 0).date(), "kept only by the scheduled job"


def test_figures_kept_too_long_ago_are_counted_again(joinedup):
    seed(joinedup.db)
    keep(joinedup)
    with joinedup.db.write() as session:
        session.add(record(6, "health", nov(24, 9)))

    now = joinedup.clock.advance(minutes=30)  # the job has stopped: the figures are not shown as they were
    home = open_home(joinedup, ADMIN.user_id)

    assert "Records shared: *4*" in home and counted_at(now) in home


def test_opening_app_home_reads_no_kept_figures_for_anyone_but_an_admin(joinedup, monkeypatch):
    seed(joinedup.db)
    keep(joinedup)
    asked = []
    monkeypatch.setattr(service, "kept_figures", lambda *args: asked.append(args))
    monkeypatch.setattr(service, "this_week", lambda *args: asked.append(args))

    for user in (NIA.user_id, SAM.user_id, LEE.user_id):
        assert "'Partnership'" not in open_home(joinedup, user)

    assert asked == []


def test_a_count_that_fails_logs_one_line_without_content_and_keeps_nothing(joinedup, monkeypatch, caplog):
    reports_fail(joinedup, monkeypatch)

    with caplog.at_level(logging.ERROR):
        assert keep(joinedup) is False

    lines = logged_about_figures(caplog)
    assert len(lines) == 1 and "RuntimeError at " in lines[0]
    assert kept(joinedup.db) is None


def test_a_partnership_without_admins_is_not_counted(joinedup, monkeypatch):
    monkeypatch.setattr(joinedup.services, "partnership", replace(joinedup.partnership, admins=()))
    assert keep(joinedup) is False and kept(joinedup.db) is None


def test_another_process_counting_within_half_a_minute_is_enough(joinedup):
    seed(joinedup.db)
    first = joinedup.clock.now()
    assert keep(joinedup) is True
    joinedup.clock.advance(seconds=29)
    assert keep(joinedup) is False and kept(joinedup.db).counted_at == first
    later = joinedup.clock.advance(seconds=1)
    assert keep(joinedup) is True and kept(joinedup.db).counted_at == later


def test_a_count_kept_last_week_is_counted_again_however_recent(joinedup):
    seed(joinedup.db)
    joinedup.clock.set(datetime(2026, 11, 29, 23, 59, 50, tzinfo=timezone.utc))  # Sunday night, London (GMT)
    assert keep(joinedup) is True
    monday = joinedup.clock.advance(seconds=20)
    assert keep(joinedup) is True and kept(joinedup.db).counted_at == monday


def test_kept_figures_that_cannot_be_read_are_counted_afresh(joinedup, caplog):
    seed(joinedup.db)
    keep(joinedup)
    with joinedup.db.write() as session:
        session.get(CountedFigures, "app-home").report = "{not json"

    with caplog.at_level(logging.ERROR):
        home = open_home(joinedup, ADMIN.user_id)

    assert "Records shared: *3*" in home and UNCOUNTED not in home
    assert [line for line in logged_about_figures(caplog) if "could not be read" in line]


def test_the_sweep_stays_about_what_is_due_and_counts_no_figures(joinedup, monkeypatch):
    seed(joinedup.db)
    monkeypatch.setattr(PartnershipFigures, "report", lambda *args: pytest.fail("the sweep counted the figures"))
    assert Sweeper(joinedup.services).run().challenge_reminders == 1
    assert kept(joinedup.db) is None


def test_a_kept_report_reads_back_as_the_report_counted(joinedup):
    seed(joinedup.db)
    partnership, now = joinedup.partnership, joinedup.clock.now()
    period = parse_period("this week", now, partnership.zone)
    report = PartnershipFigures(db=joinedup.db, partnership=partnership, calendar=calendar_for(partnership)).report(
        period, now)

    assert report_from_json(report_json(report), period, now) == report
    older = report_json(report).replace('"records_shared",', '', 1)  # kept by a version with other figures
    assert report_from_json(older, period, now) is None


def test_the_schedule_counts_the_figures_each_minute_beside_the_sweep_where_asked():
    from bot.processes.scheduling import start_scheduler
    from bot.services.home_figures import FIGURES_SECONDS

    with_figures = start_scheduler(sweep=lambda: None, count_figures=lambda: None)
    without = start_scheduler(sweep=lambda: None)
    try:
        job = with_figures.get_job("count-figures")
        assert job is not None and job.trigger.interval.total_seconds() == FIGURES_SECONDS == 60
        assert without.get_job("count-figures") is None and without.get_job("sweep") is not None
    finally:
        with_figures.shutdown(wait=False)
        without.shutdown(wait=False)
