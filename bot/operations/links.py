"""`joinedup links revoke`: stop emailed links, by share, record or address. Each revocation is audited."""
from __future__ import annotations

import argparse
from typing import Any

from bot.domain.clock import SystemClock
from bot.domain.config import MissingSetting, Settings, load_partnership
from bot.links.service import LinkService
from bot.operations.preflight import existing_database
from bot.services.audit import Surface
from storage.models import parse_id, parse_reference


def add_parser(commands: Any) -> None:
    links = commands.add_parser("links", help="stop links emailed to people outside Slack",
                                description="Revoke the personal links emailed for a share, a record or an "
                                            "address (or a record's links to one address). A revoked link shows "
                                            "only a page saying it does not work; sending the record again "
                                            "issues a fresh one.")
    actions = links.add_subparsers(dest="links_command", required=True, metavar="ACTION")
    revoke = actions.add_parser("revoke", help="stop links now")
    revoke.add_argument("--share", metavar="ID", help="one share's links (a record sent to one agency: its id in the database)")
    revoke.add_argument("--record", metavar="REF", help="every link to a record, e.g. JU-000042")
    revoke.add_argument("--address", metavar="EMAIL", help="every link emailed to this address")


def run_links(args: argparse.Namespace, settings: Settings, *, actor: str) -> int:
    share_id = parse_id(args.share) if args.share else None
    record_id = parse_reference(args.record) if args.record else None
    if args.share and share_id is None:
        raise MissingSetting(f"{args.share!r} is not a share id: give the number, e.g. --share 17")
    if args.record and record_id is None:
        raise MissingSetting(f"{args.record!r} is not a record reference: write it like JU-000042")
    if share_id is None and record_id is None and not args.address:
        raise MissingSetting("say which links to revoke: --share ID, --record REF or --address EMAIL")
    db = existing_database(settings.database_url, command="links")
    try:
        service = LinkService(db=db, clock=SystemClock(), partnership=load_partnership(settings.config_path))
        count = service.revoke(share_id=share_id, record_id=record_id, address=args.address, actor=actor,
                               surface=Surface.CLI)
    finally:
        db.dispose()
    print(f"joinedup: {count} link(s) revoked")
    return 0
