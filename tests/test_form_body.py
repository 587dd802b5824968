"""Form-encoded bodies are read exactly as urllib reads them, only faster."""
from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode

from hypothesis import example, given, settings, strategies as st

from bot.edge.form_body import form_fields, slack_body
from bot.demo.sample import SAM

TRICKY = st.text(alphabet="%+=&;aF0z9 \n\ré\u00a0\U0001f600", max_size=40)


def urllib_reads(body: str) -> dict[str, str]:
    return dict(parse_qsl(body, keep_blank_values=True))


@settings(max_examples=400)
@given(st.one_of(st.text(max_size=60), TRICKY))
@example("a=%41%4").via("an escape cut short")
@example("a=%zz%%41").via("not hex, then a doubled %")
@example("a=x%3D%0A").via("= and a line break, escaped")
@example("a==%41").via("a bare = in the value")
@example("a=%C3&b=%A9").via("half a UTF-8 character in each field")
@example("a=%E9t%C3%A9").via("not UTF-8, then UTF-8")
@example("&&a&b=&=c").via("empty pairs, names and values")
def test_any_text_is_read_as_urllib_reads_it(body):
    assert form_fields(body.encode()) == urllib_reads(body)


@given(st.dictionaries(st.text(max_size=20), st.text(max_size=200), max_size=5))
def test_fields_encoded_as_slack_encodes_them_come_back_unchanged(fields):
    body = urlencode(fields, quote_via=quote)
    assert form_fields(body.encode()) == fields == urllib_reads(body)


def test_an_interaction_is_its_payload_and_a_command_its_fields():
    assert slack_body(urlencode({"payload": '{"type": "block_actions", "n": "50%+"}'}), None) == \
        {"type": "block_actions", "n": "50%+"}
    assert slack_body("command=%2Fjoinedup&text=glossary+payload", "application/x-www-form-urlencoded") == \
        {"command": "/joinedup", "text": "glossary payload"}
    assert slack_body('{"type": "event_callback"}', "application/json") is None


def test_a_command_whose_text_says_payload_is_answered(joinedup):
    reply = joinedup.slack.command("/joinedup", "glossary payload", user=SAM.user_id)

    assert reply.status == 200 and "payload" in reply.body
