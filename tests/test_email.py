"""Email to agencies not in Slack, over HTTP and real SMTP: signed requests in, a real SMTP server on 127.0.0.1 out.

The SMTP server (tests/smtp_server.py) can defer an email (4xx), refuse it for good (5xx) or take it and drop the
connection before answering; time is the test's clock, and nothing sleeps.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import timedelta
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from bot.blocks.challenge import AmendForm
from bot.blocks.ids import Action, Field
from bot.demo.sample import ADMIN, EDUCATION, SAM, TIA, sample_partnership
from bot.domain.config import Agency, Settings, parse_partnership
from bot.domain.email_config import EmailSettings
from bot.services.acts import Done
from bot.email.relay import check_relay
from bot.standin.signed_requests import find_action
from storage.models import AuditEvent, EmailLink, EmailMessage, Share, SlackMessage
from tests.conftest import TUESDAY_10AM, assert_notifications_show_no_case_content, start_joinedup
from tests.smtp_server import SmtpServer

GP = Agency(key="gp", name="Riverside GP Practice", channel=None, email="safeguarding@riverside.example.nhs.uk")
SENDER = "joinedup@anyshire.example.gov.uk"
LINK = re.compile(r"https://joinedup\.example\.gov\.uk/link/([A-Za-z0-9_-]{40,60})")


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    smtp_server.reset()
    return smtp_server


def partnership_with_email(port: int, content: str = "summary") -> Any:
    base = sample_partnership()
    return dataclasses.replace(base, agencies=(*base.agencies, GP), email=EmailSettings(
        server="127.0.0.1", port=port, starttls=False, sender=SENDER, content=content,
        link_base_url="https://joinedup.example.gov.uk", allowed_domains=("example.nhs.uk", "anyshire.example.gov.uk")))


@pytest.fixture
def mailing(database, standin, clock, smtp) -> Iterator[Any]:
    running = start_joinedup(db=database, standin=standin, clock=clock, partnership=partnership_with_email(smtp.port))
    yield running
    running._stop()
    assert_notifications_show_no_case_content(standin)


def share_with_gp(joinedup: Any, *others: str) -> None:
    assert joinedup.record(**{Field.SHARE_WITH: ["gp", *others]}).status == 200


def emails(joinedup: Any) -> list[EmailMessage]:
    with joinedup.db.read() as session:
        return list(session.scalars(select(EmailMessage).order_by(EmailMessage.id)))


def status_text(joinedup: Any) -> str:
    statuses = joinedup.standin.messages(SAM.user_id)
    return str(statuses[0]["blocks"])


def header(message: Any, name: str) -> str:
    """A header as a mail client shows it: unfolded."""
    return " ".join(str(message[name]).split())


def body(message: Any, subtype: str = "plain") -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def test_a_record_shared_with_an_email_only_agency_arrives_once_with_its_link_and_nothing_of_the_child_on_top(
        mailing, smtp):
    share_with_gp(mailing)

    assert smtp.wait_for(1)
    assert mailing.standin.wait_until(lambda: "waiting for acknowledgement" in status_text(mailing))
    assert len(smtp.received) == 1
    received = smtp.received[0]
    mail = received.message
    assert received.rcpt_tos == [GP.email] and received.mail_from == SENDER
    assert header(mail, "Subject") == "JU-000001: a record shared with Riverside GP Practice"
    assert "CR-12345" not in header(mail, "Subject") and "CR-12345" not in body(mail), "summary content: no case reference"
    assert re.fullmatch(r"<joinedup\.[0-9a-f]{24}@anyshire\.example\.gov\.uk>", header(mail, "Message-ID"))
    assert "To keep the child safe from harm" in body(mail) and "For information only" in body(mail)
    assert "breakfast" not in body(mail), "the summary is only in full content"
    token = LINK.search(body(mail)).group(1)
    assert token in body(mail, "html")
    with mailing.db.read() as session:
        link = session.scalar(select(EmailLink))
        assert link.address == GP.email and link.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "emailed")) is not None
    assert "emailed to safeguarding@riverside.example.nhs.uk, waiting for acknowledgement" in status_text(mailing)
    assert [e.state for e in emails(mailing)] == ["sent"]


def test_an_acknowledgement_through_the_link_shows_on_the_sharers_status_with_the_address(mailing, smtp):
    share_with_gp(mailing)
    assert smtp.wait_for(1)
    with mailing.db.write() as session:  # as the link page records it (bot/links/): the link is the actor
        link = session.scalar(select(EmailLink))
        share = session.get(Share, link.share_id)
        share.acknowledged_by, share.acknowledged_at = f"link:{link.id}", mailing.clock.now()
        ids = mailing.services.outbox.touch(session, SlackMessage.record_id == share.record_id,
                                            SlackMessage.kind == "sharer_status")
    mailing.services.outbox.deliver(ids)

    assert "1 of 1 acknowledged" in status_text(mailing)
    assert "acknowledged by safeguarding@riverside.example.nhs.uk (by email link)" in status_text(mailing)


def test_a_record_for_slack_and_email_agencies_posts_to_one_and_emails_the_other(mailing, smtp):
    share_with_gp(mailing, "education")

    assert smtp.wait_for(1)
    assert len(mailing.posts(EDUCATION.channel)) == 1
    assert len(smtp.received) == 1


def test_an_agency_with_a_channel_and_an_inbox_gets_both_and_the_status_says_so(database, standin, clock, smtp):
    partnership = partnership_with_email(smtp.port)
    both = dataclasses.replace(EDUCATION, email="office@oakfield.anyshire.example.gov.uk")
    partnership = dataclasses.replace(partnership, agencies=tuple(both if a.key == "education" else a
                                                                  for a in partnership.agencies))
    running = start_joinedup(db=database, standin=standin, clock=clock, partnership=partnership)
    try:
        assert running.record(**{Field.SHARE_WITH: ["education"]}).status == 200
        assert smtp.wait_for(1)
        assert len(running.posts(EDUCATION.channel)) == 1
        assert running.standin.wait_until(lambda: "emailed to office@oakfield.anyshire.example.gov.uk" in
                                          status_text(running) and "posted" in status_text(running))
    finally:
        running._stop()


def test_full_content_carries_the_whole_record(database, standin, clock, smtp):
    running = start_joinedup(db=database, standin=standin, clock=clock,
                             partnership=partnership_with_email(smtp.port, content="full"))
    try:
        share_with_gp(running)
        assert smtp.wait_for(1)
        text = body(smtp.received[0].message)
        assert "breakfast" in text and "CR-12345" in text
        assert "CR-12345" not in header(smtp.received[0].message, "Subject")
    finally:
        running._stop()


def test_a_deferred_email_is_retried_after_its_backoff_and_arrives_once(mailing, smtp, clock):
    smtp.answer_next("421")
    share_with_gp(mailing)

    assert mailing.standin.wait_until(lambda: "retrying" in status_text(mailing))
    assert smtp.received == [] and [e.state for e in emails(mailing)] == ["retrying"]
    assert mailing.services.email.deliver_due() == 0, "not due again before its backoff"

    clock.advance(minutes=2)
    assert mailing.services.email.deliver_due() == 1
    assert len(smtp.received) == 1
    assert [e.state for e in emails(mailing)] == ["sent"]
    assert mailing.standin.wait_until(lambda: "waiting for acknowledgement" in status_text(mailing))
    clock.advance(hours=3)
    assert mailing.services.email.deliver_due() == 0 and len(smtp.received) == 1, "sent once"


def test_a_refused_mailbox_fails_for_good_and_the_sharer_and_admins_are_told(mailing, smtp, clock, caplog):
    caplog.set_level("INFO")
    smtp.answer_next("550")
    share_with_gp(mailing)

    assert mailing.standin.wait_until(lambda: "not delivered" in status_text(mailing))
    assert smtp.received == [] and [e.state for e in emails(mailing)] == ["failed"]
    told = [m for m in mailing.standin.messages(SAM.user_id) if "could not be emailed" in m.get("text", "")]
    assert len(told) == 1 and "550" in str(told[0]["blocks"])
    assert any("could not be emailed" in m.get("text", "") for m in mailing.standin.messages(ADMIN.user_id))
    with mailing.db.read() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "delivery failed")) is not None
    clock.advance(hours=3)
    assert mailing.services.email.deliver_due() == 0 and smtp.received == [], "never retried"
    logged = [r.getMessage() for r in caplog.records if r.name.startswith(("bot", "handlers"))]
    assert any("could not send record email" in line for line in logged)
    assert not any("riverside" in line or "@" in line for line in logged), "logs name no address"


def test_an_answer_lost_after_data_is_the_one_way_an_email_doubles_and_the_copies_share_a_message_id(
        mailing, smtp, clock):
    smtp.answer_next("drop")
    share_with_gp(mailing)
    assert smtp.wait_for(1)
    assert mailing.standin.wait_until(lambda: "retrying" in status_text(mailing))

    clock.advance(minutes=2)
    mailing.services.email.deliver_due()
    assert len(smtp.received) == 2
    first, second = (r.message for r in smtp.received)
    assert header(first, "Message-ID") == header(second, "Message-ID"), "a doubled copy can be recognised"
    assert LINK.search(body(first)).group(1) != LINK.search(body(second)).group(1), "the retry carries a fresh link"


def test_an_overdue_acknowledgement_is_chased_by_email_in_working_hours_not_in_slack(mailing, smtp, clock):
    share_with_gp(mailing)
    assert smtp.wait_for(1)
    posts_before = mailing.standin.count("chat.postMessage")

    clock.set(TUESDAY_10AM + timedelta(days=1, minutes=1))  # Wednesday 10:01: eight working hours on
    report = mailing.services.reminders.run()
    assert report.acknowledgement_reminders == 1 and len(report.email_ids) == 1
    assert mailing.services.email.deliver_due() == 1
    reminder = smtp.received[1].message
    assert header(reminder, "Subject") == "Reminder: JU-000001 for Riverside GP Practice is waiting for acknowledgement"
    assert LINK.search(body(reminder))
    assert mailing.standin.count("chat.postMessage") == posts_before, "nothing in Slack for an email-only agency"


def test_an_amendment_reaches_the_emailed_agency_with_a_fresh_link(mailing, smtp):
    share_with_gp(mailing)
    assert smtp.wait_for(1)

    result = mailing.services.challenges.amend(1, SAM.user_id, AmendForm(
        summary="Met at school. Breakfast club place offered.", reason="Added what was offered"),
        submission_key="amend-view-1")

    assert result.done == Done.DONE
    assert smtp.wait_for(2)
    amended = smtp.received[1].message
    assert header(amended, "Subject") == "JU-000001: amended, for Riverside GP Practice"
    assert "Breakfast club" not in body(amended), "summary content: what changed is behind the link"
    assert LINK.search(body(amended))


def test_a_reminder_at_night_waits_for_working_hours(mailing, smtp, clock):
    share_with_gp(mailing)
    assert smtp.wait_for(1)
    clock.set(TUESDAY_10AM.replace(hour=22) + timedelta(days=1))  # Wednesday 22:00

    report = mailing.services.reminders.run()
    assert report.acknowledgement_reminders == 0 and report.deferred == 1
    assert mailing.services.email.deliver_due() == 0 and len(smtp.received) == 1


def test_email_me_a_copy_sends_the_written_record_to_the_sharers_own_address(mailing, smtp, standin):
    standin.add_user(SAM.user_id, name="sam", real_name=SAM.name, email="sam.worker@anyshire.example.gov.uk")
    assert mailing.record().status == 200
    status = mailing.standin.messages(SAM.user_id)[0]

    reply = mailing.slack.click(status, find_action(status["blocks"], Action.EMAIL_COPY), user=SAM.user_id,
                                channel=f"D{SAM.user_id}")

    assert reply.status == 200
    assert smtp.wait_for(1)
    copy = smtp.received[0]
    assert copy.rcpt_tos == ["sam.worker@anyshire.example.gov.uk"]
    assert header(copy.message, "Subject") == "JU-000001: your copy of the written record"
    assert "breakfast" in body(copy.message) and not LINK.search(body(copy.message))
    replies = [c.args.get("text", "") for c in standin.calls("response_url")]
    assert any("on its way to sam.worker@anyshire.example.gov.uk" in text for text in replies)
    with mailing.db.read() as session:
        audited = session.scalar(select(AuditEvent).where(AuditEvent.action == "copy emailed"))
        assert audited is not None and audited.actor == SAM.user_id


def test_a_copy_to_an_address_off_the_allow_list_is_refused_with_the_reason(mailing, smtp, standin):
    standin.add_user(TIA.user_id, name="tia", real_name=TIA.name, email="tia@gmail.com")
    assert mailing.record().status == 200
    post = mailing.posts(EDUCATION.channel)[0]

    mailing.slack.click(post, find_action(post["blocks"], Action.EMAIL_COPY), user=TIA.user_id,
                        channel=EDUCATION.channel)

    replies = [c.args.get("text", "") for c in standin.calls("response_url")]
    assert any("not in a domain the partnership emails records to" in text for text in replies)
    assert emails(mailing) == [] and smtp.received == []


def test_an_agency_member_has_a_copy_from_the_posts_menu(mailing, smtp, standin):
    standin.add_user(TIA.user_id, name="tia", real_name=TIA.name, email="tia@oakfield.anyshire.example.gov.uk")
    assert mailing.record().status == 200
    post = mailing.posts(EDUCATION.channel)[0]

    mailing.slack.click(post, find_action(post["blocks"], Action.EMAIL_COPY), user=TIA.user_id,
                        channel=EDUCATION.channel)

    assert smtp.wait_for(1)
    assert smtp.received[0].rcpt_tos == ["tia@oakfield.anyshire.example.gov.uk"]
    assert [e.kind for e in emails(mailing)] == ["copy"]


def test_an_unreachable_relay_leaves_the_email_owed_and_retrying(database, standin, clock, smtp):
    partnership = partnership_with_email(_closed_port())
    running = start_joinedup(db=database, standin=standin, clock=clock, partnership=partnership)
    try:
        share_with_gp(running)
        assert running.standin.wait_until(lambda: "retrying" in status_text(running))
        [email] = emails(running)
        assert email.pending and email.last_error == "ConnectionRefusedError"
    finally:
        running._stop()


def test_a_mailbox_busy_at_rcpt_is_temporary(mailing, smtp, clock):
    smtp.answer_next("450")
    share_with_gp(mailing)
    assert mailing.standin.wait_until(lambda: "retrying" in status_text(mailing))
    clock.advance(minutes=2)
    assert mailing.services.email.deliver_due() == 1 and len(smtp.received) == 1


def test_without_an_email_table_there_is_no_copy_button(joinedup):
    assert joinedup.record().status == 200
    assert Action.EMAIL_COPY not in str(joinedup.standin.messages(SAM.user_id)[0]["blocks"])


def test_doctor_checks_the_relay_without_sending(smtp):
    settings = partnership_with_email(smtp.port).email
    assert check_relay(settings, username=None, password=None) is None
    assert smtp.received == []
    assert check_relay(dataclasses.replace(settings, port=_closed_port()), username=None, password=None) \
        == "could not connect (ConnectionRefusedError)"


def _closed_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_relay_login_comes_from_the_environment():
    settings = Settings.from_env({"JOINEDUP_SMTP_USERNAME": "joinedup", "JOINEDUP_SMTP_PASSWORD": "s3cret"})
    assert (settings.smtp_username, settings.smtp_password) == ("joinedup", "s3cret")
    assert "s3cret" not in repr(settings)
    assert Settings.from_env({}).smtp_username is None


# --- the configuration --------------------------------------------------------------------------------

def config(*agencies: str, email: str | None = None) -> dict[str, Any]:
    import tomllib
    text = "\n".join(['[organisation]\nname = "P"', *agencies, '[[risk_levels]]\nkey = "a"\nlabel = "A"\n'
                      'definition = "d"', email or ""])
    return tomllib.loads(text)


EMAIL = ('[email]\nserver = "127.0.0.1"\nstarttls = false\nsender = "ju@p.example.gov.uk"\n'
         'link_base_url = "https://ju.example.gov.uk"\nallowed_domains = ["nhs.net"]')


def problems(data: dict[str, Any]) -> dict[str, str]:
    return {p.key: p.message for p in parse_partnership(data)[1] if not p.warning}


def test_an_email_only_agency_needs_no_channel():
    partnership, found = parse_partnership(config('[[agencies]]\nkey = "gp"\nname = "GP"\n'
                                                  'email = "team@x.nhs.net"\nleads = ["U0AAAAAA1"]', email=EMAIL))
    assert partnership is not None and partnership.agency("gp").channel is None
    assert partnership.agency("gp").email == "team@x.nhs.net"


def test_an_agency_email_off_the_allow_list_names_the_key_and_the_fix():
    found = problems(config('[[agencies]]\nkey = "gp"\nname = "GP"\nemail = "team@gmail.com"', email=EMAIL))
    assert "agencies[gp].email" in found and "email.allowed_domains" in found["agencies[gp].email"]


def test_an_agency_email_without_an_email_table_is_an_error():
    found = problems(config('[[agencies]]\nkey = "gp"\nname = "GP"\nemail = "team@x.nhs.net"'))
    assert "no [email] table" in found["agencies[gp].email"]


def test_an_agency_with_neither_channel_nor_email_is_told_it_needs_one():
    found = problems(config('[[agencies]]\nkey = "gp"\nname = "GP"'))
    assert "email" in found["agencies[gp].channel"]
