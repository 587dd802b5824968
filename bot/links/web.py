"""`GET/POST /link/<token>`: the record, shown to the holder of an emailed link, and what they do with it.

The holder acts as a member of the agency the record was shared with, through the same services a Slack user's
clicks reach, as the actor `link:<id>` on the surface "email link". Every response carries no-store and the
security headers; each link may make RATE requests a minute; a link that does not work gets one plain page
whatever the reason. CSRF: each form carries an HMAC, under a key derived from the signing secret, of the link's
token hash (bound to the link, checked on POST, nothing kept server-side); a cross-site Origin is refused too.
A link works in one browser. A GET never binds it and never shows an unbound link's record: it shows a first page
with one button, "Open the record", so the mail systems that open links before people do (Safe Links, Mimecast,
Proofpoint) use nothing up. The first browser to press it (a POST, with the CSRF check) gets a device cookie
(bot/links/device.py) whose hash the link keeps, and is redirected to the record; any other browser then sees no
record, only a button that emails a new link to the link's own address.
Logs carry link and record ids only: never a token, an address or anything typed.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from collections import deque
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, urlsplit

from bot.blocks.ids import Field
from bot.blocks.record_post import agency_name
from bot.blocks.outcome import OutcomeForm
from bot.blocks.challenge import ChallengeForm
from bot.i18n import ENGLISH, WELSH, _, using
from bot.links import device, pages
from bot.links.acting import act_for, record_view
from bot.links.service import RENEW_EVERY, Holder, LinkService, hash_token
from bot.services.audit import Act, Surface, audit
from bot.services.languages import voice_for
from bot.services.wiring import Services

log = logging.getLogger(__name__)

PREFIX = "/link/"
STYLESHEET = "/link-assets/page.css"
RATE, WINDOW = 30, 60.0  # requests a link may make, and in how many seconds
LARGEST_FORM = 64_000
SUBMISSION = re.compile(r"^[A-Za-z0-9_-]{16,43}$")
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
REASONS = {200: "OK", 303: "See Other", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 413: "Payload Too Large", 429: "Too Many Requests"}
# The page's field ids, for the services' problems by field.
FIELD_IDS = {pages.ACKNOWLEDGE: {Field.NOTE: "ack-note"},
             pages.RESULT: {Field.WHAT_HAPPENED: "result-what-happened", Field.WHAT_CHANGED: "result-what-changed",
                            Field.NEXT_STEP: "result-next-step",
                            Field.IDENTIFIERS_REASON: "result-identifiers-reason"},
             pages.CHALLENGE: {Field.CHALLENGE_KIND: "challenge-kind", Field.CHALLENGE_TEXT: "challenge-text",
                               Field.PROPOSED_RISK: "challenge-risk",
                               Field.IDENTIFIERS_REASON: "challenge-identifiers-reason"}}


class RateLimit:
    """At most `rate` requests in `window` seconds for each key (a token's hash): in memory, per worker."""

    def __init__(self, rate: int = RATE, window: float = WINDOW, now: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.window, self.now = rate, window, now
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allows(self, key: str) -> bool:
        now = self.now()
        with self._lock:
            if len(self._seen) > 10_000:  # forget keys that have gone quiet
                self._seen = {k: q for k, q in self._seen.items() if q and q[-1] > now - self.window}
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.rate:
                return False
            seen.append(now)
            return True


class LinkPages:
    """The WSGI application for the link pages, beside Slack's request URL in `joinedup serve`."""

    def __init__(self, *, services: Services, secret: str, links: LinkService | None = None,
                 limit: RateLimit | None = None) -> None:
        self.services = services
        self.links = links or LinkService(db=services.db, clock=services.clock, partnership=services.partnership)
        self.limit = limit or RateLimit()
        self._key = hmac.new(secret.encode(), b"joinedup email link forms", hashlib.sha256).digest()
        email = services.partnership.email
        self.https = bool(email and email.link_base_url.startswith("https://"))

    @staticmethod
    def handles(path: str) -> bool:
        return path.startswith(PREFIX) or path == STYLESHEET

    def csrf(self, holder: Holder) -> str:
        return hmac.new(self._key, holder.token_hash.encode(), hashlib.sha256).hexdigest()

    def _language(self, environ: dict[str, Any], holder: Holder | None) -> str:
        """The page's language: the one chosen with its switch (?lang=cy or ?lang=en), else the link's agency's
        (Welsh where the agency is bilingual: a page is in one language at a time, with the switch to the other)."""
        chosen = parse_qs(environ.get("QUERY_STRING", "")).get("lang", [""])[0]
        if chosen in (WELSH, ENGLISH):
            return chosen
        partnership = self.services.partnership
        agency = partnership.agency(holder.agency_key) if holder else None
        language = agency.language if agency else partnership.languages.default
        return ENGLISH if language == ENGLISH else WELSH

    def _switch_offered(self, holder: Holder | None) -> bool:
        partnership = self.services.partnership
        agency = partnership.agency(holder.agency_key) if holder else None
        return partnership.languages.works_in_welsh or (agency is not None and agency.language != ENGLISH)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Every page in the language of the link's agency, or the one its holder chose with the switch."""
        path = environ.get("PATH_INFO", "")
        if path == STYLESHEET:
            return self._answer(start_response, 200, pages.STYLESHEET, "text/css; charset=utf-8")
        with using(voice_for(self.services.partnership, self._language(environ, None))), \
                pages.offering_switch(self._switch_offered(None)):
            return self._serve(environ, start_response, path)

    def _serve(self, environ: dict[str, Any], start_response: Any, path: str) -> Iterable[bytes]:
        method, name = environ.get("REQUEST_METHOD", ""), self.services.partnership.name
        if method not in ("GET", "HEAD", "POST"):
            return self._answer(start_response, 405, pages.refused(
                name, status_title=_("Not allowed"), heading=_("This cannot be done here"),
                text=_("Open the link from your email.")), extra=[("Allow", "GET, POST")])
        token = path[len(PREFIX):]
        if not self.limit.allows(hash_token(token)):
            return self._answer(start_response, 429, pages.refused(
                name, status_title=_("Too many requests"), heading=_("Sorry, there have been too many attempts"),
                text=_("Wait a minute, then open the link from your email again.")), extra=[("Retry-After", "60")])
        holder = self.links.holder(token)
        if holder is None:
            log.info("refused an email link that does not work")
            return self._answer(start_response, 404, pages.unusable(name))
        with using(voice_for(self.services.partnership, self._language(environ, holder))), \
                pages.offering_switch(self._switch_offered(holder)):
            return self._held(environ, start_response, holder, token)

    def _held(self, environ: dict[str, Any], start_response: Any, holder: Holder, token: str) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "")
        secret = device.secret_of(environ)
        if holder.device_hash is None:  # no browser has opened it yet: nothing of the record until one asks to
            return self._first(environ, start_response, holder, token, secret)
        if not holder.on(device.fingerprint(secret)):
            return self._elsewhere(environ, start_response, holder)
        cookie: list[tuple[str, str]] = []
        if method == "POST":
            return self._post(environ, start_response, holder, token)
        assert secret is not None
        cookie.append(device.cookie(secret, https=self.https, days=self.links.days))
        done = parse_qs(environ.get("QUERY_STRING", "")).get("done", [""])[0]
        body = self._show(holder, done=done)
        if body is None:
            return self._unusable(environ, start_response)
        return self._answer(start_response, 200, body, extra=cookie)

    def _unusable(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        """The one page for a link that does not work: in the partnership's language, as for a link never issued,
        so that it tells nothing of the link or its agency."""
        with using(voice_for(self.services.partnership, self._language(environ, None))), \
                pages.offering_switch(self._switch_offered(None)):
            return self._answer(start_response, 404, pages.unusable(self.services.partnership.name))

    def _not_sent(self, start_response: Any, status: int) -> list[bytes]:
        return self._answer(start_response, status, pages.refused(
            self.services.partnership.name, status_title=_("Form not sent"), heading=_("Your form could not be sent"),
            text=_("Open the link from your email again and send the form from that page.")))

    def _first(self, environ: dict[str, Any], start_response: Any, holder: Holder, token: str,
               secret: str | None) -> Iterable[bytes]:
        """A link no browser has opened yet. GET and HEAD (a person, or a mail system's scanner checking the link)
        show only a first page with one button and write nothing; the POST from that button binds the link to this
        browser (one conditional write) and redirects to the record (Post/Redirect/Get)."""
        name = self.services.partnership.name
        if environ.get("REQUEST_METHOD") != "POST":
            log.info("email link %s: first page shown, not yet opened on any browser", holder.link_id)
            agency = agency_name(self.services.partnership, holder.agency_key)
            return self._answer(start_response, 200, pages.first(name, agency=agency, csrf=self.csrf(holder)))
        form = self._form(environ)
        if form is None or form.get("act") != pages.OPEN or not self._same_origin(environ) or \
                not hmac.compare_digest(form.get("csrf", ""), self.csrf(holder)):
            log.warning("refused a form for email link %s: not yet opened on any browser", holder.link_id)
            return self._not_sent(start_response, 403)
        secret = secret or device.new_secret()  # the first browser to ask to open the link: it is this one's now
        if not self.links.bind(holder, device.fingerprint(secret) or ""):
            return self._elsewhere(environ, start_response, self.links.holder(token) or holder, show=True)
        return self._answer(start_response, 303, b"", extra=[
            ("Location", f"./{token}{_kept_language(environ, '?')}#main-content"),
            device.cookie(secret, https=self.https, days=self.links.days)])

    def _elsewhere(self, environ: dict[str, Any], start_response: Any, holder: Holder,
                   show: bool = False) -> Iterable[bytes]:
        """A browser other than the one the link is bound to: nothing of the record; on POST, a new link emailed to
        the link's own inbox (never one typed here), one per RENEW_EVERY."""
        name, inbox = self.services.partnership.name, device.masked(holder.address)
        next_at = self.links.next_renewal(holder)
        when = pages.clock_time(next_at, self.services.partnership.zone) if next_at else None
        posted = environ.get("REQUEST_METHOD") == "POST" and not show
        form = self._form(environ) if posted else None
        if not posted or (form and form.get("act") == pages.OPEN):  # a GET, or "Open the record" after another's
            log.info("email link %s opened on a browser other than the one it is bound to", holder.link_id)
            return self._answer(start_response, 403, pages.elsewhere(name, inbox=inbox, csrf=self.csrf(holder),
                                                                     next_at=when))
        if form is None or holder.device_hash is None or form.get("act") != pages.NEW_LINK or \
                not self._same_origin(environ) or not hmac.compare_digest(form.get("csrf", ""), self.csrf(holder)):
            log.warning("refused a form for email link %s from another browser", holder.link_id)
            return self._not_sent(start_response, 403)
        email = self.services.email
        owed = None if next_at or email is None else self.links.renew(
            holder, lambda session, row: email.owe(session.connection(), [row]))
        if owed is None:
            wait = next_at or self.services.clock.now() + RENEW_EVERY  # or another request has just won the turn
            retry = max(int((wait - self.services.clock.now()).total_seconds()), 1)
            later = pages.clock_time(wait, self.services.partnership.zone)
            return self._answer(start_response, 429, pages.refused(
                name, status_title=_("Too many requests"), heading=_("A new link was emailed a few minutes ago"),
                text=_("Open it from the email sent to {inbox}. You can ask for another after {time}.", inbox=inbox,
                       time=later)),
                extra=[("Retry-After", str(retry))])
        assert email is not None
        email.deliver_soon(owed)
        return self._answer(start_response, 200, pages.renewed(name, inbox=inbox))

    @staticmethod
    def _form(environ: dict[str, Any]) -> dict[str, str] | None:
        """The form sent, or None if it is too long to read."""
        length = environ.get("CONTENT_LENGTH") or "0"
        if not (length.isascii() and length.isdigit()) or int(length) > LARGEST_FORM:
            return None
        try:
            return {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(int(length)).decode("utf-8"),
                                                 keep_blank_values=True, strict_parsing=False,
                                                 max_num_fields=20).items()}
        except (UnicodeDecodeError, ValueError):
            return {}

    def _show(self, holder: Holder, *, errors: pages.Errors | None = None, values: dict[str, str] | None = None,
              done: str = "") -> bytes | None:
        services = self.services
        view = record_view(services, holder)
        if view is None:
            return None
        now = services.clock.now()
        with services.db.write() as session:
            audit(session, at=now, actor=holder.actor, act=Act.VIEWED, surface=Surface.EMAIL_LINK,
                  record_id=holder.record_id, detail=f"for {holder.agency_key} (email link {holder.link_id})")
        partnership = services.partnership
        ctx = pages.Context(
            partnership=partnership.name, zone=partnership.zone, emergency=partnership.emergency_instructions,
            expires_at=holder.expires_at, check_identifiers=partnership.check_identifiers,
            risk_levels=[(r.key, r.label, r.definition) for r in partnership.risk_levels],
            csrf=self.csrf(holder), submission=secrets.token_urlsafe(16))
        return pages.record_page(view, ctx, errors=errors, values=values, done=done)

    def _post(self, environ: dict[str, Any], start_response: Any, holder: Holder, token: str) -> Iterable[bytes]:
        name = self.services.partnership.name
        form = self._form(environ)
        if form is None:
            return self._answer(start_response, 413, pages.refused(
                name, status_title=_("Too large"), heading=_("There is a problem"),
                text=_("What you sent is too long. Go back, shorten it and send it again.")))
        if not self._same_origin(environ) or not hmac.compare_digest(form.get("csrf", ""), self.csrf(holder)):
            log.warning("refused a form for email link %s: its check failed", holder.link_id)
            return self._not_sent(start_response, 403)
        act, submission = form.get("act", ""), form.get("submission", "")
        if act == pages.OPEN:  # the first page's button again (back, or a second click): this browser has it
            return self._answer(start_response, 303, b"", extra=[
                ("Location", f"./{token}{_kept_language(environ, '?')}#main-content")])
        if act not in FIELD_IDS or not SUBMISSION.match(submission):
            return self._not_sent(start_response, 400)
        values = {k: v.replace("\r\n", "\n").strip() for k, v in form.items() if k not in ("csrf", "act", "submission")}
        problems = self._act(holder, act, values, f"link:{holder.link_id}:{submission}")
        if problems is None:  # done, or already done by this same form: show the page afresh (Post/Redirect/Get)
            return self._answer(start_response, 303, b"", extra=[
                ("Location", f"?done={act}{_kept_language(environ, '&')}#main-content")])
        ids = FIELD_IDS[act]
        errors = pages.Errors(act, {ids[f]: message for f, message in problems.items() if f in ids})
        body = self._show(holder, errors=errors, values=values)
        if body is None:
            return self._unusable(environ, start_response)
        return self._answer(start_response, 200, body)

    def _act(self, holder: Holder, act: str, values: dict[str, str], key: str) -> dict[str, str] | None:
        """Problems with the form by field, or None once it is done (or was already)."""
        acting = act_for(self.services, holder)
        if act == pages.ACKNOWLEDGE:
            note = values.get("ack-note", "")
            if problems := acting.acknowledgements.note_problems(note):
                return problems
            done = acting.acknowledgements.acknowledge(holder.share_id, holder.actor, note, surface=Surface.EMAIL_LINK)
            ids = done.message_ids
        elif act == pages.RESULT:
            outcome = OutcomeForm(what_happened=values.get("result-what-happened", ""),
                                  what_changed=values.get("result-what-changed", ""),
                                  next_step=values.get("result-next-step") or None,
                                  identifiers_reason=values.get("result-identifiers-reason", ""))
            if problems := acting.outcomes.problems(outcome, acting.subject):
                return problems
            ids = acting.outcomes.report(acting.subject, holder.actor, outcome, submission_key=key,
                                         surface=Surface.EMAIL_LINK).message_ids
        else:
            kind = values.get("challenge-kind") or None
            challenge = ChallengeForm(kind=kind, text=values.get("challenge-text", ""),
                                      proposed_risk_key=values.get("challenge-risk") or None,
                                      identifiers_reason=values.get("challenge-identifiers-reason", ""))
            if problems := acting.challenges.challenge_problems(challenge, holder.record_id):
                if Field.CHALLENGE_KIND in problems:
                    problems[Field.CHALLENGE_KIND] = _("Select whether this is a question or a challenge, and of what.")
                return problems
            ids = acting.challenges.raise_challenge(acting.subject, holder.actor, challenge, submission_key=key,
                                                    surface=Surface.EMAIL_LINK).message_ids
        self.services.outbox.deliver_soon(ids)
        log.info("email link %s: %s for record %s", holder.link_id, act, holder.record_id)
        return None

    def _same_origin(self, environ: dict[str, Any]) -> bool:
        """A form a browser says came from another site is refused. With no-referrer, browsers send "Origin: null"
        even from this page, so it is Sec-Fetch-Site (or a real Origin) that tells; the CSRF token does the rest."""
        if environ.get("HTTP_SEC_FETCH_SITE", "same-origin") not in ("same-origin", "none"):
            return False
        origin = environ.get("HTTP_ORIGIN")
        if origin is None or origin == "null":
            return True
        return urlsplit(origin).netloc.lower() == str(environ.get("HTTP_HOST", "")).lower()

    def _answer(self, start_response: Any, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
                extra: list[tuple[str, str]] | None = None) -> list[bytes]:
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))),
                   ("Cache-Control", "no-store"), ("Pragma", "no-cache"),
                   ("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
                   ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY"),
                   ("Cross-Origin-Opener-Policy", "same-origin"), ("Cross-Origin-Resource-Policy", "same-origin"),
                   ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
                   ("X-Robots-Tag", "noindex, nofollow"), *(extra or [])]
        if self.https:
            headers.append(("Strict-Transport-Security", "max-age=31536000"))
        start_response(f"{status} {REASONS[status]}", headers)
        return [body]



def _kept_language(environ: dict[str, Any], joiner: str) -> str:
    """The language chosen with the page's switch, kept across a redirect: "?lang=cy" (or "&lang=cy"), or ""."""
    chosen = parse_qs(environ.get("QUERY_STRING", "")).get("lang", [""])[0]
    return f"{joiner}lang={chosen}" if chosen in (WELSH, ENGLISH) else ""
