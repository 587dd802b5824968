"""`joinedup demo`: the real Joined Up, driven as a practitioner would drive it, with Slack played locally.

Nothing here is a mock-up. The demo starts the production Bolt app behind a real WSGI server on
127.0.0.1, points its Slack client at the Slack stand-in (also on 127.0.0.1), keeps its records in a
throwaway SQLite file, and sends it signed requests over HTTP exactly as Slack would. After each step
it prints what each person would see in Slack, rendered as plain text.

The walk-through is a list of step functions sharing one `DemoContext`. A step prints its own heading
(numbered as it goes) and may do nothing at all when the feature it shows is not there, so new steps
can be added to `STEPS` without touching the others. Later steps move the demo's clock on (to the next
working day, to the follow-up date) and run the reminder sweep, as `joinedup serve` does every minute.
"""
from __future__ import annotations

import re
import traceback
from datetime import date, datetime, time, timedelta
from typing import Any, TextIO

from bot.blocks.ids import Action, Field
from bot.demo.sample import ADMIN, CHANNEL_MEMBERS, EDUCATION, HEALTH, NIA, OUTSIDER, PEOPLE, SAM, TIA
from bot.demo.stage import FRAME, WIDTH, DemoContext, DemoError, Step, demo_world, describe, elide_common, \
    reply_json, wrap
from bot.processes.sweep import Sweeper
from bot.services.records import calendar_for
from bot.standin.filling import FormFiller
from bot.standin.signed_requests import fill, find_action

CASE_REFERENCE = "CR-12345"
NHS_NUMBER = "943 476 5919"  # a valid NHS number, made up

def introduce(ctx: DemoContext) -> None:
    p = ctx.partnership
    now = ctx.clock.now().astimezone(p.zone)
    ctx.write("Joined Up: a guided demo")
    ctx.write("=" * len("Joined Up: a guided demo"))
    ctx.say(
        "This is a simulation. Joined Up itself is running for real on this computer: the same code, "
        "database and web requests as in production. Slack is played by a local stand-in, so nothing "
        "leaves this computer and nothing is sent to Slack.",
        f"The partnership (“{p.name}”), its agencies and its people are made up. "
        "The records are kept in a temporary file that is deleted when the demo ends. In the demo it is "
        f"{now:%A} {now.day} {now:%B %Y}, {now:%H:%M}, in {p.timezone}.",
        "The people:",
    )
    for person in PEOPLE:
        ctx.write(wrap(f"  • {describe(person)}", ctx.width, "    "))
    ctx.say("The agencies, each with its own Slack channel:")
    for agency in p.agencies:
        ctx.write(f"  • {agency.name}: {ctx.channel_name(agency.channel)}")
    ctx.say("Each step below says what happens, then shows what each person would see in Slack, "
            "framed like this:")
    ctx.write(f"{FRAME}(a Slack screen)")


def open_the_form(ctx: DemoContext) -> None:
    ctx.heading(f"Sam types  /record {CASE_REFERENCE}  in Slack")
    ctx.say("Sam has just met the child at school with Tia, the school's safeguarding lead, and wants "
            "the other agencies to know what was said. The slash command opens Joined Up's form, with the "
            "case reference already filled in.")
    before = ctx.standin.count("views.open")
    reply = ctx.slack.command("/record", CASE_REFERENCE, user=SAM.user_id)
    if reply.status != 200 or ctx.standin.count("views.open") != before + 1:
        raise DemoError(f"/record did not open the form (HTTP {reply.status}: {reply.body[:300]})")
    ctx.form = ctx.standin.views(SAM.user_id)[-1]
    ctx.view("Sam sees this form (a Slack modal; each ____ is a field to fill in):", ctx.form)
    filled = _prefilled(ctx, ctx.form)
    if filled:
        ctx.say("Some fields start filled in, and Sam can change them:")
        for label, value in filled:
            ctx.write(wrap(f"  • {label} {value}", ctx.width, "    "))


def _prefilled(ctx: DemoContext, view: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for each input in `view` that Slack would show with a value already in it."""
    found = []
    for block in view.get("blocks", []):
        element = block.get("element") or {}
        if block.get("type") != "input":
            continue
        if element.get("initial_value"):
            value = str(element["initial_value"])
        elif element.get("initial_date_time"):
            value = f"{datetime.fromtimestamp(element['initial_date_time'], ctx.partnership.zone):%H:%M today}"
        elif element.get("initial_date"):
            at = datetime.fromisoformat(element["initial_date"])
            value = f"{at:%a} {at.day} {at:%b %Y}"
        elif element.get("initial_option"):
            value = (element["initial_option"].get("text") or {}).get("text", "")
        else:
            continue
        label = (block.get("label") or {}).get("text", block.get("block_id", ""))
        found.append((label if label.endswith("?") else label + ":", value))
    return found


def _answers(ctx: DemoContext) -> dict[str, Any]:
    """What Sam enters: a correct, complete record."""
    now = ctx.clock.now()
    return {
        Field.CASE_REFERENCE: CASE_REFERENCE,
        Field.OCCURRED_AT: int((now - timedelta(minutes=45)).timestamp()),
        Field.PARTICIPANTS: [TIA.user_id],
        Field.OTHERS_PRESENT: "Foster carer",
        Field.SHARER_AGENCY: "social-care",
        Field.SHARE_WITH: [EDUCATION.key, HEALTH.key],
        Field.PURPOSES: ["To keep the child safe from harm", "To support the child's health or wellbeing"],
        Field.SOURCE: "first_hand",
        Field.LAWFUL_BASIS: "Public task: statutory safeguarding duty (no consent sought)",
        Field.SUMMARY: ("Met the child at school with the foster carer and Tia, the school's DSL. The child said "
                        "they had not had breakfast most days this week and fell asleep in class on Tuesday. "
                        "The foster carer says mornings are rushed since a new baby arrived. School has had a "
                        "niggle about lateness since September. My opinion: early help should be enough if "
                        "breakfast and lateness improve."),
        Field.RISK_LEVEL: "early-help",
        Field.ACTIONS: "Tia: offer breakfast club from Monday. Sam: visit the foster carer at home this week.",
    }


def _filler(ctx: DemoContext) -> FormFiller:
    """Sam, filling in a form that changes as Sam answers (a choice can show or hide fields)."""
    return FormFiller(ctx.slack, lambda view_id: next(v for v in ctx.standin.views() if v["id"] == view_id))


def submit_with_mistakes(ctx: DemoContext) -> None:
    assert ctx.form is not None, "open_the_form comes first"
    ctx.heading("Sam makes two mistakes: the child's name and NHS number")
    ctx.say("Sam fills in the form but types the child's name where the case reference goes, and puts the "
            f"child's NHS number ({NHS_NUMBER}) in the summary, then presses “Save and share”. Joined Up checks "
            "the text for identifiers, which are shared only when they are needed.")
    summary = f"{_answers(ctx)[Field.SUMMARY]} Their NHS number is {NHS_NUMBER}."
    answers = {**_answers(ctx), Field.CASE_REFERENCE: "Jane Smith", Field.SUMMARY: summary}
    # Each choice reaches Joined Up as Sam makes it, and the form shows what it calls for (here, once the NHS number
    # is in the summary, a box for why it must stay).
    ctx.form, values = _filler(ctx).fill_in(ctx.form, answers, user=SAM.user_id, every_choice=True)
    body = reply_json(ctx.slack.submit(ctx.form, values, user=SAM.user_id), "submitting the form")
    errors = body.get("errors") if body.get("response_action") == "errors" else None
    if not errors:
        raise DemoError(f"a record with a child's name for a case reference was not refused: {body}")
    labels = {b.get("block_id"): (b.get("label") or {}).get("text", b.get("block_id"))
              for b in ctx.form.get("blocks", [])}
    lines = []
    for block_id, message in errors.items():
        lines += [f"{labels.get(block_id, block_id)}", wrap(f"  (!) {message}", ctx.width - len(FRAME), "      ")]
    ctx.surface("Nothing is saved. The form stays open, with Sam's text intact, and Sam sees in red under "
                "each field:", "\n".join(lines))


def submit_and_share(ctx: DemoContext) -> None:
    assert ctx.form is not None, "open_the_form comes first"
    ctx.heading("Sam fixes the form and shares it with Education and Health")
    ctx.say("Sam puts the case reference back, takes the NHS number out, and shares with Education and Health "
            "to keep the child safe, first-hand, under the statutory safeguarding duty, at risk level "
            "“Early help”. The summary uses words that not every agency uses: “DSL” and the school's “niggle”.")
    body = reply_json(_filler(ctx).submit(ctx.form, _answers(ctx), user=SAM.user_id, every_choice=True),
                      "saving the record")
    if body.get("response_action") != "update" or not isinstance(body.get("view"), dict):
        raise DemoError(f"the record was not saved: {body}")
    match = re.search(r"JU-\d+", str(body["view"]))
    ctx.reference = match.group() if match else None
    ctx.view("The form turns into this confirmation:", body["view"])
    first: tuple[str, list[str]] | None = None  # the first channel shown, and its post's lines
    for agency in (EDUCATION, HEALTH):
        post = ctx.latest_post(agency.channel)
        if post is None:
            raise DemoError(f"nothing was posted in {agency.name}'s channel")
        ctx.posts[agency.channel] = post
        members = [ctx.name(u) for u in CHANNEL_MEMBERS.get(agency.channel, [])]
        who = f"{' and '.join(members)} {'sees' if len(members) == 1 else 'see'}" if members else "everyone sees"
        lines = ctx.render(post.get("blocks"), post.get("text")).split("\n")
        if first is None:
            first = (ctx.channel_name(agency.channel), lines)
            ctx.surface(f"In {first[0]}, {agency.name}'s channel, {who} this post. Joined Up explains the "
                        "partnership's terms it finds, under “Terms used”:", "\n".join(lines))
        else:
            ctx.surface(f"In {ctx.channel_name(agency.channel)}, {agency.name}'s channel, {who} the same record, "
                        "addressed to them:", "\n".join(elide_common(first[1], lines, f"the same as in {first[0]}")))
    status = ctx.dm(SAM.user_id)
    if not status:
        raise DemoError("Sam was not sent a status message")
    ctx.blocks("Sam gets a direct message from Joined Up, with a link to each post, that it keeps up to date:",
               status[-1].get("blocks"), status[-1].get("text"))


def acknowledge(ctx: DemoContext) -> None:
    """Tia acknowledges receipt for Education; skipped, silently, until acknowledging is built."""
    post = ctx.posts.get(EDUCATION.channel)
    button = _button(post, Action.ACKNOWLEDGE)
    if post is None or button is None:
        return
    status_before = ctx.dm(SAM.user_id)[-1:]
    reply = ctx.slack.click(post, button, user=TIA.user_id, channel=EDUCATION.channel)
    updated = ctx.standin.message(EDUCATION.channel, post["ts"])
    if reply.status != 200 or updated is None or updated.get("blocks") == post.get("blocks"):
        return  # the button is there but nothing answers it yet
    ctx.posts[EDUCATION.channel] = updated
    ctx.heading("Tia acknowledges receipt for Education")
    ctx.say("Tia, Education's lead, reads the post and presses “Acknowledge receipt”.")
    before = ctx.render(post.get("blocks"), post.get("text")).split("\n")
    after = ctx.render(updated.get("blocks"), updated.get("text")).split("\n")
    ctx.surface(f"The post in {ctx.channel_name(EDUCATION.channel)} changes for everyone there: the buttons give way "
                "to who acknowledged it, and when:", "\n".join(elide_common(before, after, "unchanged")))
    status = ctx.standin.message(SAM.user_id, status_before[0]["ts"]) if status_before else None
    if status is not None and status.get("blocks") != status_before[0].get("blocks"):
        ctx.blocks("Sam's status message updates itself:", status.get("blocks"), status.get("text"))


def outsider_refused(ctx: DemoContext) -> None:
    """Olly, who is in no agency, tries Health's button; skipped, silently, until acknowledging is built."""
    post = ctx.posts.get(HEALTH.channel)
    button = _button(post, Action.ACKNOWLEDGE)
    if post is None or button is None:
        return
    ephemerals_before = len(ctx.standin.ephemerals(OUTSIDER.user_id))
    responses_before = len(ctx.standin.calls("response_url"))
    reply = ctx.slack.click(post, button, user=OUTSIDER.user_id, channel=HEALTH.channel)
    if reply.status != 200:
        return
    shown = [(e.get("blocks"), e.get("text")) for e in ctx.standin.ephemerals(OUTSIDER.user_id)[ephemerals_before:]]
    shown += [(c.args.get("blocks"), c.args.get("text")) for c in ctx.standin.calls("response_url")[responses_before:]
              if not c.args.get("replace_original") and (c.args.get("text") or c.args.get("blocks"))]
    if not shown:
        return
    ctx.heading("Olly, who is in no agency, presses Health's button")
    ctx.say("Olly Dean is in the Slack workspace but in no agency. Suppose a colleague shows him Health's post "
            "and he presses “Acknowledge receipt”. Only Health's people can acknowledge for Health.")
    for blocks, text in shown:
        ctx.blocks("Only Olly sees this reply:", blocks, text)
    after = ctx.standin.message(HEALTH.channel, post["ts"])
    if after is not None and after.get("blocks") == post.get("blocks"):
        ctx.say("The Health post is unchanged: it is still waiting for Health.")


def _button(post: dict[str, Any] | None, action_id: str) -> dict[str, Any] | None:
    if not post:
        return None
    try:
        return find_action(post.get("blocks") or [], action_id)
    except AssertionError:
        return None


def look_up_a_term(ctx: DemoContext) -> None:
    ctx.heading("Tia types  /joinedup glossary CIN")
    ctx.say("Tia wonders whether the child is now a “CIN”, a child in need, rather than early help. Before she "
            "says so, she checks what the partnership has agreed that means. Any term or alias works; "
            "`/joinedup glossary` on its own lists them all.")
    body = reply_json(ctx.slack.command("/joinedup", "glossary CIN", user=TIA.user_id), "/joinedup glossary CIN")
    ctx.blocks("Only Tia sees the answer:", body.get("blocks"), body.get("text"))


def remind_health(ctx: DemoContext) -> None:
    post = ctx.posts.get(HEALTH.channel)
    assert post is not None, "submit_and_share comes first"
    hours = ctx.partnership.working_hours
    calendar = calendar_for(ctx.partnership)
    day = calendar.add_working_days(ctx.clock.now().astimezone(ctx.partnership.zone).date(), 1)
    ctx.clock.set(datetime.combine(day, time(10, 0), tzinfo=ctx.partnership.zone))
    ctx.heading(f"{_day(ctx)}, 10:00: Joined Up reminds Health to acknowledge")
    ctx.say(f"Each agency has {ctx.partnership.reminders.acknowledge_within_working_hours:g} working hours to "
            f"acknowledge a record. At 10:00 on {_day(ctx)}, the next working day, Joined Up's sweep (it runs "
            "every minute) finds that nobody in Health has. Education has, so it is not reminded.",
            f"Only working hours count: {hours.start:%H:%M} to {hours.end:%H:%M}, Monday to Friday, not bank "
            "holidays. A sweep at night or at the weekend sends nothing, and the reminder waits for the start "
            "of the next working day.")
    report = Sweeper(ctx.services).run()
    reminder = _latest_reply(ctx, HEALTH.channel)
    if report.acknowledgement_reminders != 1 or reminder is None:
        raise DemoError(f"the sweep did not remind Health: {report}")
    ctx.blocks(f"In {ctx.channel_name(HEALTH.channel)}, Nia and Lee see this reply in the record's thread. "
               "It mentions Lee, Health's lead:", reminder.get("blocks"), reminder.get("text"))
    ctx.clock.advance(minutes=20)
    ctx.slack.click(reminder, find_action(reminder["blocks"], Action.ACKNOWLEDGE), user=NIA.user_id,
                    channel=HEALTH.channel)
    updated = ctx.standin.message(HEALTH.channel, post["ts"])
    if updated is None or updated.get("blocks") == post.get("blocks"):
        raise DemoError("acknowledging from the reminder did not change Health's post")
    ctx.posts[HEALTH.channel] = updated
    ctx.say("Twenty minutes later, Nia presses the button in the reminder.")
    ctx.surface("Health's post ends:", "\n".join(ctx.render(updated.get("blocks"), updated.get("text"))
                                                  .split("\n")[-3:]))


def challenge_the_risk_level(ctx: DemoContext) -> None:
    post = ctx.posts.get(EDUCATION.channel)
    assert post is not None, "submit_and_share comes first"
    ctx.heading("Tia challenges the risk level from Education's post")
    ctx.say("Tia chooses “Ask or challenge” from the ⋯ menu on Education's post. In the form that opens she "
            "chooses “I disagree with the risk level”, proposes “Child in need” and says why.")
    ctx.slack.click(post, find_action(post["blocks"], Action.ASK_OR_CHALLENGE), user=TIA.user_id,
                    channel=EDUCATION.channel)
    form = ctx.standin.views(TIA.user_id)[-1]
    body = reply_json(ctx.slack.submit(form, fill(form, {
        Field.CHALLENGE_KIND: "risk_level", Field.PROPOSED_RISK: "child-in-need",
        Field.CHALLENGE_TEXT: "They have missed eight days since September, and with no breakfast and falling "
                              "asleep in class I don't think early help is enough."}), user=TIA.user_id),
        "sending the challenge")
    question = _latest_reply(ctx, EDUCATION.channel)
    asked = next((m for m in reversed(ctx.dm(SAM.user_id)) if _button(m, Action.RESPOND_CHALLENGE)), None)
    if body.get("response_action") != "update" or question is None or asked is None:
        raise DemoError(f"the challenge was not sent: {body}")
    ctx.blocks(f"Every agency that received the record sees it in the record's thread (here "
               f"{ctx.channel_name(EDUCATION.channel)}; {ctx.channel_name(HEALTH.channel)} has the same):",
               question.get("blocks"), question.get("text"))
    thread = ctx.render(question.get("blocks"), question.get("text")).split("\n")
    dm = ctx.render(asked.get("blocks"), asked.get("text")).split("\n")
    ctx.surface("Sam, who shared the record, gets it by direct message, to answer:",
                "\n".join(elide_common(thread, dm, "the same as in the thread", keep=1)))

    ctx.say("Sam presses “Respond”. Because Sam shared the record, the form also offers “Revise the risk "
            "level (now Early help)”. Sam answers, and chooses “Child in need”.")
    ctx.slack.click(asked, find_action(asked["blocks"], Action.RESPOND_CHALLENGE), user=SAM.user_id,
                    channel="D" + SAM.user_id)
    form = ctx.standin.views(SAM.user_id)[-1]
    ctx.slack.submit(form, fill(form, {
        Field.RESPONSE_TEXT: "Agreed: the missed days change the picture. I will take it to Monday's allocation "
                             "meeting.",
        Field.REVISED_RISK: "child-in-need"}), user=SAM.user_id)
    answer = _latest_reply(ctx, HEALTH.channel)
    revised = ctx.standin.message(HEALTH.channel, ctx.posts[HEALTH.channel]["ts"])
    if answer is None or revised is None or "Risk level revised" not in str(revised.get("blocks")):
        raise DemoError("the answer did not revise the risk level")
    ctx.blocks("The answer goes to every agency's thread:", answer.get("blocks"), answer.get("text"))
    lines = ctx.render(revised.get("blocks"), revised.get("text")).split("\n")
    when = next((i for i, line in enumerate(lines) if line.strip() == "*When*"), 5)
    level = next((i for i, line in enumerate(lines) if line.strip() == "*Risk level*"), when)
    ctx.surface("And every agency's post now says what changed, and why:",
                "\n".join([*lines[:when], "  …", *lines[level:level + 2], "  …"]))
    if any(_button(m, Action.ESCALATE_CHALLENGE) for m in ctx.dm(TIA.user_id)):
        ctx.say("Tia gets the answer by direct message too, with two buttons: “That resolves it” and “Escalate "
                "to the leads”.")


def ask_for_the_outcome(ctx: DemoContext) -> None:
    assert ctx.form is not None, "open_the_form comes first"
    follow_up = next(((b.get("element") or {}).get("initial_date") for b in ctx.form.get("blocks", [])
                      if b.get("block_id") == Field.FOLLOW_UP_ON), None)
    if not follow_up:
        raise DemoError("the form had no follow-up date")
    hours = ctx.partnership.working_hours
    ctx.clock.set(datetime.combine(date.fromisoformat(follow_up), hours.start, tzinfo=ctx.partnership.zone))
    ctx.heading(f"{_day(ctx)}, the follow-up date: Sam is asked what came of it")
    ctx.say(f"At {hours.start:%H:%M} on the record's follow-up date, the sweep asks Sam, by direct message, "
            "what happened.")
    before = len(ctx.dm(SAM.user_id))
    report = Sweeper(ctx.services).run()
    request = next((m for m in ctx.dm(SAM.user_id)[before:] if _button(m, Action.REPORT_OUTCOME)), None)
    if report.outcome_requests != 1 or request is None:
        raise DemoError(f"the sweep did not ask Sam for the outcome: {report}")
    ctx.blocks("Sam sees:", request.get("blocks"), request.get("text"))
    ctx.say("Sam presses “Report outcome for the child”, says what happened and what changed for the child, and that "
            "nothing more is needed.")
    ctx.slack.click(request, find_action(request["blocks"], Action.REPORT_OUTCOME), user=SAM.user_id,
                    channel="D" + SAM.user_id)
    form = ctx.standin.views(SAM.user_id)[-1]
    ctx.slack.submit(form, fill(form, {
        Field.WHAT_HAPPENED: "Child in need assessment started. The foster carer has a breakfast club place "
                             "and a health visitor for the baby.",
        Field.WHAT_CHANGED: "Breakfast every day this week; on time every day.",
        Field.NEXT_STEP: "no_further_action"}), user=SAM.user_id)
    outcome = _latest_reply(ctx, HEALTH.channel)
    if outcome is None or "Outcome reported" not in str(outcome.get("blocks")):
        raise DemoError("the outcome did not reach Health")
    post = ctx.standin.message(HEALTH.channel, ctx.posts[HEALTH.channel]["ts"]) or {}
    on_post = " and on the post itself" if "Outcome reported" in str(post.get("blocks")) else ""
    ctx.blocks(f"In {ctx.channel_name(HEALTH.channel)}, as in {ctx.channel_name(EDUCATION.channel)}, the outcome "
               f"is posted in the record's thread{on_post}:", outcome.get("blocks"), outcome.get("text"))
    done = ctx.standin.message("D" + SAM.user_id, request["ts"])
    if done is not None and done.get("blocks") != request.get("blocks"):
        ctx.say("In Sam's direct messages, Joined Up's question turns into a thank-you, and it stops asking.")


def show_the_history(ctx: DemoContext) -> None:
    ctx.heading(f"Sam types  /joinedup show {ctx.reference}")
    before = len(ctx.standin.calls("response_url"))
    ctx.slack.command("/joinedup", f"show {ctx.reference}", user=SAM.user_id)
    shown = [c.args for c in ctx.standin.calls("response_url")[before:] if c.args.get("blocks")]
    if not shown:
        raise DemoError(f"/joinedup show {ctx.reference} showed nothing")
    lines = ctx.render(shown[-1].get("blocks"), shown[-1].get("text")).split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("*Where it stands*")), 0)
    ctx.surface("Only Sam sees the whole record (left out here), then where it stands with each agency, and "
                "everything that has happened to it:",
                "\n".join([f"  … the record as every agency now sees it ({start} lines) …", *lines[start:]]
                          if start else lines))


def read_the_audit_trail(ctx: DemoContext) -> None:
    ctx.heading(f"Ash, an admin, types  /joinedup audit {ctx.reference}")
    ctx.say("Ash Patel looks after information governance for the partnership. Every act on a record is in "
            "its audit trail: who, when and from where, never what was written. Only the partnership's admins "
            "can read it.")
    body = reply_json(ctx.slack.command("/joinedup", f"audit {ctx.reference}", user=ADMIN.user_id),
                 f"/joinedup audit {ctx.reference}")
    ctx.blocks("Only Ash sees:", body.get("blocks"), body.get("text"))


def _day(ctx: DemoContext) -> str:
    at = ctx.clock.now().astimezone(ctx.partnership.zone)
    return f"{at:%A} {at.day} {at:%B}"


def _latest_reply(ctx: DemoContext, channel: str) -> dict[str, Any] | None:
    """The newest reply in any thread in `channel`."""
    replies = [m for m in ctx.standin.messages(channel) if m.get("thread_ts") and m["thread_ts"] != m["ts"]]
    return replies[-1] if replies else None


def ask_for_help(ctx: DemoContext) -> None:
    ctx.heading("Sam types  /joinedup help")
    body = reply_json(ctx.slack.command("/joinedup", "help", user=SAM.user_id), "/joinedup help")
    ctx.blocks("Only Sam sees the answer:", body.get("blocks"), body.get("text"))


def what_next(ctx: DemoContext) -> None:
    ctx.heading("What next")
    ctx.say(
        "That was the real Joined Up. To use it with your own partnership:",
    )
    for line in (
        "1. Create a Slack app from app_manifest.yml (api.slack.com/apps > Create New App > From a manifest).",
        "2. Describe your partnership (agencies, channels, risk levels) in joinedup.toml and check it with "
        "`joinedup check-config`.",
        "3. Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, then run `joinedup serve` (or `joinedup socket`).",
    ):
        ctx.write(wrap(line, ctx.width, "   "))
    ctx.say("The README walks through each of these steps.")


STEPS: list[Step] = [
    introduce,
    open_the_form,
    submit_with_mistakes,
    submit_and_share,
    acknowledge,
    outsider_refused,
    look_up_a_term,
    remind_health,
    challenge_the_risk_level,
    ask_for_the_outcome,
    show_the_history,
    read_the_audit_trail,
    ask_for_help,
    what_next,
]


def run_demo(out: TextIO, *, steps: list[Step] | None = None, width: int = WIDTH) -> int:
    """Run the walk-through, writing it to `out`; 0 when every step worked, 1 otherwise."""
    step_name = "starting up"
    try:
        with demo_world(out, "joinedup-demo-") as ctx:
            ctx.width = width
            for step in STEPS if steps is None else steps:
                step_name = step.__name__
                step(ctx)
            step_name = "shutting down"
    except DemoError as error:
        out.write(f"\njoinedup demo: stopped at step {step_name!r}: {error}\n")
        return 1
    except BrokenPipeError:
        raise  # the reader has gone (`joinedup demo | head`); the command line ends quietly
    except Exception:
        out.write(f"\njoinedup demo: stopped at step {step_name!r} by an unexpected error:\n")
        out.write(traceback.format_exc())
        return 1
    out.flush()
    return 0
