"""Personal links to a shared record (bot/links/service.py): only hashes kept, expiry, replacement, revocation."""
from __future__ import annotations

import dataclasses
import hashlib
from datetime import timedelta
from typing import Iterator

import pytest
from sqlalchemy import select

from bot.demo.sample import HEALTH, sample_partnership
from bot.domain.clock import FixedClock
from bot.domain.email_config import EmailSettings
from bot.links.service import LinkService
from bot.services.audit import Act, Surface, trail
from bot.standin.slack import SlackStandIn
from storage.db import Database
from storage.models import EmailLink, Record, Share
from tests.conftest import JoinedUp, start_joinedup

BASE = "https://joinedup.example.gov.uk"
GP = "safeguarding@surgery.nhs.net"


def email_partnership(days: int = 30):
    return dataclasses.replace(sample_partnership(), email=EmailSettings(
        server="127.0.0.1", sender="joinedup@example.gov.uk", link_base_url=BASE,
        allowed_domains=("nhs.net",), starttls=False, link_days=days))


@pytest.fixture
def with_email(database: Database, standin: SlackStandIn, clock: FixedClock) -> Iterator[JoinedUp]:
    running = start_joinedup(db=database, standin=standin, clock=clock, partnership=email_partnership())
    yield running
    running._stop()


def health_share(joinedup: JoinedUp) -> int:
    assert joinedup.record().status == 200
    with joinedup.db.read() as session:
        return session.scalar(select(Share.id).where(Share.agency_key == HEALTH.key))


def links(joinedup: JoinedUp) -> LinkService:
    return LinkService(db=joinedup.db, clock=joinedup.clock, partnership=joinedup.partnership)


def issue(joinedup: JoinedUp, share_id: int, address: str = GP) -> str:
    with joinedup.db.write() as session:
        url = links(joinedup).issue(session, share_id=share_id, address=address)
    assert url.startswith(f"{BASE}/link/")
    return url.rsplit("/", 1)[1]


def test_only_the_hash_is_kept_and_the_link_finds_its_holder(with_email):
    share_id = health_share(with_email)
    token = issue(with_email, share_id)

    assert len(token) >= 43
    with with_email.db.read() as session:
        row = session.scalars(select(EmailLink)).one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str([getattr(row, c.key) for c in EmailLink.__table__.c])
        assert (row.expires_at - row.created_at).days == 30
    holder = links(with_email).holder(token)
    assert holder is not None
    assert (holder.share_id, holder.agency_key, holder.address, holder.actor) == (share_id, HEALTH.key, GP,
                                                                                   f"link:{row.id}")
    assert links(with_email).address_of(holder.actor) == GP
    assert links(with_email).address_of("U123ABC") is None


def test_a_link_expires_after_the_configured_days(with_email):
    token = issue(with_email, health_share(with_email))
    service = links(with_email)

    with_email.clock.advance(days=29, hours=23)
    assert service.holder(token) is not None
    with_email.clock.advance(hours=1)
    assert service.holder(token) is None


def test_issuing_again_replaces_the_link_and_the_old_one_stops(with_email):
    share_id = health_share(with_email)
    first = issue(with_email, share_id)
    with_email.clock.advance(days=20)
    second = issue(with_email, share_id)

    service = links(with_email)
    assert first != second
    assert service.holder(first) is None
    assert service.holder(second) is not None
    with with_email.db.read() as session:
        assert len(session.scalars(select(EmailLink)).all()) == 1, "one link per recipient and share"
    with_email.clock.advance(days=29)
    assert service.holder(second) is not None, "the expiry starts again with the fresh link"


def test_revoked_by_share_or_by_address_and_audited(with_email):
    share_id = health_share(with_email)
    token, other = issue(with_email, share_id), issue(with_email, share_id, "dsl@school.nhs.net")
    service = links(with_email)

    assert service.revoke(address=GP.upper()) == 1
    assert service.holder(token) is None
    assert service.holder(other) is not None
    assert service.revoke(share_id=share_id) == 1
    assert service.holder(other) is None
    assert service.revoke(share_id=share_id) == 0
    with with_email.db.read() as session:
        record_id = session.get(Share, share_id).record_id
    revoked = [e for e in trail(with_email.db, record_id) if e.action == Act.LINK_REVOKED]
    assert [(e.surface, e.actor) for e in revoked] == [(Surface.CLI, "system")] * 2
    assert GP not in str([e.detail for e in revoked])


def test_a_purged_record_or_a_guessed_token_finds_no_one(with_email):
    share_id = health_share(with_email)
    token = issue(with_email, share_id)
    service = links(with_email)

    assert service.holder(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert service.holder("") is None
    assert service.holder("x" * 5000) is None
    with with_email.db.write() as session:
        session.get(Share, share_id).record.purged_at = with_email.clock.now()
    assert service.holder(token) is None
    with with_email.db.read() as session:
        assert session.scalar(select(Record.purged_at)) is not None


def test_joinedup_links_revoke_stops_a_records_links_to_one_address(with_email, monkeypatch, capsys, tmp_path):
    from bot.cli import main
    from bot.demo.sample import sample_toml

    share_id = health_share(with_email)
    token, other = issue(with_email, share_id), issue(with_email, share_id, "dsl@school.nhs.net")
    (tmp_path / "joinedup.toml").write_text(sample_toml(), encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", with_email.db.url)
    monkeypatch.setenv("JOINEDUP_CONFIG", str(tmp_path / "joinedup.toml"))

    assert main(["links", "revoke", "--record", "JU-000001", "--address", GP]) == 0
    assert "1 link(s) revoked" in capsys.readouterr().out
    assert links(with_email).holder(token) is None
    assert links(with_email).holder(other) is not None
    assert main(["links", "revoke", "--share", "not-a-number"]) != 0
    assert main(["links", "revoke"]) != 0
    assert links(with_email).holder(other) is not None


def test_a_link_binds_to_the_first_browser_refuses_another_and_a_new_link_binds_afresh(with_email):
    share_id = health_share(with_email)
    token = issue(with_email, share_id)
    service = links(with_email)
    first, second = "a" * 64, "b" * 64

    holder = service.holder(token)
    assert holder.device_hash is None and not holder.on(first)
    assert service.bind(holder, first)
    assert not service.bind(holder, second), "a browser that comes second does not win"
    holder = service.holder(token)
    assert holder.on(first) and not holder.on(second) and not holder.on(None)
    with with_email.db.read() as session:
        row = session.scalars(select(EmailLink)).one()
        assert (row.device_hash, row.bound_at) == (first, with_email.clock.now())

    fresh = issue(with_email, share_id)  # a new email: a new link, bound to nobody yet
    assert service.holder(token) is None
    renewed = service.holder(fresh)
    assert renewed.device_hash is None and renewed.link_id == holder.link_id
    assert service.bind(renewed, second) and service.holder(fresh).on(second)


def test_another_browser_may_have_a_new_link_emailed_to_the_links_own_inbox_once_in_ten_minutes(with_email):
    share_id = health_share(with_email)
    token = issue(with_email, share_id)
    service = links(with_email)
    service.bind(service.holder(token), "a" * 64)
    owed: list[dict] = []

    def owe(session, email):
        owed.append(email)
        return [len(owed)]

    holder = service.holder(token)
    assert service.next_renewal(holder) is None
    assert service.renew(holder, owe) == [1]
    assert service.holder(token) is None, "the old link, and the browser it was bound to, stop at once"
    assert [(e["kind"], e["address"], e["agency_key"]) for e in owed] == [("link", GP, HEALTH.key)]
    assert service.renew(holder, owe) is None, "the replaced token cannot ask again"

    fresh = issue(with_email, share_id)  # as the outbox does when it sends the email
    service.bind(service.holder(fresh), "c" * 64)
    with_email.clock.advance(minutes=9)
    again = service.holder(fresh)
    assert service.next_renewal(again) == with_email.clock.now() + timedelta(minutes=1)
    assert service.renew(again, owe) is None and len(owed) == 1
    with_email.clock.advance(minutes=1)
    assert service.next_renewal(again) is None and service.renew(again, owe) == [2]

    renewals = [e for e in trail(with_email.db, holder.record_id) if e.action == Act.LINK_RENEWED]
    assert [(e.actor, e.surface, e.detail) for e in renewals] == [
        (holder.actor, Surface.EMAIL_LINK, f"email link {holder.link_id}, opened on another device")] * 2
