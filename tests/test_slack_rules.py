"""The stand-in refuses what Slack refuses, with Slack's error names: each rule, one case each."""
from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standin.rules import SlackError, check_arguments, check_message, check_submission_answer, check_view
from bot.standin.slack import SlackStandIn


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "x", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": md(text), **extra}


def button(action_id: str = "a", text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": action_id, "value": "1", **extra}


def option(text: str = "One", value: str = "1") -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def select(**extra: Any) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "value", "options": [option()], **extra}


def input_block(element: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "input", "block_id": "field", "label": plain("Label"),
            "element": element or {"type": "plain_text_input", "action_id": "value"}, **extra}


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Title"), "submit": plain("Save"), "blocks": list(blocks), **extra}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


MESSAGES_REFUSED = {
    "no text and no blocks": ({"text": ""}, "no_text"),
    "text over 40,000": ({"text": "x" * 40001}, "msg_too_long"),
    "blocks not a list": ({"text": "x", "blocks": {"type": "divider"}}, "invalid_blocks_format"),
    "51 blocks": ({"text": "x", "blocks": [section()] * 51}, "invalid_blocks"),
    "an input block in a message": ({"text": "x", "blocks": [input_block()]}, "invalid_blocks"),
    "an unknown block": ({"text": "x", "blocks": [{"type": "carousel"}]}, "invalid_blocks"),
    "a repeated block_id": ({"text": "x", "blocks": [section(block_id="b"), section(block_id="b")]}, "invalid_blocks"),
    "a repeated action_id in a block": ({"text": "x", "blocks": [actions(button("a"), button("a"))]}, "invalid_blocks"),
    "a section of 3,001": ({"text": "x", "blocks": [section("y" * 3001)]}, "invalid_blocks"),
    "an empty text object": ({"text": "x", "blocks": [section("")]}, "invalid_blocks"),
    "a field of 2,001": ({"text": "x", "blocks": [{"type": "section", "fields": [md("y" * 2001)]}]}, "invalid_blocks"),
    "a header of 151": ({"text": "x", "blocks": [{"type": "header", "text": plain("y" * 151)}]}, "invalid_blocks"),
    "a mrkdwn header": ({"text": "x", "blocks": [{"type": "header", "text": md("y")}]}, "invalid_blocks"),
    "11 context elements": ({"text": "x", "blocks": [{"type": "context", "elements": [md("y")] * 11}]}, "invalid_blocks"),
    "a button in a context": ({"text": "x", "blocks": [{"type": "context", "elements": [button()]}]}, "invalid_blocks"),
    "26 actions": ({"text": "x", "blocks": [actions(*(button(f"a{i}") for i in range(26)))]}, "invalid_blocks"),
    "button text of 76": ({"text": "x", "blocks": [actions(button(text="y" * 76))]}, "invalid_blocks"),
    "mrkdwn button text": ({"text": "x", "blocks": [actions({**button(), "text": md("Go")})]}, "invalid_blocks"),
    "button value of 2,001": ({"text": "x", "blocks": [actions(button(value="y" * 2001))]}, "invalid_blocks"),
    "a button style Slack lacks": ({"text": "x", "blocks": [actions(button(style="warning"))]}, "invalid_blocks"),
    "action_id of 256": ({"text": "x", "blocks": [actions(button("a" * 256))]}, "invalid_blocks"),
    "block_id of 256": ({"text": "x", "blocks": [section(block_id="b" * 256)]}, "invalid_blocks"),
    "emoji on mrkdwn": ({"text": "x", "blocks": [section(text=None) | {"text": md("y") | {"emoji": True}}]},
                        "invalid_blocks"),
    "verbatim on plain_text": ({"text": "x", "blocks": [section() | {"text": plain("y") | {"verbatim": True}}]},
                               "invalid_blocks"),
    "option text of 76": ({"text": "x", "blocks": [section(accessory=select(options=[option("y" * 76)]))]},
                          "invalid_blocks"),
    "option value of 151": ({"text": "x", "blocks": [section(accessory=select(options=[option(value="y" * 151)]))]},
                            "invalid_blocks"),
    "101 options": ({"text": "x", "blocks": [section(accessory=select(options=[option(value=str(i))
                                                                               for i in range(101)]))]}, "invalid_blocks"),
    "an initial option not among the options": (
        {"text": "x", "blocks": [section(accessory=select(initial_option=option("Two", "2")))]}, "invalid_blocks"),
    "11 radio buttons": ({"text": "x", "blocks": [actions({"type": "radio_buttons", "action_id": "r",
                                                           "options": [option(value=str(i)) for i in range(11)]})]},
                         "invalid_blocks"),
    "six overflow options": ({"text": "x", "blocks": [actions({"type": "overflow", "action_id": "o",
                                                               "options": [option(value=str(i)) for i in range(6)]})]},
                             "invalid_blocks"),
    "attachments with bad blocks": ({"text": "x", "attachments": [{"blocks": [section("")]}]}, "invalid_attachments"),
    "metadata without a payload": ({"text": "x", "metadata": {"event_type": "e"}}, "invalid_metadata_format"),
}

VIEWS_REFUSED = {
    "not a modal or home": ({"type": "message", "blocks": []}, "invalid_arguments"),
    "101 blocks": (modal(*[{"type": "divider"}] * 101), "invalid_arguments"),
    "no title": ({"type": "modal", "blocks": []}, "invalid_arguments"),
    "a title of 25": (modal(title=plain("y" * 25)), "invalid_arguments"),
    "a mrkdwn title": (modal(title=md("Title")), "invalid_arguments"),
    "submit of 25": (modal(submit=plain("y" * 25)), "invalid_arguments"),
    "inputs without submit": ({"type": "modal", "title": plain("T"), "blocks": [input_block()]}, "invalid_arguments"),
    "private_metadata of 3,001": (modal(private_metadata="y" * 3001), "invalid_arguments"),
    "a callback_id of 256": (modal(callback_id="y" * 256), "invalid_arguments"),
    "a label of 2,001": (modal(input_block(label=plain("y" * 2001))), "invalid_arguments"),
    "a hint of 2,001": (modal(input_block(hint=plain("y" * 2001))), "invalid_arguments"),
    "a mrkdwn label": (modal(input_block(label=md("Label"))), "invalid_arguments"),
    "a placeholder of 151": (modal(input_block({"type": "plain_text_input", "action_id": "value",
                                                "placeholder": plain("y" * 151)})), "invalid_arguments"),
    "max_length of 3,001": (modal(input_block({"type": "plain_text_input", "action_id": "value",
                                               "max_length": 3001})), "invalid_arguments"),
    "an unknown trigger": (modal(input_block({"type": "plain_text_input", "action_id": "value",
                                              "dispatch_action_config": {"trigger_actions_on": ["on_blur"]}})),
                           "invalid_arguments"),
    "a button as an input": (modal(input_block(button())), "invalid_arguments"),
    "a home view with submit": ({"type": "home", "submit": plain("Go"), "blocks": []}, "invalid_arguments"),
    "over 250 kB": (modal(*[section("y" * 3000, block_id=str(i)) for i in range(90)]), "view_too_large"),
}


@pytest.mark.parametrize("args, error", MESSAGES_REFUSED.values(), ids=MESSAGES_REFUSED.keys())
def test_a_message_slack_refuses_is_refused_with_slacks_error(args: dict[str, Any], error: str) -> None:
    with pytest.raises(SlackError) as refused:
        check_message(args)
    assert refused.value.error == error


@pytest.mark.parametrize("view, error", VIEWS_REFUSED.values(), ids=VIEWS_REFUSED.keys())
def test_a_view_slack_refuses_is_refused_with_slacks_error(view: dict[str, Any], error: str) -> None:
    with pytest.raises(SlackError) as refused:
        check_view(view)
    assert refused.value.error == error


def test_what_slack_takes_passes() -> None:
    blocks = [{"type": "header", "text": plain("y" * 150)}, section("y" * 3000),
              actions(button("a", "y" * 75), button("b", style="danger")), actions(button("a")),
              section(accessory=select(initial_option=option())), {"type": "context", "elements": [md("y")] * 10}]
    assert check_message({"text": "x" * 40000, "blocks": blocks * 8,
                          "metadata": {"event_type": "joinedup_message", "event_payload": {"key": "k"}}}) == []
    check_view(modal(input_block(), *[section(block_id=str(i)) for i in range(99)], private_metadata="y" * 3000))
    check_view({"type": "home", "blocks": [actions(button())]})


def test_metadata_with_an_event_type_slack_cannot_use_is_dropped_with_a_warning() -> None:
    args = {"text": "x", "metadata": {"event_type": "joined.up", "event_payload": {}}}
    assert check_message(args) == ["invalid_metadata_schema"]
    assert "metadata" not in args


def test_only_the_arguments_slack_defines_and_every_required_one() -> None:
    check_arguments("chat.postMessage", {"channel": "C1", "text": "x", "unfurl_links": False, "token": "t"})
    with pytest.raises(SlackError) as refused:
        check_arguments("chat.postMessage", {"channel": "C1", "txt": "x"})
    assert refused.value.error == "invalid_arguments" and "unknown argument: txt" in refused.value.messages[0]
    with pytest.raises(SlackError) as refused:
        check_arguments("chat.update", {"channel": "C1", "text": "x"})
    assert refused.value.messages == ["[ERROR] missing required field: ts"]


def test_form_errors_must_name_input_blocks_of_the_submitted_view() -> None:
    submitted = modal(input_block(), section(block_id="note"))
    check_submission_answer({"response_action": "errors", "errors": {"field": "Say more"}}, submitted)
    for errors in ({"note": "Say more"}, {"elsewhere": "Say more"}, {}, {"field": ""}):
        with pytest.raises(SlackError):
            check_submission_answer({"response_action": "errors", "errors": errors}, submitted)
    with pytest.raises(SlackError):
        check_submission_answer({"response_action": "update", "view": modal(title=plain("y" * 25))}, submitted)


def test_refusals_reach_slack_sdk_as_slack_sends_them(standin: SlackStandIn) -> None:
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    standin.add_channel("C1", name="one")
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C1", text="x", blocks=[actions(button("a"), button("a"))])
    assert refused.value.response["error"] == "invalid_blocks"
    assert "action_id must be unique" in refused.value.response["response_metadata"]["messages"][0]
    with pytest.raises(SlackApiError) as refused:
        client.api_call("chat.postMessage", json={"channel": "C1", "text": "x", "colour": "red"})
    assert refused.value.response["error"] == "invalid_arguments"
    standin.add_message("C1", user="U0SOMEONE", text="theirs")
    (theirs,) = standin.messages("C1")
    with pytest.raises(SlackApiError) as refused:
        client.chat_update(channel="C1", ts=theirs["ts"], text="mine now")
    assert refused.value.response["error"] == "cant_update_message"


def test_a_response_url_refuses_what_a_message_may_not_carry(standin: SlackStandIn) -> None:
    from slack_sdk.webhook import WebhookClient
    hook = WebhookClient(standin.response_url())
    assert hook.send(text="fine", replace_original=True).status_code == 200
    refused = hook.send(text="x", blocks=[section("")])
    assert (refused.status_code, refused.body) == (400, "invalid_blocks")


def test_the_relaxed_stand_in_lets_bad_payloads_through_only_when_asked() -> None:
    with SlackStandIn(strict=False) as relaxed:
        relaxed.add_channel("C1", name="one")
        client = WebClient(token="xoxb-test", base_url=relaxed.api_url)
        assert client.chat_postMessage(channel="C1", text="x", blocks=[actions(button("a"), button("a"))])["ok"]
