"""The Slack stand-in, driven by the real slack_sdk WebClient over real HTTP."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from http.client import RemoteDisconnected

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from bot.standin.slack import SlackStandIn
from bot.standin.render import render_blocks, render_view


@pytest.fixture
def standin():
    with SlackStandIn() as s:
        s.add_user("U1", name="alice", real_name="Alice Adams")
        s.add_user("U2", name="bob", tz="America/New_York")
        s.add_user("U3", name="carol", deleted=True)
        s.add_channel("C1", name="case-123", members=["U1", "U2"])
        s.add_channel("G1", name="secret", members=["U1"], is_private=True, bot_is_member=False)
        s.add_channel("C2", name="old-case", members=["U1"], archived=True)
        yield s


@pytest.fixture
def client(standin):
    return WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[])


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value.response["error"]


def section(text):
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


# -- identity and recording -------------------------------------------------------
def test_auth_test_answers_with_everything_bolt_needs(standin, client):
    answer = client.auth_test()
    assert answer["ok"] is True
    assert answer["url"].startswith("https://")
    assert (answer["team_id"], answer["user_id"]) == ("T0JOINED", "UJOINEDUP")
    assert answer["team"] and answer["user"] and answer["bot_id"]
    assert standin.calls("auth.test")[0].token == "xoxb-test"


def test_it_only_listens_on_loopback():
    with pytest.raises(ValueError):
        SlackStandIn(host="0.0.0.0")
    with SlackStandIn() as s:
        assert s.api_url.startswith("http://127.0.0.1:") and s.api_url.endswith("/api/")


def test_a_call_without_a_token_is_not_authed(standin):
    assert error_of(lambda: WebClient(base_url=standin.api_url).auth_test()) == "not_authed"


def test_json_and_form_arguments_are_recorded_parsed(standin, client):
    blocks = [section("hello")]
    client.chat_postMessage(channel="C1", text="hello", blocks=blocks, unfurl_links=False)
    client.conversations_members(channel="C1", limit=5)
    post, members = standin.calls()[0], standin.calls()[1]
    assert post.method == "chat.postMessage"
    assert post.args["blocks"] == blocks and post.args["unfurl_links"] is False
    assert members.args == {"channel": "C1", "limit": "5"}
    assert post.at <= members.at and standin.count("chat.postMessage") == 1


def test_blocks_sent_as_a_json_string_in_a_form_are_normalised_to_a_list(standin, client):
    client.api_call("chat.postMessage", data={"channel": "C1", "text": "x", "blocks": '[{"type": "divider"}]'})
    assert standin.calls("chat.postMessage")[0].args["blocks"] == [{"type": "divider"}]
    assert standin.messages("C1")[0]["blocks"] == [{"type": "divider"}]


def test_unknown_methods_are_answered_ok_and_recorded(standin, client):
    assert client.api_call("reactions.add", params={"channel": "C1", "name": "eyes"})["ok"] is True
    assert standin.count("reactions.add") == 1


# -- messages ---------------------------------------------------------------------
def test_a_message_can_be_posted_updated_linked_and_read_back(standin, client):
    posted = client.chat_postMessage(channel="C1", text="Meeting &lt;notes&gt;", blocks=[section("v1")])
    ts = posted["ts"]
    assert posted["channel"] == "C1" and posted["message"]["text"] == "Meeting &lt;notes&gt;"
    client.chat_update(channel="C1", ts=ts, text="v2", blocks=[section("v2")])
    assert standin.message("C1", ts)["blocks"] == [section("v2")]
    assert standin.messages("C1")[0]["text"] == "v2"
    link = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]
    assert link == f"https://joinedup-standin.slack.com/archives/C1/p{ts.replace('.', '')}"
    history = client.conversations_history(channel="C1")["messages"]
    assert [m["ts"] for m in history] == [ts]
    assert history[0]["bot_id"] and history[0]["user"] == "UJOINEDUP"


def test_timestamps_are_unique_and_increasing_even_under_concurrency(standin, client):
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: client.chat_postMessage(channel="C1", text=str(i)), range(40)))
    stamps = [m["ts"] for m in standin.messages("C1")]
    assert len(set(stamps)) == 40 and stamps == sorted(stamps, key=float)
    assert sorted(a["ts"] for a in answers) == sorted(stamps)


def test_history_is_newest_first_and_honours_oldest_and_limit(standin, client):
    stamps = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(3)]
    standin.add_message("C1", user="U1", text="from alice")
    newest = client.conversations_history(channel="C1", limit=2)
    assert [m["text"] for m in newest["messages"]] == ["from alice", "2"]
    assert newest["has_more"] and newest["response_metadata"]["next_cursor"]
    assert "bot_id" not in newest["messages"][0] and newest["messages"][0]["user"] == "U1"
    since = client.conversations_history(channel="C1", oldest=stamps[0])["messages"]
    assert [m["text"] for m in since] == ["from alice", "2", "1"]


def test_chat_delete_removes_the_message(standin, client):
    ts = client.chat_postMessage(channel="C1", text="oops")["ts"]
    client.chat_delete(channel="C1", ts=ts)
    assert standin.messages("C1") == [] and standin.message("C1", ts) is None


def test_posting_to_a_user_id_lands_in_the_same_dm_as_conversations_open(standin, client):
    posted = client.chat_postMessage(channel="U1", text="hi alice")
    dm = client.conversations_open(users="U1")["channel"]["id"]
    assert dm.startswith("D") and posted["channel"] == dm
    assert client.conversations_open(users=["U1"])["channel"]["id"] == dm
    client.chat_postMessage(channel=dm, text="again")
    assert [m["text"] for m in standin.messages("U1")] == ["hi alice", "again"]
    assert standin.messages(dm) == standin.messages("U1")


def test_thread_replies_attach_to_their_parent(standin, client):
    parent = client.chat_postMessage(channel="C1", text="parent")["ts"]
    reply = client.chat_postMessage(channel="C1", text="reply", thread_ts=parent)
    assert reply["message"]["thread_ts"] == parent
    assert [m["ts"] for m in client.conversations_history(channel="C1")["messages"]] == [parent]
    assert standin.message("C1", parent)["reply_count"] == 1
    link = client.chat_getPermalink(channel="C1", message_ts=reply["ts"])["permalink"]
    assert f"thread_ts={parent}" in link
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x", thread_ts="1.000001")) == "thread_not_found"


def test_ephemeral_messages_are_kept_per_user(standin, client):
    answer = client.chat_postEphemeral(channel="C1", user="U2", text="only bob sees this")
    assert answer["message_ts"]
    (seen,) = standin.ephemerals("U2")
    assert seen["channel"] == "C1" and seen["text"] == "only bob sees this"
    assert standin.ephemerals("U1") == [] and standin.messages("C1") == []
    assert error_of(lambda: client.chat_postEphemeral(channel="C2", user="U2", text="x")) == "is_archived"
    assert error_of(lambda: client.chat_postEphemeral(channel="G1", user="U1", text="x")) == "not_in_channel"
    standin.add_user("U9", name="zed")
    assert error_of(lambda: client.chat_postEphemeral(channel="C1", user="U9", text="x")) == "user_not_in_channel"


def test_message_errors_match_slack(standin, client):
    assert error_of(lambda: client.api_call("chat.postMessage", json={"channel": "C1"})) == "no_text"
    assert error_of(lambda: client.chat_postMessage(channel="C404", text="x")) == "channel_not_found"
    assert error_of(lambda: client.chat_postMessage(channel="C2", text="x")) == "is_archived"
    assert error_of(lambda: client.chat_postMessage(channel="G1", text="x")) == "not_in_channel"
    standin.add_channel("C3", name="public-elsewhere", members=["U1"], bot_is_member=False)
    assert client.chat_postMessage(channel="C3", text="allowed, as with chat:write.public")["ok"]
    assert error_of(lambda: client.conversations_history(channel="C3")) == "not_in_channel"
    assert error_of(lambda: client.chat_update(channel="C1", ts="1.000001", text="x")) == "message_not_found"
    assert error_of(lambda: client.chat_delete(channel="C1", ts="1.000001")) == "message_not_found"
    assert error_of(lambda: client.chat_getPermalink(channel="C1", message_ts="1.000001")) == "message_not_found"
    assert error_of(lambda: client.conversations_open(users="U404")) == "user_not_found"
    assert error_of(lambda: client.conversations_open(users="U3")) == "user_disabled"
    assert [c.response["error"] for c in standin.errors()][:2] == ["no_text", "channel_not_found"]


def test_size_limits_are_enforced_like_slack(standin, client):
    too_many = [section(str(i)) for i in range(51)]
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x", blocks=too_many)) == "invalid_blocks"
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x", blocks=[section("a" * 3001)])) \
        == "invalid_blocks"
    ts = client.chat_postMessage(channel="C1", text="x", blocks=[section("a" * 3000)] * 50)["ts"]
    assert error_of(lambda: client.chat_update(channel="C1", ts=ts, text="x", blocks=too_many)) == "invalid_blocks"
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Big"}, "blocks": [{"type": "divider"}] * 101}
    # views.* report Block Kit problems as invalid_arguments, with the same json-pointer messages
    assert error_of(lambda: client.views_open(trigger_id=standin.trigger_id(), view=view)) == "invalid_arguments"
    (bad,) = [c for c in standin.errors("chat.postMessage") if "3001" in str(c.response)]
    assert "json-pointer:/blocks/0/text/text" in bad.response["response_metadata"]["messages"][0]


# -- directory --------------------------------------------------------------------
def test_users_info_describes_the_person(client):
    user = client.users_info(user="U2")["user"]
    assert (user["id"], user["name"], user["tz"], user["deleted"]) == ("U2", "bob", "America/New_York", False)
    assert user["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert user["profile"] == {"display_name": "bob", "real_name": "bob"}
    assert client.users_info(user="U3")["user"]["deleted"] is True
    assert error_of(lambda: client.users_info(user="U404")) == "user_not_found"


def test_conversation_members_are_paginated_with_cursors(standin, client):
    standin.add_channel("C9", name="big", members=[f"U{i:03d}" for i in range(5)], bot_is_member=False)
    first = client.conversations_members(channel="C9", limit=2)
    assert first["members"] == ["U000", "U001"]
    everyone = [m for page in client.conversations_members(channel="C9", limit=2) for m in page["members"]]
    assert everyone == [f"U{i:03d}" for i in range(5)]
    assert client.conversations_members(channel="C1")["response_metadata"]["next_cursor"] == ""
    assert client.conversations_members(channel="C1")["members"] == ["U1", "U2", "UJOINEDUP"]
    assert error_of(lambda: client.conversations_members(channel="C404")) == "channel_not_found"


# -- fault injection --------------------------------------------------------------
def test_fail_with_an_error_fails_the_next_call_only(standin, client):
    standin.fail("chat.postMessage", error="fatal_error")
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x")) == "fatal_error"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.failed for c in standin.calls("chat.postMessage")] == [True, False]
    assert len(standin.messages("C1")) == 1


def test_fail_with_a_server_error_gives_that_http_status(standin, client):
    standin.fail("chat.update", status=500)
    with pytest.raises(SlackApiError) as info:
        client.chat_update(channel="C1", ts="1.000001", text="x")
    assert info.value.response.status_code == 500


def test_fail_with_429_sends_retry_after_and_ratelimited(standin, client):
    standin.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="x")
    assert info.value.response.status_code == 429
    assert info.value.response["error"] == "ratelimited"
    assert info.value.response.headers["Retry-After"] == "7"


def test_the_rate_limit_retry_handler_recovers_after_one_429(standin):
    client = WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[RateLimitErrorRetryHandler()])
    standin.fail("chat.postMessage", retry_after=0)
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in standin.calls("chat.postMessage")] == [429, 200]


def test_a_dropped_connection_raises_in_the_client(standin, client):
    standin.fail("chat.postMessage", drop=True)
    with pytest.raises((RemoteDisconnected, ConnectionResetError)):
        client.chat_postMessage(channel="C1", text="x")
    assert standin.calls("chat.postMessage")[0].status == 0
    assert client.chat_postMessage(channel="C1", text="x")["ok"]


def test_the_connection_retry_handler_recovers_from_a_drop(standin):
    retry = ConnectionErrorRetryHandler(interval_calculator=FixedValueRetryIntervalCalculator(0))
    client = WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[retry])
    standin.fail("chat.postMessage", drop=True)
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert standin.count("chat.postMessage") == 2 and len(standin.messages("C1")) == 1


def test_fail_times_counts_down_and_minus_one_lasts_until_cleared(standin, client):
    standin.fail("users.info", error="fatal_error", times=2)
    assert [error_of(lambda: client.users_info(user="U1")) for _ in range(2)] == ["fatal_error"] * 2
    assert client.users_info(user="U1")["ok"]
    standin.fail("users.info", error="account_inactive", times=-1)
    assert [error_of(lambda: client.users_info(user="U1")) for _ in range(3)] == ["account_inactive"] * 3
    standin.clear_failures()
    assert client.users_info(user="U1")["ok"]


def test_fail_can_target_one_channel(standin, client):
    standin.fail("chat.postMessage", error="fatal_error", channel="U2")
    assert client.chat_postMessage(channel="U1", text="to alice")["ok"]
    assert error_of(lambda: client.chat_postMessage(channel="U2", text="to bob")) == "fatal_error"
    assert client.chat_postMessage(channel="U2", text="to bob")["ok"]


def test_set_delay_slows_every_answer(standin, client):
    standin.set_delay(0.2)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2
    standin.set_delay(0)


def test_reset_forgets_activity_but_keeps_the_directory(standin, client):
    client.chat_postMessage(channel="C1", text="x")
    standin.fail("auth.test", error="invalid_auth")
    standin.reset()
    assert standin.calls() == [] and standin.messages("C1") == []
    assert client.auth_test()["ok"] and client.users_info(user="U1")["ok"]


# -- views ------------------------------------------------------------------------
MODAL = {"type": "modal", "callback_id": "record", "title": {"type": "plain_text", "text": "Record"},
         "blocks": [section("step 1")]}


def test_views_open_and_update_by_id_external_id_and_hash(standin, client):
    view = client.views_open(trigger_id=standin.trigger_id("U1"), view={**MODAL, "external_id": "rec-1"})["view"]
    assert view["id"].startswith("V") and view["hash"] and view["callback_id"] == "record"
    step2 = {**MODAL, "blocks": [section("step 2")]}
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=step2)["view"]
    assert updated["id"] == view["id"] and updated["hash"] != view["hash"]
    assert error_of(lambda: client.views_update(view_id=view["id"], hash=view["hash"], view=step2)) == "hash_conflict"
    assert client.views_update(external_id="rec-1", view=MODAL)["ok"]
    assert error_of(lambda: client.views_update(view_id="V404", view=MODAL)) == "not_found"
    assert [v["blocks"] for v in standin.views("U1")] == [MODAL["blocks"]]
    assert standin.views("U2") == []


def test_trigger_ids_can_be_used_once_and_expire(standin, client):
    trigger = standin.trigger_id("U1")
    client.views_open(trigger_id=trigger, view=MODAL)
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=MODAL)) == "exchanged_trigger_id"
    assert error_of(lambda: client.views_open(trigger_id="123.expired.abc", view=MODAL)) == "expired_trigger_id"
    assert client.views_push(trigger_id=standin.trigger_id("U1"), view=MODAL)["view"]["id"]
    assert len(standin.views("U1")) == 2


def test_views_publish_stores_one_home_view_per_user(standin, client):
    home = {"type": "home", "blocks": [section("Your open actions")]}
    first = client.views_publish(user_id="U1", view=home)["view"]
    second = client.views_publish(user_id="U1", view={**home, "blocks": [section("Nothing to do")]})["view"]
    assert first["id"] == second["id"]
    assert standin.home_views["U1"]["blocks"] == [section("Nothing to do")]
    assert error_of(lambda: client.views_publish(user_id="U1", view=MODAL)) == "invalid_arguments"
    assert error_of(lambda: client.views_publish(user_id="U1", view=home, hash="stale")) == "hash_conflict"


# -- response_url -----------------------------------------------------------------
def test_posts_to_a_response_url_are_recorded(standin):
    answer = WebhookClient(standin.response_url("ack")).send(text="Thanks", replace_original=True)
    assert (answer.status_code, answer.body) == (200, "ok")
    (call,) = standin.calls("response_url")
    assert call.args == {"text": "Thanks", "replace_original": True, "_name": "ack"}


# -- rendering --------------------------------------------------------------------
def test_render_blocks_shows_what_a_person_would_see():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Strategy meeting"}},
        section("Recorded by <@U1> for <https://example.org/case/1|case 1> &amp; friends &lt;3"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Due*\n<!date^1700000000^{date_short_pretty}|14 Nov>"},
                                       {"type": "mrkdwn", "text": "*Owner*\n<@U2>"}]},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Shared with <#C1|case-123>"}]},
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Acknowledge"}},
                                         {"type": "button", "text": {"type": "plain_text", "text": "Query"}}]},
    ]
    text = render_blocks(blocks, width=100, names={"U1": "Alice"})
    assert text.splitlines()[:2] == ["Strategy meeting", "================"]
    assert "Recorded by @Alice for case 1 (https://example.org/case/1) & friends <3" in text
    assert "  *Due*\n  14 Nov" in text and "@U2" in text
    assert "-" * 100 in text and "Shared with #case-123" in text
    assert "[ Acknowledge ]  [ Query ]" in text
    assert render_blocks([], text="plain &amp; simple") == "plain & simple"
    assert max(len(line) for line in render_blocks(blocks, width=40).splitlines()) <= 40


def test_render_view_lists_inputs_and_the_modal_buttons():
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Record"},
            "submit": {"type": "plain_text", "text": "Save"}, "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": [{"type": "input", "label": {"type": "plain_text", "text": "Notes"},
                        "element": {"type": "plain_text_input", "multiline": True}},
                       {"type": "input", "label": {"type": "plain_text", "text": "Agency"}, "optional": True,
                        "element": {"type": "static_select", "options": [
                            {"text": {"type": "plain_text", "text": "Police"}, "value": "p"},
                            {"text": {"type": "plain_text", "text": "Health"}, "value": "h"}]}}]}
    text = render_view(view)
    assert text.startswith("Record\n======")
    assert "Notes: ____  (text, several lines)" in text
    assert "Agency: ____  (choose one, optional)\n    - Police\n    - Health" in text
    assert text.endswith("[ Cancel ]  [ Save ]")
