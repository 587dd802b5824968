"""What App Home reads is kept when it is written: each post's count of open challenges on its record, and whether
its agency owes the sharer its result."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.blocks.challenge import ResponseForm
from bot.blocks.ids import Field
from bot.blocks.outcome import OutcomeForm
from bot.blocks.record_form import ACTION_REQUESTED
from bot.services.acts import Subject
from bot.demo.sample import EDUCATION, HEALTH, NIA, SAM, TIA
from storage.models import Share
from tests.test_challenges import challenge


def open_counts(joinedup):
    with joinedup.db.read() as session:
        return {s.agency_key: s.open_challenges for s in session.scalars(select(Share).order_by(Share.id))}


def share_ids(joinedup):
    with joinedup.db.read() as session:
        return {(s.record_id, s.agency_key): s.id for s in session.scalars(select(Share))}


def to_answer(joinedup, user):
    return [c.challenge_id for c in joinedup.services.overview.overview(user).to_answer]


def test_every_post_of_a_record_counts_its_open_challenges_as_they_are_raised_answered_and_closed(joinedup):
    joinedup.record()
    joinedup.record()  # a second record, never challenged: its posts stay at nought
    assert set(open_counts(joinedup).values()) == {0}
    assert to_answer(joinedup, NIA.user_id) == []

    challenge(joinedup)  # on the latest record, Tia for Education
    challenge(joinedup)
    with joinedup.db.read() as session:
        counts = {(s.record_id, s.agency_key): s.open_challenges for s in session.scalars(select(Share))}
    assert counts == {(1, EDUCATION.key): 0, (1, HEALTH.key): 0, (2, EDUCATION.key): 2, (2, HEALTH.key): 2}
    assert to_answer(joinedup, NIA.user_id) == [1, 2]
    assert to_answer(joinedup, TIA.user_id) == [], "not their own questions"

    challenges = joinedup.services.challenges
    challenges.respond(1, NIA.user_id, ResponseForm(text="Health saw her at clinic."), submission_key="answer-1")
    challenges.respond(1, SAM.user_id, ResponseForm(text="And again."), submission_key="answer-1b")  # answered once
    assert to_answer(joinedup, NIA.user_id) == [2]
    challenges.close(1, TIA.user_id, "resolved")  # answered before: no longer open, nothing to take off
    challenges.close(2, TIA.user_id, "escalated")  # closed while still open
    challenges.close(2, TIA.user_id, "resolved")  # already closed: nothing changes
    with joinedup.db.read() as session:
        assert {s.open_challenges for s in session.scalars(select(Share))} == {0}
    assert to_answer(joinedup, NIA.user_id) == []
    assert to_answer(joinedup, SAM.user_id) == []


def test_with_many_posts_challenged_the_questions_to_answer_are_the_same_walked_in_the_order_raised(joinedup,
                                                                                                     monkeypatch):
    joinedup.record()
    challenge(joinedup)
    challenge(joinedup)
    few = to_answer(joinedup, NIA.user_id)
    monkeypatch.setattr("bot.services.overview.FEW", 1)  # two posts to Health challenged: "many"
    assert to_answer(joinedup, NIA.user_id) == few == [1, 2]
    joinedup.services.challenges.close(1, TIA.user_id, "resolved")
    assert to_answer(joinedup, NIA.user_id) == [2]


def test_the_scale_bench_seeds_the_open_counts_as_the_challenge_service_keeps_them(tmp_path):
    from bench.scale_seed import Seeder
    from bot.demo.sample import sample_partnership
    from bot.services.records import calendar_for
    from storage.db import Database
    from sqlalchemy import text

    db = Database(f"sqlite:///{tmp_path}/scale.db")
    db.migrate()
    partnership = sample_partnership()
    Seeder(db, partnership, 2_000).seed(calendar_for(partnership), partnership)
    with db.read() as session:
        wrong = session.execute(text(
            "SELECT count(*) FROM shares WHERE open_challenges <> (SELECT count(*) FROM challenges"
            " WHERE challenges.record_id = shares.record_id AND state = 'open')")).scalar()
        marked = session.execute(text("SELECT count(*) FROM shares WHERE open_challenges > 0")).scalar()
    db.dispose()
    assert wrong == 0 and marked > 0


def asking(joinedup, action="Please check attendance this week and tell me of any absence."):
    return joinedup.record(**{Field.REQUEST: ACTION_REQUESTED, Field.REQUESTED_ACTION: action})


def tell_the_sharer(joinedup, record_id, agency, person, what, key):
    """The agency's result, told to the sharer through the outcome service."""
    joinedup.services.outcomes.report(Subject(record_id, agency.key), person.user_id,
                                      OutcomeForm(what, next_step="further_action"), submission_key=key)


def result_marks(joinedup):
    with joinedup.db.read() as session:
        return {(s.record_id, s.agency_key): s.result_due_since for s in session.scalars(select(Share))}


def results_due(joinedup, user):
    return [(r.reference, r.agency_key) for r in joinedup.services.overview.overview(user).results_due]


def test_a_post_owes_its_result_from_the_acknowledgement_until_the_agency_tells_the_sharer(joinedup):
    asking(joinedup)
    joinedup.record()  # asks for nothing: acknowledging it owes nothing
    acknowledge = joinedup.services.acknowledgements.acknowledge
    shares = share_ids(joinedup)
    assert set(result_marks(joinedup).values()) == {None}, "nothing is owed before an acknowledgement"

    acknowledged_at = joinedup.clock.now()
    acknowledge(shares[(1, HEALTH.key)], NIA.user_id)
    acknowledge(shares[(2, HEALTH.key)], NIA.user_id)
    assert result_marks(joinedup) == {(1, EDUCATION.key): None, (1, HEALTH.key): acknowledged_at,
                                      (2, EDUCATION.key): None, (2, HEALTH.key): None}
    assert results_due(joinedup, NIA.user_id) == [("JU-000001", HEALTH.key)]

    tell_the_sharer(joinedup, 1, HEALTH, NIA, "School nurse visit booked.", "result-1")
    assert set(result_marks(joinedup).values()) == {None}
    assert results_due(joinedup, NIA.user_id) == []


def test_a_result_told_before_the_acknowledgement_leaves_nothing_owed_and_purging_clears_what_was(joinedup):
    asking(joinedup)
    asking(joinedup)
    shares = share_ids(joinedup)
    tell_the_sharer(joinedup, 1, HEALTH, NIA, "Seen at clinic already.", "result-early")
    joinedup.services.acknowledgements.acknowledge(shares[(1, HEALTH.key)], NIA.user_id)
    joinedup.services.acknowledgements.acknowledge(shares[(2, HEALTH.key)], NIA.user_id)
    joinedup.services.acknowledgements.acknowledge(shares[(2, EDUCATION.key)], TIA.user_id)
    marks = result_marks(joinedup)
    assert marks[(1, HEALTH.key)] is None and marks[(2, HEALTH.key)] and marks[(2, EDUCATION.key)]
    assert results_due(joinedup, NIA.user_id) == [("JU-000002", HEALTH.key)]

    joinedup.services.retention.purge(2)
    assert set(result_marks(joinedup).values()) == {None}
    assert results_due(joinedup, NIA.user_id) == results_due(joinedup, TIA.user_id) == []


def test_results_due_come_in_the_order_acknowledged_a_page_at_a_time(joinedup):
    for _ in range(3):
        asking(joinedup)
    shares = share_ids(joinedup)
    for record in (2, 3, 1):
        joinedup.services.acknowledgements.acknowledge(shares[(record, HEALTH.key)], NIA.user_id)
        joinedup.clock.advance(minutes=5)
    assert [reference for reference, _ in results_due(joinedup, NIA.user_id)] == ["JU-000002", "JU-000003",
                                                                                  "JU-000001"]
    overview = joinedup.services.overview.overview(NIA.user_id, page=2)
    assert [r.reference for r in overview.results_due] == ["JU-000002", "JU-000003"]


def test_the_waiting_list_is_paged_in_the_order_the_records_were_saved_whatever_the_clock_said(joinedup):
    start = joinedup.clock.now()
    for minutes in (0, 5, -5, 10, -10):  # a clock set back between saves (another process's, a correction)
        joinedup.clock.set(start + timedelta(minutes=minutes))
        joinedup.record()
    pages = [joinedup.services.overview.overview(NIA.user_id, waiting_offset=offset, page=2) for offset in (0, 2, 4)]
    assert {p.waiting_total for p in pages} == {5}
    assert [w.reference for p in pages for w in p.waiting] == [
        "JU-000001", "JU-000002", "JU-000003", "JU-000004", "JU-000005"]


def test_a_mark_left_on_a_post_already_told_or_purged_shows_nothing(joinedup):
    """Acknowledging and telling, or purging, in two processes at once can leave a mark; App Home still checks."""
    asking(joinedup)
    asking(joinedup)
    shares = share_ids(joinedup)
    tell_the_sharer(joinedup, 1, HEALTH, NIA, "Seen at clinic already.", "result-told")
    joinedup.services.retention.purge(2)
    with joinedup.db.write() as session:
        session.execute(update(Share).where(Share.id.in_([shares[(1, HEALTH.key)], shares[(2, HEALTH.key)]]))
                        .values(result_due_since=joinedup.clock.now()))
    assert results_due(joinedup, NIA.user_id) == []


def test_results_due_to_a_person_in_two_agencies_come_in_the_order_acknowledged(joinedup, monkeypatch):
    asking(joinedup)
    asking(joinedup)
    shares = share_ids(joinedup)
    for record, agency, person in ((2, HEALTH, NIA), (1, EDUCATION, TIA), (2, EDUCATION, TIA), (1, HEALTH, NIA)):
        joinedup.services.acknowledgements.acknowledge(shares[(record, agency.key)], person.user_id)
        joinedup.clock.advance(minutes=1)
    monkeypatch.setattr(joinedup.services.overview.directory, "agencies_of", lambda user: [HEALTH.key, EDUCATION.key])
    assert results_due(joinedup, NIA.user_id) == [("JU-000002", HEALTH.key), ("JU-000001", EDUCATION.key),
                                                  ("JU-000002", EDUCATION.key), ("JU-000001", HEALTH.key)]


def test_migration_0016_marks_what_the_services_would_have_marked(joinedup):
    """Taken back to 0015 (the column gone) and up again, every post owes what it owed."""
    asking(joinedup)
    asking(joinedup)
    joinedup.record()  # asks for nothing
    shares = share_ids(joinedup)
    for (record, agency), share in shares.items():
        joinedup.services.acknowledgements.acknowledge(share, (NIA if agency == HEALTH.key else TIA).user_id)
    tell_the_sharer(joinedup, 1, HEALTH, NIA, "Booked a visit.", "result-before-upgrade")
    joinedup.services.retention.purge(2)
    marks = result_marks(joinedup)
    assert [key for key, since in marks.items() if since] == [(1, EDUCATION.key)]

    to_revision(joinedup.db, "0015")
    joinedup.db.migrate()

    assert result_marks(joinedup) == marks


def to_revision(db, revision):
    from alembic import command

    from storage.db import alembic_config

    with db.engine.connect() as connection:
        if db.is_sqlite:  # as Database.migrate does: a batch migration copies the table
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        with connection.begin():
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
        if db.is_sqlite:
            connection.invalidate()


def test_the_scale_bench_seeds_the_results_owed_as_the_services_keep_them(tmp_path):
    from bench.scale_seed import Seeder
    from bot.demo.sample import sample_partnership
    from bot.services.records import calendar_for
    from storage.db import Database
    from sqlalchemy import text

    db = Database(f"sqlite:///{tmp_path}/scale.db")
    db.migrate()
    partnership = sample_partnership()
    Seeder(db, partnership, 2_000).seed(calendar_for(partnership), partnership)
    owed = ("s.acknowledged_at IS NOT NULL AND r.requested_action <> '' AND r.purged_at IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM outcomes o WHERE o.record_id = s.record_id AND o.agency_key = s.agency_key)")
    with db.read() as session:
        wrong = session.execute(text(
            f"SELECT count(*) FROM shares s JOIN records r ON r.id = s.record_id WHERE CASE WHEN {owed}"
            " THEN s.result_due_since IS NOT s.acknowledged_at ELSE s.result_due_since IS NOT NULL END")).scalar()
        marked, told = session.execute(text(
            "SELECT count(*), (SELECT count(*) FROM outcomes WHERE agency_key IS NOT NULL AND record_id IN"
            " (SELECT id FROM records WHERE requested_action <> '')) FROM shares WHERE result_due_since IS NOT NULL")
        ).one()
    db.dispose()
    assert wrong == 0 and marked > 0 and told > 0
