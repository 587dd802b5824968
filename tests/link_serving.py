"""Joined Up with emailed links: the Slack side as in conftest, and the link pages served beside /slack/events."""
from __future__ import annotations

import dataclasses
import http.client
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import make_server

from sqlalchemy import select

from bot.app import create_app
from bot.demo.sample import HEALTH, sample_partnership
from bot.domain.email_config import EmailSettings
from bot.edge.web import wsgi_application
from bot.links.service import LinkService
from bot.links.web import LinkPages, RateLimit
from bot.processes.executors import InlineExecutor
from storage.models import Share
from tests.conftest import SIGNING_SECRET, JoinedUp, _QuietHandler, _ThreadingServer

GP = "safeguarding@surgery.nhs.net"


def email_partnership(base: str = "http://127.0.0.1:8000", days: int = 30, port: int = 587):
    return dataclasses.replace(sample_partnership(), email=EmailSettings(
        server="127.0.0.1", port=port, sender="joinedup@example.gov.uk", link_base_url=base,
        allowed_domains=("nhs.net",), starttls=False, link_days=days))


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class LinkSite:
    """The link pages served over real HTTP, on 127.0.0.1, with the joinedup they belong to."""
    joinedup: JoinedUp
    port: int
    pages: LinkPages
    _stop: Any
    jar: dict[str, str] = dataclasses.field(default_factory=dict)  # the cookies of the one browser requests come from

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def share_id(self, agency: str = HEALTH.key) -> int:
        with self.joinedup.db.read() as session:
            return session.scalar(select(Share.id).where(Share.agency_key == agency).order_by(Share.id.desc()))

    def issue(self, share_id: int | None = None, address: str = GP) -> str:
        """A link's path, /link/<token>."""
        links = LinkService(db=self.joinedup.db, clock=self.joinedup.clock, partnership=self.joinedup.partnership)
        with self.joinedup.db.write() as session:
            url = links.issue(session, share_id=share_id or self.share_id(), address=address)
        return "/link/" + url.rsplit("/link/", 1)[1]

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None, jar: dict[str, str] | None = None) -> Response:
        """One request, as a browser whose cookies are in `jar` (by default the site's one browser) would send it."""
        jar = self.jar if jar is None else jar
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body = urlencode(form).encode() if form is not None else None
        sent = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        if jar:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        connection.request(method, path, body=body, headers={**sent, **(headers or {})})
        reply = connection.getresponse()
        response = Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read().decode())
        for name, value in reply.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                jar[key] = rest.split(";", 1)[0]
        connection.close()
        return response

    def open(self, path: str, jar: dict[str, str] | None = None) -> Response:
        """What a person does with a link no browser has opened yet: GET its first page (which shows nothing of the
        record), press "Open the record" (a POST that binds it to this browser) and follow the redirect."""
        first = self.request("GET", path, jar=jar)
        assert first.status == 200 and 'name="act" value="open"' in first.body, first.status
        csrf = re.search(r'name="csrf" value="([^"]+)"', first.body).group(1)
        opened = self.request("POST", path, {"act": "open", "csrf": csrf}, jar=jar)
        assert opened.status == 303 and opened.headers["location"].startswith("./" + path.rsplit("/", 1)[1]), \
            opened.status
        return self.request("GET", path, jar=jar)

    def hidden(self, page: str, act: str) -> dict[str, str]:
        """The hidden fields of one form on the page, as a browser would send them."""
        form = page[page.index(f'name="act" value="{act}"'):]
        return {"act": act, "csrf": re.search(r'name="csrf" value="([^"]+)"', form).group(1),
                "submission": re.search(r'name="submission" value="([^"]+)"', form).group(1)}

    def stop(self) -> None:
        self._stop()


def serve_links(joinedup: JoinedUp, *, limit: RateLimit | None = None) -> LinkSite:
    services = joinedup.services
    pages = LinkPages(services=services, secret=SIGNING_SECRET, limit=limit)
    app = create_app(services, signing_secret=SIGNING_SECRET, listener_executor=InlineExecutor())
    server = make_server("127.0.0.1", 0, wsgi_application(app, joinedup.db, signing_secret=SIGNING_SECRET, links=pages),
                         server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return LinkSite(joinedup=joinedup, port=server.server_port, pages=pages, _stop=stop)
