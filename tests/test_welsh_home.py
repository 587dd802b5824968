"""App Home, the /joinedup answers and help in Welsh, and each person's choice of Cymraeg or English."""
from __future__ import annotations

import dataclasses
from typing import Any, Iterator

import pytest

from bot.blocks import audit, home_figures, messages, overview, report
from bot.blocks.ids import LanguageAction
from bot.demo.sample import OUTSIDER, SAM, TIA, sample_partnership
from bot.i18n import Voice, speaking, using
from bot.standin.rules import check_message, check_view
from bot.standin.signed_requests import block_actions
from storage.models import AuditEvent
from tests.conftest import assert_notifications_show_no_case_content, start_joinedup
from tests.test_every_payload import NOW, RECORD_ID, USERS, WELSH_WORDS, P, figures_report, history, overview_page, \
    record


def bilingual_partnership() -> Any:
    partnership = sample_partnership()
    return dataclasses.replace(partnership, languages=dataclasses.replace(partnership.languages, bilingual=True))


@pytest.fixture
def bilingual(database, standin, clock) -> Iterator[Any]:
    running = start_joinedup(db=database, standin=standin, clock=clock, partnership=bilingual_partnership())
    yield running
    running._stop()
    assert_notifications_show_no_case_content(standin)


def command(joinedup: Any, text: str, user: str = SAM.user_id) -> str:
    reply = joinedup.slack.command("/joinedup", text, user=user)
    assert reply.status == 200, reply
    return reply.json()["text"] if reply.body.startswith("{") else reply.body  # Bolt sends a text alone as it is


def help_text(joinedup: Any, text: str = "help", user: str = SAM.user_id) -> str:
    reply = joinedup.slack.command("/joinedup", text, user=user)
    assert reply.status == 200, reply
    body = reply.json()
    return body["text"] + "\n" + str(body["blocks"])


def open_home(joinedup: Any, user: str) -> dict[str, Any]:
    reply = joinedup.slack.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                                  "event_ts": "1732442400.000100"})
    assert reply.status == 200
    return joinedup.standin.home_views[user]


def click_in_home(joinedup: Any, user: str, action_id: str, value: Any) -> None:
    """A button in App Home, as Slack sends its click: from the view, with no message and no response_url."""
    home = joinedup.standin.home_views[user]
    payload = block_actions({"ts": "0"}, {"action_id": action_id, "block_id": "language", "type": "button",
                                          "value": value},
                            user=user, channel="", response_url="", trigger_id=joinedup.standin.trigger_id())
    payload.update(container={"type": "view", "view_id": home["id"]}, view=home)
    del payload["response_url"], payload["message"], payload["channel"]
    assert joinedup.slack.interaction(payload).status == 200


def language_buttons(home: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {element["action_id"]: element for block in home["blocks"] if block.get("block_id") == "language"
            for element in block["elements"]}


# --- choosing a language -------------------------------------------------------------------------------------------

def test_joinedup_iaith_cymraeg_stores_the_choice_and_answers_in_welsh(bilingual):
    assert bilingual.services.languages.of(SAM.user_id) == "en"

    answer = command(bilingual, "iaith cymraeg")

    assert bilingual.services.languages.of(SAM.user_id) == "cy"
    assert "bydd Joined Up yn siarad â chi yn Gymraeg" in answer and "speak to you" not in answer
    # App Home is published again at once, in Welsh
    home = str(bilingual.standin.home_views[SAM.user_id]["blocks"])
    assert "Cofnodi sgwrs" in home and "Wedi'u rhannu gennych chi" in home
    assert "Record a conversation" not in home and "Shared by you" not in home
    # and what they ask next is answered in Welsh
    assert "Mae Joined Up yn siarad â chi yn Gymraeg" in command(bilingual, "language")
    before = bilingual.standin.count("response_url")
    assert bilingual.slack.command("/joinedup", "show JU-999999", user=SAM.user_id).status == 200
    replies = bilingual.standin.calls("response_url")[before:]
    assert len(replies) == 1 and "Nid oes gennych fynediad at gofnod o'r enw JU-999999" in replies[0].args["text"]


def test_each_word_for_a_language_is_understood_and_the_confirmation_is_in_the_new_one(bilingual):
    for word, stored, said in (("welsh", "cy", "yn Gymraeg o hyn ymlaen"), ("EN", "en", "in English from now on"),
                               ("Cymraeg", "cy", "yn Gymraeg"), ("saesneg", "en", "in English"),
                               ("cy", "cy", "yn Gymraeg"), ("english", "en", "in English")):
        assert said in command(bilingual, f"language {word}")
        assert bilingual.services.languages.of(SAM.user_id) == stored


def test_without_a_word_it_says_the_language_and_how_to_change_it(bilingual):
    answer = command(bilingual, "language")
    assert "Joined Up speaks to you in English" in answer and "`/joinedup language cymraeg`" in answer


def test_an_unknown_word_is_told_clearly_and_changes_nothing(bilingual):
    answer = command(bilingual, "language klingon <!here>")
    assert "I don't know a language called `klingon &lt;!here&gt;`" in answer
    assert "<!here>" not in answer and bilingual.services.languages.of(SAM.user_id) == "en"
    command(bilingual, "iaith cymraeg")
    assert "Nid wyf yn adnabod iaith o'r enw `ffrangeg`" in command(bilingual, "iaith ffrangeg")
    assert bilingual.services.languages.of(SAM.user_id) == "cy"


def test_app_home_shows_the_choice_and_its_buttons_switch_and_republish(bilingual):
    home = open_home(bilingual, TIA.user_id)
    buttons = language_buttons(home)
    assert buttons[LanguageAction.SPEAK_ENGLISH]["text"]["text"] == "✓ English"
    assert buttons[LanguageAction.SPEAK_WELSH]["text"]["text"] == "Cymraeg"
    assert "Eich iaith yn Joined Up / Your language in Joined Up" in str(home["blocks"])

    click_in_home(bilingual, TIA.user_id, LanguageAction.SPEAK_WELSH, "cy")

    assert bilingual.services.languages.of(TIA.user_id) == "cy"
    home = bilingual.standin.home_views[TIA.user_id]
    assert language_buttons(home)[LanguageAction.SPEAK_WELSH]["text"]["text"] == "✓ Cymraeg"
    assert "Cofnodi sgwrs" in str(home["blocks"]) and "Yn aros am eich asiantaeth" in str(home["blocks"])

    published = bilingual.standin.count("views.publish")
    click_in_home(bilingual, TIA.user_id, LanguageAction.SPEAK_WELSH, "cy")  # the same again: harmless
    assert bilingual.services.languages.of(TIA.user_id) == "cy"
    assert bilingual.standin.count("views.publish") == published + 1

    click_in_home(bilingual, TIA.user_id, LanguageAction.SPEAK_ENGLISH, "en")

    assert bilingual.services.languages.of(TIA.user_id) == "en"
    home = str(bilingual.standin.home_views[TIA.user_id]["blocks"])
    assert "Record a conversation" in home and "Waiting for your agency" in home and "Cofnodi sgwrs" not in home


def test_a_button_value_that_names_no_language_changes_nothing(bilingual):
    open_home(bilingual, TIA.user_id)
    published = bilingual.standin.count("views.publish")
    for value in ("fr", "", None, ["cy"], {"cy": 1}, "cy+en"):
        click_in_home(bilingual, TIA.user_id, LanguageAction.SPEAK_WELSH, value)
    assert bilingual.services.languages.of(TIA.user_id) == "en"
    assert bilingual.standin.count("views.publish") == published


def test_an_english_only_partnership_offers_no_choice_and_says_so(joinedup):
    assert not joinedup.services.languages.offered
    home = open_home(joinedup, TIA.user_id)
    assert not language_buttons(home) and "Cymraeg" not in str(home) and "Welsh" not in str(home)

    for text in ("language cymraeg", "iaith", "language"):
        answer = command(joinedup, text)
        assert answer == "Joined Up speaks one language in this partnership, so there is nothing to choose."
    assert joinedup.services.languages.of(SAM.user_id) == "en"

    click_in_home(joinedup, TIA.user_id, LanguageAction.SPEAK_WELSH, "cy")  # a button left from before
    assert joinedup.services.languages.of(TIA.user_id) == "en"
    shown = help_text(joinedup)
    assert "/joinedup language" not in shown and "Welsh" not in shown and "Cymraeg" not in shown.replace(
        "cymraeg", "")


# --- help and answers in Welsh ------------------------------------------------------------------------------------

def test_help_in_welsh_says_how_to_choose_a_language(bilingual):
    english = help_text(bilingual)
    assert "`/joinedup language [cymraeg | english]`" in english

    command(bilingual, "iaith cymraeg")
    welsh = help_text(bilingual)

    assert "Joined Up: sut i'w ddefnyddio" in welsh and "`/joinedup iaith [cymraeg | english]`" in welsh
    assert "ffoniwch 999" in welsh and "Nid gwasanaeth brys yw Joined Up" in welsh
    assert "record a conversation and share it" not in welsh and "this message" not in welsh
    unknown = help_text(bilingual, "beth")
    assert "Nid wyf yn adnabod `beth`" in unknown


def test_refusals_and_prompts_are_in_the_persons_language(bilingual):
    someone = OUTSIDER.user_id  # neither an admin nor a lead
    command(bilingual, "iaith cymraeg", someone)
    assert command(bilingual, "show", someone) == "Dywedwch pa gofnod, e.e. `/joinedup show JU-000042`."
    assert "Dim ond gweinyddwyr Joined Up" in command(bilingual, "audit JU-000001", someone)
    assert "Dim ond gweinyddwyr Joined Up y bartneriaeth ac arweinwyr asiantaethau" in command(
        bilingual, "report", someone)
    assert "Joined Up speaks to you in English" in command(bilingual, "language", SAM.user_id)  # each their own


# --- every surface at its largest, in Welsh and bilingual ----------------------------------------------------------

LANGUAGES = ("cy", "cy+en")


def largest_home(language_choice: str | None = "cy") -> dict[str, Any]:
    below = home_figures.partnership_blocks(figures_report(), P)
    return overview.home_view(overview_page(10, 500), below, language=language_choice)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_largest_app_home_passes_slacks_checks_in_welsh_and_bilingual(language):
    with using(Voice(language=language, words=WELSH_WORDS)):
        for choice in ("cy", "en", None):
            view = largest_home(choice)
            check_view(view)
            assert len(view["blocks"]) <= 100
        for page in (overview_page(0, 0, agency=False), overview_page(0, 0), overview_page(10, 500, 490)):
            check_view(overview.home_view(page, home_figures.partnership_blocks(None, P), language="cy"))
    shown = str(view)
    assert "Cofnodi sgwrs" in shown and "Partneriaeth" in shown and "Yr wythnos hon" in shown
    if language == "cy":
        assert "Record a conversation" not in shown and "Shared by you" not in shown
        assert "Questions waiting for an answer" not in shown and "This week," not in shown
    else:
        assert "Cofnodi sgwrs / Record a conversation" in shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_command_answers_pass_slacks_checks_in_welsh_and_bilingual(language):
    events = [AuditEvent(at=NOW, actor="system" if i % 3 else USERS[i % 30], action="viewed", record_id=RECORD_ID,
                         surface="s" * 40, detail="d" * 300) for i in range(500)]
    rec = record(acknowledged=True, note=True, outcomes=8, revisions=12)
    with using(Voice(language=language, words=WELSH_WORDS)):
        answers = [
            messages.help_blocks(languages=True), messages.help_blocks("x" * 200, languages=True),
            overview.mine_message(overview_page(5, 500)), overview.mine_message(overview_page(0, 0, agency=False)),
            (rec.reference, overview.history_blocks(history(rec), P, [])),
            audit.audit_blocks(RECORD_ID, events, P),
            report.report_blocks(figures_report(), P, [a.key for a in P.agencies]),
            (messages.one_language(), None), (messages.language_now("cy"), None),
            (messages.unknown_language("<!here>" * 20), None), (messages.language_chosen("en"), None),
            (messages.no_access("x" * 300), None), (report.bad_period("No such period. " * 5), None),
        ]
        for text, blocks in answers:
            check_message({"text": text, **({"blocks": blocks} if blocks is not None else {})})
        view = messages.problem_view()
        check_view(view)
    mine = str(answers[2])
    assert "Yn aros am eich asiantaeth" in mine and "Cwestiynau sy'n aros am ateb" in mine
    if language == "cy":
        assert "Waiting for your agency" not in mine and "Where it stands" not in str(answers[4])
        assert "Trywydd archwilio" in answers[5][0]


def test_the_confirmation_speaks_the_new_language_whatever_the_voice_of_the_moment():
    with speaking("cy"):
        assert messages.language_chosen("en").startswith("Done: Joined Up will speak to you in English")
    with speaking("en"):
        assert messages.language_chosen("cy").startswith("Iawn: bydd Joined Up yn siarad â chi yn Gymraeg")
