"""Slack's file upload flow on the stand-in, driven by the real slack_sdk WebClient over real HTTP:
files.getUploadURLExternal, the POST of the bytes to the upload URL it returns, files.completeUploadExternal."""
from __future__ import annotations

import urllib.request
from urllib.error import HTTPError
from urllib.parse import urlparse

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.manifest import read_bot_scopes
from bot.standin.slack import SlackStandIn

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # a signature and some bytes that are not text


@pytest.fixture
def standin():
    with SlackStandIn() as s:
        s.add_user("U1", name="alice")
        s.add_channel("C1", name="coordination", members=["U1"])
        s.add_channel("C2", name="elsewhere", members=["U1"], bot_is_member=False)
        s.add_channel("G1", name="private", members=["U1"], is_private=True, bot_is_member=False)
        s.add_channel("C3", name="old", members=["U1"], archived=True)
        yield s


@pytest.fixture
def client(standin):
    return WebClient(token="xoxb-test", base_url=standin.api_url, retry_handlers=[])


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value.response["error"]


def post(url: str, data: bytes, content_type: str | None = None) -> int:
    """POST bytes to an upload URL as an app would; the HTTP status Slack answers with."""
    headers = {"Content-Type": content_type} if content_type else {}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(urllib.request.Request(url, data=data, headers=headers, method="POST"), timeout=5) as answer:
            return answer.status
    except HTTPError as refused:
        return refused.code


def uploaded(client, data: bytes = PNG, name: str = "chart.png") -> str:
    """Steps 1 and 2: an upload URL asked for and the bytes sent to it; the file's ID."""
    ticket = client.files_getUploadURLExternal(filename=name, length=len(data))
    assert post(ticket["upload_url"], data) == 200
    return ticket["file_id"]


# -- the whole flow, as slack_sdk takes it -------------------------------------------------------------
def test_files_upload_v2_shares_the_file_into_the_channel_as_a_message_carrying_it(standin, client):
    answer = client.files_upload_v2(content=PNG, filename="digest.png", title="Weekly digest", channel="C1",
                                    initial_comment="This week's figures", alt_txt="Two line charts")

    assert [c.method for c in standin.calls()] == [
        "files.getUploadURLExternal", "file_upload", "files.completeUploadExternal"]
    file_id = answer["file"]["id"]
    stored = standin.uploaded_file(file_id)
    assert (stored.data, stored.name, stored.title) == (PNG, "digest.png", "Weekly digest")
    assert (stored.mimetype, stored.filetype) == ("image/png", "png")
    assert stored.alt_txt == "Two line charts" and stored.completed
    [message] = standin.messages("C1")
    assert message["text"] == "This week's figures" and message["bot_id"]
    assert [f["id"] for f in message["files"]] == [file_id]
    assert stored.shares == [("C1", message["ts"])]
    assert [f.id for f in standin.shared_files("C1")] == [file_id]


def test_the_upload_url_is_on_the_standins_own_loopback_server(standin, client):
    ticket = client.files_getUploadURLExternal(filename="chart.png", length=10)
    url, api = urlparse(ticket["upload_url"]), urlparse(standin.api_url)
    assert (url.scheme, url.hostname, url.port) == ("http", "127.0.0.1", api.port)
    assert ticket["file_id"].startswith("F")


def test_a_file_can_be_shared_as_a_reply_in_a_thread(standin, client):
    parent = client.chat_postMessage(channel="C1", text="The week in figures")["ts"]
    client.files_upload_v2(content=PNG, filename="chart.png", channel="C1", thread_ts=parent)
    reply = [m for m in standin.messages("C1") if m["ts"] != parent]
    assert [m["thread_ts"] for m in reply] == [parent] and reply[0]["files"]


def test_bytes_sent_as_a_multipart_form_are_taken_too(standin, client):
    ticket = client.files_getUploadURLExternal(filename="chart.png", length=len(PNG))
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"chart.png\"\r\n"
            b"Content-Type: image/png\r\n\r\n" + PNG + b"\r\n--XyZ--\r\n")
    assert post(ticket["upload_url"], body, "multipart/form-data; boundary=XyZ") == 200
    assert standin.uploaded_file(ticket["file_id"]).data == PNG


def test_without_a_channel_the_file_is_completed_but_stays_private(standin, client):
    file_id = uploaded(client)
    client.files_completeUploadExternal(files=[{"id": file_id, "title": "Chart"}])
    assert standin.uploaded_file(file_id).completed and standin.uploaded_file(file_id).shares == []
    assert standin.messages("C1") == []


# -- step 1: files.getUploadURLExternal --------------------------------------------------------------
@pytest.mark.parametrize("length, error", [(0, "missing_argument"), ("ten", "invalid_arguments"),
                                           (-5, "invalid_arguments")])
def test_a_length_that_is_not_a_size_in_bytes_is_refused(client, length, error):
    assert error_of(lambda: client.files_getUploadURLExternal(filename="chart.png", length=length)) == error


def test_a_filename_and_a_length_are_required(client):
    assert error_of(lambda: client.api_call("files.getUploadURLExternal", params={"filename": "a.png"})) == \
        "invalid_arguments"
    assert error_of(lambda: client.api_call("files.getUploadURLExternal", params={"length": 3})) == \
        "invalid_arguments"


def test_alt_text_longer_than_1000_characters_is_refused(client):
    assert error_of(lambda: client.files_getUploadURLExternal(filename="chart.png", length=10,
                                                              alt_txt="x" * 1001)) == "alt_txt_too_large"
    assert client.files_getUploadURLExternal(filename="chart.png", length=10, alt_txt="x" * 1000)["ok"]


# -- step 2: the upload ------------------------------------------------------------------------------
@pytest.mark.parametrize("sent", [PNG[:-1], PNG + b"!", b""])
def test_bytes_of_another_length_than_declared_are_refused_and_the_file_cannot_be_completed(standin, client, sent):
    ticket = client.files_getUploadURLExternal(filename="chart.png", length=len(PNG))
    assert post(ticket["upload_url"], sent) == 400
    assert error_of(lambda: client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}],
                                                                channel_id="C1")) == "file_not_found"
    assert standin.messages("C1") == []


def test_an_upload_url_never_handed_out_is_not_found(standin):
    assert post(standin.base_url + "upload/v1/not-a-ticket", PNG) == 404


def test_a_failed_upload_makes_files_upload_v2_raise_and_nothing_is_shared(standin, client):
    standin.fail("file_upload", status=503)
    with pytest.raises(HTTPError):
        client.files_upload_v2(content=PNG, filename="chart.png", channel="C1")
    assert standin.count("files.completeUploadExternal") == 0 and standin.messages("C1") == []


# -- step 3: files.completeUploadExternal ------------------------------------------------------------
def test_completing_a_file_that_was_never_uploaded_is_refused(standin, client):
    ticket = client.files_getUploadURLExternal(filename="chart.png", length=len(PNG))
    for file_id in (ticket["file_id"], "F0UNKNOWN00"):
        assert error_of(lambda file_id=file_id: client.files_completeUploadExternal(
            files=[{"id": file_id}], channel_id="C1")) == "file_not_found"
    assert standin.messages("C1") == []


def test_completing_a_file_already_completed_is_refused_and_its_upload_url_is_gone(standin, client):
    ticket = client.files_getUploadURLExternal(filename="chart.png", length=len(PNG))
    assert post(ticket["upload_url"], PNG) == 200
    client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}], channel_id="C1")
    assert error_of(lambda: client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}],
                                                                channel_id="C1")) == "file_not_found"
    assert post(ticket["upload_url"], PNG) == 404
    assert len(standin.messages("C1")) == 1


def test_only_the_token_that_asked_for_the_upload_url_may_complete_it(standin, client):
    file_id = uploaded(client)
    other = WebClient(token="xoxb-another", base_url=standin.api_url, retry_handlers=[])
    assert error_of(lambda: other.files_completeUploadExternal(files=[{"id": file_id}])) == "access_denied"


def test_files_must_be_an_array_of_objects_with_ids(client):
    for files in ("[]", '[{"title": "no id"}]', "not json"):
        assert error_of(lambda files=files: client.api_call("files.completeUploadExternal",
                                                             params={"files": files})) == "invalid_arguments"


@pytest.mark.parametrize("channel, error", [("C2", "not_in_channel"), ("G1", "not_in_channel"),
                                            ("C404", "channel_not_found"), ("C3", "is_archived")])
def test_sharing_needs_a_channel_the_bot_can_post_in_and_a_refusal_shares_nothing(standin, client, channel, error):
    file_id = uploaded(client)
    assert error_of(lambda: client.files_completeUploadExternal(files=[{"id": file_id}], channel_id=channel)) == error
    assert standin.uploaded_file(file_id).shares == [] and not standin.uploaded_file(file_id).completed
    client.files_completeUploadExternal(files=[{"id": file_id}], channel_id="C1")  # still there to share
    assert standin.uploaded_file(file_id).shares


def test_a_thread_that_is_not_there_is_refused(client):
    file_id = uploaded(client)
    assert error_of(lambda: client.files_completeUploadExternal(
        files=[{"id": file_id}], channel_id="C1", thread_ts="1700000000.000001")) == "thread_not_found"


# -- the scope ---------------------------------------------------------------------------------------
def test_both_methods_need_files_write(standin, client):
    file_id = uploaded(client)
    standin.scopes = tuple(s for s in standin.scopes if s != "files:write")
    for call in (lambda: client.files_getUploadURLExternal(filename="chart.png", length=10),
                 lambda: client.files_completeUploadExternal(files=[{"id": file_id}], channel_id="C1")):
        with pytest.raises(SlackApiError) as refused:
            call()
        assert (refused.value.response["error"], refused.value.response["needed"]) == ("missing_scope", "files:write")
    assert standin.messages("C1") == []


def test_the_manifest_asks_for_files_write_so_the_installed_app_may_upload():
    assert "files:write" in read_bot_scopes()


def test_reset_forgets_uploaded_files(standin, client):
    uploaded(client)
    standin.reset()
    assert standin.uploaded_files() == []
