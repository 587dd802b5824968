"""`[email]`: the SMTP relay records are emailed through, the domains they may go to, what an email carries, and
where its links lead. No table: no email."""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

from bot.domain.config_reader import Reader

CONTENTS = ("summary", "full")
ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")
DOMAIN = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True)
class EmailSettings:
    server: str
    sender: str
    link_base_url: str  # where people reach `joinedup serve` from their mail, e.g. https://joinedup.example.gov.uk
    allowed_domains: tuple[str, ...]
    port: int = 587
    starttls: bool = True
    content: str = "summary"  # or "full": the whole record, where the information-sharing agreement allows it
    link_days: int = 30

    def allows(self, address: str) -> bool:
        """Whether an address is on the allow-list: its domain, or a subdomain of one, listed."""
        match = ADDRESS.match(address)
        if match is None:
            return False
        domain = match.group(1).lower()
        return any(domain == allowed or domain.endswith("." + allowed) for allowed in self.allowed_domains)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_email(reader: Reader, data: Mapping[str, Any]) -> EmailSettings | None:
    if "email" not in data:
        return None
    section = reader.table(data, "email", {"server", "port", "starttls", "sender", "allowed_domains", "content",
                                           "link_days", "link_base_url"})
    server = reader.text(section, "server", "email.server", required=True)
    starttls = reader.switch(section, "starttls", "email.starttls")
    if not starttls and server and not is_loopback(server):
        reader.error("email.starttls", "must be true for a relay that is not on this machine: records about "
                                       "children are never sent unencrypted")
    domains = section.get("allowed_domains")
    if not isinstance(domains, list) or not domains or not all(isinstance(d, str) and DOMAIN.match(d.strip())
                                                                for d in domains):
        reader.error("email.allowed_domains", 'must list the domains records may be emailed to, e.g. '
                                              'allowed_domains = ["nhs.net", "example.gov.uk"]')
        domains = []
    sender = reader.text(section, "sender", "email.sender", required=True)
    if sender and not ADDRESS.match(sender):
        reader.error("email.sender", f"{sender!r} is not an email address: give the address emails come from, "
                                     'e.g. sender = "joinedup@example.gov.uk"')
    content = section.get("content", "summary")
    if content not in CONTENTS:
        reader.error("email.content", 'must be "summary" (the reference, the agency, why it is shared and what is '
                                      'asked) or "full" (the whole record as well)')
        content = "summary"
    base = reader.text(section, "link_base_url", "email.link_base_url", required=True).rstrip("/")
    parts = urlsplit(base)
    if base and (parts.scheme not in ("https", "http") or not parts.hostname or
                 (parts.scheme == "http" and not is_loopback(parts.hostname))):
        reader.error("email.link_base_url", f"{base!r} must be the https:// address at which people reach "
                                            "`joinedup serve`, e.g. https://joinedup.example.gov.uk")
    return EmailSettings(
        server=server, sender=sender, link_base_url=base,
        allowed_domains=tuple(d.strip().lower() for d in domains),
        port=int(reader.whole_number(section, "port", "email.port", 587, minimum=1)),
        starttls=starttls, content=content,
        link_days=int(reader.whole_number(section, "link_days", "email.link_days", 30, minimum=1)),
    )
