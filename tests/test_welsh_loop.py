"""The loop in Welsh: a Welsh-speaking sharer records; a bilingual agency channel gets its post Welsh first and an
English one in English; the sharer's status message, reminders, escalations and the request for the outcome reach
the sharer in Welsh; an English clicker is answered in English. Every message at its largest passes Slack's checks
in Welsh and bilingual."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any, Iterator

import pytest

from bot.blocks.challenge import one_line
from bot.blocks.ids import Action, Field
from bot.demo.sample import EDUCATION, HEALTH, LEE, NIA, SAM, TIA, sample_partnership
from bot.domain.language_config import Languages
from bot.i18n import Voice, _, speaking, using
from bot.processes.sweep import Sweeper
from bot.standin.rules import check_message
from bot.standin.signed_requests import fill, find_action
from storage.models import format_reference
from tests.conftest import JoinedUp, assert_notifications_show_no_case_content, start_joinedup

BILINGUAL_EDUCATION = dataclasses.replace(EDUCATION, language="cy+en")  # Welsh first, then English
REF = format_reference(1)
SAM_DM = "DU0SAMSW"


def at(*moment: int) -> datetime:
    return datetime(*moment, tzinfo=timezone.utc)


@pytest.fixture
def welsh(database, standin, clock) -> Iterator[JoinedUp]:
    """The sample partnership working in both languages: Education's channel bilingual, Health's English, and Sam,
    the sharer, reading Welsh."""
    base = sample_partnership()
    partnership = dataclasses.replace(
        base, languages=Languages(default="en", bilingual=True),
        agencies=tuple(BILINGUAL_EDUCATION if a.key == EDUCATION.key else a for a in base.agencies))
    running = start_joinedup(db=database, standin=standin, clock=clock, partnership=partnership)
    running.services.languages.choose(SAM.user_id, "cy")
    yield running
    running._stop()
    assert_notifications_show_no_case_content(standin)


def shown(message: dict[str, Any]) -> str:
    return f"{message.get('text', '')}\n{message.get('blocks', '')}"


def buttons(message: dict[str, Any]) -> list[str]:
    return [element["text"]["text"] for block in message["blocks"] if block["type"] == "actions"
            for element in block["elements"] if element["type"] == "button"]


def replies(joinedup: JoinedUp, channel: str) -> list[dict[str, Any]]:
    return [m for m in joinedup.standin.messages(channel) if m.get("thread_ts") and m["thread_ts"] != m["ts"]]


def sweep(joinedup: JoinedUp, moment: datetime) -> Any:
    joinedup.clock.set(moment)
    return Sweeper(joinedup.services).run()


def acknowledge(joinedup: JoinedUp, channel: str, user: str) -> None:
    post = joinedup.posts(channel)[-1]
    joinedup.slack.click(post, find_action(post["blocks"], Action.ACKNOWLEDGE), user=user, channel=channel)


def slack_takes(*messages: dict[str, Any]) -> None:
    for message in messages:
        check_message({"text": message.get("text", ""), "blocks": message.get("blocks", [])})


def test_a_bilingual_channel_gets_the_post_welsh_first_and_an_english_channel_in_english(welsh):
    welsh.record()

    [bilingual] = welsh.posts(EDUCATION.channel)
    [english] = welsh.posts(HEALTH.channel)

    with speaking("cy+en"):
        line, acknowledge_button = one_line(_("{reference}: a record shared with {agency}", reference=REF,
                                              agency=EDUCATION.name)), one_line(_("Acknowledge receipt"))
    assert line.startswith(f"{REF}: cofnod") and line.endswith(f" / {REF}: a record shared with {EDUCATION.name}")
    assert bilingual["text"] == line
    assert "\n" not in bilingual["text"], "the notification line stays one line"
    header = bilingual["blocks"][0]["text"]["text"]
    assert header.startswith(f"{REF} · achos CR-12345 / {REF} · case CR-12345")
    assert acknowledge_button.startswith("Cydnabod") and acknowledge_button.endswith(" / Acknowledge receipt")
    assert acknowledge_button in buttons(bilingual)
    post = shown(bilingual)
    assert "*Crynodeb / Summary*" in post and "*Pwy oedd yno / Who was there*" in post
    assert post.index("Yn aros i Education") < post.index("Waiting for Education"), "Welsh first"
    assert "Met at school" in post, "what was typed is shown as typed, once"
    assert len(bilingual["blocks"]) == len(english["blocks"]), "labels side by side: no extra blocks"

    assert english["text"] == f"{REF}: a record shared with Health"
    assert buttons(english) == ["Acknowledge receipt"]
    assert "Cydnabod" not in shown(english) and "Crynodeb" not in shown(english)
    slack_takes(bilingual, english)


def test_the_welsh_sharers_status_message_is_in_welsh(welsh):
    welsh.record()

    [status] = welsh.standin.messages(SAM.user_id)

    said = shown(status)
    assert status["text"] == f"{REF}: 0 o 2 wedi cydnabod"
    assert f"Mae eich cofnod *{REF}* am achos *CR-12345* wedi'i gadw. 0 o 2 wedi cydnabod." in said
    assert "yn aros am gydnabyddiaeth" in said
    assert "Chi sy'n adrodd *y canlyniad i'r plentyn*" in said
    assert buttons(status) == ["Adrodd y canlyniad i'r plentyn", "Diwygio'r cofnod hwn"]
    for english in ("Your record", "waiting for acknowledgement", "is yours to report", "See the whole record"):
        assert english not in said
    slack_takes(status)


def test_an_english_clicker_is_answered_in_english_and_the_welsh_sharer_hears_of_it_in_welsh(welsh):
    welsh.record()

    [waiting] = welsh.posts(HEALTH.channel)
    click = find_action(waiting["blocks"], Action.ACKNOWLEDGE)
    welsh.slack.click(waiting, click, user=NIA.user_id, channel=HEALTH.channel)
    welsh.slack.click(waiting, click, user=LEE.user_id, channel=HEALTH.channel)  # Nia was first: Lee is told so

    answer = welsh.standin.calls("response_url")[-1].args
    assert answer["response_type"] == "ephemeral" and f"{REF}" in answer["text"]
    assert "already" in answer["text"] and "eisoes" not in answer["text"]
    [post] = welsh.posts(HEALTH.channel)
    assert "Acknowledged for Health by <@U0NIANURSE>" in shown(post)
    assert buttons(post) == ["Tell the sharer what we did"]
    [status] = welsh.standin.messages(SAM.user_id)
    assert status["text"] == f"{REF}: 1 o 2 wedi cydnabod"
    assert "*Health*: cydnabuwyd gan <@U0NIANURSE>" in shown(status)

    acknowledge(welsh, EDUCATION.channel, TIA.user_id)
    [bilingual] = welsh.posts(EDUCATION.channel)
    assert "Cydnabuwyd ar ran Education (Oakfield Primary) gan <@U0TIATEACH>" in shown(bilingual)
    assert "Acknowledged for Education (Oakfield Primary) by <@U0TIATEACH>, <!date^" in shown(bilingual)
    [said] = [e["text"] for b in bilingual["blocks"] if b["type"] == "context" for e in b["elements"]
              if "Cydnabuwyd ar ran" in e["text"]]
    welsh_line, english_line = said.split("\n")
    assert welsh_line.endswith("Maw 24 Tach 2026 am 10:00") and "<!date^" not in welsh_line, "each its own date"
    assert "Maw 24 Tach" not in english_line
    assert "Dweud wrth y rhannwr beth wnaethon ni / Tell the sharer what we did" in buttons(bilingual)
    slack_takes(post, bilingual, status)


def test_reminders_reach_each_channel_in_its_language_and_the_sharer_in_welsh(welsh):
    welsh.record()  # Tuesday 24 November, 10:00

    sweep(welsh, at(2026, 11, 25, 10, 0))  # a working day later: each channel is reminded
    [bilingual] = replies(welsh, EDUCATION.channel)
    [english] = replies(welsh, HEALTH.channel)
    assert bilingual["text"].startswith(f"Nodyn atgoffa: mae {REF} ar gyfer Education (Oakfield Primary) yn aros")
    assert f"Reminder: {REF} for Education (Oakfield Primary) is waiting to be acknowledged" in bilingual["text"]
    assert "a allai rhywun ei gydnabod?" in shown(bilingual) and "could someone acknowledge it?" in shown(bilingual)
    assert english["text"] == f"Reminder: {REF} for Health is waiting to be acknowledged"
    assert "Nodyn" not in shown(english)

    sweep(welsh, at(2026, 11, 26, 10, 0))  # still nothing: the leads and the sharer are told
    told = [m for m in welsh.standin.messages(SAM.user_id) if f"wedi cydnabod {REF} eto" in m["text"]]
    assert {m["text"] for m in told} == {f"Nid yw Health wedi cydnabod {REF} eto",
                                         f"Nid yw Education (Oakfield Primary) wedi cydnabod {REF} eto"}
    assert all("Gofynnwyd i'w harweinwyr fynd ar ei drywydd" in shown(m) for m in told)
    [lead] = welsh.standin.messages(LEE.user_id)
    assert f"*Health* has not yet acknowledged *{REF}*" in shown(lead), "Lee reads English"
    slack_takes(bilingual, english, lead, *told)


def test_the_welsh_sharer_is_asked_for_the_outcome_in_welsh_and_answers_in_welsh(welsh):
    welsh.record()
    acknowledge(welsh, HEALTH.channel, NIA.user_id)

    assert sweep(welsh, at(2026, 12, 8, 9, 0)).outcome_requests == 1
    request = next(m for m in welsh.standin.messages(SAM.user_id) if "Beth ddigwyddodd" in m["text"])
    assert request["text"] == f"Beth ddigwyddodd ar ôl i chi rannu {REF}?"
    assert "Mae adrodd y canlyniad i'r plentyn wrth Education (Oakfield Primary), Health yn cau'r cylch." \
        in shown(request)
    assert buttons(request) == ["Adrodd y canlyniad i'r plentyn", "Fy atgoffa yfory", "Fy atgoffa ymhen 3 diwrnod"]
    assert "What happened after" not in shown(request)
    slack_takes(request)

    welsh.slack.click(request, find_action(request["blocks"], Action.REMIND_LATER), user=SAM.user_id,
                      channel=SAM_DM)
    assert welsh.standin.calls("response_url")[-1].args["text"] == "Iawn. Byddaf yn gofyn i chi eto ar Mer 9 Rhag 2026."

    welsh.slack.click(request, find_action(request["blocks"], Action.REPORT_OUTCOME), user=SAM.user_id,
                      channel=SAM_DM)
    form = welsh.standin.views(SAM.user_id)[-1]
    assert form["title"]["text"] == "Canlyniad i'r plentyn"
    refused = welsh.slack.submit(form, fill(form, {Field.NEXT_STEP: "no_further_action"}), user=SAM.user_id).json()
    assert refused["errors"][Field.WHAT_HAPPENED] == "Dywedwch beth ddigwyddodd ar ôl i'r wybodaeth gael ei rhannu."
    reply = welsh.slack.submit(form, fill(form, {Field.WHAT_HAPPENED: "Dechreuodd asesiad cymorth cynnar.",
                                                 Field.NEXT_STEP: "no_further_action"}), user=SAM.user_id)
    assert reply.json()["response_action"] == "update"

    bilingual = replies(welsh, EDUCATION.channel)[-1]  # after the reminders Education has had meanwhile
    [english] = replies(welsh, HEALTH.channel)
    assert bilingual["text"] == f"Y canlyniad i'r plentyn: {REF} / The outcome for the child: {REF}"
    assert "Dim angen gweithredu pellach / No further action needed" in shown(bilingual)
    assert english["text"] == f"The outcome for the child: {REF}"
    assert "*Next step:* No further action needed" in shown(english)
    answered = welsh.standin.message(SAM_DM, request["ts"])
    assert "wedi'i adrodd a'i anfon at Education (Oakfield Primary), Health. Diolch." in shown(answered)
    slack_takes(bilingual, english, answered)


def test_a_challenge_reaches_the_welsh_sharer_in_welsh_who_answers_and_amends_with_welsh_forms(welsh):
    welsh.record()
    post = welsh.posts(HEALTH.channel)[-1]
    welsh.slack.click(post, find_action(post["blocks"], Action.ASK_OR_CHALLENGE), user=NIA.user_id,
                      channel=HEALTH.channel)
    form = welsh.standin.views(NIA.user_id)[-1]
    assert form["title"]["text"] == "Ask or challenge", "Nia reads English"
    welsh.slack.submit(form, fill(form, {Field.CHALLENGE_KIND: "question",
                                         Field.CHALLENGE_TEXT: "Has the school nurse been told?"}), user=NIA.user_id)

    asked = next(m for m in welsh.standin.messages(SAM.user_id) if "gofyn am" in m["text"])
    assert asked["text"] == f"Mae Health yn gofyn am {REF}"
    assert f"Mae <@U0NIANURSE> (Health) yn gofyn am *{REF}*: *Cwestiwn*" in shown(asked)
    assert buttons(asked) == ["Ymateb"]
    bilingual = replies(welsh, EDUCATION.channel)[-1]
    assert bilingual["text"] == f"Mae Health yn gofyn am {REF} / Health asks about {REF}"
    assert "*Cwestiwn / A question*" in shown(bilingual)
    [english] = replies(welsh, HEALTH.channel)
    assert english["text"] == f"Health asks about {REF}" and "*A question*" in shown(english)

    welsh.slack.click(asked, find_action(asked["blocks"], Action.RESPOND_CHALLENGE), user=SAM.user_id,
                      channel=SAM_DM)
    answer = welsh.standin.views(SAM.user_id)[-1]
    assert (answer["title"]["text"], answer["submit"]["text"], answer["close"]["text"]) == \
        ("Ateb", "Anfon ateb", "Canslo")
    refused = welsh.slack.submit(answer, fill(answer, {}), user=SAM.user_id).json()
    assert refused["errors"][Field.RESPONSE_TEXT] == "Ysgrifennwch eich ateb."
    welsh.slack.submit(answer, fill(answer, {Field.RESPONSE_TEXT: "Do, ddoe."}), user=SAM.user_id)
    to_nia = next(m for m in welsh.standin.messages(NIA.user_id) if "answer" in m["text"].lower())
    assert to_nia["text"] == f"An answer about {REF}", "the challenger reads English"
    assert buttons(to_nia) == ["That resolves it", "Escalate to the leads"]

    [status] = welsh.standin.messages(SAM.user_id)[:1]
    welsh.slack.click(status, find_action(status["blocks"], Action.AMEND_RECORD), user=SAM.user_id, channel=SAM_DM)
    amend = welsh.standin.views(SAM.user_id)[-1]
    assert amend["title"]["text"] == "Diwygio'r cofnod"
    refused = welsh.slack.submit(amend, fill(amend, {Field.SUMMARY: "Met at school."}), user=SAM.user_id).json()
    assert refused["errors"][Field.AMEND_REASON] == \
        "Dywedwch pam rydych chi'n diwygio'r cofnod: bydd pob asiantaeth yn cael gwybod."
    welsh.slack.submit(amend, fill(amend, {Field.SUMMARY: "Met at school on Monday.",
                                           Field.AMEND_REASON: "The day was missing"}), user=SAM.user_id)
    amended = replies(welsh, EDUCATION.channel)[-1]
    assert amended["text"] == f"Diwygiwyd {REF} / {REF} was amended"
    assert "(crynodeb / summary)" in shown(amended)
    slack_takes(asked, bilingual, english, to_nia, amended)


# --- every message of the loop at its largest, in Welsh and bilingual --------------------------------------------

def largest() -> Iterator[tuple[str, tuple[str, list[dict[str, Any]]]]]:
    from tests.test_every_payload import posts

    return posts()


@pytest.mark.parametrize("language", ["cy", "cy+en"])
def test_every_message_of_the_loop_at_its_largest_is_taken_by_slack_in_welsh_and_bilingual(language):
    from tests.test_every_payload import WELSH_WORDS

    with using(Voice(language=language, words=WELSH_WORDS)):
        built = list(largest())
    with using(Voice(language="en", words=WELSH_WORDS)):
        english = dict(largest())
    for name, (text, blocks) in built:
        check_message({"text": text, "blocks": blocks})
        assert "\n" not in text, f"{name}: the notification line is one line"
        assert len(blocks) <= 50
        assert len(text) <= 3 * len(english[name][0]) + 10, f"{name}: the notification line stays short"
    messages = dict(built)
    post = str(messages["agency post everything"][1])
    waiting = str(messages["agency post waiting"][1])
    with speaking(language):
        acknowledge_button = one_line(_("Acknowledge receipt"))
    assert acknowledge_button.startswith("Cydnabod") and acknowledge_button in waiting
    if language == "cy":
        assert "Acknowledge receipt" not in waiting
        assert "Summary" not in post and "*Crynodeb*" in post
    else:
        assert acknowledge_button.endswith(" / Acknowledge receipt")
        assert "*Crynodeb / Summary*" in post
