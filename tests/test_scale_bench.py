"""The national-scale benchmark's seeding (bench/scale_seed.py), run small: its history's figures agree with a count
by hand from the same rules, and stored working seconds give the figures the days table gives. Speed is measured
in bench/scale.py, never here."""
from __future__ import annotations

import statistics
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from bench.scale import year
from bench.scale_seed import END, SPAN, START, Seeder
from bot.demo.sample import sample_partnership
from bot.reports.service import PartnershipFigures, fill_first_outcomes, fill_working_seconds
from bot.services.records import calendar_for
from storage.db import Database

N = 2_000
PARTNERSHIP = sample_partnership()
CALENDAR = calendar_for(PARTNERSHIP)


def made(i: int) -> int:
    return START + ((i - 1) * SPAN) // N


def moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Database:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('scale')}/scale.db")
    db.migrate()
    Seeder(db, PARTNERSHIP, N).seed(CALENDAR, PARTNERSHIP)
    yield db
    db.dispose()


def by_hand() -> dict[str, float]:
    period = year()
    start, end = period.start.timestamp(), period.end.timestamp()
    in_period = [i for i in range(1, N + 1) if start <= made(i) < end]
    shared = [i for i in in_period if i % 21]
    acknowledged = [(i, k) for i in shared for k in (1, 2, 3) if (i + k) % 50]
    hours = [CALENDAR.working_hours_between(moment(made(i)), moment(made(i) + ((i * 7 + k * 13) % 97) * 1800),
                                            PARTNERSHIP.zone) for i, k in acknowledged]
    return {"records_made": len(in_period), "records_shared": len(shared),
            "records_kept_without_sharing": len(in_period) - len(shared), "posts_received": 3 * len(shared),
            "posts_acknowledged": len(acknowledged),
            "posts_acknowledged_within_target": sum(1 for h in hours if h <= 8),
            "working_hours_to_acknowledge_median": statistics.median(hours),
            "challenges_raised": sum(1 for i in range(1, N + 1) if i % 21 and i % 20 == 1
                                     and start <= made(i) + 86_400 < end),
            "amendments": sum(1 for i in range(1, N + 1) if i % 10 == 3 and start <= made(i) + 2 * 86_400 < end)}


def test_the_seeded_history_is_the_size_asked_for(seeded):
    with seeded.read() as session:
        def count(sql: str) -> int:
            return session.execute(text(sql)).scalar_one()
        assert count("SELECT COUNT(*) FROM records") == N
        assert count("SELECT COUNT(*) FROM shares") == 3 * (N - N // 21)
        assert count("SELECT MIN(created_at) FROM records") < f"{END.year - 9}"  # ten years of it
        # Every acknowledgement and first answer has its working seconds, as the services store them.
        assert count("SELECT COUNT(*) FROM shares WHERE acknowledged_at IS NOT NULL "
                     "AND working_seconds_to_acknowledge IS NULL") == 0
        assert count("SELECT COUNT(*) FROM challenges c WHERE working_seconds_to_answer IS NULL AND EXISTS "
                     "(SELECT 1 FROM challenge_responses a WHERE a.challenge_id = c.id)") == 0
        # And every record's first outcome for the child, as OutcomeService keeps it.
        assert count("SELECT COUNT(*) FROM records r WHERE r.first_outcome_at IS NOT (SELECT MIN(o.reported_at) "
                     "FROM outcomes o WHERE o.record_id = r.id AND o.agency_key IS NULL)") == 0
        assert count("SELECT COUNT(*) FROM records WHERE first_outcome_at IS NOT NULL") > N // 2


def test_a_years_figures_on_the_seeded_history_are_the_hand_counts(seeded):
    report = PartnershipFigures(db=seeded, partnership=PARTNERSHIP, calendar=CALENDAR).report(year(), END)
    for name, expected in by_hand().items():
        assert report.get(name) == pytest.approx(expected), name


def test_rows_from_before_the_stored_seconds_give_the_same_figures(seeded):
    figures = PartnershipFigures(db=seeded, partnership=PARTNERSHIP, calendar=CALENDAR)
    stored = figures.report(year(), END)
    with seeded.write() as session:
        session.execute(text("UPDATE shares SET working_seconds_to_acknowledge = NULL WHERE id % 3 = 0"))
        session.execute(text("UPDATE challenges SET working_seconds_to_answer = NULL WHERE id % 2 = 1"))
        session.execute(text("UPDATE records SET first_outcome_at = NULL WHERE id % 4 = 1"))
    worked_out = figures.report(year(), END)
    fill_working_seconds(seeded, CALENDAR, PARTNERSHIP.zone, END)
    fill_first_outcomes(seeded)

    def values(report):
        return {(v.figure.name, v.agency, v.item): v.value for v in report.values if v.value is not None}
    assert values(worked_out) == pytest.approx(values(stored))
    assert values(figures.report(year(), END)) == pytest.approx(values(stored))
    test_the_seeded_history_is_the_size_asked_for(seeded)  # and the filling stored them all again
