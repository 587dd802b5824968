"""Slack's file upload flow, as the stand-in plays it: files.getUploadURLExternal hands out an upload URL (on the
stand-in's own server) and a file ID, the bytes are POSTed to that URL, and files.completeUploadExternal finishes
the upload and shares the file into a channel as a message carrying it. slack_sdk's files_upload_v2 takes exactly
these three steps. The methods are called with the stand-in's lock held; the test helpers take it.
"""
from __future__ import annotations

import mimetypes
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from bot.standin.http import UPLOAD_PATH, Answer
from bot.standin.rules import SlackError, check_message

# "Description for the image is longer than the limit of 1000 character" (alt_txt_too_large), and snippets "are
# limited to 1MB" (snippet_too_large).
# https://docs.slack.dev/reference/methods/files.getUploadURLExternal
MAX_ALT_TEXT = 1000
MAX_SNIPPET_BYTES = 1024 * 1024
# "A maximum of 100 channels is allowed per request" (channels_limit_exceeded).
# https://docs.slack.dev/reference/methods/files.completeUploadExternal
MAX_SHARE_CHANNELS = 100
WHOLE_NUMBER = re.compile(r"-?[0-9]+")


@dataclass
class StoredFile:
    """A file as the stand-in holds it: what was declared, what arrived, and where it was shared."""
    id: str
    name: str  # the filename given to files.getUploadURLExternal
    length: int  # the length declared there
    token: str | None  # the token that asked for the upload URL: only it may complete the upload
    alt_txt: str | None = None
    snippet_type: str | None = None
    data: bytes | None = None  # the bytes POSTed to the upload URL (None until they arrive)
    sent_content_type: str | None = None  # the Content-Type of that POST
    title: str | None = None
    completed: bool = False
    created: int = 0
    shares: list[tuple[str, str]] = field(default_factory=list)  # (channel, ts) of each message carrying it

    @property
    def mimetype(self) -> str:
        """What Slack would call the file's type, from its name."""
        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"

    @property
    def filetype(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower() if "." in self.name else "binary"


class FileMethods:
    """The three steps of an upload, and the test helpers that read what was uploaded."""
    bot_user_id: str
    team_id: str
    strict: bool
    base_url: str
    _lock: Any
    _messages: dict[str, dict[str, dict]]
    _notifications: list[dict]
    _resolve: Callable[..., Any]
    _store_message: Callable[..., dict]
    _channel_key: Callable[[str], str]
    _files: dict[str, StoredFile]
    _upload_tickets: dict[str, str]  # the secret part of an upload URL -> file ID
    _file_seq: int
    _caller: str | None  # the token of the call being answered

    # -- inspection (for tests) ------------------------------------------------
    def uploaded_files(self) -> list[StoredFile]:
        """Every file an upload URL was asked for, in order, completed or not: copies."""
        with self._lock:
            return [replace(f, shares=list(f.shares)) for f in self._files.values()]

    def uploaded_file(self, file_id: str) -> StoredFile | None:
        return next((f for f in self.uploaded_files() if f.id == file_id), None)

    def shared_files(self, channel: str) -> list[StoredFile]:
        """The files shared into a channel (a user's ID: the DM with them), in the order their uploads began."""
        with self._lock:
            key = self._channel_key(channel)
        return [f for f in self.uploaded_files() if any(c == key for c, _ in f.shares)]

    def _reset_files(self) -> None:
        self._files, self._upload_tickets, self._file_seq, self._caller = {}, {}, 0, None

    # -- step 1: files.getUploadURLExternal -------------------------------------
    def _get_upload_url(self, args: dict) -> dict:
        length = _length(args.get("length"))
        alt_txt, snippet_type = args.get("alt_txt"), args.get("snippet_type")
        if alt_txt is not None and len(str(alt_txt)) > MAX_ALT_TEXT:
            raise SlackError("alt_txt_too_large")
        if snippet_type and length > MAX_SNIPPET_BYTES:
            raise SlackError("snippet_too_large")
        self._file_seq += 1
        file_id = f"F{self._file_seq:010d}"
        ticket = secrets.token_urlsafe(24)
        self._files[file_id] = StoredFile(file_id, str(args.get("filename") or ""), length, self._caller,
                                          alt_txt=alt_txt, snippet_type=snippet_type, created=int(time.time()))
        self._upload_tickets[ticket] = file_id
        return {"upload_url": self.base_url.rstrip("/") + UPLOAD_PATH + ticket, "file_id": file_id}

    # -- step 2: the POST to the upload URL --------------------------------------
    def _receive_upload(self, args: dict) -> Answer:
        """Slack answers 200 when the upload worked, and anything else when it did not
        (https://docs.slack.dev/reference/methods/files.getUploadURLExternal). The bytes may come raw or
        multipart form encoded. Their number must be the length declared for the upload URL."""
        stored = self._files.get(self._upload_tickets.get(args["ticket"], ""))
        if stored is None or stored.completed:
            return Answer(404, "upload URL not found")
        if args["http_method"] != "POST":
            return Answer(405, "an upload URL takes a POST")
        content_type = args.get("content_type") or ""
        data = _multipart_file(args["raw"], content_type) if content_type.startswith("multipart/") else args["raw"]
        if data is None:
            return Answer(400, "the multipart form carries no file")
        if len(data) != stored.length:
            return Answer(400, f"length mismatch: {len(data)} bytes sent, {stored.length} declared")
        stored.data, stored.sent_content_type = data, content_type or None
        return Answer(200, f"OK - {len(data)}")

    # -- step 3: files.completeUploadExternal ------------------------------------
    def _complete_upload(self, args: dict) -> dict:
        items = _file_items(args.get("files"))
        files: list[StoredFile] = []
        for item in items:
            stored = self._files.get(str(item["id"]))
            # A file never uploaded, or already completed, has no upload ticket left to finish.
            if stored is None or stored.data is None or stored.completed or any(stored is f for f in files):
                raise SlackError("file_not_found")
            if stored.token != self._caller:
                raise SlackError("access_denied")  # "User is not the owner of the file."
            files.append(stored)
        channels = self._share_channels(args)
        text = args.get("initial_comment")
        # "If the initial_comment field is provided, the blocks field is ignored"
        blocks = None if text else args.get("blocks")
        if blocks and self.strict:
            check_message({"blocks": blocks})
        # Check every share before making any, so a refusal leaves nothing half done.
        targets = [self._shareable(channel) for channel in channels]
        if args.get("thread_ts"):
            for chan in targets:
                if args["thread_ts"] not in self._messages.get(chan.id, {}):
                    raise SlackError("thread_not_found")
        for stored, item in zip(files, items):
            stored.completed, stored.title = True, str(item.get("title") or stored.name)
        for chan in targets:
            message = {"text": text or "", "blocks": blocks or [], "thread_ts": args.get("thread_ts")}
            msg = self._store_message(chan.id, message, user=self.bot_user_id)
            msg.update(upload=True, files=[self._file_object(f) for f in files])
            for stored in files:
                stored.shares.append((chan.id, msg["ts"]))
            self._notifications.append({"channel": chan.id, "ts": msg["ts"],
                                        "mobile": msg["text"], "desktop": msg["text"]})
        # Slack's answer names each file by ID and title only; the message carrying it comes into the channel
        # after ("files": [{"id": "F044GKUHN9Z", "title": "slack-test"}], the method's example response).
        # https://docs.slack.dev/reference/methods/files.completeUploadExternal
        return {"files": [{"id": f.id, "title": f.title} for f in files]}

    def _share_channels(self, args: dict) -> list[str]:
        """channel_id, or the comma-separated channels: none at all leaves the file private."""
        channels = [args["channel_id"]] if args.get("channel_id") else []
        channels += [c for c in str(args.get("channels") or "").split(",") if c and c not in channels]
        if len(channels) > MAX_SHARE_CHANNELS:
            raise SlackError("channels_limit_exceeded")
        if args.get("thread_ts") and len(channels) != 1:
            # "make sure to provide only one channel when using 'thread_ts'"
            raise SlackError("invalid_arguments", ["[ERROR] thread_ts takes exactly one channel"])
        return channels

    def _shareable(self, channel: str) -> Any:
        """Sharing needs the bot in the channel: "User/bot membership is required for the specified channel."
        (not_in_channel), even in a public channel, unlike chat.postMessage with chat:write.public."""
        try:
            chan = self._resolve(channel, check_access=False)
        except SlackError:
            raise SlackError("channel_not_found") from None
        if chan.im_user is None and not chan.bot_is_member:
            raise SlackError("not_in_channel")
        if chan.archived:
            raise SlackError("is_archived")  # chat.postMessage's name for it
        return chan

    def _file_object(self, stored: StoredFile) -> dict:
        link = f"https://files.slack.com/files-pri/{self.team_id}-{stored.id}/{stored.name}"
        return {"id": stored.id, "created": stored.created, "timestamp": stored.created, "name": stored.name,
                "title": stored.title or stored.name, "mimetype": stored.mimetype, "filetype": stored.filetype,
                "user": self.bot_user_id, "user_team": self.team_id, "size": stored.length,
                "alt_txt": stored.alt_txt, "is_public": False, "url_private": link,
                "url_private_download": link.replace("/files-pri/", "/files-pri/download/", 1)}


def _length(value: Any) -> int:
    """length: "Size in bytes of the file being uploaded." A length of 0 is missing_argument, as Slack's page says
    it "Typically only occurs when the length provided is 0"."""
    if isinstance(value, bool) or not WHOLE_NUMBER.fullmatch(str(value).strip()):
        raise SlackError("invalid_arguments", ["[ERROR] must be an integer [json-pointer:/length]"])
    length = int(str(value).strip())
    if length == 0:
        raise SlackError("missing_argument")
    if length < 0:
        raise SlackError("invalid_arguments", ["[ERROR] must be at least 1 [json-pointer:/length]"])
    return length


def _file_items(files: Any) -> list[dict]:
    """files: "Array of file ids and their corresponding (optional) titles", each an object with an id."""
    if not isinstance(files, list) or not files:
        raise SlackError("invalid_arguments", ["[ERROR] must be a non-empty array [json-pointer:/files]"])
    problems = [f"[ERROR] missing required field: id [json-pointer:/files/{i}]" for i, item in enumerate(files)
                if not isinstance(item, dict) or not item.get("id")]
    if problems:
        raise SlackError("invalid_arguments", problems)
    return files


def _multipart_file(raw: bytes, content_type: str) -> bytes | None:
    """The file in a multipart form: the first part with a filename, else the part named filename or file."""
    form = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw)
    if not form.is_multipart():
        return None
    parts = list(form.iter_parts())
    chosen = next((p for p in parts if p.get_filename()), None) or next(
        (p for p in parts if p.get_param("name", header="content-disposition") in ("filename", "file")), None)
    return None if chosen is None else chosen.get_payload(decode=True) or b""
