"""Where people see their own work: App Home, /joinedup mine and /joinedup show."""
from __future__ import annotations

from datetime import datetime, timezone

from bot.blocks.outcome import OutcomeForm
from bot.blocks.overview import home_view, parse_more
from bot.demo.sample import ADMIN, EDUCATION, HEALTH, NIA, OUTSIDER, PAT, SAM, TIA
from bot.services.acts import Subject
from bot.services.overview import Overview
from bot.standin.signed_requests import block_actions, fill, find_action
from bot.blocks.ids import Action, Field
from storage.models import Record


def open_home(joinedup, user):
    reply = joinedup.slack.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                                  "event_ts": "1732442400.000100"})
    assert reply.status == 200
    return str(joinedup.standin.home_views[user]["blocks"])


def command_reply(joinedup, text, user):
    before = joinedup.standin.count("response_url")
    assert joinedup.slack.command("/joinedup", text, user=user).status == 200
    replies = joinedup.standin.calls("response_url")[before:]
    assert len(replies) == 1
    return replies[0].args


def test_app_home_shows_each_person_exactly_their_own_work(joinedup):
    joinedup.record()  # shared with Education and Health

    tia, sam, pat, outsider = (open_home(joinedup, u) for u in (TIA.user_id, SAM.user_id, PAT.user_id,
                                                                  OUTSIDER.user_id))

    assert "Waiting for your agency* (1)" in tia and "JU-000001" in tia and Action.ACKNOWLEDGE in tia
    assert "Shared by you* (1)" in sam and "JU-000001" in sam and "waiting for acknowledgement" in sam
    assert "Waiting for your agency* (0)" in pat and "JU-000001" not in pat
    assert "JU-000001" not in outsider and "Waiting for your agency" not in outsider
    assert "Shared by you* (0)" in outsider


def test_acknowledging_from_app_home_refreshes_it(joinedup):
    joinedup.record()
    open_home(joinedup, TIA.user_id)
    home = joinedup.standin.home_views[TIA.user_id]
    button = next(b["accessory"] for b in home["blocks"] if b.get("accessory"))
    payload = block_actions({"ts": "0"}, {"action_id": button["action_id"], "block_id": "x", "type": "button",
                                          "value": button["value"]},
                            user=TIA.user_id, channel="", response_url="", trigger_id=joinedup.standin.trigger_id())
    # A click in App Home comes from a view, with no channel message and no response_url.
    payload.update(container={"type": "view", "view_id": home["id"]}, view=home)
    del payload["response_url"], payload["message"], payload["channel"]

    assert joinedup.slack.interaction(payload).status == 200

    assert "Waiting for your agency* (0)" in str(joinedup.standin.home_views[TIA.user_id]["blocks"])


def test_home_pages_stay_within_slacks_block_limit():
    from datetime import datetime, timezone
    from bot.services.overview import Waiting

    item = Waiting(1, "JU-000001", "CR-1", "Health", "Low", SAM.user_id, "Social Care", datetime.now(timezone.utc))
    overview = Overview([item] * 10, 500, 0, [], 0, 0, True)

    view = home_view(overview)

    assert len(view["blocks"]) <= 100
    assert "Show older (490 more)" in str(view["blocks"])
    assert parse_more("10:0") == (10, 0) and parse_more("nonsense") == (0, 0)


def test_joinedup_mine_gives_the_same_overview_as_an_ephemeral_message(joinedup):
    joinedup.record()

    reply = command_reply(joinedup, "mine", NIA.user_id)

    assert reply["response_type"] == "ephemeral"
    assert "Waiting for your agency* (1)" in str(reply["blocks"])


def test_show_gives_the_whole_record_to_the_sharer_members_and_admins(joinedup):
    joinedup.record()
    education = joinedup.posts(EDUCATION.channel)[0]
    joinedup.slack.click(education, find_action(education["blocks"], Action.ACKNOWLEDGE), user=TIA.user_id,
                         channel=EDUCATION.channel)

    for user in (SAM.user_id, TIA.user_id, NIA.user_id, ADMIN.user_id):
        reply = command_reply(joinedup, "show JU-000001", user)
        blocks = str(reply["blocks"])
        assert "had not had breakfast" in blocks
        assert f"acknowledged for *Education (Oakfield Primary)* by <@{TIA.user_id}>" in blocks


def test_show_refuses_outsiders_without_revealing_whether_the_record_exists(joinedup):
    joinedup.record(**{Field.SHARE_WITH: ["education"]})

    refused = command_reply(joinedup, "show JU-000001", PAT.user_id)["text"]
    missing = command_reply(joinedup, "show JU-000099", PAT.user_id)["text"]

    assert "don't have access" in refused
    assert refused.replace("JU-000001", "X") == missing.replace("JU-000099", "X")
    assert "breakfast" not in refused


def test_mine_stays_within_a_messages_50_blocks_however_much_work_there_is():
    from datetime import datetime, timezone

    from bot.blocks.overview import mine_message
    from bot.services.overview import OpenChallenge, OutcomeDue, Shared, Waiting

    now = datetime.now(timezone.utc)
    waiting = Waiting(1, "JU-000001", "CR-1", "Health", "Low", SAM.user_id, "Social Care", now)
    shared = Shared("JU-000001", "CR-1", now, True, [])
    due = OutcomeDue(1, "JU-000001", "CR-1", now.date())
    question = OpenChallenge(1, "JU-000001", TIA.user_id, "Education", "open", now)
    overview = Overview([waiting] * 10, 90, 0, [shared] * 10, 90, 0, True, [due] * 10, [question] * 10, [question] * 10)

    _, blocks = mine_message(overview)

    assert len(blocks) == 50 and "App Home" in str(blocks[-1])


# --- the two loops: what each agency did, and the outcome for the child ---------------------------------------

def asked_to_act(joinedup):
    """Sam's record, asking each agency to act (set as stored, whatever the form's shape)."""
    joinedup.record()
    with joinedup.db.write() as session:
        session.get(Record, 1).requested_action = "Please check attendance this week"


def tell_the_sharer(joinedup, user, what):
    health = joinedup.posts(HEALTH.channel)[0]
    joinedup.slack.click(health, find_action(health["blocks"], Action.REPORT_OUTCOME), user=user,
                         channel=HEALTH.channel)
    form = joinedup.standin.views(user)[-1]
    joinedup.slack.submit(form, fill(form, {Field.WHAT_HAPPENED: what, Field.NEXT_STEP: "further_action"}), user=user)


def test_app_home_asks_an_agency_to_tell_the_sharer_what_it_did_until_it_has(joinedup):
    asked_to_act(joinedup)
    health = joinedup.posts(HEALTH.channel)[0]
    assert "Tell the sharer what your agency did" not in open_home(joinedup, NIA.user_id), "not before acknowledging"
    joinedup.slack.click(health, find_action(health["blocks"], Action.ACKNOWLEDGE), user=NIA.user_id,
                         channel=HEALTH.channel)

    home = open_home(joinedup, NIA.user_id)
    assert "*Tell the sharer what your agency did* (1)" in home and "'value': '1:health'" in home
    tell_the_sharer(joinedup, NIA.user_id, "School nurse visit booked for Thursday.")

    assert "Tell the sharer what your agency did" not in open_home(joinedup, NIA.user_id)
    sam = open_home(joinedup, SAM.user_id)
    assert "told you what they did" in sam


def test_the_outcome_for_the_child_stays_due_to_the_sharer_after_an_agencys_result(joinedup):
    asked_to_act(joinedup)
    health = joinedup.posts(HEALTH.channel)[0]
    joinedup.slack.click(health, find_action(health["blocks"], Action.ACKNOWLEDGE), user=NIA.user_id,
                         channel=HEALTH.channel)
    tell_the_sharer(joinedup, NIA.user_id, "School nurse visit booked for Thursday.")
    joinedup.clock.set(datetime(2026, 12, 8, 12, 0, tzinfo=timezone.utc))  # the follow-up date

    assert "*Outcomes due* (1)" in open_home(joinedup, SAM.user_id)
    assert "Report outcome for the child" in open_home(joinedup, SAM.user_id)


def test_show_tells_the_two_loops_apart(joinedup):
    asked_to_act(joinedup)
    health = joinedup.posts(HEALTH.channel)[0]
    joinedup.slack.click(health, find_action(health["blocks"], Action.ACKNOWLEDGE), user=NIA.user_id,
                         channel=HEALTH.channel)
    tell_the_sharer(joinedup, NIA.user_id, "School nurse visit booked for Thursday.")

    before = str(command_reply(joinedup, "show JU-000001", SAM.user_id)["blocks"])
    assert "*Health* told the sharer what they did" in before
    assert "The outcome for the child: the sharer's to report" in before
    assert "School nurse visit booked for Thursday." in before

    joinedup.services.outcomes.report(Subject(1, None), SAM.user_id, OutcomeForm(
        "Early help assessment started.", "", "no_further_action"), submission_key="V0OUTCOME")
    after = str(command_reply(joinedup, "show JU-000001", NIA.user_id)["blocks"])
    assert f"outcome reported by <@{SAM.user_id}>: the outcome for the child" in after
    assert "The outcome for the child: reported" in after and "Early help assessment started." in after


def test_a_long_list_is_counted_only_so_far_past_the_page_and_says_more_than(joinedup, monkeypatch):
    for module in ("bot.services.overview", "bot.blocks.overview"):
        monkeypatch.setattr(f"{module}.COUNT_UP_TO", 2)
    for _ in range(13):
        joinedup.record()

    home = open_home(joinedup, NIA.user_id)  # the first page of 10, counted up to 12
    assert "Waiting for your agency* (more than 2)" in home and "'text': 'Show older'" in home
    assert "Shared by you* (more than 2)" in open_home(joinedup, SAM.user_id)
    assert command_reply(joinedup, "mine", NIA.user_id)["text"].startswith("more than 2 waiting")

    overview = joinedup.services.overview.overview(NIA.user_id, waiting_offset=10)  # 13 is within 20 + 2
    assert (overview.waiting_total, overview.waiting_counted_all) == (13, True)
    assert [w.reference for w in overview.waiting] == ["JU-000011", "JU-000012", "JU-000013"]
    monkeypatch.setattr("bot.services.overview.COUNT_UP_TO", 20)
    home = open_home(joinedup, NIA.user_id)
    assert "Waiting for your agency* (13)" in home and "Show older (3 more)" in home


def test_show_older_is_offered_no_further_than_a_button_may_carry():
    from datetime import datetime, timezone
    from bot.blocks.overview import FURTHEST
    from bot.services.overview import Waiting

    item = Waiting(1, "JU-000001", "CR-1", "Health", "Low", SAM.user_id, "Social Care", datetime.now(timezone.utc))
    last = Overview([item] * 10, FURTHEST + 1000, FURTHEST - 10, [], 0, 0, True, waiting_counted_all=False)
    beyond = Overview([item] * 10, FURTHEST + 1000, FURTHEST, [], 0, 0, True, waiting_counted_all=False)

    assert f"'value': '{FURTHEST}:0'" in str(home_view(last)["blocks"])
    assert "Show older" not in str(home_view(beyond)["blocks"])


def test_a_person_in_two_agencies_gets_their_posts_in_the_order_shared_a_page_at_a_time(joinedup, monkeypatch):
    for _ in range(4):
        joinedup.record()  # each shared with Education and Health
    monkeypatch.setattr(joinedup.services.overview.directory, "agencies_of",
                        lambda user: [HEALTH.key, EDUCATION.key])

    pages = [joinedup.services.overview.overview(NIA.user_id, waiting_offset=offset, page=3) for offset in (0, 3, 6)]

    posts = [(w.reference, w.agency_name.split(" ")[0]) for p in pages for w in p.waiting]
    assert posts == [(f"JU-00000{n}", agency) for n in range(1, 5) for agency in ("Education", "Health")]
    assert {p.waiting_total for p in pages} == {8}
