"""The weekly digest as Block Kit: the week's figures for the partnership and each agency, each beside the
average of the four weeks before, and the agency slowest to acknowledge.

Pure: it is given the figures (bot/reports/digest.py works them out) and returns (text, blocks) within Slack's
limits, 50 blocks a message and 3,000 characters a section. A trend is said in words and an arrow, never by
colour alone. A partnership with many agencies shows the first MOST_AGENCIES and says how many more there are.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.blocks.text import context, divider, escape, header, line_sections, section, slack_date
from bot.i18n import _, ngettext
from bot.i18n.dates import day_text

MOST_BLOCKS = 50
MOST_AGENCIES = 25  # one line each: a partnership with more is folded to a count and a pointer to the full report
WEEKS_BEFORE = 4  # the trend is against the average of this many weeks before


@dataclass(frozen=True)
class Row:
    """One week's figures for the partnership or one agency. None: nothing to measure (no time, no rate)."""
    name: str
    shared: float = 0  # records shared (by the agency's sharers)
    acknowledged: float = 0  # posts acknowledged (by the receiving agency)
    within_target: float = 0  # of those, acknowledged within the target
    median_hours: float | None = None  # working hours to acknowledge
    p90_hours: float | None = None
    outcome_rate: float | None = None  # records with an outcome for the child, of records shared, 0..1
    overdue_now: float = 0  # acknowledgements overdue at the digest's moment
    challenges: float = 0  # challenges raised


@dataclass(frozen=True)
class DigestFigures:
    partnership: str
    first: date  # the Monday of the week covered
    last: date  # its Sunday
    moment: datetime  # when the digest is due: the "now" of the overdue figures
    target_hours: float
    total: Row
    total_before: Row  # the average of the WEEKS_BEFORE weeks before
    agencies: tuple[tuple[Row, Row], ...]  # (this week, the average before), in the configured order


def average(rows: list[Row], name: str) -> Row:
    """The weeks' average: counts over every week, times and rates over the weeks that had one."""
    def mean(values: list[float | None], *, every_week: bool) -> float | None:
        known = [v for v in values if v is not None]
        if every_week:
            return sum(known) / len(rows) if rows else None
        return sum(known) / len(known) if known else None

    counts = ("shared", "acknowledged", "within_target", "overdue_now", "challenges")
    measures = ("median_hours", "p90_hours", "outcome_rate")
    return Row(name, **{f: mean([getattr(r, f) for r in rows], every_week=True) or 0 for f in counts},
               **{f: mean([getattr(r, f) for r in rows], every_week=False) for f in measures})


def _count(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _hours(value: float | None) -> str:
    return "–" if value is None else _("{hours} h", hours=format(value, ",.1f"))


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def trend(now: float | None, before: float | None, shown: Any, *, close: float) -> str:
    """This week against the average before, in words: "up from 3.5", "down from 40%", "about the same"."""
    if now is None or before is None:
        return _("no earlier average") if now is not None else ""
    if abs(now - before) < close:
        return _("about the same as the {weeks}-week average ({value})", weeks=WEEKS_BEFORE, value=shown(before))
    if now > before:
        return _("↑ up from a {weeks}-week average of {value}", weeks=WEEKS_BEFORE, value=shown(before))
    return _("↓ down from a {weeks}-week average of {value}", weeks=WEEKS_BEFORE, value=shown(before))


def _with_trend(label: str, value: str, words: str) -> str:
    return f"• {label}: *{value}*" + (f" ({words})" if words else "")


def total_lines(week: Row, before: Row, target_hours: float) -> list[str]:
    return [
        _with_trend(_("Records shared"), _count(week.shared), trend(week.shared, before.shared, _count, close=0.5)),
        _with_trend(_("Posts acknowledged"), _count(week.acknowledged),
                    trend(week.acknowledged, before.acknowledged, _count, close=0.5)),
        _with_trend(_("Acknowledged within the {target}-working-hour target", target=format(target_hours, "g")),
                    _count(week.within_target),
                    trend(week.within_target, before.within_target, _count, close=0.5)),
        _with_trend(_("Time to acknowledge, median"), _hours(week.median_hours),
                    trend(week.median_hours, before.median_hours, _hours, close=0.05)),
        _with_trend(_("Time to acknowledge, 90th percentile"), _hours(week.p90_hours),
                    trend(week.p90_hours, before.p90_hours, _hours, close=0.05)),
        _with_trend(_("Outcome rate (records with an outcome for the child)"), _rate(week.outcome_rate),
                    trend(week.outcome_rate, before.outcome_rate, _rate, close=0.005)),
        _with_trend(_("Acknowledgements overdue now"), _count(week.overdue_now), ""),
        _with_trend(_("Challenges raised"), _count(week.challenges),
                    trend(week.challenges, before.challenges, _count, close=0.5)),
    ]


def agency_line(week: Row, before: Row) -> str:
    """One agency in one line: the week's figures, and its time to acknowledge against its own average."""
    speed = trend(week.median_hours, before.median_hours, _hours, close=0.05)
    challenges = ngettext("{count} challenge", "{count} challenges", 1 if week.challenges == 1 else
                          int(week.challenges) if float(week.challenges).is_integer() else 5,
                          count=_count(week.challenges))
    return _("• *{agency}*: {shared} shared · {acknowledged} acknowledged ({within} within target) · median {median}, "
             "90th percentile {p90}{speed} · outcomes {rate} · {overdue} overdue now · {challenges}",
             agency=escape(week.name), shared=_count(week.shared), acknowledged=_count(week.acknowledged),
             within=_count(week.within_target), median=_hours(week.median_hours), p90=_hours(week.p90_hours),
             speed=" (" + speed + ")" if speed else "", rate=_rate(week.outcome_rate), overdue=_count(week.overdue_now),
             challenges=challenges)


def slowest(figures: DigestFigures) -> str:
    timed = [(week.median_hours, week.name) for week, _ in figures.agencies if week.median_hours is not None]
    if not timed:
        return _("*Slowest to acknowledge:* no agency acknowledged a post shared this week.")
    hours = max(hours for hours, _ in timed)
    names = [escape(name) for h, name in timed if h == hours]
    return _("*Slowest to acknowledge:* {agencies}, a median of {hours} (the target is {target} working hours).",
             agencies=names[0] if len(names) == 1 else _("{names} and {last}", names=", ".join(names[:-1]),
                                                           last=names[-1]),
             hours=_hours(hours), target=format(figures.target_hours, "g"))


def digest_text(figures: DigestFigures) -> str:
    """The notification line: which week, and nothing else."""
    return _("Weekly digest of partnership figures: the week beginning {day}",
             day=day_text(figures.first, figures.first.strftime("%-d %b %Y")))


def digest_blocks(figures: DigestFigures) -> tuple[str, list[dict[str, Any]]]:
    period = _("{first} to {last}", first=day_text(figures.first, figures.first.strftime("%-d %b")),
               last=day_text(figures.last, figures.last.strftime("%-d %b %Y")))
    blocks: list[dict[str, Any]] = [header(_("Weekly digest: {period}", period=period))]
    blocks += line_sections(_("{partnership}: the whole partnership", partnership=escape(figures.partnership)),
                            total_lines(figures.total, figures.total_before, figures.target_hours))
    blocks.append(section(slowest(figures)))
    shown, folded = figures.agencies[:MOST_AGENCIES], len(figures.agencies) - MOST_AGENCIES
    if shown:
        blocks.append(divider())
        blocks += line_sections(_("By agency"), [agency_line(week, before) for week, before in shown])
    if folded > 0:
        blocks.append(context(_("…and {more} more agencies: `/joinedup report {first}..{last}` shows every agency.",
                                more=folded, first=figures.first.isoformat(), last=figures.last.isoformat())))
    note = context(_("Trends compare the week with the average of the {weeks} weeks before it, as their figures "
                     "stand now. Times are working hours from sharing. “Overdue now” is as at {when}. Each figure's "
                     "definition: docs/admin-guide.md, “Partnership figures”.", weeks=WEEKS_BEFORE,
                     when=slack_date(figures.moment)))
    blocks = blocks[:MOST_BLOCKS - 1] + [note]
    return digest_text(figures), blocks
