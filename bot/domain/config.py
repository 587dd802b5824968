"""The operator's contract: environment variables and one TOML file.

Nothing here reads the environment or the disk at import time; `Settings.from_env` and
`load_partnership` are called by the CLI, and tests build both directly.
"""
from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.config_reader import CHANNEL_ID, EXAMPLE_PLACEHOLDER_IDS, WEEKDAYS, SLACK_OPTION_TEXT_LIMIT, ConfigError, Problem, Reader
from bot.domain.digest_config import DigestSettings, read_digest
from bot.domain.agency_config import AGENCY_KEY, USER_ID, Agency, read_agencies
from bot.domain.email_config import EmailSettings, read_email
from bot.domain.glossary import Term, terms_from_config
from bot.domain.language_config import Languages, bilingual_list, read_languages, report_missing_welsh, \
    report_missing_welsh_terms, welsh_text
from bot.i18n import N_
from bot.i18n.catalog import catalogue

__all__ = ["AGENCY_KEY", "Agency", "USER_ID", "CHANNEL_ID", "WEEKDAYS", "ConfigError", "EXAMPLE_PLACEHOLDER_IDS", "Problem", "SLACK_OPTION_TEXT_LIMIT"]  # re-exported

DEFAULT_CONFIG_PATH = "./joinedup.toml"
DEFAULT_DATABASE_URL = "sqlite:///joinedup.db"
DEFAULT_CASE_REFERENCE_PATTERN = r"^[A-Z]{0,4}-?[0-9]{4,10}$"
# Shipped with their Welsh in the message catalogue, as the default emergency instructions are.
DEFAULT_PURPOSES = (
    N_("To keep the child safe from harm"),
    N_("To plan or review the child's care"),
    N_("To support the child's education"),
    N_("To support the child's health or wellbeing"),
    N_("To prevent or detect a crime affecting the child"),
)
DEFAULT_LAWFUL_BASES = (
    N_("Public task: statutory safeguarding duty (no consent sought)"),
    N_("Consent given by the young person or parent"),
    N_("Shared without consent to protect the child"),
    N_("Legal obligation or court order"),
)
HOLIDAY_REGIONS = ("England and Wales", "England", "Wales", "Scotland", "Northern Ireland")


class MissingSetting(Exception):
    """A required environment variable is not set."""


@dataclass(frozen=True)
class Settings:
    """Everything that comes from the environment."""

    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str | None = None
    port: int = 3000
    config_path: str = DEFAULT_CONFIG_PATH
    workers: int | None = None
    threads: int = 16
    # For an SMTP relay that asks for them ([email]); most relays on a council's network do not.
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def number(name: str, default: int | None) -> int | None:
            value = text(name)
            if value is None:
                return default
            if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 65535:
                raise MissingSetting(f"{name} must be a whole number from 1 to 65535 (it is {value!r})")
            return int(value)

        return cls(
            bot_token=text("SLACK_BOT_TOKEN"),
            signing_secret=text("SLACK_SIGNING_SECRET"),
            app_token=text("SLACK_APP_TOKEN"),
            database_url=text("DATABASE_URL") or DEFAULT_DATABASE_URL,
            slack_api_url=text("SLACK_API_URL"),
            port=number("PORT", 3000) or 3000,
            config_path=text("JOINEDUP_CONFIG") or DEFAULT_CONFIG_PATH,
            workers=number("JOINEDUP_WORKERS", None),
            threads=number("JOINEDUP_THREADS", 16) or 16,
            smtp_username=text("JOINEDUP_SMTP_USERNAME"),
            smtp_password=env.get("JOINEDUP_SMTP_PASSWORD") or None,
        )

    def require(self, *names: str) -> None:
        """Stop with one line naming the first missing credential."""
        attributes = {
            "SLACK_BOT_TOKEN": self.bot_token,
            "SLACK_SIGNING_SECRET": self.signing_secret,
            "SLACK_APP_TOKEN": self.app_token,
        }
        for name in names:
            if not attributes[name]:
                raise MissingSetting(f"{name} is not set: {_WHERE_TO_FIND[name]}")


_WHERE_TO_FIND = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from your Slack app's Basic Information page",
    "SLACK_APP_TOKEN": "create an app-level token (xapp-…) with connections:write on your Slack app's Basic Information page",
}


@dataclass(frozen=True)
class RiskLevel:
    key: str
    label: str
    definition: str
    urgent: bool = False


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(9, 0)
    end: time = time(17, 0)
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    holiday_region: str = "England and Wales"


@dataclass(frozen=True)
class Reminders:
    acknowledge_within_working_hours: float = 8.0
    escalate_after_working_hours: float = 8.0
    max_reminders: int = 3


@dataclass(frozen=True)
class Retention:
    keep_for_days: int = 2190


@dataclass(frozen=True)
class Partnership:
    """The partnership's configuration: organisation, agencies, vocabulary and timings."""

    name: str
    timezone: str = "Europe/London"
    admins: tuple[str, ...] = ()
    agencies: tuple[Agency, ...] = ()
    risk_levels: tuple[RiskLevel, ...] = ()
    purposes: tuple[str, ...] = DEFAULT_PURPOSES
    lawful_bases: tuple[str, ...] = DEFAULT_LAWFUL_BASES
    case_reference_pattern: str = DEFAULT_CASE_REFERENCE_PATTERN
    case_reference_example: str = "CR-12345"
    emergency_instructions: str = N_(
        "If a child is in immediate danger, call 999 now. For an urgent concern, phone the children's "
        "services duty team now. This record does not replace that call."
    )
    follow_up_working_days: int = 10
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    reminders: Reminders = field(default_factory=Reminders)
    retention: Retention = field(default_factory=Retention)
    glossary: tuple[Term, ...] = ()
    use_default_glossary: bool = True
    use_wales_glossary: bool = False  # the terms of the Welsh framework (bot/domain/wales_glossary.toml)
    check_identifiers: bool = True
    digest: DigestSettings | None = None
    email: EmailSettings | None = None
    languages: Languages = field(default_factory=Languages)

    def agency(self, key: str) -> Agency | None:
        return next((a for a in self.agencies if a.key == key), None)

    def risk_level(self, key: str) -> RiskLevel | None:
        return next((r for r in self.risk_levels if r.key == key), None)

    @property
    def case_reference_regex(self) -> re.Pattern[str]:
        return re.compile(self.case_reference_pattern)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_partnership(path: str | Path) -> Partnership:
    """Read and validate the TOML file; raise ConfigError naming every problem."""
    partnership, problems = check_partnership_file(path)
    errors = [p for p in problems if not p.warning]
    if errors or partnership is None:
        raise ConfigError(errors)
    return partnership


def check_partnership_file(path: str | Path) -> tuple[Partnership | None, list[Problem]]:
    path = Path(path)
    if not path.is_file():
        return None, [Problem(str(path), "file not found: copy joinedup.example.toml to this path and edit it, "
                                        "or set JOINEDUP_CONFIG to your file")]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        return None, [Problem(str(path), f"not valid TOML ({error}): fix the syntax at that line")]
    except UnicodeDecodeError:
        return None, [Problem(str(path), "not UTF-8 text: save the file as UTF-8")]
    except OSError as error:
        return None, [Problem(str(path), f"cannot be read ({error.strerror or error}): check the file's permissions")]
    return parse_partnership(data)


def parse_partnership(data: Mapping[str, Any]) -> tuple[Partnership | None, list[Problem]]:
    reader = _Reader()
    partnership = reader.partnership(data)
    return (None if reader.has_errors else partnership), reader.problems


class _Reader(Reader):
    """The partnership's own sections."""

    def partnership(self, data: Mapping[str, Any]) -> Partnership:
        top_level = {"organisation", "agencies", "risk_levels", "purposes", "lawful_bases", "working_hours",
                     "reminders", "retention", "glossary", "digest", "email", "translations"}
        for unknown in sorted(set(data) - top_level):
            self.error(unknown, f"unknown section: remove it or check the spelling (known: {', '.join(sorted(top_level))})")
        org = self.table(data, "organisation", {
            "name", "timezone", "admins", "emergency_instructions", "case_reference_pattern",
            "case_reference_example", "follow_up_working_days", "use_default_glossary", "check_identifiers",
            "language", "bilingual", "emergency_instructions_cy", "use_wales_glossary"})
        if "organisation" not in data:
            self.error("organisation", 'missing: add an [organisation] table with at least name = "…"')
        timezone = self.text(org, "timezone", "organisation.timezone", default="Europe/London")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.error("organisation.timezone", f"{timezone!r} is not a time zone: use an IANA name such as \"Europe/London\"")
            timezone = "Europe/London"
        pattern = self.text(org, "case_reference_pattern", "organisation.case_reference_pattern",
                            default=DEFAULT_CASE_REFERENCE_PATTERN)
        try:
            re.compile(pattern)
        except re.error as error:
            self.error("organisation.case_reference_pattern", f"is not a valid regular expression ({error}): fix it or remove the key to use the default")
            pattern = DEFAULT_CASE_REFERENCE_PATTERN
        example = self.text(org, "case_reference_example", "organisation.case_reference_example", default="CR-12345")
        if not re.fullmatch(pattern, example):
            self.error("organisation.case_reference_example", f"{example!r} does not match case_reference_pattern: give an example that does")
        use_defaults = self.switch(org, "use_default_glossary", "organisation.use_default_glossary")
        check_identifiers = self.switch(org, "check_identifiers", "organisation.check_identifiers")
        email = read_email(self, data)
        languages = read_languages(self, org, data)
        purposes, welsh_purposes = bilingual_list(self, data, "purposes", DEFAULT_PURPOSES)
        lawful_bases, welsh_bases = bilingual_list(self, data, "lawful_bases", DEFAULT_LAWFUL_BASES)
        risk_levels, welsh_levels = self.risk_levels(data.get("risk_levels"))
        emergency = self.text(org, "emergency_instructions", "organisation.emergency_instructions",
                              default=Partnership.emergency_instructions)
        welsh = {**welsh_purposes, **welsh_bases, **welsh_levels}
        if (emergency_cy := welsh_text(self, org, "emergency_instructions_cy",
                                       "organisation.emergency_instructions_cy")) is not None:
            welsh[emergency] = emergency_cy
        languages = dataclasses.replace(languages, welsh=welsh)
        glossary, problems = terms_from_config(data.get("glossary", []))
        for problem in problems:
            key, _, message = problem.partition(": ")
            self.error(key, message)
        return self.in_welsh(org, data.get("glossary"), Partnership(
            name=self.text(org, "name", "organisation.name", required=True),
            timezone=timezone,
            admins=self.id_list(org, "admins", "organisation.admins", USER_ID, "user"),
            agencies=read_agencies(self, data.get("agencies"), email, "email" in data, languages.channel_default),
            risk_levels=risk_levels,
            purposes=purposes,
            lawful_bases=lawful_bases,
            case_reference_pattern=pattern,
            case_reference_example=example,
            emergency_instructions=emergency,
            follow_up_working_days=int(self.whole_number(org, "follow_up_working_days",
                                                         "organisation.follow_up_working_days", 10, minimum=1)),
            working_hours=self.working_hours(data),
            reminders=self.reminders(data),
            retention=Retention(int(self.whole_number(self.table(data, "retention", {"keep_for_days"}),
                                                      "keep_for_days", "retention.keep_for_days", 2190, minimum=30))),
            glossary=tuple(glossary),
            use_default_glossary=use_defaults,
            check_identifiers=check_identifiers,
            digest=read_digest(self, data),
            email=email,
            languages=languages,
        ))

    def in_welsh(self, org: Mapping[str, Any], glossary: Any, partnership: Partnership) -> Partnership:
        """Whether anyone reads Welsh (an agency's channel may, where the partnership's default is English); if so,
        the Wales glossary by default, and a warning for each of the partnership's texts without its Welsh."""
        languages = dataclasses.replace(partnership.languages, channels_in_welsh=any(
            agency.language != "en" for agency in partnership.agencies))
        use_wales = self.switch(org, "use_wales_glossary", "organisation.use_wales_glossary",
                                languages.works_in_welsh)
        self.missing_welsh(languages, partnership)
        report_missing_welsh_terms(self, languages, glossary)
        return dataclasses.replace(partnership, languages=languages, use_wales_glossary=use_wales)

    def missing_welsh(self, languages: Languages, partnership: Partnership) -> None:
        shipped = catalogue("cy")
        wanted = [(f"purposes[{i}]", text) for i, text in enumerate(partnership.purposes)]
        wanted += [(f"lawful_bases[{i}]", text) for i, text in enumerate(partnership.lawful_bases)]
        for i, level in enumerate(partnership.risk_levels):
            wanted += [(f"risk_levels[{i}].label", level.label), (f"risk_levels[{i}].definition", level.definition)]
        wanted.append(("organisation.emergency_instructions", partnership.emergency_instructions))
        report_missing_welsh(self, languages, wanted,
                             {text: shipped.gettext(text) for _key, text in wanted if shipped.gettext(text) != text})

    def risk_levels(self, value: Any) -> tuple[tuple[RiskLevel, ...], dict[str, str]]:
        if not isinstance(value, list) or not value:
            self.error("risk_levels", "missing: add at least one [[risk_levels]] table with key, label and definition")
            return (), {}
        levels, welsh = [], {}
        for index, entry in enumerate(value):
            path = f"risk_levels[{index}]"
            if not isinstance(entry, dict):
                self.error(path, "must be a table: write it as [[risk_levels]]")
                continue
            for unknown in sorted(set(entry) - {"key", "label", "definition", "urgent", "label_cy", "definition_cy"}):
                self.error(f"{path}.{unknown}", "unknown key: the keys are key, label, definition, urgent, label_cy "
                                                "and definition_cy")
            definition = entry.get("definition")
            if definition is None or (isinstance(definition, str) and not definition.strip()):
                self.warn(f"{path}.definition", "this risk level has no definition: every agency must read it the same "
                                                'way, so add definition = "…" agreed by the partnership')
                definition = ""
            elif not isinstance(definition, str):
                self.error(f"{path}.definition", 'must be text in quotes, e.g. definition = "…"')
                definition = ""
            urgent = entry.get("urgent", False)
            if not isinstance(urgent, bool):
                self.error(f"{path}.urgent", "must be true or false")
                urgent = False
            level = RiskLevel(
                key=self.text(entry, "key", f"{path}.key", required=True, limit=40),
                label=self.text(entry, "label", f"{path}.label", required=True, limit=SLACK_OPTION_TEXT_LIMIT),
                definition=definition.strip(),
                urgent=urgent,
            )
            levels.append(level)
            for english, key, limit in ((level.label, "label_cy", SLACK_OPTION_TEXT_LIMIT),
                                        (level.definition, "definition_cy", None)):
                if english and (text := welsh_text(self, entry, key, f"{path}.{key}", limit=limit)) is not None:
                    welsh[english] = text
        self.unique([r.key for r in levels], "risk_levels", "key")
        return tuple(levels), welsh

    def working_hours(self, data: Mapping[str, Any]) -> WorkingHours:
        section = self.table(data, "working_hours", {"start", "end", "days", "holiday_region"})
        start = self.clock_time(section, "start", "working_hours.start", time(9, 0))
        end = self.clock_time(section, "end", "working_hours.end", time(17, 0))
        if start >= end:
            self.error("working_hours.end", "must be later than working_hours.start")
        days = section.get("days", list(WEEKDAYS[:5]))
        if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
            self.error("working_hours.days", f'must be a list of days from {", ".join(WEEKDAYS)}, e.g. days = ["Mon", "Tue"]')
            days = list(WEEKDAYS[:5])
        region = section.get("holiday_region", "England and Wales")
        if region not in HOLIDAY_REGIONS:
            self.error("working_hours.holiday_region", f"{region!r} is not a region: use one of {', '.join(HOLIDAY_REGIONS)}")
            region = "England and Wales"
        return WorkingHours(start=start, end=end, days=tuple(sorted(WEEKDAYS.index(d) for d in set(days))),
                            holiday_region=region)

    def reminders(self, data: Mapping[str, Any]) -> Reminders:
        section = self.table(data, "reminders", {"acknowledge_within_working_hours", "escalate_after_working_hours",
                                                 "max_reminders"})
        return Reminders(
            acknowledge_within_working_hours=self.whole_number(
                section, "acknowledge_within_working_hours", "reminders.acknowledge_within_working_hours", 8, minimum=0.25),
            escalate_after_working_hours=self.whole_number(
                section, "escalate_after_working_hours", "reminders.escalate_after_working_hours", 8, minimum=0.25),
            max_reminders=int(self.whole_number(section, "max_reminders", "reminders.max_reminders", 3, minimum=1)),
        )
