"""Recording a conversation and sharing it, end to end over HTTP."""
from __future__ import annotations

from bot.sample import EDUCATION, HEALTH, SAM, SOCIAL_CARE
from handlers.ids import Field


def test_a_valid_record_is_saved_posted_to_each_chosen_agency_and_confirmed_to_the_sharer(joinedup):
    reply = joinedup.record()

    assert reply.status == 200
    assert reply.json()["response_action"] == "update"
    assert "JU-000001" in str(reply.json()["view"])
    education, health = joinedup.posts(EDUCATION.channel), joinedup.posts(HEALTH.channel)
    assert len(education) == 1 and len(health) == 1
    assert joinedup.posts(SOCIAL_CARE.channel) == []
    assert "CR-12345" in str(education[0]["blocks"])
    status = joinedup.standin.messages(SAM.user_id)
    assert len(status) == 1
    assert "https://joinedup-standin.slack.com/archives/C0SCHOOL/" in str(status[0]["blocks"])
