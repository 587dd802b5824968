"""`python -m bot.demo.pictures OUTDIR`: pictures of what each person sees, from Joined Up's real output.

It runs the demo (the real app behind a real HTTP server, Slack played by the stand-in, both on 127.0.0.1) step by
step, keeps the Block Kit that Joined Up really sent at the key moments, renders each as an HTML page laid out like
Slack (bot/demo/slack_page.py: an approximation, said so in the index) and photographs it with headless Chromium
into OUTDIR/NN-name.png, with OUTDIR/index.md saying who sees each picture, and when.
"""
from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.blocks.ids import Action
from bot.demo import script
from bot.demo.sample import CHANNEL_MEMBERS, EDUCATION, LEE, SAM, TIA, Person
from bot.demo.slack_html import Look
from bot.demo.slack_page import APP_NAME, Frame, Shown, home_page, message_page, modal_page
from bot.demo.stage import DemoContext, DemoError, demo_moment, demo_world, reply_json
from bot.standin.signed_requests import Reply, SlackSender, find_action

WIDTH = 900  # pixels: the window's width; its height is the page's own, so nothing is cut off
MIN_HEIGHT, MAX_HEIGHT = 400, 4000
CHROMIUM = ("chromium", "chromium-browser")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                  "--force-device-scale-factor=1")
# The pictures show one fixed day, so that generating them again changes nothing that has not changed.
PICTURE_DAY = datetime(2026, 11, 24)
# Added only to the copy that is measured: the page's height, written into the DOM that --dump-dom prints.
_MEASURE = ("<script>document.body.setAttribute('data-height', "
            "String(Math.ceil(document.body.getBoundingClientRect().bottom)));</script>")
_HEIGHT = re.compile(r'data-height="(\d+)"')
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class PictureError(Exception):
    """Chromium could not photograph a page; the message says why."""


@dataclass(frozen=True)
class Picture:
    name: str  # the file's stem, e.g. "01-record-form"
    title: str
    who: str
    when: str
    html: str


@dataclass
class _Seen:
    """What the demo's steps sent to Joined Up, with its answers: the submissions and the buttons pressed."""

    submissions: list[tuple[dict[str, Any], dict[str, Any], Reply]] = field(default_factory=list)
    clicks: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)


def _watch(sender: SlackSender) -> _Seen:
    seen = _Seen()
    submit, click = sender.submit, sender.click

    def submitted(view: dict[str, Any], values: dict[str, Any], **kw: Any) -> Reply:
        reply = submit(view, values, **kw)
        seen.submissions.append((view, values, reply))
        return reply

    def clicked(message: dict[str, Any], action: dict[str, Any], **kw: Any) -> Reply:
        seen.clicks.append((message, action))
        return click(message, action, **kw)

    sender.submit, sender.click = submitted, clicked  # type: ignore[method-assign]
    return seen


class _Album:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.pictures: list[Picture] = []
        self.look = Look(names=ctx.names, zone=ctx.partnership.zone)

    def frame(self, person: Person, caption: str, active: str) -> Frame:
        channels = tuple(a.key for a in self.ctx.partnership.agencies
                         if person.user_id in CHANNEL_MEMBERS.get(a.channel, []))
        return Frame(caption=caption, workspace=self.ctx.partnership.name, channels=channels, active=active)

    def time(self) -> str:
        return f"{self.ctx.clock.now().astimezone(self.ctx.partnership.zone):%H:%M}"

    def add(self, name: str, title: str, who: str, when: str, html: str) -> None:
        self.pictures.append(Picture(f"{len(self.pictures) + 1:02d}-{name}", title, who, when, html))

    def message(self, name: str, title: str, person: Person, who: str, when: str, place: str,
                message: dict[str, Any], *, only_you: bool = False) -> None:
        channel = place if place != APP_NAME else None
        shown = Shown(message.get("blocks"), str(message.get("text") or ""), time=self.time(), only_you=only_you)
        frame = self.frame(person, f"{who}: {when}", active=place)
        title_bar = f"# {channel}" if channel else APP_NAME
        self.add(name, title, who, when, message_page(frame, title_bar, [shown], self.look))


def _status_message(ctx: DemoContext) -> dict[str, Any]:
    """Sam's status message for the record (it has the Amend button), as it stands now."""
    for message in reversed(ctx.dm(SAM.user_id)):
        try:
            find_action(message.get("blocks") or [], Action.AMEND_RECORD)
        except AssertionError:
            continue
        return message
    raise DemoError("Sam has no status message")


def _capture(ctx: DemoContext) -> list[Picture]:
    """The demo's own steps, in order, with a picture taken at each key moment."""
    ctx.clock.set(demo_moment(ctx.partnership, PICTURE_DAY.replace(tzinfo=ctx.partnership.zone)))
    seen, album = _watch(ctx.slack), _Album(ctx)
    sam, tia = "Sam Okafor (social worker)", "Tia Brennan (Education's safeguarding lead)"

    script.open_the_form(ctx)
    assert ctx.form is not None
    album.add("record-form", "The capture form", sam,
              "after typing /record CR-12345 (the shortcuts open the same form)",
              modal_page(album.frame(SAM, f"{sam}: the form /record opens", "social-care"), ctx.form, album.look))

    script.submit_with_mistakes(ctx)
    view, values, reply = seen.submissions[-1]
    errors = reply_json(reply, "submitting the form with mistakes").get("errors") or {}
    album.add("form-with-errors", "The form with errors", sam,
              "after pressing Save and share with the child's name as the case reference and an NHS number in the "
              "summary: nothing is saved", modal_page(album.frame(SAM, f"{sam}: mistakes shown on the form",
                                                                  "social-care"), view, album.look,
                                                      values=values, errors=errors))

    script.submit_and_share(ctx)
    shared = ctx.posts[EDUCATION.channel]
    album.message("agency-post", "An agency's post", TIA, f"{tia} and everyone in #{EDUCATION.key}",
                  "as soon as Sam shares the record with Education", EDUCATION.key, shared)

    ctx.slack.event({"type": "app_home_opened", "user": LEE.user_id, "channel": "D" + LEE.user_id, "tab": "home",
                     "event_ts": f"{ctx.clock.now().timestamp():.6f}"})
    home = ctx.standin.home_views.get(LEE.user_id)
    if home is None:
        raise DemoError("App Home was not published for Lee")
    lee = "Lee Carter (Health's lead)"
    album.add("app-home", "App Home", lee, "on opening Joined Up's Home tab, before anyone in Health has acknowledged",
              home_page(album.frame(LEE, f"{lee}: Joined Up's Home tab", APP_NAME), home, album.look))

    script.acknowledge(ctx)
    if ctx.posts[EDUCATION.channel].get("blocks") == shared.get("blocks"):
        raise DemoError("Tia's acknowledgement did not change Education's post")
    album.message("status-message", "The sharer's status message", SAM, sam,
                  "after Tia acknowledges for Education (Health has not yet); it is updated in place", APP_NAME,
                  _status_message(ctx))
    album.message("acknowledged-post", "An acknowledged post", TIA, f"{tia} and everyone in #{EDUCATION.key}",
                  "after Tia presses Acknowledge receipt", EDUCATION.key, ctx.posts[EDUCATION.channel])

    answer = reply_json(ctx.slack.command("/joinedup", "glossary CIN", user=TIA.user_id, channel=EDUCATION.channel),
                        "/joinedup glossary CIN")
    album.message("glossary", "The glossary", TIA, tia,
                  "after typing /joinedup glossary CIN in #education (only Tia sees the answer)", EDUCATION.key,
                  answer, only_you=True)

    for step in (script.remind_health, script.challenge_the_risk_level, script.ask_for_the_outcome):
        step(ctx)
    asked = [m for m, action in seen.clicks if action.get("action_id") == Action.REPORT_OUTCOME]
    if not asked:
        raise DemoError("Sam was never asked for the outcome")
    album.message("outcome-request", "The outcome request", SAM, sam,
                  "on the record's follow-up date, at the start of the working day", APP_NAME, asked[0])
    return album.pictures


def collect() -> list[Picture]:
    """Run the real app against the stand-in and return the pictures' pages."""
    with demo_world(io.StringIO(), "joinedup-pictures-") as ctx:
        return _capture(ctx)


# -- photographs -------------------------------------------------------------------------------------------------

def find_chromium() -> str | None:
    return next((found for name in CHROMIUM if (found := shutil.which(name))), None)


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PictureError(f"{command[0]} did not run: {error}") from None
    if done.returncode != 0:
        raise PictureError(f"{command[0]} exited with {done.returncode}: {done.stderr.strip()[-500:]}")
    return done.stdout


def photograph(chromium: str, html: str, png: Path, work: Path, *, width: int = WIDTH) -> tuple[int, int]:
    """Screenshot the page `html` into `png`, as tall as the page (within limits); the PNG's (width, height).
    `work` is a private folder for the page, a measuring copy of it, and Chromium's profile."""
    page, measured = work / f"{png.stem}.html", work / f"{png.stem}.measure.html"
    page.write_text(html, encoding="utf-8")
    measured.write_text(html.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    flags = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}"]
    found = _HEIGHT.search(_run([*flags, f"--window-size={width},{MIN_HEIGHT}", "--dump-dom", measured.as_uri()]))
    height = min(MAX_HEIGHT, max(MIN_HEIGHT, int(found.group(1)) if found else MAX_HEIGHT))
    png.unlink(missing_ok=True)
    _run([*flags, f"--screenshot={png}", f"--window-size={width},{height}", page.as_uri()])
    return png_size(png)


def png_size(png: Path) -> tuple[int, int]:
    """(width, height) from a PNG's header; PictureError when it is not a PNG."""
    try:
        head = png.read_bytes()[:24]
    except OSError as error:
        raise PictureError(f"no picture at {png}: {error}") from None
    if len(head) < 24 or not head.startswith(PNG_MAGIC) or head[12:16] != b"IHDR":
        raise PictureError(f"{png} is not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def index(pictures: Sequence[Picture]) -> str:
    lines = ["# What each person sees", "",
             "Generated by `scripts/pictures` (`python -m bot.demo.pictures docs/pictures`) from Joined Up's real "
             "output: the demo's steps drive the real app against the Slack stand-in, and each picture is the Block "
             "Kit Joined Up sent at that moment. The layout around it is an approximation of Slack's, drawn "
             "locally (emoji are shown as small badges), not a screenshot of Slack. The people, the partnership "
             f"and the child are made up; the day shown is {PICTURE_DAY:%A} {PICTURE_DAY.day} {PICTURE_DAY:%B %Y}.",
             ""]
    for number, picture in enumerate(pictures, 1):
        lines += [f"## {number}. {picture.title}", "", f"![{picture.title}]({picture.name}.png)", "",
                  f"**Who sees it:** {picture.who}. **When:** {picture.when}.", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.demo.pictures",
                                     description="Pictures of what each person sees in Slack, from Joined Up's "
                                                 "real output, as PNGs with an index.md.")
    parser.add_argument("outdir", type=Path, help="where the PNGs and index.md go (created if need be)")
    parser.add_argument("--keep-html", action="store_true", help="also keep each picture's HTML page there")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("pictures: no Chromium on PATH (looked for: " + ", ".join(CHROMIUM) + "). "
              "On Debian or Ubuntu: apt-get install chromium", file=sys.stderr)
        return 2
    try:
        pictures = collect()
        args.outdir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="joinedup-chromium-") as work:
            for picture in pictures:
                if args.keep_html:
                    (args.outdir / f"{picture.name}.html").write_text(picture.html, encoding="utf-8")
                width, height = photograph(chromium, picture.html, args.outdir / f"{picture.name}.png", Path(work))
                print(f"{args.outdir / picture.name}.png  {width}x{height}  {picture.title}")
        (args.outdir / "index.md").write_text(index(pictures), encoding="utf-8")
    except (DemoError, PictureError) as error:
        print(f"pictures: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
