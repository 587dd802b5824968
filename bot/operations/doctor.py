"""`joinedup doctor`: is everything Joined Up needs in place? One line per check, "ok: …" or "problem: … fix: …".

It checks, and changes nothing: the configuration loads; the bot token works (auth.test) and was granted every bot
scope app_manifest.yml asks for (Slack names a token's scopes in the x-oauth-scopes header of every Web API
answer); each agency's channel exists and Joined Up is in it (conversations.info); every admin, lead and member is a
user in the workspace and not deactivated (users.info); the database answers and is at this version's schema.
"""
from __future__ import annotations

import logging
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, TextIO

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.domain.config import Partnership, Settings, check_partnership_file
from bot.domain.manifest import MANIFEST, ManifestError, read_bot_scopes
from bot.operations.preflight import head_revision, is_known, schema_revision, shown
from storage.db import Database, normalise_url

SCOPES_HEADER = "x-oauth-scopes"
INVITE = "type /invite @Joined Up in the channel"
TOKEN_PAGE = "your Slack app's OAuth & Permissions page"
MEMBER_ID = "their Slack profile → ⋮ → Copy member ID"


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    fix: str = ""

    def __str__(self) -> str:
        return f"ok: {self.what}" if self.ok else f"problem: {self.what}. fix: {self.fix}"


def diagnose(settings: Settings, *, config_path: str, manifest_path: Path = MANIFEST, out: TextIO) -> int:
    """Print a line per check; 0 if every check passed, 1 if any found a problem."""
    findings = problems = 0
    # Each check's line says what went wrong; slack_sdk's own log line about a failed request would only repeat it.
    sdk_log = logging.getLogger("slack_sdk.web.base_client")
    level = sdk_log.level
    sdk_log.setLevel(logging.CRITICAL)
    try:
        for finding in _checks(settings, config_path, manifest_path):
            print(finding, file=out, flush=True)
            findings += 1
            problems += not finding.ok
    finally:
        sdk_log.setLevel(level)
    if problems:
        print(f"joinedup doctor: {problems} of {findings} checks found a problem: fix each, then run "
              "joinedup doctor again", file=out)
        return 1
    print(f"joinedup doctor: all {findings} checks passed", file=out)
    return 0


def _checks(settings: Settings, config_path: str, manifest_path: Path) -> Iterator[Finding]:
    from bot.edge.client import slack_client

    partnership, finding = _configuration(config_path)
    yield finding
    slack: WebClient | None = None
    if not settings.bot_token:
        yield Finding(False, "SLACK_BOT_TOKEN is not set, so nothing in Slack could be checked",
                      f"set it to the Bot User OAuth Token (xoxb-…) from {TOKEN_PAGE}")
    else:
        slack = slack_client(settings.bot_token, settings.slack_api_url)
        answer, finding = _token(slack, settings.slack_api_url)
        yield finding
        if answer is None:
            slack = None
        else:
            yield _scopes(answer.headers, manifest_path)
    if slack is not None and partnership is not None:
        for agency in partnership.agencies:
            if agency.channel:  # an agency reached only by email has no channel to check
                yield _channel(slack, f"agencies[{agency.key}]", agency.name, agency.channel)
        yield from _people(slack, partnership)
    if partnership is not None and partnership.email is not None:
        yield _relay(partnership, settings)
    yield _database(settings.database_url)


def _relay(partnership: Partnership, settings: Settings) -> Finding:
    """The SMTP relay answers, takes STARTTLS and the login: nothing is sent."""
    from bot.email.relay import check_relay

    email = partnership.email
    assert email is not None
    problem = check_relay(email, username=settings.smtp_username, password=settings.smtp_password)
    where = f"the SMTP relay {email.server}:{email.port}"
    if problem is None:
        return Finding(True, f"{where} answers" + (" and accepts the login" if settings.smtp_username else ""))
    return Finding(False, f"{where}: {problem}", "check email.server and email.port, that the relay offers "
                                                  "STARTTLS, and JOINEDUP_SMTP_USERNAME and JOINEDUP_SMTP_PASSWORD")


# --- the configuration ------------------------------------------------------------------------------

def _configuration(path: str) -> tuple[Partnership | None, Finding]:
    partnership, problems = check_partnership_file(path)
    errors = [p for p in problems if not p.warning]
    if len(errors) == 1 and errors[0].key == str(Path(path)):  # the file itself: not there, not TOML, not readable
        what, _, fix = errors[0].message.partition(": ")
        return None, Finding(False, f"the configuration {path}: {what}; channels and people are checked once it "
                                    "loads", fix or "fix the file, then run joinedup check-config")
    if errors or partnership is None:
        return None, Finding(False, f"the configuration {path} has {len(errors)} error(s), the first "
                                    f"{errors[0]}; channels and people are checked once it loads",
                             f"run joinedup check-config --config {path} and fix each error it names")
    return partnership, Finding(True, f"the configuration {path} loads ({len(partnership.agencies)} agencies)")


# --- Slack ----------------------------------------------------------------------------------------

def _token(slack: WebClient, api_url: str | None) -> tuple[Any, Finding]:
    try:
        answer = slack.auth_test()
    except SlackApiError as error:
        return None, Finding(False, f"Slack refused SLACK_BOT_TOKEN ({error.response.get('error')})",
                             f"copy the Bot User OAuth Token (xoxb-…) again from {TOKEN_PAGE}; if the app was "
                             "removed from the workspace, install it again first")
    except OSError as error:
        return None, Finding(False, f"could not reach Slack at {api_url or 'https://slack.com/api/'} "
                                    f"({type(error).__name__}: {error})",
                             "check this machine's network and proxy, and SLACK_API_URL if it is set")
    return answer, Finding(True, f"SLACK_BOT_TOKEN works: Joined Up is @{answer.get('user')} "
                                 f"({answer.get('user_id')}) in {answer.get('team')} ({answer.get('team_id')})")


def _scopes(headers: Mapping[str, Any], manifest_path: Path) -> Finding:
    try:
        wanted = read_bot_scopes(manifest_path)
    except OSError as error:
        return Finding(False, f"the scopes could not be checked: {manifest_path} cannot be read "
                              f"({error.strerror or error})",
                       "run joinedup doctor from the folder Joined Up was installed from, or give --manifest FILE")
    except ManifestError as error:
        return Finding(False, f"the scopes could not be checked: {manifest_path}: {error}",
                       "restore oauth_config: scopes: bot: in the manifest from Joined Up's copy")
    header = next((value for name, value in headers.items() if name.lower() == SCOPES_HEADER), None)
    if header is None:
        return Finding(False, f"Slack's answer did not name the token's scopes (no {SCOPES_HEADER} header)",
                       "if SLACK_API_URL points at a proxy, let it pass Slack's response headers through")
    granted = {scope.strip() for scope in str(header).split(",") if scope.strip()}
    missing = [scope for scope in wanted if scope not in granted]
    if missing:
        return Finding(False, f"the token lacks {len(missing)} bot scope(s) that {manifest_path.name} asks for: "
                              f"{', '.join(missing)}",
                       f"add them under Bot Token Scopes on {TOKEN_PAGE} (or update the app from "
                       f"{manifest_path.name}), reinstall the app to the workspace, and set SLACK_BOT_TOKEN to the "
                       "token it then shows")
    return Finding(True, f"the token has every bot scope {manifest_path.name} asks for ({len(wanted)})")


def _channel(slack: WebClient, key: str, name: str, channel: str) -> Finding:
    where = f"{key} ({name}): channel {channel}"
    try:
        info = slack.conversations_info(channel=channel)["channel"]
    except SlackApiError as error:
        reason = error.response.get("error")
        if reason == "channel_not_found":
            return Finding(False, f"{where} was not found, or it is private and Joined Up is not in it",
                           f"if it is private, {INVITE}; if not, copy the channel's ID from its details in Slack "
                           f"into {key}.channel")
        if reason == "missing_scope":
            return Finding(False, f"{where} could not be checked: the token lacks channels:read and groups:read",
                           "give the token the scopes in app_manifest.yml (see the scopes line)")
        return Finding(False, f"{where} could not be checked: Slack said {reason}",
                       "run joinedup doctor again; if it persists, check Slack's status page")
    except OSError as error:
        return Finding(False, f"{where} could not be checked: Slack could not be reached ({type(error).__name__})",
                       "check this machine's network and proxy, then run joinedup doctor again")
    shown_as = f"{key} ({name}): #{info.get('name')} ({channel})"
    if info.get("is_archived"):
        return Finding(False, f"{shown_as} is archived", f"unarchive it in Slack, or give {key}.channel a live "
                                                         "channel's ID")
    if not info.get("is_member"):
        return Finding(False, f"{shown_as}: Joined Up is not a member of it", INVITE)
    private = "private" if info.get("is_private") else "public"
    return Finding(True, f"{shown_as} is a {private} channel and Joined Up is a member")


def _people(slack: WebClient, partnership: Partnership) -> Iterator[Finding]:
    """Every admin, lead and member once; a problem names every key the ID is under."""
    keys: dict[str, list[str]] = defaultdict(list)
    for index, user_id in enumerate(partnership.admins):
        keys[user_id].append(f"organisation.admins[{index}]")
    for agency in partnership.agencies:
        for field, ids in (("leads", agency.leads), ("members", agency.members)):
            for index, user_id in enumerate(ids):
                keys[user_id].append(f"agencies[{agency.key}].{field}[{index}]")
    active = 0
    for user_id, where in keys.items():
        named = " and ".join(where)
        try:
            user = slack.users_info(user=user_id)["user"]
        except SlackApiError as error:
            reason = error.response.get("error")
            if reason == "user_not_found":
                yield Finding(False, f"{named}: {user_id} is not a user in this Slack workspace",
                              f"put the person's member ID there ({MEMBER_ID})")
            else:
                yield Finding(False, f"{named}: {user_id} could not be checked: Slack said {reason}",
                              "give the token the users:read scope (see the scopes line)" if reason == "missing_scope"
                              else "run joinedup doctor again; if it persists, check Slack's status page")
            continue
        except OSError as error:
            yield Finding(False, f"{named}: {user_id} could not be checked: Slack could not be reached "
                                 f"({type(error).__name__})", "check this machine's network, then run joinedup doctor again")
            continue
        if user.get("deleted"):
            yield Finding(False, f"{named}: {user_id} ({_name(user)}) is deactivated in Slack",
                          f"remove them from {named}, or put their successor's member ID in their place")
        else:
            active += 1
    if active:
        yield Finding(True, f"{active} of {len(keys)} people named in the configuration (admins, leads, members) "
                            "are active users in the workspace")


def _name(user: Mapping[str, Any]) -> str:
    profile = user.get("profile") or {}
    return str(profile.get("real_name") or user.get("real_name") or user.get("name") or "no name")


# --- the database ---------------------------------------------------------------------------------

def _database(url: str) -> Finding:
    try:
        parsed = make_url(normalise_url(url))
    except (ArgumentError, ValueError):  # storage refuses a database it does not support with a ValueError
        return Finding(False, "DATABASE_URL is not a database URL Joined Up can use",
                       "write it like sqlite:///joinedup.db or postgresql://user:password@host/database")
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if not path or path == ":memory:" or not os.path.isfile(path):
            return Finding(False, f"the database {shown(url)} does not exist yet",
                           "check DATABASE_URL; for a new installation run joinedup migrate")
    db = None
    try:
        db = Database(url)
        revision = schema_revision(db)
    except (ArgumentError, SQLAlchemyError, ImportError) as error:
        original = getattr(error, "orig", None)
        reason = str(original or error).strip().splitlines()[0] if str(original or error).strip() else \
            type(error).__name__
        return Finding(False, f"the database {shown(url)} does not answer ({reason})",
                       "check DATABASE_URL, and that the database server is running and lets this machine in")
    finally:
        if db is not None:
            db.dispose()
    head = head_revision()
    if revision and not is_known(revision):
        return Finding(False, f"the database {shown(url)} is at schema revision {revision}, newer than this version "
                              f"of Joined Up knows ({head})", "run the version of Joined Up that migrated it")
    if revision != head:
        at = f"is at schema revision {revision}" if revision else "has no Joined Up schema (it was never migrated)"
        return Finding(False, f"the database {shown(url)} answers but {at}; this version of Joined Up needs {head}",
                       "run joinedup migrate (take a joinedup backup first)")
    return Finding(True, f"the database {shown(url)} answers and is at schema revision {head}, the latest")
