"""Sending owed messages to Slack: each channel's in order, different channels side by side, within Slack's
rate limits, and looking in a channel before posting again a message whose earlier attempt may have reached it."""
from __future__ import annotations

import http.client
import logging
import math
import random
import socket
import urllib.error
import urllib.request
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.text import notice
from bot.domain.clock import Clock

log = logging.getLogger(__name__)

METADATA_EVENT = "joinedup_message"  # carries each message's key, so a copy can be recognised in Slack
LONGEST_BACKOFF = timedelta(minutes=15)
# Slack allows one message a second to a channel, with short bursts: a channel that has refused one is paced.
# https://docs.slack.dev/apis/web-api/rate-limits ("Posting messages: 1 per second. Short bursts >1 allowed.")
PACE = timedelta(seconds=1)
PACED_FOR = timedelta(minutes=1)
FIRST_BACKOFF = timedelta(seconds=15)
TRANSIENT = (urllib.error.URLError, TimeoutError, ConnectionError, socket.timeout, http.client.HTTPException, OSError)

# Errors that trying again will not fix, with what a person must do about each.
PERMANENT_ERRORS = {
    "channel_not_found": "the channel no longer exists or Joined Up cannot see it: check the agency's channel ID in the configuration",
    "not_in_channel": "Joined Up is not a member of the channel: type /invite @Joined Up in it",
    "is_archived": "the channel is archived: unarchive it or configure the agency's new channel",
    "account_inactive": "the Slack account is deactivated",
    "user_not_found": "the Slack user no longer exists",
    "messages_tab_disabled": "Joined Up's Messages tab is turned off: enable it under App Home in the app's settings",
    "cannot_dm_bot": "that account is a bot and cannot receive messages",
    "invalid_auth": "the bot token is not valid: check SLACK_BOT_TOKEN",
    "not_authed": "no bot token was sent: check SLACK_BOT_TOKEN",
    "token_revoked": "the bot token was revoked: reinstall the app and update SLACK_BOT_TOKEN",
    "missing_scope": "the app lacks a permission: reinstall it from app_manifest.yml",
    "restricted_action": "the workspace does not allow Joined Up to post there",
    "invalid_blocks": "Slack refused the message layout",
    "msg_too_long": "the message was too long for Slack",
    "no_text": "the message was empty",
    "message_not_found": "the Slack message was deleted",
    "thread_not_found": "the thread this replies to was deleted",
}


@dataclass(frozen=True)
class FileShare:
    """A file shared into the message's channel with Slack's upload flow, rather than a message posted."""
    name: str  # unique to the message (derived from its key): a later attempt finds an earlier share by it
    title: str
    data: bytes
    alt_text: str  # the file's alt_txt, read by screen readers in place of an image
    comment: str  # the message introducing the file (completeUploadExternal's initial_comment)


@dataclass
class Rendered:
    text: str
    blocks: list[dict[str, Any]] | None = None
    file: FileShare | None = None  # where given, the message is this file's share, sent once and never updated


@dataclass
class Plan:
    """One message as it is to be sent, read and rendered before it is claimed."""
    id: int
    version: int
    kind: str
    record_id: int | None
    agency_key: str | None
    ts: str | None
    channel: str
    key: str
    post_started: bool
    thread_ts: str | None
    rendered: Rendered


@dataclass
class Reply:
    """What Slack said to one message: its ts once it is out, or why not."""
    ts: str | None = None
    channel: str | None = None
    permalink: str | None = None
    error: str = ""
    status: int | None = None
    retry_after: str | None = None
    refused: bool = False  # Slack answered, so nothing was posted
    tried: bool = True  # False for a message held back because its channel was rate limited
    whole: bool = False  # the first attempt carried all of the content: nothing follows as an update (a file)


class Sender:
    def __init__(self, *, client: WebClient, clock: Clock, senders: Executor | None = None) -> None:
        """`senders`, where given, sends to different channels at the same time."""
        self.client = client
        self.clock = clock
        self.senders = senders
        self._full_until: dict[str, datetime] = {}  # channels Slack refused with a 429, until it said to wait
        self._paced_until: dict[str, datetime] = {}  # channels refused lately: one message a second to them
        self._workspace_url: str | None = None
        self._dms: dict[str, str] = {}  # a person's user ID: the ID of the bot's DM with them

    def send_all(self, plans: list[Plan]) -> dict[int, Reply]:
        """Each channel's messages in order; different channels at the same time where a pool is given."""
        by_channel: dict[str, list[Plan]] = {}
        for plan in plans:
            by_channel.setdefault(plan.channel, []).append(plan)
        groups = list(by_channel.values())
        if self.senders is None or len(groups) == 1:
            replies = [self._send_group(group) for group in groups]
        else:
            replies = list(self.senders.map(self._send_group, groups))
        return {plan.id: reply for group, group_replies in zip(groups, replies)
                for plan, reply in zip(group, group_replies)}

    def _send_group(self, plans: list[Plan]) -> list[Reply]:
        """One channel's messages, in order. Once Slack says the channel is full, nothing more is sent to it
        until Slack's Retry-After has passed, from this batch or any other: they wait, unsent. For a minute
        after that, the channel gets one message a second, Slack's rate for it, rather than a refusal for
        every other message. Updates are not held: the rate for a channel is for posting (chat.update has a
        method-wide limit of its own, and a 429 on one waits out its own Retry-After)."""
        replies: list[Reply] = []
        for plan in plans:
            if plan.ts is not None:
                replies.append(self._send(plan))
                continue
            now = self.clock.now()
            full_until = self._full_until.get(plan.channel)
            if full_until is not None and full_until > now:
                wait = math.ceil((full_until - now).total_seconds())
                replies.append(Reply(status=429, retry_after=str(wait), error="ratelimited", refused=True,
                                      tried=False))
                continue
            reply = self._send(plan)
            if reply.status == 429:
                self._full_until[plan.channel] = now + retry_after(reply.retry_after)
                self._paced_until[plan.channel] = now + PACED_FOR
            elif self._paced_until.get(plan.channel, now) > now:
                self._full_until[plan.channel] = self.clock.now() + PACE
            replies.append(reply)
        return replies

    def _send(self, plan: Plan) -> Reply:
        rendered, channel, ts = plan.rendered, plan.channel, plan.ts
        if rendered.file is not None:
            return self._share(plan, rendered.file)
        try:
            if ts is None:
                found = self._already_posted(channel, plan.key, plan.thread_ts) if plan.post_started else None
                if found is None:
                    response = self.client.chat_postMessage(
                        channel=channel, text=rendered.text, blocks=notice(rendered.text), thread_ts=plan.thread_ts,
                        unfurl_links=False, unfurl_media=False,
                        metadata={"event_type": METADATA_EVENT, "event_payload": {"key": plan.key}})
                    ts, channel = response["ts"], response["channel"]
                else:
                    ts = found
                    log.info("message %s was already in Slack from an attempt that was cut off", plan.id)
                return Reply(ts=ts, channel=channel, permalink=self._permalink(channel, ts))
            self.client.chat_update(channel=channel, ts=ts, text=rendered.text, blocks=rendered.blocks)
            return Reply(ts=ts, channel=channel)
        except _LookUpFailed as failed:
            return Reply(error=f"looking for an earlier copy: {failed.reply.error}", status=failed.reply.status,
                          retry_after=failed.reply.retry_after)  # not refused: the earlier copy may be in Slack
        except SlackApiError as error:
            return _answered(error)
        except TRANSIENT as error:
            return Reply(error=type(error).__name__ or "unknown")

    def _share(self, plan: Plan, file: FileShare) -> Reply:
        """Slack's upload flow: files.getUploadURLExternal, the bytes POSTed to the URL it gives, then
        files.completeUploadExternal sharing the file into the channel. Until that last step nothing is shared (Slack
        discards an upload never completed), so a failure before it is a refusal: the next attempt starts afresh.

        What counts as delivered: completeUploadExternal answering ok. Real Slack answers with the file's ID and
        title only and puts the message carrying the file into the channel a moment later, so no message ts is
        known; the row keeps the file's ID where a message keeps its ts (sent, never updated: `whole`). After an
        attempt whose answer may have been lost, the channel's history is searched for a message carrying a file of
        this name before sharing again. The one way to double it: Slack completed the upload but its share is not
        yet in the channel's history when the retry looks (at least a first backoff later: 12 to 18 s)."""
        channel = plan.channel
        try:
            if plan.post_started:
                found = self._look_for(channel, None, lambda message: _file_named(message, file.name))
                if found is not None:
                    log.info("message %s's file was already shared by an attempt that was cut off", plan.id)
                    return Reply(ts=found, channel=channel, whole=True)
            try:
                ticket = self.client.files_getUploadURLExternal(filename=file.name, length=len(file.data),
                                                                 alt_txt=file.alt_text)
                self._upload(str(ticket["upload_url"]), file.data)
            except SlackApiError as error:
                return replace(_answered(error), refused=True)
            except urllib.error.HTTPError as error:
                return Reply(error="upload_failed", status=error.code, refused=True)
            except TRANSIENT as error:
                return Reply(error=type(error).__name__ or "unknown", refused=True)
            done = self.client.files_completeUploadExternal(files=[{"id": ticket["file_id"], "title": file.title}],
                                                             channel_id=channel, initial_comment=file.comment)
            return Reply(ts=str(done["files"][0]["id"]), channel=channel, whole=True)
        except _LookUpFailed as failed:
            return Reply(error=f"looking for an earlier copy: {failed.reply.error}", status=failed.reply.status,
                          retry_after=failed.reply.retry_after)
        except SlackApiError as error:
            return _answered(error)
        except TRANSIENT as error:
            return Reply(error=type(error).__name__ or "unknown")

    def _upload(self, url: str, data: bytes) -> None:
        """The bytes, raw, to the upload URL, through the client's proxy and TLS settings; Slack answers 200 when
        the upload worked (https://docs.slack.dev/reference/methods/files.getUploadURLExternal)."""
        handlers: list[Any] = []
        if self.client.proxy:
            handlers.append(urllib.request.ProxyHandler({"http": self.client.proxy, "https": self.client.proxy}))
        if self.client.ssl is not None:
            handlers.append(urllib.request.HTTPSHandler(context=self.client.ssl))
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/octet-stream"})
        with urllib.request.build_opener(*handlers).open(request, timeout=self.client.timeout) as answer:
            answer.read()

    def _already_posted(self, channel: str, key: str, thread_ts: str | None) -> str | None:
        """After an attempt that may have reached Slack (a crash, a lost answer), look before posting again: in
        the channel, or in the bot's DM with the person (im:history). Looks through the newest 1,000 messages."""
        return self._look_for(channel, thread_ts, lambda message: message["ts"] if (
            (message.get("metadata") or {}).get("event_payload") or {}).get("key") == key else None)

    def _look_for(self, channel: str, thread_ts: str | None, found_in: Callable[[dict], str | None]) -> str | None:
        """What `found_in` finds in the first message of the newest 1,000 it is not None for.

        A look-up that fails for a while (a 429, a 5xx, the network) is retried later, without posting. One that
        Slack refuses for good (a token without the history scope, a public channel the bot posts to without
        being a member) means post anyway: the one way a copy can be doubled."""
        cursor = None
        try:
            conversation = self._conversation(channel)
            for _ in range(5):
                if thread_ts:
                    page = self.client.conversations_replies(channel=conversation, ts=thread_ts, limit=200,
                                                             cursor=cursor, include_all_metadata=True)
                else:
                    page = self.client.conversations_history(channel=conversation, limit=200, cursor=cursor,
                                                             include_all_metadata=True)
                for message in page.get("messages") or []:
                    found = found_in(message)
                    if found is not None:
                        return found
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return None
        except SlackApiError as error:
            reply = _answered(error)
            if not reply.refused or reply.status == 429:
                raise _LookUpFailed(reply) from None
            log.warning("could not check %s for an earlier copy of a message (%s): posting it again", channel,
                        reply.error)
        except TRANSIENT as error:
            raise _LookUpFailed(Reply(error=type(error).__name__ or "unknown")) from None
        return None

    def _conversation(self, channel: str) -> str:
        """A DM is posted to the person's user ID; reading it back needs the DM's own ID, which never changes."""
        if not channel.startswith(("U", "W")):
            return channel
        if channel not in self._dms:
            self._dms[channel] = self.client.conversations_open(users=channel)["channel"]["id"]
        return self._dms[channel]

    def _permalink(self, channel: str, ts: str) -> str | None:
        """Slack's permalinks are the workspace URL, the channel and the timestamp without its dot; built here
        rather than asked for, it saves a Web API call per post."""
        if self._workspace_url is None:
            try:
                self._workspace_url = str(self.client.auth_test().get("url") or "")
            except (SlackApiError, *TRANSIENT):
                return None  # the message is out; a missing link is not worth a second post
        if not self._workspace_url:
            return None
        return f"{self._workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"


def _file_named(message: dict, name: str) -> str | None:
    """The ID of the file of this name that a message in a channel's history carries."""
    return next((str(f["id"]) for f in message.get("files") or [] if f.get("name") == name), None)


class _LookUpFailed(Exception):
    def __init__(self, reply: Reply) -> None:
        self.reply = reply


def _answered(error: SlackApiError) -> Reply:
    headers, code, status = error.response.headers, error.response.get("error") or "", error.response.status_code
    return Reply(error=code, status=status, retry_after=headers.get("Retry-After") or headers.get("retry-after"),
                 refused=_refused(status, code))


def _refused(status: int, error: str) -> bool:
    """Whether Slack's answer means nothing was done. Slack's internal_error and fatal_error, and any 5xx, may
    come after some of the work was done (https://docs.slack.dev/reference/methods/chat.postMessage, Errors)."""
    return status < 500 and error not in ("internal_error", "fatal_error")


def retry_after(header: str | None) -> timedelta:
    """Slack's Retry-After, in seconds; a missing or odd one waits as long as a first backoff."""
    after = header or ""
    return timedelta(seconds=int(after)) if after.isascii() and after.isdigit() else FIRST_BACKOFF


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter, so a Slack outage is not met by every process at the same instant."""
    base = min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), LONGEST_BACKOFF)
    return base * random.uniform(0.8, 1.2)


def fix_for(error: str | None) -> str:
    code = (error or "").split(": ")[-1]
    return PERMANENT_ERRORS.get(code, "Slack did not accept it")
