"""What App Home reads is kept when it is written: each post's count of open challenges on its record."""
from __future__ import annotations

from sqlalchemy import select

from bot.blocks.challenge import ResponseForm
from bot.demo.sample import EDUCATION, HEALTH, NIA, SAM, TIA
from storage.models import Share
from tests.test_challenges import challenge


def open_counts(joinedup):
    with joinedup.db.read() as session:
        return {s.agency_key: s.open_challenges for s in session.scalars(select(Share).order_by(Share.id))}


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
