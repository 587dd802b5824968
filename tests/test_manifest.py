"""app_manifest.yml: valid for Slack, and in step with what the app actually handles."""
from __future__ import annotations

import copy
import json
import logging
import re
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

from bot.demo.sample import SAM, SOCIAL_CARE
from bot.edge.web import EVENTS_PATH
from bot.blocks.ids import Command, Shortcut

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / "app_manifest.yml").read_text(encoding="utf-8"))
SCHEMA = json.loads((Path(__file__).parent / "data" / "slack_manifest.schema.1.0.0.json").read_text(encoding="utf-8"))

# Events the app might one day listen for; each is sent to the running app to see whether it is handled.
CANDIDATE_EVENTS = ["app_home_opened", "app_mention", "message", "reaction_added", "member_joined_channel"]
SCOPES_THE_CODE_USES = {"chat:write", "commands", "im:write", "users:read", "channels:read", "groups:read",
                        "files:write", "users:read.email"}


def schema_errors(manifest: dict[str, Any]) -> list[str]:
    validator = Draft7Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(manifest)]


def subscribed_events() -> set[str]:
    """Event types Slack will send; `message.im` and friends all arrive as type `message`."""
    return {name.split(".")[0] for name in MANIFEST["settings"]["event_subscriptions"]["bot_events"]}


def unhandled(caplog: Any, send: Any) -> bool:
    """Whether no listener took this request. It is answered 200 all the same (a 404 would have Slack retry an
    event, or show the person an error), and the app says so in one line."""
    caplog.set_level(logging.INFO, logger="bot.app")
    caplog.clear()
    reply = send()
    assert reply.status == 200, reply
    return any("with no listener" in record.getMessage() for record in caplog.records)


def handles(joinedup: Any, caplog: Any, event_type: str) -> bool:
    """Whether the app has a listener for this event."""
    ts = "1795000000.000100"
    return not unhandled(caplog, lambda: joinedup.slack.event({
        "type": event_type, "user": SAM.user_id, "channel": SOCIAL_CARE.channel, "channel_type": "channel",
        "tab": "home", "text": "hello", "ts": ts, "event_ts": ts, "reaction": "thumbsup",
        "item": {"type": "message", "channel": SOCIAL_CARE.channel, "ts": ts},
    }))


def test_the_manifest_is_valid_against_slacks_manifest_schema():
    errors = schema_errors(MANIFEST)
    assert not errors, "app_manifest.yml does not match Slack's schema:\n" + "\n".join(errors)
    assert MANIFEST["_metadata"]["major_version"] == 1
    # The schema states this with "regex", which JSON Schema ignores; Slack still enforces it.
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", MANIFEST["display_information"]["background_color"])


def test_the_schema_check_rejects_a_manifest_with_an_unknown_key_under_features():
    broken = copy.deepcopy(MANIFEST)
    broken["features"]["not_a_feature"] = True
    assert any("not_a_feature" in error for error in schema_errors(broken))


def test_the_slash_commands_are_exactly_the_apps_commands_and_the_app_answers_each(joinedup, caplog):
    assert {c["command"] for c in MANIFEST["features"]["slash_commands"]} == {c.value for c in Command}
    for command in Command:
        reply = joinedup.slack.command(command, "", user=SAM.user_id)
        assert reply.status == 200, f"{command}: {reply}"
    assert unhandled(caplog, lambda: joinedup.slack.command("/not-ours", "", user=SAM.user_id))


def test_the_shortcuts_are_exactly_the_apps_shortcuts_and_the_app_answers_each(joinedup, caplog):
    shortcuts = {s["callback_id"]: s["type"] for s in MANIFEST["features"]["shortcuts"]}
    assert shortcuts == {Shortcut.RECORD_CONVERSATION: "global", Shortcut.RECORD_FROM_MESSAGE: "message"}
    assert set(shortcuts) == {s.value for s in Shortcut}
    ts = joinedup.standin.add_message(SOCIAL_CARE.channel, user=SAM.user_id, text="hello")
    message = joinedup.standin.message(SOCIAL_CARE.channel, ts)
    for callback_id, kind in shortcuts.items():
        reply = (joinedup.slack.shortcut(callback_id, user=SAM.user_id) if kind == "global" else
                 joinedup.slack.message_shortcut(callback_id, message, user=SAM.user_id, channel=SOCIAL_CARE.channel))
        assert reply.status == 200, f"{callback_id}: {reply}"
    assert joinedup.standin.count("views.open", answered_ok=True) == len(shortcuts)
    assert unhandled(caplog, lambda: joinedup.slack.shortcut("not_ours", user=SAM.user_id))


def test_every_event_the_app_listens_for_is_subscribed_in_the_manifest(joinedup, caplog):
    assert not handles(joinedup, caplog, "no_such_event"), "the probe must be able to tell handled from unhandled"
    handled = {event for event in CANDIDATE_EVENTS if handles(joinedup, caplog, event)}
    assert handled <= subscribed_events(), f"listened for but never sent by Slack: {handled - subscribed_events()}"


def test_every_subscribed_event_is_handled(joinedup, caplog):
    ignored = {event for event in subscribed_events() if not handles(joinedup, caplog, event)}
    assert not ignored, f"subscribed, but no listener takes them: {ignored}"


def test_interactivity_is_enabled_because_the_app_handles_form_submissions(joinedup):
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert joinedup.record().status == 200


def test_every_request_url_is_the_apps_events_path():
    settings = MANIFEST["settings"]
    urls = [c["url"] for c in MANIFEST["features"]["slash_commands"]]
    urls += [settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]]
    assert all(url.startswith("https://") and url.endswith(EVENTS_PATH) for url in urls), urls


def test_the_bot_scopes_include_everything_the_code_uses():
    assert SCOPES_THE_CODE_USES <= set(MANIFEST["oauth_config"]["scopes"]["bot"])
