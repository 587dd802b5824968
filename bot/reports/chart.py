"""The weekly digest's chart: time to acknowledge and outcome rate, by agency, over the weeks.

`weekly_chart` is a pure function of the figures and the language of the moment: the same figures give the same
PNG bytes (a fixed size and resolution, matplotlib's bundled font, no software name or timestamp in the file), and
it returns the text a screen reader reads in place of the picture. It draws on matplotlib's Agg canvas without
pyplot, whose global state is not safe to share between threads. `chart_figures` takes its figures from one report
a week (the reports `joinedup report --format csv --by week` writes), so every number drawn is in that CSV.

Everything drawn and said is in the language of the moment (bot/i18n): in the coordination channel's language for
the digest. Bilingual, a label is "Welsh / English" where it is short, Welsh above English otherwise, and the alt
text is the Welsh then the English, shortened alike where both would not fit.
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from babel.dates import format_date

from bot.i18n import N_, WELSH, _, each_language, in_each_language, language, ngettext
from bot.i18n.dates import day_text

if TYPE_CHECKING:
    from bot.domain.config import Partnership
    from bot.reports.service import Report

T = TypeVar("T")
WIDTH_INCHES, HEIGHT_INCHES, DPI = 10.0, 8.0, 120  # 1200 × 960 pixels
# Okabe and Ito's colours, told apart with the common colour-vision deficiencies (their yellow is left out: it is
# too faint on white). Each agency also has its own marker and line style, so nothing rests on colour alone.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINE_STYLES = ("-", "--", "-.", ":")
# Slack refuses a longer alt_txt (alt_txt_too_large).
# https://docs.slack.dev/reference/methods/files.getUploadURLExternal
ALT_TEXT_LIMIT = 1000
MOST_WEEK_LABELS = 12
TITLE = N_("Acknowledgements and outcomes, by agency, week by week")
ACK_PANEL = N_("Time to acknowledge (median, in working hours)")
OUTCOME_PANEL = N_("Records with an outcome for the child (% of records shared)")
NO_DATA = N_("No figures for these weeks: nothing was shared, acknowledged or followed up.")
NOTHING = N_("Nothing was shared, acknowledged or followed up.")


@dataclass(frozen=True)
class AgencyWeeks:
    """One agency's figures, one value for each week charted; None where there was nothing to measure."""
    agency: str  # the agency's name, as the legend and the alt text show it
    ack_hours: Sequence[float | None]  # median working hours from sharing to acknowledgement
    outcome_rate: Sequence[float | None]  # share of the records shared with an outcome for the child, 0..1


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt_text: str  # what a screen reader says instead of the picture; at most ALT_TEXT_LIMIT characters
    width: int  # pixels
    height: int


def weekly_chart(weeks: Sequence[date], agencies: Sequence[AgencyWeeks], *, target_hours: float | None = None,
                 title: str | None = None) -> Chart:
    """Two panels over the same weeks (each given by its first day): time to acknowledge by agency, with the
    partnership's target if given, and outcome rate by agency. Without any figure, a chart that says so. The title
    is TITLE in the reader's language unless given."""
    _check(weeks, agencies)
    has_data = bool(weeks) and any(v is not None for a in agencies for v in (*a.ack_hours, *a.outcome_rate))
    drawn = _(TITLE) if title is None else title
    png = _draw(weeks, agencies, target_hours, drawn) if has_data else _draw_nothing(drawn)
    alt_text = (_alt_text(weeks, agencies, title) if has_data
                else _fitted(in_each_language(lambda: [f"{_(TITLE) if title is None else title}. {_(NO_DATA)}"])))
    return Chart(png, alt_text, round(WIDTH_INCHES * DPI), round(HEIGHT_INCHES * DPI))


def digest_comment(weeks: int, last: date) -> str:
    """What the weekly digest says as it shares its chart, charting `weeks` weeks to `last`."""
    return each_language(lambda: ngettext(
        "Acknowledgements and outcomes by agency over the {n} week to {day}, for the weekly digest above. The "
        "image's description says the same in words.",
        "Acknowledgements and outcomes by agency over the {n} weeks to {day}, for the weekly digest above. The "
        "image's description says the same in words.", weeks, day=day_text(last, f"{last:%-d %b %Y}")))


def digest_title(name: str) -> str:
    """The chart's file title, with the week's ISO name (2026-W49) as it is."""
    title = _("Weekly digest chart")
    return f"{title}, {name}"


def chart_figures(reports: Sequence[Report], partnership: Partnership) -> tuple[list[date], list[AgencyWeeks]]:
    """Each week (one report a week, in order) by its first day, and each configured agency's figures for it: the
    median working hours to acknowledge (working_hours_to_acknowledge_median) and the outcome rate
    (records_with_outcome ÷ records_shared, both by the sharer's agency; None when it shared nothing)."""
    weeks = [report.period.start.astimezone(partnership.zone).date() for report in reports]
    agencies = []
    for agency in partnership.agencies:
        rates = []
        for report in reports:
            shared = report.get("records_shared", agency.key) or 0
            rates.append((report.get("records_with_outcome", agency.key) or 0) / shared if shared else None)
        hours = [r.get("working_hours_to_acknowledge_median", agency.key) for r in reports]
        # To the hundredth, as the CSV writes it, so that the CSV's numbers are the chart's exactly.
        agencies.append(AgencyWeeks(agency.name, [None if h is None else round(h, 2) for h in hours], rates))
    return weeks, agencies


def _check(weeks: Sequence[date], agencies: Sequence[AgencyWeeks]) -> None:
    for a in agencies:
        if len(a.ack_hours) != len(weeks) or len(a.outcome_rate) != len(weeks):
            raise ValueError(f"{a.agency}: one value a week is needed ({len(weeks)} weeks)")
        if any(v is not None and not (math.isfinite(v) and v >= 0) for v in a.ack_hours):
            raise ValueError(f"{a.agency}: hours to acknowledge are a number of hours, 0 or more")
        if any(v is not None and not (math.isfinite(v) and 0 <= v <= 1) for v in a.outcome_rate):
            raise ValueError(f"{a.agency}: an outcome rate is a share between 0 and 1")


def _figure(title: str):  # -> matplotlib.figure.Figure
    # matplotlib is imported here, when a chart is drawn, so that starting Joined Up does not wait for it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained", facecolor="white")
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=16, fontweight="bold")
    return figure


def _png(figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return out.getvalue()


def _draw_nothing(title: str) -> bytes:
    figure = _figure(title)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.text(0.5, 0.55, _("No data"), ha="center", va="bottom", fontsize=24, fontweight="bold",
              transform=axes.transAxes)
    axes.text(0.5, 0.5, _(NOTHING), ha="center", va="top", fontsize=16, transform=axes.transAxes)
    return _png(figure)


def _draw(weeks: Sequence[date], agencies: Sequence[AgencyWeeks], target_hours: float | None, title: str) -> bytes:
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    figure = _figure(title)
    hours, outcomes = figure.subplots(2, 1, sharex=True)
    x = list(range(len(weeks)))
    for i, agency in enumerate(agencies):
        style = {"color": PALETTE[i % len(PALETTE)], "marker": MARKERS[i % len(MARKERS)],
                 "linestyle": LINE_STYLES[(i // len(PALETTE)) % len(LINE_STYLES)], "linewidth": 2.2,
                 "markersize": 7, "label": agency.agency, "clip_on": False}  # a 0 or a 100% stays whole
        hours.plot(x, [math.nan if v is None else v for v in agency.ack_hours], **style)
        outcomes.plot(x, [math.nan if v is None else 100 * v for v in agency.outcome_rate], **style)
    if target_hours is not None:
        hours.axhline(target_hours, color="#444444", linestyle=(0, (1, 3)), linewidth=1.6)
        hours.annotate(_("Target: {hours} h", hours=_number(target_hours)), (1, target_hours),
                       xycoords=("axes fraction", "data"), xytext=(-4, 4), textcoords="offset points", ha="right",
                       fontsize=11, color="#444444", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    hours.set_ylim(bottom=0)
    hours.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=False, min_n_ticks=3))
    hours.set_ylabel(_stacked(lambda: _("Working hours")), fontsize=12)
    outcomes.set_ylim(0, 100)
    outcomes.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    outcomes.set_ylabel(_stacked(lambda: _("Outcome rate")), fontsize=12)
    for axes, heading in ((hours, ACK_PANEL), (outcomes, OUTCOME_PANEL)):
        axes.set_title(_(heading), loc="left", fontsize=13)
        axes.grid(axis="y", color="#d9d9d9", linewidth=0.8)
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(labelsize=11)
    step = math.ceil(len(weeks) / MOST_WEEK_LABELS)
    outcomes.set_xticks(x, [_week(d, weeks) if i % step == 0 else "" for i, d in enumerate(weeks)])
    outcomes.set_xlim(-0.5, len(weeks) - 0.5)
    years = sorted({d.year for d in weeks})
    outcomes.set_xlabel(_("Week beginning ({year})", year=years[0]) if len(years) == 1 else _("Week beginning"),
                        fontsize=12)
    handles, labels = hours.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4), fontsize=12,
                  frameon=False)
    return _png(figure)


def _stacked(build: Callable[[], str]) -> str:
    """A drawn label with no room for both languages on one line: Welsh above English (once where the same)."""
    return "\n".join(dict.fromkeys(in_each_language(build)))


def _week(day: date, weeks: Sequence[date]) -> str:
    """A week's tick label: its first day, with the month in the reader's language, and its year where the chart
    spans two."""
    shown = _stacked(lambda: format_date(day, "d MMM", locale=WELSH) if language() == WELSH
                     else f"{day.day} {day:%b}")
    return shown if len({d.year for d in weeks}) == 1 else f"{shown}\n{day.year}"


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _long_day(day: date) -> str:
    """e.g. "30 November 2026", "30 Tachwedd 2026"."""
    return format_date(day, "d MMMM y", locale=WELSH) if language() == WELSH else f"{day.day} {day:%B %Y}"


def _alt_text(weeks: Sequence[date], agencies: Sequence[AgencyWeeks], title: str | None) -> str:
    """The chart in words in each of the reader's languages: what it shows, and each agency's figures in the last
    week charted."""
    return _fitted(in_each_language(lambda: _alt_texts(weeks, agencies, _(TITLE) if title is None else title)))


def _fitted(ladders: list[list[str]]) -> str:
    """The fullest wording (one ladder a language, fullest first) within ALT_TEXT_LIMIT: bilingual, the Welsh then
    the English, both shortened alike; where even their shortest will not fit together, the Welsh alone."""
    for texts in zip(*ladders):
        text = "\n".join(dict.fromkeys(texts))
        if len(text) <= ALT_TEXT_LIMIT:
            return text
    for text in ladders[0]:
        if len(text) <= ALT_TEXT_LIMIT:
            return text
    return ladders[0][-1][:ALT_TEXT_LIMIT]


def _alt_texts(weeks: Sequence[date], agencies: Sequence[AgencyWeeks], title: str) -> list[str]:
    """The chart in words, fullest first: each agency's figures in full, then in short, then as many agencies as
    there are room for and how many more."""
    last = _long_day(weeks[-1])
    span = (ngettext("{title}: two line charts over the {n} week beginning {first} to {last}.",
                     "{title}: two line charts over the {n} weeks beginning {first} to {last}.", len(weeks),
                     title=title, first=_long_day(weeks[0]), last=last) if len(weeks) > 1
            else _("{title}: two line charts over the week beginning {last}.", title=title, last=last))
    opening = " ".join([span, _("Top: median working hours to acknowledge, by agency. Bottom: percentage of "
                                "records with an outcome for the child, by agency."),
                        _("In the week beginning {last}:", last=last)]) + " "
    hours, rates = [a.ack_hours[-1] for a in agencies], [a.outcome_rate[-1] for a in agencies]
    long = [f"{a.agency} {_hours(h)}, {_rate(r)}" for a, h, r in zip(agencies, hours, rates)]
    short = [f"{a.agency} {_short_hours(h)}/{_short_rate(r)}" for a, h, r in zip(agencies, hours, rates)]
    timed = [(h, a.agency) for a, h in zip(agencies, hours) if h is not None]
    closing = (". " + _("Slowest to acknowledge: {agency}.", agency=max(timed, key=lambda t: t[0])[1]) if timed
               else ".")
    texts = [opening + "; ".join(parts) + closing for parts in (long, short)]
    for shown in range(len(short) - 1, 0, -1):  # too many agencies even so: as many as fit, and how many more
        more = ngettext("and {n} more agency", "and {n} more agencies", len(short) - shown)
        texts.append(opening + "; ".join(short[:shown]) + f"; {more}" + closing)
    return texts


def _hours(value: float | None) -> str:
    if value is None:
        return _("nothing acknowledged")
    shown = _number(value)
    # A whole number chooses its plural form; a fraction takes the "other" form, as 4 does in English and Welsh.
    return ngettext("{hours} working hour to acknowledge", "{hours} working hours to acknowledge",
                    int(shown) if shown.isdigit() else 4, hours=shown)


def _short_hours(value: float | None) -> str:
    return _("none") if value is None else _("{hours} h", hours=_number(value))


def _short_rate(value: float | None) -> str:
    return _("none") if value is None else format(value, ".0%")


def _rate(value: float | None) -> str:
    return _("no records to follow up") if value is None else _("{rate} with an outcome", rate=format(value, ".0%"))
