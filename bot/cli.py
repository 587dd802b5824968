"""The `joinedup` command."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Sequence

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

from bot.domain.config import ConfigError, MissingSetting, Settings, check_partnership_file, load_partnership
from bot.operations.backup import run_backup
from bot.operations.links import add_parser as add_links_parser, run_links
from bot.operations.preflight import Refused, existing_database, schema_revision
from bot.processes.runtime import StartupError, build_runtime
from storage.db import Database, MigrationFailed, UnsupportedDatabase

log = logging.getLogger("joinedup")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="joinedup", description="Joined Up: record, share, acknowledge, close the loop.")
    parser.add_argument("--version", action="version", version=f"joinedup {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "serve", help="run in HTTP mode on PORT (request URL /slack/events)",
        description="Run Joined Up in HTTP mode: web workers answer Slack at /slack/events (and GET /healthz), and "
                    "one delivery process sends what they owe Slack and runs reminders and retention. Brings the "
                    "database up to date first. Needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET; reads DATABASE_URL "
                    "(default sqlite:///joinedup.db), JOINEDUP_CONFIG (default ./joinedup.toml), PORT (3000), "
                    "JOINEDUP_HOST (0.0.0.0), JOINEDUP_WORKERS and JOINEDUP_THREADS. Put it behind an HTTPS "
                    "reverse proxy.")
    commands.add_parser(
        "socket", help="run in Socket Mode",
        description="Run Joined Up in Socket Mode: one process connects out to Slack (no public URL needed), "
                    "answers, delivers and runs reminders and retention. Brings the database up to date first. "
                    "Needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (xapp-...); reads DATABASE_URL and JOINEDUP_CONFIG.")
    commands.add_parser(
        "migrate", help="bring the database up to date",
        description="Bring the database named by DATABASE_URL (default sqlite:///joinedup.db) up to date, then "
                    "exit. serve and socket do this themselves; run it on its own after an upgrade, or before "
                    "starting several processes against one PostgreSQL database.")
    check = commands.add_parser("check-config", help="validate the configuration file")
    check.add_argument("--config", help="the file to check (default: JOINEDUP_CONFIG or ./joinedup.toml)")
    doctor = commands.add_parser(
        "doctor", help="check the token and its scopes, the agencies' channels, the people and the database",
        description="Check, changing nothing, that Joined Up has what it needs: the configuration loads; the bot "
                    "token works and has every bot scope in app_manifest.yml; each agency's channel exists and "
                    "Joined Up is in it; every admin, lead and member is an active user; the database answers and "
                    "is migrated. One line per check; exits 0 only if every check passes.")
    doctor.add_argument("--config", help="the configuration (default: JOINEDUP_CONFIG or ./joinedup.toml)")
    doctor.add_argument("--manifest", help="the app manifest whose scopes the token needs (default: app_manifest.yml "
                                           "beside Joined Up's code)")
    commands.add_parser("demo", help="see Joined Up work without a Slack workspace")
    sweep = commands.add_parser("sweep", help="deliver everything due now, once, and exit")
    sweep.add_argument("--at", help="evaluate as if it were this moment (ISO 8601, e.g. 2026-11-23T09:00:00+00:00)")
    export = commands.add_parser("glossary", help="export the partnership's glossary")
    export.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    audit = commands.add_parser("audit", help="print a record's audit trail")
    audit.add_argument("reference", help="the record, e.g. JU-000042")
    records_export = commands.add_parser(
        "export", help="export records whole: a child's case file, a subject access request, an inspection",
        description="Write every record for one child (or every record) with its deliveries, acknowledgements, "
                    "outcomes, challenges, revisions and audit trail. Each export is itself audited.")
    records_export.add_argument("--child", metavar="REF", help="the child's case reference, e.g. CR-12345")
    records_export.add_argument("--all", action="store_true", help="every record in the period instead of one child")
    records_export.add_argument("--format", default="json", help="json (default) or csv")
    records_export.add_argument("--from", dest="start", metavar="DATE",
                                help="first day, YYYY-MM-DD, inclusive (when recorded, in the partnership's time zone)")
    records_export.add_argument("--to", dest="end", metavar="DATE", help="last day, YYYY-MM-DD, inclusive")
    records_export.add_argument("--output", metavar="FILE", help="write to this file (default: standard output)")
    figures = commands.add_parser(
        "report", help="partnership figures for a period, for board papers",
        description="Every partnership figure (docs/admin-guide.md, \"Partnership figures\") for the whole "
                    "partnership and each agency, for the days --from to --to (both included, in the partnership's "
                    "time zone). Formats: csv (every figure, each agency and the total, with its definition; "
                    "with --by week, once for each week), json, md, or png: the weekly chart of time to acknowledge "
                    "and outcome rate by agency, written to --output; `--format csv --by week` for the same days "
                    "carries every number it draws.")
    figures.add_argument("--from", dest="start", metavar="DATE", required=True, help="first day, YYYY-MM-DD")
    figures.add_argument("--to", dest="end", metavar="DATE", required=True, help="last day, YYYY-MM-DD, included")
    figures.add_argument("--format", choices=("csv", "json", "md", "png"), default="csv",
                         help="csv (default), json, md or png (the weekly chart; needs --output)")
    figures.add_argument("--by", choices=("period", "week"), default="period",
                         help="csv only: the whole period (default) or each week, Monday to Sunday, as the chart")
    figures.add_argument("--output", metavar="FILE", help="write to this file (default: standard output; png: required)")
    figures.add_argument("--at", help="count the figures \"now\" as at this moment (ISO 8601; default: now)")
    retention = commands.add_parser("retention", help="remove records past the retention period now")
    retention.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    backup = commands.add_parser(
        "backup", help="copy the database to a new FILE, consistently, while Joined Up runs",
        description="Write a consistent, checked copy of the database named by DATABASE_URL to FILE (never "
                    "replacing a file): SQLite's online backup, or pg_dump --format=custom for PostgreSQL. "
                    "Restoring is in docs/backup-and-upgrade.md.")
    backup.add_argument("file", metavar="FILE", help="the new file to write, e.g. joinedup-2026-11-24.backup")
    add_links_parser(commands)
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every run of every job at INFO
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a line per step on every start; migrate says what moved
    runners: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
        "serve": serve, "socket": socket, "migrate": migrate, "check-config": check_config, "demo": demo,
        "sweep": run_sweep, "glossary": export_glossary, "audit": print_audit,
        "retention": apply_retention,
        "export": export_records,
        "report": print_report,
        "doctor": run_doctor,
        "backup": run_backup,
        "links": lambda args, settings: run_links(args, settings, actor=_operator()),
    }
    try:
        settings = Settings.from_env(os.environ)
        for secret in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
            # Read once, into settings: left in the environment, Bolt would pick the bot token up beside the
            # client it is given (and warn that it ignores it), and every program run from here would inherit them.
            os.environ.pop(secret, None)
        return runners[args.command](args, settings)
    except (MissingSetting, StartupError, Refused, MigrationFailed) as error:
        return _stop(str(error))
    except UnsupportedDatabase as error:
        return _stop(f"DATABASE_URL {error}")
    except ConfigError as error:
        if len(error.problems) == 1 and error.problems[0].key == str(Path(settings.config_path)):
            # The file itself is the problem (not found, not TOML): one line, naming it once.
            return _stop(f"{settings.config_path}: {error.problems[0].message}")
        for problem in error.problems:
            print(f"joinedup: {settings.config_path}: {problem}", file=sys.stderr)
        return _stop(f"the configuration has {len(error.problems)} problem(s): fix them and run joinedup check-config")
    except ArgumentError:
        return _stop("DATABASE_URL is not a database URL: write it like sqlite:///joinedup.db "
                     "or postgresql://user:password@host/database")
    except (OperationalError, InterfaceError) as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        return _stop(f"could not open the database named by DATABASE_URL ({reason}): check the URL, the folder "
                     "or server it names, and that the server is running")
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `joinedup demo | head`: the reader has gone, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _stop(message: str) -> int:
    print(f"joinedup: {message}", file=sys.stderr)
    return 2


def _version() -> str:
    """pyproject.toml's version, from the installed package's metadata (or, run from a source tree that was never
    installed, from pyproject.toml itself)."""
    from importlib import metadata

    try:
        return metadata.version("joinedup")
    except metadata.PackageNotFoundError:
        import tomllib

        try:
            with open(Path(__file__).resolve().parent.parent / "pyproject.toml", "rb") as file:
                return str(tomllib.load(file)["project"]["version"])
        except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
            return "unknown (not installed)"


def _refuse_oauth_mode() -> None:
    if os.environ.get("SLACK_CLIENT_ID") and os.environ.get("SLACK_CLIENT_SECRET"):
        raise MissingSetting("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set, which would switch Slack's library to "
                             "multi-workspace OAuth and ignore SLACK_BOT_TOKEN: unset both")


def _verify_token(settings: Settings) -> None:
    from bot.edge.client import slack_client

    try:
        slack_client(settings.bot_token or "", settings.slack_api_url).auth_test()
    except SlackApiError as error:
        raise StartupError(f"Slack refused SLACK_BOT_TOKEN ({error.response.get('error')}): "
                           "copy the Bot User OAuth Token (xoxb-…) again") from None
    except OSError as error:
        raise StartupError(f"could not reach {settings.slack_api_url or 'Slack'} ({error}): check the network") from None


def serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.processes.server import JoinedUpServer, server_options

    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    _refuse_oauth_mode()
    load_partnership(settings.config_path)
    db = Database(settings.database_url)
    db.migrate()
    db.dispose()
    _verify_token(settings)
    host = os.environ.get("JOINEDUP_HOST", "0.0.0.0")
    log.info("serving on %s:%s, request URL path /slack/events", host, settings.port)
    JoinedUpServer(settings, server_options(settings, host=host, is_sqlite=db.is_sqlite)).run()
    return 0


def socket(args: argparse.Namespace, settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.processes.scheduling import start_scheduler
    from bot.processes.sweep import sweeper_for
    from bot.services.home_figures import keeper_for

    settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    _refuse_oauth_mode()
    runtime = build_runtime(settings)
    services = runtime.services
    scheduler = start_scheduler(sweep=sweeper_for(services).run, deliver_due=services.outbox.deliver_due,
                                count_figures=keeper_for(services))
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a service manager's stop, as Ctrl-C: exit 0
    try:
        SocketModeHandler(runtime.app, settings.app_token).start()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        scheduler.shutdown(wait=False)
    return 0


def migrate(args: argparse.Namespace, settings: Settings) -> int:
    db = Database(settings.database_url)
    before = schema_revision(db)
    db.migrate()
    after = schema_revision(db)
    moved = "" if before == after else f", upgraded from {before}" if before else ", newly set up"
    print(f"joinedup: the database is up to date ({db.engine.url.render_as_string(hide_password=True)}): "
          f"schema revision {after}{moved}")
    return 0


def check_config(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.wiring import build_glossary

    path = args.config or settings.config_path
    partnership, problems = check_partnership_file(path)
    if partnership is not None:
        problems += build_glossary(partnership)[1]
    for problem in problems:
        print(f"{path}: {'warning' if problem.warning else 'error'}: {problem}")
    errors = [p for p in problems if not p.warning]
    if errors:
        print(f"{path}: {len(errors)} error(s): Joined Up will not start until they are fixed")
        return 1
    print(f"{path}: OK ({len(partnership.agencies)} agencies, {len(partnership.risk_levels)} risk levels)")  # type: ignore[union-attr]
    email = partnership.email  # type: ignore[union-attr]
    if email is not None:
        emailed = [a.key for a in partnership.agencies if a.email]  # type: ignore[union-attr]
        print(f"{path}: email through {email.server}:{email.port} ({'STARTTLS' if email.starttls else 'no STARTTLS'}"
              f", {'a login from JOINEDUP_SMTP_USERNAME' if settings.smtp_username else 'no login'}) to "
              f"{', '.join(email.allowed_domains)}; {email.content} content; agencies by email: "
              f"{', '.join(emailed) or 'none'}")
    return 0


def run_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot.operations.doctor import MANIFEST, diagnose

    return diagnose(settings, config_path=args.config or settings.config_path,
                    manifest_path=Path(args.manifest) if args.manifest else MANIFEST, out=sys.stdout)


def demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo.script import run_demo

    return run_demo(sys.stdout)


def export_glossary(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.wiring import build_glossary
    from bot.domain.glossary import export_csv, export_markdown

    partnership = load_partnership(settings.config_path)
    glossary, _ = build_glossary(partnership)
    sys.stdout.write(export_csv(glossary) if args.format == "csv"
                     else export_markdown(glossary, organisation=partnership.name))
    return 0


def print_audit(args: argparse.Namespace, settings: Settings) -> int:
    from bot.blocks.audit import audit_lines
    from bot.operations.people import names_from_slack
    from bot.services.audit import trail
    from storage.models import parse_reference

    record_id = parse_reference(args.reference)
    if record_id is None:
        raise MissingSetting(f"{args.reference!r} is not a record reference: write it like JU-000042")
    db = existing_database(settings.database_url, command="audit")
    events = trail(db, record_id)
    if not events:
        print(f"joinedup: no audit trail for {args.reference.upper()}")
        return 1
    try:
        partnership = load_partnership(settings.config_path)
    except ConfigError:
        print(f"joinedup: warning: could not load {settings.config_path}: times are in UTC and agencies are named "
              "by their keys", file=sys.stderr)
        partnership = None
    names = names_from_slack(settings, partnership)
    print("\n".join(audit_lines(events, partnership=partnership, names=names)))
    if names.note:
        print(f"joinedup: note: {names.note}", file=sys.stderr)
    return 0


def export_records(args: argparse.Namespace, settings: Settings) -> int:
    import getpass
    import re
    from datetime import date
    from zoneinfo import ZoneInfo

    from bot.domain.config import DEFAULT_CASE_REFERENCE_PATTERN, Partnership
    from bot.operations.people import names_from_slack
    from bot.services import export
    from bot.services.readable import agency_words
    from bot.services.records import normalise_case_reference

    if bool(args.child) == bool(args.all):
        raise MissingSetting("give exactly one of --child REF (one child's records) or --all (every record)")
    child = normalise_case_reference(args.child) if args.child else None
    if args.child is not None and not child:
        raise MissingSetting("--child needs the child's case reference, e.g. --child CR-12345")
    form = (args.format or "").strip().lower()
    if form not in ("json", "csv"):
        raise MissingSetting(f"--format {args.format!r} is not a format: write --format json or --format csv")
    days: dict[str, date | None] = {}
    for option, text in (("--from", args.start), ("--to", args.end)):
        try:
            if text is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
                raise ValueError(text)
            days[option] = None if text is None else date.fromisoformat(text.strip())
        except ValueError:
            raise MissingSetting(f"{option} {text!r} is not a date: write it like 2026-11-24") from None
    start, end = days["--from"], days["--to"]
    if start and end and start > end:
        raise MissingSetting(f"--from {start} is after --to {end}: give the earlier day first")

    partnership: Partnership | None
    try:
        partnership = load_partnership(settings.config_path)
        zone, names, organisation = partnership.zone, {a.key: a.name for a in partnership.agencies}, partnership.name
    except ConfigError:
        print(f"joinedup: warning: could not load {settings.config_path}: dates are taken in UTC and agencies "
              "are named by their keys", file=sys.stderr)
        partnership, zone, names, organisation = None, ZoneInfo("UTC"), {}, None
    example = partnership.case_reference_example if partnership else "CR-12345"
    if child and not re.fullmatch(partnership.case_reference_pattern if partnership else DEFAULT_CASE_REFERENCE_PATTERN,
                                  child):
        # What was typed is not repeated: it may be a child's name, which belongs in no terminal or log.
        raise MissingSetting(f"--child takes a case reference like {example}, and what was given does not look like "
                             "one: never use a child's name as a reference; look up the case reference first")
    db = existing_database(settings.database_url, command="export")
    try:
        actor = getpass.getuser() or "command line"
    except Exception:  # noqa: BLE001 - no login name (e.g. no USER and no passwd entry): say where it came from
        actor = "command line"
    now = datetime.now(timezone.utc)
    people = names_from_slack(settings, partnership)
    records = export.export_records(db, case_reference=child, start=start, end=end, zone=zone, agency_names=names,
                                    names=people, channel_names=agency_words(partnership)[1])
    query = {"child": child, "all": bool(args.all), "from": start.isoformat() if start else None,
             "to": end.isoformat() if end else None, "time_zone": str(zone), "format": form}
    text = export.to_csv(records) if form == "csv" else export.to_json(
        records, exported_at=now, exported_by=actor, partnership=organisation, query=query, zone=zone,
        names_note=people.note)
    if people.note:
        print(f"joinedup: note: {people.note}", file=sys.stderr)
    what = f" for {child}" if child else ""
    limits = [f"{word} {day}" for word, day in (("from", start), ("to", end)) if day]
    period = "".join(f" {limit}" for limit in limits)
    try:
        # Opened before the audit is written, so a file that cannot be written is refused with nothing recorded.
        # A CSV file starts with a byte-order mark so that spreadsheets read it as UTF-8.
        out = open(args.output, "w", encoding="utf-8-sig" if form == "csv" else "utf-8", newline="") \
            if args.output else None
    except OSError as error:
        raise MissingSetting(f"--output {args.output}: cannot write it ({error.strerror or error})") from None
    try:
        if records:
            detail = ", ".join([f"export {'--child' if child else '--all'}", form, *limits])
            export.record_exported(db, records, actor, detail, now)
        (out or sys.stdout).write(text)
    finally:
        if out:
            out.close()
        db.dispose()
    where = f" to {args.output}" if args.output else ""
    if not records:
        print(f"joinedup: no records{what}{period}: the export{where} is empty", file=sys.stderr)
    else:
        print(f"joinedup: exported {len(records)} record(s){what}{period} as {form}{where}; "
              "each export is in the records' audit trails", file=sys.stderr)
    return 0


def print_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.domain.clock import SystemClock
    from bot.reports.command import write_report

    return write_report(args, settings, _moment(args.at) if args.at else SystemClock().now())


def apply_retention(args: argparse.Namespace, settings: Settings) -> int:
    from bot.processes.executors import InlineExecutor
    from bot.services.audit import Surface

    from bot.domain.clock import SystemClock
    from bot.services.retention import RetentionService

    if args.dry_run:  # needs no Slack: nothing is changed
        days = load_partnership(settings.config_path).retention.keep_for_days
        db = existing_database(settings.database_url, command="retention")
        retention = RetentionService(db=db, clock=SystemClock(), outbox=None, keep_for=timedelta(days=days))
    else:
        settings.require("SLACK_BOT_TOKEN")
        existing_database(settings.database_url, command="retention").dispose()
        runtime = build_runtime(settings, work=InlineExecutor(), long_running=False, migrate=False)
        retention, days = runtime.services.retention, runtime.services.partnership.retention.keep_for_days
    expired = retention.expired(limit=100_000)
    for item in expired:
        print(f"{item.reference}  last activity {item.last_activity:%Y-%m-%d}")
        if not args.dry_run:
            runtime.services.outbox.deliver_soon(retention.purge(item.record_id, actor=_operator(), surface=Surface.CLI))
    verb = "would be removed" if args.dry_run else "removed"
    print(f"joinedup: {len(expired)} record(s) {verb} (retention period {days} days after last activity)")
    return 0


def _operator() -> str:
    import getpass

    try:
        return getpass.getuser()[:32]
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "command line"


def run_sweep(args: argparse.Namespace, settings: Settings) -> int:
    from bot.domain.clock import FixedClock, SystemClock
    from bot.processes.executors import InlineExecutor
    from bot.processes.sweep import sweeper_for

    settings.require("SLACK_BOT_TOKEN")
    _refuse_oauth_mode()
    clock = SystemClock() if not args.at else FixedClock(_moment(args.at))
    existing_database(settings.database_url, command="sweep").dispose()
    runtime = build_runtime(settings, clock=clock, work=InlineExecutor(), long_running=False, migrate=False)
    report = sweeper_for(runtime.services).run()
    print(f"joinedup: sweep at {clock.now().isoformat()}: {report}")
    return 0


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise MissingSetting(f"--at {text!r} is not an ISO 8601 moment: write it like 2026-11-23T09:00:00+00:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


if __name__ == "__main__":
    raise SystemExit(main())
