"""Email and the link's pages in Welsh: an agency's inbox in its language (Welsh, bilingual Welsh first, English),
"Email me a copy" in the asker's, and the link's pages in the agency's language with a switch to the other.

Emails go to the real SMTP server of tests/smtp_server.py on 127.0.0.1; the pages are served over real HTTP.
"""
from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from babel.messages.extract import extract_from_file
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.blocks.ids import Action, Field
from bot.demo.sample import HEALTH, SAM
from bot.domain.config import Agency
from bot.domain.language_config import Languages
from bot.email import compose as compose_module
from bot.email.compose import KINDS, compose
from bot.email.copies import Copy, CopyResult
from bot.i18n import speaking
from bot.i18n.checks import KEYWORDS
from bot.standin.rules import check_message
from bot.standin.signed_requests import find_action
from storage.models import Record, Share
from tests.conftest import start_joinedup
from tests.link_serving import GP as LINK_ADDRESS, LinkSite, email_partnership, serve_links
from tests.test_email import body, header, partnership_with_email, smtp, smtp_server  # noqa: F401 (fixtures)

WELSH_GP = Agency(key="gp_cy", name="Meddygfa Glan yr Afon", channel=None, email="diogelu@glanyrafon.example.nhs.uk",
                  language="cy")
BOTH_GP = Agency(key="gp_both", name="Practis Dwyieithog", channel=None, email="safeguarding@both.example.nhs.uk",
                 language="cy+en")
ENGLISH_GP = Agency(key="gp_en", name="Riverside GP Practice", channel=None,
                    email="safeguarding@riverside.example.nhs.uk", language="en")
WELSH_PARTNERSHIP = Languages(default="cy", bilingual=True)


def welsh_partnership(port: int, content: str = "summary") -> Any:
    base = partnership_with_email(port, content)
    agencies = tuple(a for a in base.agencies if a.key != "gp")
    return dataclasses.replace(base, agencies=(*agencies, WELSH_GP, BOTH_GP, ENGLISH_GP), languages=WELSH_PARTNERSHIP)


@pytest.fixture
def mailing(database, standin, clock, smtp) -> Iterator[Any]:  # noqa: F811
    running = start_joinedup(db=database, standin=standin, clock=clock, partnership=welsh_partnership(smtp.port))
    running.services.languages.choose(SAM.user_id, "en")  # the sharer reads English; the inboxes their own
    yield running
    running._stop()


def received_by(smtp, address: str) -> Any:  # noqa: F811
    [mail] = [r.message for r in smtp.received if r.rcpt_tos == [address]]
    return mail


def english_sentences(path: str) -> list[str]:
    """The English of each message a module shows, up to its first placeholder, where that much is a phrase."""
    found = []
    for _line, message, _comments, _context in extract_from_file("python", path, keywords=KEYWORDS):
        text = message[0] if isinstance(message, tuple) else message
        start = re.split(r"\{[a-z_]+\}", text)
        found += [part.strip() for part in start if len(part.strip()) >= 18]
    return found


def test_a_record_is_emailed_to_each_inbox_in_its_agencys_language(mailing, smtp):  # noqa: F811
    assert mailing.record(**{Field.SHARE_WITH: [WELSH_GP.key, BOTH_GP.key, ENGLISH_GP.key]}).status == 200
    assert smtp.wait_for(3)

    welsh = received_by(smtp, WELSH_GP.email)
    assert header(welsh, "Subject") == "JU-000001: cofnod wedi'i rannu gyda Meddygfa Glan yr Afon"
    text = body(welsh)
    assert "wedi rhannu cofnod gyda Meddygfa Glan yr Afon drwy Joined Up" in text
    assert "Beth y gofynnir i chi ei wneud" in text and "Nid yw Joined Up yn wasanaeth brys" in text
    for english in ("has shared a record", "What you are asked to do", "Why this is shared with you",
                    "not an emergency service", "This link is personal to you"):
        assert english not in text, english
    assert '<html lang="cy">' in body(welsh, "html") and header(welsh, "Content-Language") == "cy"

    both = received_by(smtp, BOTH_GP.email)
    assert header(both, "Subject") == ("JU-000001: cofnod wedi'i rannu gyda Practis Dwyieithog / "
                                       "JU-000001: a record shared with Practis Dwyieithog")
    text = body(both)
    assert 0 <= text.index("wedi rhannu cofnod gyda Practis Dwyieithog") < text.index(
        "has shared a record with Practis Dwyieithog")
    assert text.index("Nid yw Joined Up yn wasanaeth brys") < text.index("Joined Up is not an emergency service")
    link = re.findall(r"https://joinedup\.example\.gov\.uk/link/\S+", text)
    assert len(link) == 2 and link[0] == link[1], "one link, in both languages"
    html = body(both, "html")
    assert html.index('<div lang="cy">') < html.index('<div lang="en">')

    english = received_by(smtp, ENGLISH_GP.email)
    assert header(english, "Subject") == "JU-000001: a record shared with Riverside GP Practice"
    assert "has shared a record with Riverside GP Practice" in body(english)
    assert "cofnod" not in body(english) and "Nid yw" not in body(english)


def test_every_kind_of_email_in_welsh_leaves_no_english_sentence(mailing, smtp):  # noqa: F811
    full = dataclasses.replace(mailing.partnership, email=dataclasses.replace(mailing.partnership.email,
                                                                              content="full"))
    assert mailing.record(**{Field.SHARE_WITH: [WELSH_GP.key]}).status == 200
    with mailing.db.read() as session:
        record = session.scalars(select(Record).options(selectinload(Record.shares))).one()
    english = english_sentences(compose_module.__file__)
    mails = {}
    for kind in KINDS:
        with speaking("cy"):
            mail = compose(kind=kind, key=f"k:{kind}", record=record, partnership=full, to=WELSH_GP.email,
                           at=mailing.clock.now(), agency_key=WELSH_GP.key, link="https://x.example/link/t",
                           reminder=2)
        mails[kind] = mail
        text = header(mail, "Subject") + "\n" + body(mail) + body(mail, "html")
        left = [sentence for sentence in english if sentence in text]
        assert left == [], (kind, left)
        if kind != "link":  # the whole record, in full content; a new link's email carries nothing of it
            assert "Cyfeirnod yr achos" in text and "Crynodeb" in text, kind
    copy = body(mails["copy"])
    assert re.search(r"Dyddiad y dilyniant: \w+ \d+ \w+ 20\d\d", copy), "the follow-up day in Welsh"
    assert re.search(r"Pryd: \w+ \d+ \w+ 20\d\d am \d\d:\d\d", copy), "the conversation's moment in Welsh"


def test_email_me_a_copy_comes_in_the_askers_language(mailing, smtp, standin):  # noqa: F811
    standin.add_user(SAM.user_id, name="sam", real_name=SAM.name, email="sam.worker@anyshire.example.gov.uk")
    assert mailing.record(**{Field.SHARE_WITH: [WELSH_GP.key]}).status == 200
    assert smtp.wait_for(1)
    mailing.services.languages.choose(SAM.user_id, "cy")
    status = mailing.standin.messages(SAM.user_id)[0]

    mailing.slack.click(status, find_action(status["blocks"], Action.EMAIL_COPY), user=SAM.user_id,
                        channel=f"D{SAM.user_id}")

    assert smtp.wait_for(2)
    copy = received_by(smtp, "sam.worker@anyshire.example.gov.uk")
    assert header(copy, "Subject") == "JU-000001: eich copi o'r cofnod ysgrifenedig"
    assert "fel y gofynnoch, ar gyfer ffeil achos eich asiantaeth" in body(copy)
    assert "your copy" not in body(copy) and "Summary" not in body(copy)


def test_what_email_me_a_copy_says_in_slack_is_welsh_and_fits(mailing):
    for language in ("cy", "cy+en"):
        with speaking(language):
            for result in (CopyResult(Copy.OWED, "JU-000001", "a" * 60 + "@example.gov.uk"),
                           CopyResult(Copy.REFUSED), CopyResult(Copy.NO_ADDRESS),
                           CopyResult(Copy.NOT_ALLOWED, "JU-000001", "b" * 60 + "@gmail.com"),
                           CopyResult(Copy.NO_EMAIL)):
                words = result.words
                assert check_message({"channel": "C1", "text": words}) is not None
                assert "anfonwyd" in words or "Mae copi" in words or "Dim ond" in words, words
                if language == "cy":
                    assert "nothing was sent" not in words and "on its way" not in words


@pytest.fixture
def site(database, standin, clock) -> Iterator[LinkSite]:
    """The link pages, for Health's share; Health's inbox reads Welsh."""
    base = email_partnership()
    welsh_health = dataclasses.replace(HEALTH, language="cy")
    partnership = dataclasses.replace(base, agencies=tuple(welsh_health if a.key == HEALTH.key else a
                                                           for a in base.agencies))
    joinedup = start_joinedup(db=database, standin=standin, clock=clock, partnership=partnership)
    assert joinedup.record().status == 200
    running = serve_links(joinedup)
    yield running
    running.stop()
    joinedup._stop()


def test_the_link_pages_are_in_the_agencys_welsh_and_switch_to_english_without_losing_the_link(site):
    path = site.issue()
    first = site.request("GET", path)
    assert first.status == 200 and '<html lang="cy">' in first.body
    assert "<h1>Mae cofnod wedi&#x27;i rannu gyda Health</h1>" in first.body and "Agor y cofnod</button>" in first.body
    assert 'href="?lang=en"' in first.body and ">Cymraeg<" in first.body and "Open the record" not in first.body
    english_first = site.request("GET", path + "?lang=en")  # the switch, on the first page: a GET binds nothing
    assert '<html lang="en">' in english_first.body and "Open the record</button>" in english_first.body
    assert site.jar == {} and "set-cookie" not in english_first.headers

    page = site.open(path).body
    assert '<html lang="cy">' in page
    for welsh in ("Cydnabod derbyn", "Crynodeb", "Cyfeirnod yr achos", "Beth wnaethoch chi?",
                  "Gofyn cwestiwn neu herio", "Mae&#x27;r ddolen hon yn gweithio tan", "Neidio i&#x27;r prif gynnwys"):
        assert welsh in page, welsh
    for english in ("Acknowledge receipt", "What did you do?", "Ask a question or challenge", "Skip to main content",
                    "This link works until", "When the conversation took place", "Summary<"):
        assert english not in page, english
    assert re.search(r"Mae&#x27;r ddolen hon yn gweithio tan \w+ \d+ \w+ 20\d\d am \d\d:\d\d", page), "a Welsh date"

    switched = site.request("GET", path + "?lang=en")
    assert switched.status == 200 and '<html lang="en">' in switched.body
    assert "Acknowledge receipt" in switched.body and 'href="?lang=cy"' in switched.body
    assert "Cydnabod derbyn" not in switched.body
    assert site.request("GET", path + "?lang=cy").status == 200, "still the same device's link"


def test_an_acknowledgement_through_the_welsh_page_reaches_slack(site):
    path = site.issue()
    page = site.open(path).body
    form = {**site.hidden(page, "acknowledge"), "ack-note": "Wedi'i basio i'n harweinydd diogelu."}

    done = site.request("POST", path, form)

    assert done.status == 303 and done.headers["location"] == "?done=acknowledge#main-content"
    with site.joinedup.db.read() as session:
        share = session.scalars(select(Share).where(Share.agency_key == HEALTH.key)).one()
        assert share.acknowledged_by == "link:1"
    standin = site.joinedup.standin
    assert LINK_ADDRESS in str(standin.messages(SAM.user_id)[0]["blocks"]), "the sharer's status names the address"
    assert any("harweinydd diogelu" in str(m) for m in standin.messages(SAM.user_id)), "the note reaches the sharer"
    post = site.joinedup.posts(HEALTH.channel)[0]
    assert LINK_ADDRESS in str(standin.message(HEALTH.channel, post["ts"])["blocks"])
    after = site.request("GET", path + "?done=acknowledge").body
    assert "Rydych wedi cydnabod derbyn" in after and "Llwyddiant" in after
    assert re.search(r"Cydnabuwyd gan .* ar \w+ \d+ \w+ 20\d\d am \d\d:\d\d\.", after)


def test_a_form_sent_from_the_english_page_keeps_english_and_its_problems_are_in_the_pages_language(site):
    path = site.issue()
    site.open(path)
    english = site.request("GET", path + "?lang=en").body
    empty = site.request("POST", path + "?lang=en", {**site.hidden(english, "challenge"), "challenge-text": ""})
    assert empty.status == 200 and "There is a problem" in empty.body and '<html lang="en">' in empty.body

    welsh = site.request("GET", path).body
    problem = site.request("POST", path, {**site.hidden(welsh, "challenge"), "challenge-text": ""})
    assert "Mae problem" in problem.body and "<title>Gwall:" in problem.body and "There is a problem" not in problem.body

    sent = site.request("POST", path + "?lang=en", {**site.hidden(english, "result"),
                                                   "result-what-happened": "Booked a review.",
                                                   "result-next-step": "no_further_action"})
    assert sent.status == 303 and sent.headers["location"] == "?done=result&lang=en#main-content"


def test_a_link_that_does_not_work_says_so_in_the_partnerships_language(database, standin, clock):
    partnership = dataclasses.replace(email_partnership(), languages=WELSH_PARTNERSHIP)
    joinedup = start_joinedup(db=database, standin=standin, clock=clock, partnership=partnership)
    site = serve_links(joinedup)
    try:
        gone = site.request("GET", "/link/" + "A" * 43)
        assert gone.status == 404 and "Nid yw&#x27;r ddolen hon yn gweithio" in gone.body
        assert "This link does not work" not in gone.body and 'href="?lang=en"' in gone.body
        switched = site.request("GET", "/link/" + "A" * 43 + "?lang=en")
        assert "This link does not work" in switched.body
    finally:
        site.stop()
        joinedup._stop()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent.parent / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.skipif(not Path(CHROMIUM).exists() or not AXE.exists(),
                    reason="needs Chromium and axe-core (.ci/run installs both)")
def test_the_welsh_page_and_its_switch_pass_axe_core_in_a_real_browser(site):
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is in the test extra")
    from tests.test_link_browser import PHONE, axe_finds_nothing  # the same checks, for WCAG 2.2 AA on a phone

    path = site.issue()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context(viewport=PHONE, bypass_csp=True).new_page()
        page.goto(site.base + path)
        assert page.get_by_role("heading", name="Mae cofnod wedi'i rannu gyda Health").is_visible()
        axe_finds_nothing(page, "the first page, in Welsh")
        page.get_by_role("link", name="English").click()
        assert page.get_by_role("heading", name="A record has been shared with Health").is_visible()
        page.get_by_role("button", name="Open the record").click()  # from the English page: it stays English
        assert page.get_by_role("heading", name="Acknowledge receipt").is_visible()
        axe_finds_nothing(page, "the record, switched to English")
        page.get_by_role("link", name="Cymraeg").click()
        assert page.locator("html").get_attribute("lang") == "cy"
        axe_finds_nothing(page, "the record, in Welsh")
        page.get_by_role("button", name="Anfon cwestiwn neu her").click()
        assert page.get_by_role("heading", name="Mae problem").is_visible()
        axe_finds_nothing(page, "a form with problems, in Welsh")
        page.get_by_label("Nodyn i'r sawl a'i rhannodd (dewisol)").fill("Diolch.")
        page.get_by_role("button", name="Cydnabod derbyn").click()
        assert "Rydych wedi cydnabod" in page.locator(".notification-banner").inner_text()
        axe_finds_nothing(page, "acknowledged, in Welsh")
        browser.close()
    with site.joinedup.db.read() as session:
        assert session.scalars(select(Share.acknowledged_by).where(Share.agency_key == HEALTH.key)).one() == "link:1"
