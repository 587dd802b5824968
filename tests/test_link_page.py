"""The page an emailed link opens, over real HTTP: what it shows, what its holder does, and what it refuses."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from typing import Iterator

import pytest
from sqlalchemy import select

from bot.demo.sample import HEALTH, SAM, SAMPLE_ANSWERS
from bot.blocks.ids import Field
from bot.domain.clock import FixedClock
from bot.links.web import LinkPages, RateLimit
from bot.services.audit import Act, Surface, trail
from bot.standin.slack import SlackStandIn
from storage.db import Database
from storage.models import Challenge, EmailLink, EmailMessage, Outcome, Share
from tests.conftest import start_joinedup
from tests.link_serving import GP, LinkSite, email_partnership, serve_links

SUMMARY = SAMPLE_ANSWERS[Field.SUMMARY]
SECRETS = (SUMMARY, "CR-12345", "JU-0", "Public task", "Early help")


@pytest.fixture
def site(database: Database, standin: SlackStandIn, clock: FixedClock) -> Iterator[LinkSite]:
    joinedup = start_joinedup(db=database, standin=standin, clock=clock, partnership=email_partnership())
    assert joinedup.record().status == 200
    running = serve_links(joinedup)
    yield running
    running.stop()
    joinedup._stop()


def shows_nothing_of_the_record(body: str) -> None:
    assert "This link does not work" in body
    for secret in SECRETS:
        assert secret not in body


def test_the_page_shows_what_the_agency_sees_with_the_headers_and_is_audited(site):
    path = site.issue()
    page = site.open(path)

    assert page.status == 200
    for shown in (SUMMARY, "CR-12345", "JU-000001", "Public task: statutory safeguarding duty", "Children&#x27;s Social Care",
                  "To keep the child safe from harm", "Early help", "Acknowledge receipt", "Tell the sharer what we did",
                  "Ask a question or challenge", "call 999"):
        assert shown in page.body, shown
    headers = page.headers
    assert headers["cache-control"] == "no-store"
    assert "script-src" not in headers["content-security-policy"] and "default-src 'none'" in headers[
        "content-security-policy"] and "frame-ancestors 'none'" in headers["content-security-policy"]
    assert (headers["x-content-type-options"], headers["referrer-policy"], headers["x-frame-options"]) == (
        "nosniff", "no-referrer", "DENY")
    assert "<script" not in page.body and 'name="viewport"' in page.body
    views = [e for e in trail(site.joinedup.db, 1) if e.action == Act.VIEWED]
    assert [(e.actor, e.surface) for e in views] == [("link:1", Surface.EMAIL_LINK)]
    css = site.request("GET", "/link-assets/page.css")
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")


def test_acknowledging_with_a_note_reaches_the_sharer_and_the_agency_post_by_email_link(site):
    path = site.issue()
    page = site.open(path).body
    form = {**site.hidden(page, "acknowledge"), "ack-note": "Passed to the practice's safeguarding lead."}

    done = site.request("POST", path, form)
    again = site.request("POST", path, form)  # a double click

    assert done.status == 303 and done.headers["location"].startswith("?done=acknowledge")
    assert again.status == 303
    with site.joinedup.db.read() as session:
        share = session.scalars(select(Share).where(Share.agency_key == HEALTH.key)).one()
        assert (share.acknowledged_by, share.acknowledgement_note) == ("link:1", "Passed to the practice's safeguarding lead.")
    standin = site.joinedup.standin
    status = standin.messages(SAM.user_id)
    shown = f"{GP} (by email link)"
    assert shown in str(status[0]["blocks"]), "the sharer's status message names the address"
    assert any(shown in str(m) and "safeguarding lead" in str(m) for m in status[1:]), "the note reaches the sharer"
    post = site.joinedup.posts(HEALTH.channel)[0]
    assert f"Acknowledged for Health by {shown}" in str(standin.message(HEALTH.channel, post["ts"])["blocks"])
    acts = [e for e in trail(site.joinedup.db, 1) if e.action == Act.ACKNOWLEDGED]
    assert [(e.actor, e.surface) for e in acts] == [("link:1", Surface.EMAIL_LINK)]
    after = site.request("GET", path + "?done=acknowledge").body
    assert "You have acknowledged receipt" in after and shown in after


def test_telling_the_sharer_what_we_did_once_however_often_it_is_sent(site):
    path = site.issue()
    page = site.open(path).body
    form = {**site.hidden(page, "result"), "result-what-happened": "The GP booked a review for next week.",
            "result-next-step": "no_further_action"}

    assert site.request("POST", path, form).status == 303
    assert site.request("POST", path, form).status == 303

    with site.joinedup.db.read() as session:
        outcomes = session.scalars(select(Outcome)).all()
    assert [(o.reported_by, o.agency_key) for o in outcomes] == [("link:1", HEALTH.key)]
    to_sharer = [m for m in site.joinedup.standin.messages(SAM.user_id) if "booked a review" in str(m)]
    assert to_sharer and f"{GP} (by email link)" in str(to_sharer)
    assert [e.surface for e in trail(site.joinedup.db, 1) if e.action == Act.OUTCOME_REPORTED] == [Surface.EMAIL_LINK]


def test_a_challenge_reaches_the_sharer_and_a_form_with_problems_says_so(site):
    path = site.issue()
    page = site.open(path).body
    empty = site.request("POST", path, {**site.hidden(page, "challenge"), "challenge-text": ""})
    assert empty.status == 200
    assert "There is a problem" in empty.body and 'href="#challenge-kind"' in empty.body
    assert "<title>Error:" in empty.body

    form = {**site.hidden(page, "challenge"), "challenge-kind": "question",
            "challenge-text": "Has the school nurse been told?"}
    assert site.request("POST", path, form).status == 303
    with site.joinedup.db.read() as session:
        assert [(c.raised_by, c.agency_key) for c in session.scalars(select(Challenge))] == [("link:1", HEALTH.key)]
    assert any("school nurse been told" in str(m) and f"{GP} (by email link)" in str(m)
               for m in site.joinedup.standin.messages(SAM.user_id))
    assert [(e.actor, e.surface) for e in trail(site.joinedup.db, 1) if e.action == Act.CHALLENGED] == [
        ("link:1", Surface.EMAIL_LINK)]


def test_a_form_without_its_check_or_from_another_site_is_refused(site):
    path = site.issue()
    page = site.open(path).body
    form = {**site.hidden(page, "acknowledge"), "ack-note": ""}

    forged = site.request("POST", path, {**form, "csrf": "0" * 64})
    missing = site.request("POST", path, {k: v for k, v in form.items() if k != "csrf"})
    elsewhere = site.request("POST", path, form, headers={"Origin": "https://attacker.example"})
    other_link = site.request("POST", site.issue(address="dsl@school.nhs.net"), form)

    assert [r.status for r in (forged, missing, elsewhere, other_link)] == [403] * 4
    assert "Your form could not be sent" in forged.body and SUMMARY not in forged.body
    with site.joinedup.db.read() as session:
        assert session.scalars(select(Share.acknowledged_at).where(Share.agency_key == HEALTH.key)).one() is None


def test_expired_revoked_replaced_and_guessed_links_show_nothing_and_look_alike(site):
    expired, revoked, replaced = site.issue(), site.issue(address="dsl@school.nhs.net"), site.issue(
        address="nurse@clinic.nhs.net")
    site.issue(address="nurse@clinic.nhs.net")  # a resent email: the old link stops
    site.pages.links.revoke(address="dsl@school.nhs.net")
    guessed = "/link/" + "A" * 43
    site.joinedup.clock.advance(days=31)

    answers = [site.request(method, path) for path in (expired, revoked, replaced, guessed, "/link/JU-000001")
               for method in ("GET",)]
    answers.append(site.request("POST", expired, {"act": "acknowledge", "csrf": "x", "submission": "y" * 20}))

    assert {r.status for r in answers} == {404}
    assert len({r.body for r in answers}) == 1, "the same page, whatever the reason"
    shows_nothing_of_the_record(answers[0].body)
    assert answers[0].headers["cache-control"] == "no-store"
    with site.joinedup.db.read() as session:
        assert session.scalars(select(Share.acknowledged_at).where(Share.agency_key == HEALTH.key)).one() is None


def test_each_link_is_limited_to_so_many_requests_a_minute(database, standin, clock):
    joinedup = start_joinedup(db=database, standin=standin, clock=clock, partnership=email_partnership())
    assert joinedup.record().status == 200
    moments = iter(range(1000))
    site = serve_links(joinedup, limit=RateLimit(rate=3, window=60, now=lambda: float(next(moments))))
    try:
        path, other = site.issue(), site.issue(address="dsl@school.nhs.net")
        statuses = [site.request("GET", path).status for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = site.request("GET", path)
        assert "too many" in limited.body.lower() and SUMMARY not in limited.body
        assert limited.headers["retry-after"] == "60" and limited.headers["cache-control"] == "no-store"
        assert site.request("GET", other).status == 200, "another link is not held up"
    finally:
        site.stop()
        joinedup._stop()


def test_behind_https_the_pages_ask_browsers_to_keep_to_https(site):
    https = LinkPages(services=dataclasses.replace(site.joinedup.services, partnership=email_partnership(
        "https://joinedup.example.gov.uk")), secret="s")
    answered = {}
    body = https({"REQUEST_METHOD": "GET", "PATH_INFO": "/link/" + "C" * 43, "QUERY_STRING": ""},
                 lambda status, headers: answered.update(status=status, headers=dict(headers)))
    assert answered["status"].startswith("404") and "This link does not work" in b"".join(body).decode()
    assert answered["headers"]["Strict-Transport-Security"].startswith("max-age=")
    assert "strict-transport-security" not in site.request("GET", "/link-assets/page.css").headers


def test_the_first_browser_to_open_a_link_is_given_its_device_cookie_and_keeps_working(site):
    path = site.issue()
    first = site.request("GET", path)
    assert first.status == 200 and "set-cookie" not in first.headers and site.jar == {}
    check = re.search(r'name="csrf" value="([^"]+)"', first.body).group(1)
    opened = site.request("POST", path, {"act": "open", "csrf": check})

    assert opened.status == 303 and opened.headers["location"] == f"./{path.rsplit('/', 1)[1]}#main-content"
    cookie = opened.headers["set-cookie"]
    assert cookie.startswith("joinedup_device=") and len(site.jar["joinedup_device"]) == 43
    flags = {f.strip() for f in cookie.split(";")[1:]}
    assert {"Path=/link/", "HttpOnly", "SameSite=Lax"} <= flags and "Secure" not in flags, "Secure only behind https"
    with site.joinedup.db.read() as session:
        stored = session.scalars(select(EmailLink.device_hash)).one()
    assert stored == hashlib.sha256(site.jar["joinedup_device"].encode()).hexdigest()
    record = site.request("GET", path)
    assert record.status == 200 and SUMMARY in record.body and site.jar["joinedup_device"] not in record.body
    again = site.request("POST", path, {"act": "open", "csrf": check})  # back to the first page, or a second click
    assert again.status == 303 and again.headers["location"].startswith("./")
    form = {**site.hidden(record.body, "acknowledge"), "ack-note": ""}
    assert site.request("POST", path, form).status == 303


def test_a_scanner_that_only_gets_the_link_shows_nothing_binds_nothing_and_leaves_it_for_the_holder(site):
    path = site.issue()
    scanner: dict[str, str] = {}  # Safe Links, Mimecast, Proofpoint: GET and HEAD, with or without cookies

    answers = [site.request(method, path, jar=scanner) for method in ("HEAD", "GET", "GET", "HEAD")]
    answers.append(site.request("GET", path, jar={}))

    assert {r.status for r in answers} == {200}
    first = answers[1].body
    assert "<h1>A record has been shared with Health</h1>" in first
    assert "Open the record</button>" in first and 'name="csrf"' in first and "call 999" in first
    for secret in SECRETS:
        assert secret not in first
    assert all("set-cookie" not in r.headers for r in answers) and scanner == {}
    assert answers[1].headers["cache-control"] == "no-store"
    with site.joinedup.db.read() as session:
        assert session.execute(select(EmailLink.device_hash, EmailLink.bound_at)).one() == (None, None)
    assert [e for e in trail(site.joinedup.db, 1) if e.action == Act.VIEWED] == [], "nothing shown, nothing viewed"

    check = re.search(r'name="csrf" value="([^"]+)"', first).group(1)
    forged = site.request("POST", path, {"act": "open", "csrf": "0" * 64}, jar=scanner)
    cross = site.request("POST", path, {"act": "open", "csrf": check}, jar=scanner,
                         headers={"Sec-Fetch-Site": "cross-site"})
    acting = site.request("POST", path, {"act": "acknowledge", "csrf": check, "submission": "y" * 20}, jar=scanner)
    assert forged.status == cross.status == acting.status == 403 and scanner == {}
    for secret in SECRETS:
        assert secret not in forged.body and secret not in acting.body

    page = site.open(path)  # the person, later, in their own browser
    assert page.status == 200 and SUMMARY in page.body
    views = [e for e in trail(site.joinedup.db, 1) if e.action == Act.VIEWED]
    assert [(e.actor, e.surface) for e in views] == [("link:1", Surface.EMAIL_LINK)]
    late = site.request("GET", path, jar=scanner)  # the scanner again, now the link is bound
    assert late.status == 403 and SUMMARY not in late.body
    loser = site.request("POST", path, {"act": "open", "csrf": check}, jar={})  # a browser that pressed it second
    assert loser.status == 403 and "already been opened on another device" in loser.body and SUMMARY not in loser.body


def test_behind_https_the_device_cookie_is_secure(site):
    https = LinkPages(services=dataclasses.replace(site.joinedup.services, partnership=email_partnership(
        "https://joinedup.example.gov.uk")), secret="s")
    path, answered = site.issue(), {}
    first = b"".join(https({"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": ""},
                           lambda status, headers: answered.update(status=status, headers=dict(headers)))).decode()
    assert answered["status"].startswith("200") and "Set-Cookie" not in answered["headers"]
    form = f"act=open&csrf={re.search(r'name=.csrf. value=.([0-9a-f]+)', first).group(1)}".encode()
    https({"REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "", "CONTENT_LENGTH": str(len(form)),
           "wsgi.input": io.BytesIO(form)},
          lambda status, headers: answered.update(status=status, headers=dict(headers)))
    assert answered["status"].startswith("303")
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/link/"} <= {
        f.strip() for f in answered["headers"]["Set-Cookie"].split(";")[1:]}


def test_another_browser_sees_nothing_of_the_record_and_cannot_act(site):
    path = site.issue()
    page = site.open(path).body
    other: dict[str, str] = {}

    elsewhere = site.request("GET", path, jar=other)
    forged = site.request("GET", path, headers={"Cookie": "joinedup_device=" + "Z" * 43}, jar={})
    acting = site.request("POST", path, {**site.hidden(page, "acknowledge"), "ack-note": ""}, jar=other)

    assert elsewhere.status == forged.status == 403
    assert "already been opened on another device" in elsewhere.body
    assert "Email a new link to s•••@surgery.nhs.net" in elsewhere.body and GP not in elsewhere.body
    for secret in SECRETS:
        assert secret not in elsewhere.body and secret not in acting.body
    assert "set-cookie" not in elsewhere.headers and other == {}
    assert elsewhere.headers["cache-control"] == "no-store"
    assert acting.status == 403
    with site.joinedup.db.read() as session:
        assert session.scalars(select(Share.acknowledged_at).where(Share.agency_key == HEALTH.key)).one() is None
    assert [e.actor for e in trail(site.joinedup.db, 1) if e.action == Act.VIEWED] == ["link:1"], "one view only"
    assert site.request("GET", path).status == 200, "the first browser is not held up"


def new_link_form(page: str) -> dict[str, str]:
    form = page[page.index('name="act" value="new-link"'):]
    return {"act": "new-link", "csrf": re.search(r'name="csrf" value="([^"]+)"', form).group(1)}


def test_a_new_link_goes_to_the_links_own_inbox_once_in_ten_minutes_with_its_check_and_is_audited(site):
    path = site.issue()
    site.open(path)
    other: dict[str, str] = {}
    form = new_link_form(site.request("GET", path, jar=other).body)

    forged = site.request("POST", path, {**form, "csrf": "0" * 64}, jar=other)
    cross = site.request("POST", path, form, jar=other, headers={"Sec-Fetch-Site": "cross-site"})
    assert forged.status == cross.status == 403
    typed = site.request("POST", path, {**form, "address": "attacker@example.com"}, jar=other)

    assert typed.status == 200 and "A new link has been emailed" in typed.body and "s•••@surgery.nhs.net" in typed.body
    with site.joinedup.db.read() as session:
        owed = session.scalars(select(EmailMessage).where(EmailMessage.kind == "link")).all()
    assert [(e.address, e.agency_key) for e in owed] == [(GP, HEALTH.key)], "to the link's inbox, never one typed"
    for jar in (site.jar, other):
        gone = site.request("GET", path, jar=jar)
        assert gone.status == 404 and "This link does not work" in gone.body
    renewals = [e for e in trail(site.joinedup.db, 1) if e.action == Act.LINK_RENEWED]
    assert [(e.actor, e.surface, e.detail) for e in renewals] == [
        ("link:1", Surface.EMAIL_LINK, "email link 1, opened on another device")]

    fresh = site.issue()  # as the email carries it; opened in one browser, then forwarded to another
    site.open(fresh)
    site.joinedup.clock.advance(minutes=4)
    later = site.request("GET", fresh, jar={})
    assert "You can ask for another after" in later.body and 'value="new-link"' not in later.body
    check = {"act": "new-link", "csrf": site.pages.csrf(site.pages.links.holder(fresh.rsplit("/", 1)[1]))}
    refused = site.request("POST", fresh, check, jar={})  # sent anyway, as a second click or a stale page would
    assert refused.status == 429 and "You can ask for another after" in refused.body
    assert refused.headers["retry-after"] == "360"
    assert site.request("GET", fresh).status == 200, "the holder's link still works"
    site.joinedup.clock.advance(minutes=6)
    again = site.request("GET", fresh, jar={})
    assert site.request("POST", fresh, new_link_form(again.body), jar={}).status == 200
    with site.joinedup.db.read() as session:
        assert len(session.scalars(select(EmailMessage).where(EmailMessage.kind == "link")).all()) == 2
