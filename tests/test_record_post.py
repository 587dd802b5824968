"""What each agency's post and the sharer's messages say, how user text is escaped, and Block Kit's limits."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block, Option
from slack_sdk.models.views import View

from bot.blocks.record_form import OTHER_PURPOSE, RECORD_ONLY
from bot.demo.sample import EDUCATION, HEALTH, RISK_LEVELS, SAM, TIA
from bot.standin.signed_requests import find_action
from bot.blocks.ids import Action, Field
from tests.conftest import TUESDAY_10AM

CHILD_IN_NEED = next(level for level in RISK_LEVELS if level.key == "child-in-need")
AN_HOUR_AGO = TUESDAY_10AM - timedelta(hours=1)
HOSTILE = "Mum said <!channel> & @here knew; ask <@U0OUTSIDE> or see <https://evil.example|Click me>"
FULL_RECORD = {
    Field.OCCURRED_AT: int(AN_HOUR_AGO.timestamp()),
    Field.PARTICIPANTS: [TIA.user_id],
    Field.OTHERS_PRESENT: "foster carer",
    Field.PURPOSES: ["To support the child's education", OTHER_PURPOSE],  # "Another reason", written below
    Field.PURPOSE_DETAIL: "School has noticed the same pattern",
    Field.REQUEST: "action",
    Field.REQUESTED_ACTION: "Please check attendance this week",
    Field.SOURCE: "reported",
    Field.LAWFUL_BASIS: "Consent given by the young person or parent",
    Field.SUMMARY: "The child has been arriving hungry most mornings.",
    Field.RISK_LEVEL: CHILD_IN_NEED.key,
    Field.ACTIONS: "Sam to visit home on Friday",
    Field.FOLLOW_UP_ON: "2026-12-08",
}
FREE_TEXT_FIELDS = (Field.OTHERS_PRESENT, Field.PURPOSE_DETAIL, Field.REQUESTED_ACTION, Field.SUMMARY, Field.ACTIONS)


# --- helpers --------------------------------------------------------------------------------------

def text_objects(value: Any) -> list[dict[str, Any]]:
    """Every text object ({"type": "mrkdwn" | "plain_text", "text": ...}) anywhere in some blocks."""
    if isinstance(value, list):
        return [t for item in value for t in text_objects(item)]
    if not isinstance(value, dict):
        return []
    found = [value] if value.get("type") in ("mrkdwn", "plain_text") and isinstance(value.get("text"), str) else []
    return found + [t for child in value.values() for t in text_objects(child)]


def shown(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(t["text"] for t in text_objects(blocks))


def post_to(joinedup, channel: str) -> dict[str, Any]:
    [post] = joinedup.posts(channel)
    return post


def posted_args(joinedup) -> list[dict[str, Any]]:
    """Every message as Joined Up sent it: first posts, and their content as the updates that follow."""
    return [call.args for call in joinedup.standin.calls() if call.method in ("chat.postMessage", "chat.update")]


def section_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]


def titled_text(blocks: list[dict[str, Any]], title: str) -> list[str]:
    """The sections holding one titled piece of long text: the titled one and its continuations."""
    texts = section_texts(blocks)
    start = next(i for i, t in enumerate(texts) if t.startswith(f"*{title}*\n"))
    chunks = [texts[start][len(title) + 3:]]
    for text in texts[start + 1:]:
        if text.startswith("*"):
            break
        chunks.append(text)
    return chunks


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def without_spaces(text: str) -> str:
    return "".join(text.split())


def options_in(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [o for item in value for o in options_in(item)]
    if not isinstance(value, dict):
        return []
    found = list(value.get("options") or []) + list(value.get("initial_options") or [])
    found += [value["initial_option"]] if "initial_option" in value else []
    return found + [o for key, child in value.items() if key not in ("options", "initial_options", "initial_option")
                    for o in options_in(child)]


def assert_valid_options(value: Any) -> None:
    """slack_sdk keeps select options as plain dicts, so check each one as an Option, descriptions included."""
    for option in options_in(value):
        Option(**option).to_dict()
        if "description" in option:
            assert len(option["description"]["text"]) <= 75, option


def assert_valid_blocks(blocks: list[dict[str, Any]], *, most: int) -> None:
    """slack_sdk's models accept these blocks, enforce their limits, and lose nothing on the way."""
    assert 0 < len(blocks) <= most
    parsed = Block.parse_all(blocks)
    assert None not in parsed, "slack_sdk does not know one of these block types"
    assert [b.to_dict() for b in parsed] == json.loads(json.dumps(blocks))
    assert_valid_options(blocks)


def assert_valid_view(view: dict[str, Any]) -> None:
    assert View(**view).to_dict() == json.loads(json.dumps(view))
    assert_valid_blocks(view["blocks"], most=100)


# --- what an agency's post says -------------------------------------------------------------------

def test_an_agencys_post_carries_everything_the_agency_needs(joinedup):
    joinedup.record(**FULL_RECORD)

    post = post_to(joinedup, EDUCATION.channel)
    text = shown(post["blocks"])
    for expected in (
        "JU-000001", "CR-12345",
        f"<!date^{int(AN_HOUR_AGO.timestamp())}^",
        f"<@{TIA.user_id}>", "foster carer",
        "To support the child's education", "School has noticed the same pattern",
        "*What you are asked to do*\nPlease check attendance this week",
        "Reported by someone else",
        "Consent given by the young person or parent",
        CHILD_IN_NEED.label, CHILD_IN_NEED.definition,
        "The child has been arriving hungry most mornings.",
        "Sam to visit home on Friday",
        "Tue 8 Dec 2026",
        f"<@{SAM.user_id}>, Children's Social Care",
    ):
        assert expected in text, f"{expected!r} is missing from the post"
    # The notification line names the record and the agency, never the child's case reference.
    assert "JU-000001" in post["text"] and "CR-12345" not in post["text"]


def test_a_record_for_information_only_says_so_and_first_hand_knowledge_is_labelled(joinedup):
    joinedup.record()

    text = shown(post_to(joinedup, HEALTH.channel)["blocks"])
    assert "*What you are asked to do*\nFor information only" in text
    assert "Seen or heard first-hand" in text


def test_each_agency_gets_its_own_post_with_its_own_acknowledgement_buttons(joinedup):
    joinedup.record()

    shares = []
    for channel in (EDUCATION.channel, HEALTH.channel):
        blocks = post_to(joinedup, channel)["blocks"]
        acknowledge = find_action(blocks, Action.ACKNOWLEDGE)["value"]
        with_a_note = find_action(blocks, Action.ACKNOWLEDGE_WITH_NOTE)  # a choice in the ⋯ menu beside it
        assert with_a_note["action_id"] == Action.POST_MENU
        assert with_a_note["selected_option"]["value"] == f"{Action.ACKNOWLEDGE_WITH_NOTE}:{acknowledge}"
        shares.append(acknowledge)
    assert len(set(shares)) == 2, "each agency acknowledges its own share"


def actions_of(post: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_a_post_leads_with_one_primary_action_and_keeps_the_rest_in_a_menu_beside_it(joinedup):
    joinedup.record()

    waiting = actions_of(post_to(joinedup, EDUCATION.channel))
    assert [(e["type"], e.get("style")) for e in waiting] == [("button", "primary"), ("overflow", None)]
    assert waiting[0]["text"]["text"] == "Acknowledge receipt"
    assert [o["text"]["text"] for o in waiting[1]["options"]] == ["Acknowledge with a note", "Ask or challenge"]
    assert Action.REPORT_OUTCOME not in str(waiting), "nothing to tell the sharer before anyone has acknowledged"

    waiting_post = post_to(joinedup, EDUCATION.channel)
    joinedup.slack.click(waiting_post, find_action(waiting_post["blocks"], Action.ACKNOWLEDGE), user=TIA.user_id,
                         channel=EDUCATION.channel)

    post = post_to(joinedup, EDUCATION.channel)
    acknowledged = actions_of(post)
    assert [(e["type"], e.get("style")) for e in acknowledged] == [("button", "primary"), ("overflow", None)]
    assert acknowledged[0]["text"]["text"] == "Tell the sharer what we did"
    assert [o["text"]["text"] for o in acknowledged[1]["options"]] == ["Ask or challenge"]
    assert "the outcome for the child is theirs" in str(post["blocks"]), "the two loops told apart"


def test_a_menu_choice_that_names_no_button_is_answered_with_nothing_opened(joinedup):
    joinedup.record()
    post = post_to(joinedup, EDUCATION.channel)
    forged = {"action_id": Action.POST_MENU, "block_id": "b", "type": "overflow",
              "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "amend_record:1"}}

    for action in (forged, {**forged, "selected_option": None}):
        assert joinedup.slack.click(post, action, user=TIA.user_id, channel=EDUCATION.channel).status == 200

    assert joinedup.standin.views(TIA.user_id) == []


def test_a_menu_choice_is_read_only_from_an_option_whose_value_is_text():
    from bot.blocks.menu import chosen

    assert chosen({"selected_option": {"value": "ask_or_challenge:1:health"}}) == ("ask_or_challenge", "1:health")
    for odd in (None, [], "ask_or_challenge:1:health", {"value": 5}, {}):
        assert chosen({"selected_option": odd}) == ("", "")
    assert chosen({"value": "ask_or_challenge:1:health"}) == ("", ""), "a button's value is not a menu choice"


# --- escaping -------------------------------------------------------------------------------------

def test_mentions_and_links_typed_in_the_summary_are_shown_as_typed_and_never_become_live(joinedup):
    joinedup.record(**{Field.SUMMARY: HOSTILE})

    text = shown(post_to(joinedup, EDUCATION.channel)["blocks"])
    assert ("Mum said &lt;!channel&gt; &amp; @here knew; ask &lt;@U0OUTSIDE&gt; or see "
            "&lt;https://evil.example|Click me&gt;") in text
    for live in ("<!channel>", "<@U0OUTSIDE>", "<https://evil.example"):
        assert all(live not in str(args) for args in posted_args(joinedup)), f"{live} reached Slack unescaped"


@pytest.mark.parametrize("field", FREE_TEXT_FIELDS)
def test_every_free_text_field_is_escaped_in_the_post(joinedup, field):
    answers = {**FULL_RECORD, field: "<!here> & <@U0OUTSIDE>"}

    assert joinedup.record(**answers).json()["response_action"] == "update"

    text = shown(post_to(joinedup, EDUCATION.channel)["blocks"])
    assert "&lt;!here&gt; &amp; &lt;@U0OUTSIDE&gt;" in text
    assert "<!here>" not in text and "<@U0OUTSIDE>" not in text


def test_the_reason_for_not_sharing_is_escaped_in_the_sharers_message_too(joinedup):
    joinedup.record(**{Field.SHARE_WITH: [RECORD_ONLY], Field.PURPOSES: [], Field.NOT_SHARED_REASON: "Dad said <!channel> & no"})

    assert all("<!channel>" not in str(args) for args in posted_args(joinedup))


def test_every_mrkdwn_text_in_what_joined_up_posts_is_verbatim(joinedup):
    joinedup.record(**{**FULL_RECORD, Field.SUMMARY: HOSTILE})

    mrkdwn = [t for args in posted_args(joinedup) for t in text_objects(args.get("blocks") or [])
              if t["type"] == "mrkdwn"]
    assert mrkdwn and all(t.get("verbatim") is True for t in mrkdwn)


def test_joined_up_never_asks_slack_to_parse_names_or_links_in_its_posts(joinedup):
    joinedup.record(**{Field.SUMMARY: HOSTILE})

    for args in posted_args(joinedup):
        assert args.get("link_names") in (None, False, 0, "0", "false")
        assert args.get("parse") != "full"


# --- long text ------------------------------------------------------------------------------------

@pytest.mark.parametrize("summary", ["&" * 3000, "<>" * 1500, "Tom & Jerry <b> " * 187 + "end."],
                         ids=["ampersands", "angle brackets", "words"])
def test_a_3000_character_summary_is_split_over_sections_without_losing_or_breaking_anything(joinedup, summary):
    assert len(summary) <= 3000

    assert joinedup.record(**{Field.SUMMARY: summary}).json()["response_action"] == "update"

    blocks = post_to(joinedup, EDUCATION.channel)["blocks"]
    chunks = titled_text(blocks, "Summary")
    assert len(chunks) > 1
    assert all(len(chunk) <= 3000 for chunk in section_texts(blocks))
    assert without_spaces("".join(chunks)) == without_spaces(escaped(summary)), "every character, in order"
    for chunk in chunks:
        for piece in chunk.split("&")[1:]:
            assert piece.startswith(("amp;", "lt;", "gt;")), f"an escape was cut in two: {chunk[:40]!r}"
    assert len(blocks) <= 50


def test_a_post_with_the_longest_summary_and_actions_stays_within_slacks_limits(joinedup):
    joinedup.record(**{**FULL_RECORD, Field.SUMMARY: "&" * 3000, Field.ACTIONS: "<" * 3000})

    for channel in (EDUCATION.channel, HEALTH.channel):
        blocks = post_to(joinedup, channel)["blocks"]
        assert len(blocks) <= 50
        assert_valid_blocks(blocks, most=50)


@pytest.mark.parametrize(("field", "title", "text"), [
    (Field.SUMMARY, "Summary", "x" * 3000),
    (Field.SUMMARY, "Summary", "https://example.org/" + "a" * 2980),
    (Field.ACTIONS, "Actions agreed", "<" * 3000),
], ids=["summary without spaces", "summary that is one long link", "actions full of angle brackets"])
def test_long_text_without_spaces_reaches_the_post_whole(joinedup, field, title, text):
    joinedup.record(**{field: text})

    chunks = titled_text(post_to(joinedup, EDUCATION.channel)["blocks"], title)
    assert "".join(chunks) == escaped(text)


def test_others_present_reaches_the_post_whole_however_much_it_needs_escaping(joinedup):
    joinedup.record(**{Field.PARTICIPANTS: [TIA.user_id], Field.OTHERS_PRESENT: "<" * 500})

    assert escaped("<" * 500) in shown(post_to(joinedup, EDUCATION.channel)["blocks"])


# --- Block Kit, checked by slack_sdk's own models -------------------------------------------------

def test_the_record_form_is_valid_block_kit(joinedup):
    joinedup.open_form(text="CR-99999")

    [opened] = joinedup.standin.calls("views.open")
    assert_valid_view(opened.args["view"])


def test_the_record_form_showing_emergency_instructions_is_valid_block_kit(joinedup):
    reply = joinedup.record(**{Field.RISK_LEVEL: "significant-harm"})

    assert reply.json()["response_action"] == "update"
    assert Field.URGENT_CONFIRMED in str(reply.json()["view"])
    assert_valid_view(reply.json()["view"])


def test_the_saved_view_is_valid_block_kit(joinedup):
    reply = joinedup.record()

    assert_valid_view(reply.json()["view"])


def test_agency_posts_are_valid_block_kit(joinedup):
    joinedup.record(**{**FULL_RECORD, Field.SUMMARY: HOSTILE})

    posts = [args for args in posted_args(joinedup) if args["channel"] in (EDUCATION.channel, HEALTH.channel)]
    assert len(posts) == 4  # each agency's first post, and its content as the update after it
    for args in posts:
        assert_valid_blocks(args["blocks"], most=50)


def test_the_sharers_status_message_is_valid_block_kit_when_posted_and_when_updated(joinedup):
    joinedup.standin.fail("chat.postMessage", error="not_in_channel", channel=HEALTH.channel)
    joinedup.record()
    education = post_to(joinedup, EDUCATION.channel)
    joinedup.slack.click(education, find_action(education["blocks"], Action.ACKNOWLEDGE), user=TIA.user_id,
                         channel=EDUCATION.channel)

    status = [args for args in posted_args(joinedup) if args["channel"] == SAM.user_id]
    updates = [call.args for call in joinedup.standin.calls("chat.update")
               if call.args["channel"].endswith(SAM.user_id)]
    assert len(status) == 1 and updates
    for args in status + updates:
        assert_valid_blocks(args["blocks"], most=50)


def test_the_record_only_status_message_is_valid_block_kit(joinedup):
    joinedup.record(**{Field.SHARE_WITH: [RECORD_ONLY], Field.PURPOSES: [], Field.NOT_SHARED_REASON: "Not needed & <b>"})

    [status] = joinedup.standin.messages(SAM.user_id)
    assert_valid_blocks(status["blocks"], most=50)


def test_the_acknowledgement_note_form_is_valid_block_kit(joinedup):
    joinedup.record()
    education = post_to(joinedup, EDUCATION.channel)

    joinedup.slack.click(education, find_action(education["blocks"], Action.ACKNOWLEDGE_WITH_NOTE),
                         user=TIA.user_id, channel=EDUCATION.channel)

    [opened] = joinedup.standin.calls("views.open")[1:]
    assert_valid_view(opened.args["view"])


def test_the_block_kit_check_itself_catches_what_slack_would_refuse():
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001, "verbatim": True}}]
    unknown_key = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "colour": "red"}]
    long_description = [{"type": "input", "block_id": "b", "label": {"type": "plain_text", "text": "L"},
                         "element": {"type": "static_select", "action_id": "a", "options": [
                             {"text": {"type": "plain_text", "text": "t"}, "value": "v",
                              "description": {"type": "plain_text", "text": "d" * 76}}]}}]

    for blocks in (too_long, unknown_key, long_description):
        with pytest.raises(Exception):
            assert_valid_blocks(blocks, most=50)

