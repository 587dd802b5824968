"""The link page as `joinedup serve` serves it (gunicorn, the ASGI bridge), beside /slack/events."""
from __future__ import annotations

import http.client
import re

from sqlalchemy import select

from bot.blocks.ids import Field
from bot.demo.sample import HEALTH, SAM
from bot.domain.clock import SystemClock
from bot.links.service import LinkService
from storage.db import Database
from storage.models import Share
from tests.conftest import VALID_ANSWERS
from tests.link_serving import GP, email_partnership
from tests.serving import environment, serve, submission

EMAIL = """
[email]
server = "127.0.0.1"
starttls = false
sender = "joinedup@example.gov.uk"
allowed_domains = ["nhs.net"]
link_base_url = "http://127.0.0.1:8000"
"""


def get(port: int, method: str, path: str, body: str | None = None,
        cookie: str = "") -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    connection.request(method, path, body=body, headers={**headers, **({"Cookie": cookie} if cookie else {})})
    reply = connection.getresponse()
    answer = reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read().decode()
    connection.close()
    return answer


def test_joinedup_serve_answers_a_link_and_refuses_a_guessed_one(tmp_path, standin):
    env = environment(tmp_path, f"sqlite:///{tmp_path}/joinedup.db", standin)
    with open(env["JOINEDUP_CONFIG"], "a", encoding="utf-8") as config:
        config.write(EMAIL)
    served = serve(env, standin)
    db = Database(env["DATABASE_URL"])
    try:
        view, values = submission(VALID_ANSWERS, 1)
        assert served.sender.submit(view, values, user=SAM.user_id).json()["response_action"] == "update"
        with db.write() as session:
            share_id = session.scalar(select(Share.id).where(Share.agency_key == HEALTH.key))
            url = LinkService(db=db, clock=SystemClock(), partnership=email_partnership()).issue(
                session, share_id=share_id, address=GP)
        path = "/link/" + url.rsplit("/link/", 1)[1]

        for method in ("HEAD", "GET"):  # a mail system's scanner: it sees the first page and uses nothing up
            status, headers, first = get(served.port, method, path)
            assert status == 200 and "set-cookie" not in headers
        assert "Open the record" in first and VALID_ANSWERS[Field.SUMMARY] not in first
        assert headers["cache-control"] == "no-store" and headers["referrer-policy"] == "no-referrer"
        csrf = re.search(r'name="csrf" value="([^"]+)"', first).group(1)
        status, headers, _ = get(served.port, "POST", path, f"act=open&csrf={csrf}")
        assert status == 303 and headers["location"].startswith("./")
        cookie = headers["set-cookie"].split(";", 1)[0]
        assert "HttpOnly" in headers["set-cookie"] and "Path=/link/" in headers["set-cookie"]
        status, headers, page = get(served.port, "GET", path, cookie=cookie)
        assert status == 200 and VALID_ANSWERS[Field.SUMMARY] in page
        status, _, elsewhere = get(served.port, "GET", path)  # another browser: no cookie
        assert status == 403 and "opened on another device" in elsewhere
        assert VALID_ANSWERS[Field.SUMMARY] not in elsewhere
        status, headers, _ = get(served.port, "POST", path, f"act=acknowledge&csrf={csrf}&submission={'s' * 22}&ack-note=",
                                 cookie=cookie)
        assert status == 303
        with db.read() as session:
            assert session.scalar(select(Share.acknowledged_by).where(Share.id == share_id)) == "link:1"

        status, headers, page = get(served.port, "GET", "/link/" + "B" * 43)
        assert status == 404 and "This link does not work" in page and VALID_ANSWERS[Field.SUMMARY] not in page
        assert headers["x-frame-options"] == "DENY"
        assert get(served.port, "GET", "/link-assets/page.css")[0] == 200
    finally:
        db.dispose()
        served.stop()
