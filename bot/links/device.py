"""The one browser a link works on: a long random secret in a cookie, of which the link's row keeps only a hash.

The cookie is HttpOnly, Secure when the links are served over https, SameSite=Lax (Strict would leave it off the
top-level navigation from a webmail page, so the holder's own return through the email would look like another
browser) and sent only to /link/. One browser keeps one secret for every link it opens. Never logged.
"""
from __future__ import annotations

import re
import secrets
from typing import Any

from bot.links.service import hash_token

COOKIE = "joinedup_device"
SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


def secret_of(environ: dict[str, Any]) -> str | None:
    """The browser's device secret, if it sent one of ours."""
    for part in str(environ.get("HTTP_COOKIE", "")).split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and SECRET.match(value):
            return value
    return None


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def fingerprint(secret: str | None) -> str | None:
    return hash_token(secret) if secret else None


def cookie(secret: str, *, https: bool, days: int) -> tuple[str, str]:
    return ("Set-Cookie", f"{COOKIE}={secret}; Path=/link/; Max-Age={days * 86400}; HttpOnly; SameSite=Lax"
            + ("; Secure" if https else ""))


def masked(address: str) -> str:
    """An inbox, partly hidden: s•••@school.sch.uk. Enough for its holder to recognise, little for anyone else."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"
