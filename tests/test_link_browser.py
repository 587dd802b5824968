"""The link page in a real browser (Chromium from the system's packages, driven by Playwright): clicked through
without JavaScript, as its holder would on a phone, and every state of it checked by axe-core for WCAG 2.2 AA."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from bot.demo.sample import HEALTH, SAM, SAMPLE_ANSWERS
from bot.blocks.ids import Field
from bot.domain.clock import FixedClock
from bot.links.web import RateLimit
from bot.standin.slack import SlackStandIn
from storage.db import Database
from tests.conftest import start_joinedup
from tests.link_serving import GP, LinkSite, email_partnership, serve_links
from tests.smtp_server import SmtpServer

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is in the test extra: pip install -e '.[test]'")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent.parent / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 740}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="no Chromium: apt-get install chromium (CI does, in .ci/run)")


@pytest.fixture
def site(database: Database, standin: SlackStandIn, clock: FixedClock) -> Iterator[LinkSite]:
    joinedup = start_joinedup(db=database, standin=standin, clock=clock, partnership=email_partnership())
    assert joinedup.record().status == 200
    running = serve_links(joinedup, limit=RateLimit(rate=100))
    yield running
    running.stop()
    joinedup._stop()


@pytest.fixture
def mailed_site(database: Database, standin: SlackStandIn, clock: FixedClock) -> Iterator[tuple[LinkSite, SmtpServer]]:
    """The link pages, with their emails going to a real SMTP server on 127.0.0.1."""
    with SmtpServer() as smtp:
        joinedup = start_joinedup(db=database, standin=standin, clock=clock,
                                  partnership=email_partnership(port=smtp.port))
        assert joinedup.record().status == 200
        running = serve_links(joinedup, limit=RateLimit(rate=100))
        yield running, smtp
        running.stop()
        joinedup._stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"


def test_acknowledge_tell_the_sharer_and_challenge_without_javascript_on_a_phone(site, browser):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(site.base + site.issue())
    assert SAMPLE_ANSWERS[Field.SUMMARY] not in page.content()
    page.get_by_role("button", name="Open the record").click()

    assert SAMPLE_ANSWERS[Field.SUMMARY] in page.content()
    page.get_by_label("Note for the person who shared it (optional)").fill("Passed to our safeguarding lead.")
    page.get_by_role("button", name="Acknowledge receipt").click()
    assert "You have acknowledged receipt" in page.locator(".notification-banner").inner_text()
    assert f"by {GP} (by email link)" in page.content()

    page.get_by_role("button", name="Send to the sharer").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    page.get_by_label("What did you do?").fill("The practice booked a review for next week.")
    page.get_by_label("No further action needed").check()
    page.get_by_role("button", name="Send to the sharer").click()
    assert "has been sent to the person who shared the record" in page.locator(".notification-banner").inner_text()

    page.get_by_label("A question").check()
    page.get_by_label("Your question or challenge").fill("Has the school nurse been told?")
    page.get_by_role("button", name="Send question or challenge").click()
    assert "Your question or challenge has been sent" in page.locator(".notification-banner").inner_text()
    context.close()

    standin, who = site.joinedup.standin, f"{GP} (by email link)"
    dms = [str(m) for m in standin.messages(SAM.user_id)]
    assert "1 of 2 acknowledged" in dms[0] or "acknowledged" in dms[0]
    for said in ("Passed to our safeguarding lead", "booked a review", "school nurse been told"):
        assert any(said in m and who in m for m in dms), said
    thread = [str(m) for m in standin.messages(HEALTH.channel) if m.get("thread_ts") and m["thread_ts"] != m["ts"]]
    assert any("booked a review" in m for m in thread) and any("school nurse been told" in m for m in thread)


@pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not at {AXE}: npm install --prefix .cache/axe axe-core@4 "
                                              "(.ci/run does)")
def test_every_state_of_the_page_passes_axe_core(site, browser):
    script = AXE.read_text(encoding="utf-8")
    path = site.issue()
    # axe-core runs as JavaScript, which the page's policy forbids (it has none of its own): let the test add it.
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()

    def check(state: str) -> None:
        page.add_script_tag(content=script)
        found = page.evaluate("async tags => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
                              ".violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' '))", WCAG)
        assert found == [], f"{state}: {found}"
        fits_the_phone(page)

    page.goto(site.base + path)
    assert page.get_by_role("heading", name="A record has been shared with Health").is_visible()
    check("the first page")
    page.get_by_role("button", name="Open the record").click()
    check("the record")
    page.get_by_role("button", name="Send question or challenge").click()
    check("a form with problems")
    for done in ("acknowledge", "result", "challenge"):
        page.goto(f"{site.base}{path}?done={done}")
        check(f"done: {done}")
    page.get_by_role("button", name="Acknowledge receipt").click()
    check("acknowledged")
    page.goto(site.base + "/link/" + "A" * 43)
    check("a link that does not work")
    site.pages.limit.rate = 0
    page.goto(site.base + path)
    assert "too many" in page.content().lower()
    check("too many requests")
    context.close()


def axe_finds_nothing(page, state: str) -> None:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate("async tags => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
                          ".violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' '))", WCAG)
    assert found == [], f"{state}: {found}"
    fits_the_phone(page)


@pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not at {AXE}: npm install --prefix .cache/axe axe-core@4")
def test_a_forwarded_link_shows_another_browser_nothing_until_a_new_link_is_emailed_to_the_inbox(mailed_site, browser):
    site, smtp = mailed_site
    summary = SAMPLE_ANSWERS[Field.SUMMARY]
    path = site.issue()
    holder = browser.new_context(viewport=PHONE, bypass_csp=True)
    forwarded = browser.new_context(viewport=PHONE, bypass_csp=True)  # another device, or the link forwarded
    mine, theirs = holder.new_page(), forwarded.new_page()

    scanner = browser.new_context(viewport=PHONE)  # the mail system, opening the link before its holder does
    scanned = scanner.new_page()
    scanned.goto(site.base + path)
    assert summary not in scanned.content() and "Open the record" in scanned.content()
    scanner.close()

    mine.goto(site.base + path)
    mine.get_by_role("button", name="Open the record").click()
    assert summary in mine.content(), "the scanner used nothing up"
    theirs.goto(site.base + path)
    assert "already been opened on another device" in theirs.content() and summary not in theirs.content()
    axe_finds_nothing(theirs, "opened on another device")
    mine.reload()
    assert summary in mine.content(), "the first device keeps working"

    theirs.get_by_role("button", name="Email a new link to s•••@surgery.nhs.net").click()
    assert "A new link has been emailed" in theirs.content()
    axe_finds_nothing(theirs, "a new link emailed")
    assert smtp.wait_for(1) and len(smtp.received) == 1
    email = smtp.received[0]
    assert email.rcpt_tos == [GP]
    assert email.message["Subject"] == "JU-000001: a new link for Health"
    text = email.message.get_body(("plain",)).get_content()
    assert summary not in text and "CR-12345" not in text
    token = re.search(r"/link/([A-Za-z0-9_-]{40,60})", text).group(1)
    assert "/link/" + token != path

    theirs.goto(f"{site.base}/link/{token}")
    theirs.get_by_role("button", name="Open the record").click()
    assert summary in theirs.content(), "the new link opens where it was asked for"
    mine.goto(site.base + path)
    assert "This link does not work" in mine.content() and summary not in mine.content()
    mine.goto(f"{site.base}/link/{token}")
    assert "already been opened on another device" in mine.content() and summary not in mine.content()
    holder.close()
    forwarded.close()
    assert len(smtp.received) == 1, "exactly one new email"
