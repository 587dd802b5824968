"""Every payload Joined Up sends Slack, at its largest and with hostile text, checked as Slack checks it, in
English, in Welsh and bilingual.

Each message, form, App Home and reply is built by the pure builders in bot/blocks/ from objects held in memory
(no database), every field filled to the most its form or configuration allows with text that tries each kind of
Slack markup; the stand-in's rules then say whether Slack would take it. A message posted to a channel or a DM
must also keep its notification line (`text`, which phones and lock screens show) to the JU- reference, agency
names and what kind of message it is: never the case reference, nor anything anyone typed.
"""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from bot.blocks import audit, challenge as challenges, glossary, messages, outcome as outcomes, overview, \
    record_form, record_post, report as reports
from bot.blocks.challenge import read_amend_form, read_challenge_form, read_response_form
from bot.blocks.ids import Field
from bot.blocks.outcome import read_outcome_form
from bot.blocks.record_post import Delivery
from bot.blocks.text import CONTINUED, notice
from bot.demo.sample import sample_partnership
from bot.domain.clock import FixedClock
from bot.domain.config import Agency, RiskLevel
from bot.domain.glossary import Glossary, Term
from bot.i18n import BILINGUAL, Voice, using
from bot.services.audit import Act
from bot.services.challenges import ChallengeService
from bot.services.outbox.sending import PERMANENT_ERRORS
from bot.services.outcomes import OutcomeService
from bot.services.overview import OpenChallenge, OutcomeDue, Overview, RecordHistory, ResultDue, Shared, Waiting
from bot.services.records import RecordService
from storage.models import AuditEvent, Challenge, ChallengeResponse, Outcome, Record, Revision, Share, SlackMessage

NOW = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
MARKUP = "<!channel> <!here> <@U123ABC> <https://evil.example|click> & < > &amp; *bold* _x_ ~s~ `c` "
RAW = ("<!channel>", "<!here>", "<@U123ABC>", "<https://evil.example")  # typed, they must reach Slack escaped
TAG = "ZQ"  # starts every piece of typed text, so a notification line that carries any is caught
CASE = "CASE-9876543210"  # the longest case reference the default pattern allows
RECORD_ID = 2**31 - 1  # the largest id Joined Up reads back from a button
REFERENCE = f"JU-{RECORD_ID}"
USERS = tuple(f"U0PERSON{i:04d}XYZ" for i in range(30))
ANOTHER_NHS_NUMBER = "943 476 5919"


def typed(field: str, length: int) -> str:
    """What someone might type into `field`: every kind of markup and some line breaks, to the field's limit."""
    unit = f"{TAG}{field} {MARKUP}\n"
    return (unit * (length // len(unit) + 1))[:length]


def named(what: str, length: int) -> str:
    """A name from the configuration (an agency, a risk level): markup too, as long as the configuration allows."""
    return (f"{what} <!here> & <> *b* _x_ " + "n" * length)[:length]


AGENCIES = tuple(Agency(f"agency-{i:02d}-".ljust(40, "k"), named(f"Agency {i}", 75), f"C0AGENCY{i:02d}",
                        leads=USERS[:10]) for i in range(20))
RISKS = tuple(RiskLevel(f"level-{i}-".ljust(40, "k"), named(f"Level {i}", 75), named(f"Means {i}", 2000),
                        urgent=i == 9) for i in range(10))
TERMS = [Term(named(f"Term {i}", 200 if i % 5 == 0 else 12), named(f"Defined {i}", 2000 if i % 5 == 0 else 80),
              aliases=tuple(named(f"alias {i}.{j}", 60) for j in range(10 if i % 5 == 0 else 1)),
              source=named("Source", 300), category=f"category {i % 12}", starter=i % 2 == 0) for i in range(50)]
PARTNERSHIP = dataclasses.replace(
    sample_partnership(), name=named("Partnership", 300), admins=USERS[:10], agencies=AGENCIES, risk_levels=RISKS,
    purposes=tuple(named(f"Purpose {i}", 75) for i in range(100)), case_reference_example=CASE,
    lawful_bases=tuple(named(f"Basis {i}", 75) for i in range(100)), emergency_instructions=named("Call", 3000))
GLOSSARY = Glossary(TERMS)
P = PARTNERSHIP
NAME = AGENCIES[-1].name
PERMALINK = "https://" + "w" * 60 + ".slack.com/archives/C0AGENCY19/p1790000000123456"
LONGEST_PROBLEM = max(PERMANENT_ERRORS.values(), key=len)


# --- objects as the database would hand them over ------------------------------------------------------

def related(row: Any, **relations: list[Any]) -> Any:
    for name, rows in relations.items():
        set_committed_value(row, name, rows)
    return row


def share(i: int, *, acknowledged: bool = False, note: bool = False) -> Share:
    return Share(id=RECORD_ID - 100 + i, record_id=RECORD_ID, agency_key=AGENCIES[i].key,
                 acknowledged_by=USERS[i] if acknowledged else None, acknowledged_at=NOW if acknowledged else None,
                 acknowledgement_note=typed("note", 500) if note else None)


def an_outcome(i: int) -> Outcome:
    return Outcome(id=i + 1, record_id=RECORD_ID, reported_by=USERS[i], agency_key=AGENCIES[i].key if i else None,
                   reported_at=NOW + timedelta(days=i), what_happened=typed("happened", 3000),
                   what_changed=typed("changed", 3000), next_step="further_action")


def a_revision(i: int) -> Revision:
    words = {"summary": typed("earlier", 3000), "actions": typed("earlier", 3000), "risk_label": RISKS[i % 10].label}
    return Revision(id=i + 1, record_id=RECORD_ID, kind="risk level" if i % 2 else "amendment", revised_by=USERS[0],
                    revised_at=NOW + timedelta(hours=i), reason=typed("why", 3000 if i % 2 else 500),
                    previous=words, current={**words, "summary": typed("now", 3000), "risk_label": RISKS[9].label})


def record(*, shared: bool = True, acknowledged: bool = False, note: bool = False, outcomes: int = 0,
           revisions: int = 0, purged: bool = False) -> Record:
    return related(Record(
        id=RECORD_ID, case_reference=CASE, occurred_at=NOW, created_at=NOW, sharer_id=USERS[0],
        sharer_agency=AGENCIES[0].key, participants=list(USERS), others_present=typed("others", 500),
        purposes=list(P.purposes), purpose_detail=typed("purpose", 500), requested_action=typed("request", 500),
        first_hand=False, lawful_basis=P.lawful_bases[-1], summary=typed("summary", 3000), risk_key=RISKS[9].key,
        risk_label=RISKS[9].label, risk_definition=RISKS[9].definition, actions=typed("actions", 3000),
        follow_up_on=date(2026, 12, 8), not_shared_reason=None if shared else typed("reason", 500),
        identifiers_found=["nhs_number"], identifiers_reason=typed("identifiers", 500),
        purged_at=NOW if purged else None),
        shares=[share(i, acknowledged=acknowledged, note=note) for i in range(20)] if shared else [],
        outcomes=[an_outcome(i) for i in range(outcomes)], revisions=[a_revision(i) for i in range(revisions)])


def a_challenge(state: str = "open", responses: int = 0) -> Challenge:
    found = Challenge(id=7, record_id=RECORD_ID, raised_by=USERS[5], agency_key=AGENCIES[-1].key, raised_at=NOW,
                      kind="risk_level", text=typed("challenge", 3000), proposed_risk_label=RISKS[0].label,
                      state=state, closed_at=NOW if state in ("resolved", "escalated") else None)
    return related(found, responses=[ChallengeResponse(id=i + 1, challenge_id=7, responded_by=USERS[0],
                                                       responded_at=NOW, text=typed("answer", 3000))
                                     for i in range(responses)])


def deliveries(*, failures: bool = True, told: bool = False) -> list[Delivery]:
    """Every state a post can be in, round the twenty agencies; with `told`, every agency that can has left the
    longest note and told the sharer the longest result."""
    states = ["pending", "sent", "failed" if failures else "sent", "sent", "pending"]
    return [Delivery(a.name, states[i % 5], i % 3, PERMALINK if states[i % 5] == "sent" else None,
                     LONGEST_PROBLEM if states[i % 5] == "failed" else None,
                     USERS[i] if i % 5 == 3 or told else None, NOW if i % 5 == 3 or told else None,
                     typed("note", 500) if told else None, typed("result", 3000) if told else None)
            for i, a in enumerate(AGENCIES)]


def overview_page(count: int, total: int, offset: int = 0, *, agency: bool = True) -> Overview:
    items = range(count)
    return Overview(
        waiting=[Waiting(i, REFERENCE, CASE, NAME, RISKS[9].label, USERS[i], NAME, NOW) for i in items],
        waiting_total=total, waiting_offset=offset,
        shared=[Shared(REFERENCE, CASE, NOW, i % 2 == 0, deliveries()) for i in items],
        shared_total=total, shared_offset=offset, belongs_to_an_agency=agency,
        outcomes_due=[OutcomeDue(RECORD_ID, REFERENCE, CASE, date(2026, 12, 8)) for _ in items],
        to_answer=[OpenChallenge(i, REFERENCE, USERS[i], NAME, "open", NOW) for i in items],
        raised=[OpenChallenge(i, REFERENCE, USERS[i], NAME, "answered", NOW) for i in items],
        results_due=[ResultDue(RECORD_ID, REFERENCE, CASE, AGENCIES[-1].key, NAME, NOW) for _ in items])


def history(rec: Record) -> RecordHistory:
    posts = [SlackMessage(kind="agency_post", agency_key=a.key, sent_at=NOW) for a in AGENCIES]
    states = ["open", "answered", "resolved", "escalated"]
    return RecordHistory(rec, deliveries(), posts, [a_challenge(states[i % 4], responses=3) for i in range(10)])


# --- what the forms refuse, as the services say it ---------------------------------------------------------

def services() -> dict[str, Any]:
    """The services' checks need no database for a form about no record in particular."""
    parts = dict(db=None, partnership=P, clock=FixedClock(NOW), outbox=None)
    return {"records": RecordService(**parts), "outcomes": OutcomeService(**parts, directory=None),
            "challenges": ChallengeService(**parts, directory=None, calendar=None)}


def errors(problems: dict[str, str], view: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The handlers' answer: only errors for the inputs the form shows."""
    shown = {block.get("block_id") for block in view["blocks"]}
    assert problems, "the form was expected to be refused"
    return {"response_action": "errors", "errors": {k: v for k, v in problems.items() if k in shown}}, view


def values(answers: dict[str, str]) -> dict[str, Any]:
    """view.state.values with text typed into these inputs."""
    return {block: {"value": {"type": "plain_text_input", "value": text}} for block, text in answers.items()}


# --- every payload ------------------------------------------------------------------------------------

POST, REPLY, VIEW, ANSWER = "post", "reply", "view", "answer"


def posts() -> Iterator[tuple[str, tuple[str, list[dict[str, Any]]]]]:
    """Messages posted to a channel or a DM, as (text, blocks)."""
    states = {"waiting": {}, "acknowledged": dict(acknowledged=True), "with a note": dict(acknowledged=True, note=True),
              "with outcomes": dict(outcomes=8), "with revisions": dict(revisions=12),
              "everything": dict(acknowledged=True, note=True, outcomes=8, revisions=12)}
    for state, options in states.items():
        rec = record(**options)
        yield f"agency post {state}", record_post.agency_post(rec, rec.shares[-1], P, GLOSSARY.terms)
    yield "sharer status shared", record_post.sharer_status(record(), deliveries(failures=False))
    yield "sharer status with failures", record_post.sharer_status(record(outcomes=2), deliveries())
    yield "sharer status with every note and result", record_post.sharer_status(
        record(acknowledged=True, note=True, outcomes=8), deliveries(failures=False, told=True))
    noted = record(acknowledged=True, note=True)
    yield "note to the sharer", record_post.note_to_sharer(noted, noted.shares[-1], NAME)
    yield "sharer status not shared", record_post.sharer_status(record(shared=False), [])
    rec, done = record(), record(outcomes=3)
    yield "acknowledgement reminder", outcomes.acknowledgement_reminder(rec, 1, NAME, USERS, 3)
    yield "acknowledgement reminder without leads", outcomes.acknowledgement_reminder(rec, 1, NAME, (), 1)
    yield "lead escalation", outcomes.lead_escalation(rec, 1, NAME, PERMALINK)
    yield "lead escalation without link", outcomes.lead_escalation(rec, 1, NAME, None)
    yield "sharer escalation", outcomes.sharer_escalation(rec, NAME)
    names = [a.name for a in AGENCIES]
    yield "outcome request", outcomes.outcome_request(rec, names)
    yield "outcome request after outcome", outcomes.outcome_request(done, names)
    yield "outcome request after every agency's result", outcomes.outcome_request(rec, names, names)
    yield "outcome message from agency", outcomes.outcome_message(done, done.outcomes[-1], NAME)
    yield "outcome message from sharer", outcomes.outcome_message(done, done.outcomes[0], None)
    for for_sharer in (True, False):
        for state in ("open", "resolved"):
            yield f"challenge message {state}{' to sharer' * for_sharer}", challenges.challenge_message(
                rec, a_challenge(state), NAME, for_sharer=for_sharer)
    answered, revision = a_challenge("answered", 1), a_revision(1)
    for for_challenger in (True, False):
        for revised in (revision, None):
            yield (f"response message{' to challenger' * for_challenger}{' revising risk' * bool(revised)}",
                   challenges.response_message(rec, answered, answered.responses[0], revised,
                                               for_challenger=for_challenger))
    for state in ("resolved", "escalated"):
        yield f"challenge {state}", challenges.closed_message(rec, a_challenge(state))
    yield "challenge escalation", challenges.escalation_message(rec, a_challenge("escalated"), NAME, PERMALINK)
    yield "challenge escalation without link", challenges.escalation_message(rec, a_challenge(), NAME, None)
    yield "challenge reminder", challenges.challenge_reminder(rec, a_challenge(), NAME)
    yield "amendment", challenges.amendment_message(rec, a_revision(0))
    for fixed in (False, True):
        yield f"delivery problem{' fixed' * fixed}", record_post.delivery_problem(
            rec, RECORD_ID, NAME, AGENCIES[-1].channel, LONGEST_PROBLEM, fixed=fixed)
    yield "tombstone", record_post.tombstone(record(purged=True))


def figures_report() -> Any:
    """Every figure at its widest: each agency, every risk level and purpose, numbers in the millions."""
    from bot.reports.figures import FIGURES
    from bot.reports.period import Period
    from bot.reports.service import Report, Value

    items = {"risk level": [r.key for r in RISKS], "purpose": list(P.purposes)}
    values = tuple(Value(figure, item, agency, 1234567.89) for figure in FIGURES
                   for item in items.get(figure.split_by, [""]) for agency in (None, *(a.key for a in AGENCIES)))
    period = Period(NOW - timedelta(days=3650), NOW, (NOW - timedelta(days=3650)).date(), NOW.date(), "last")
    return Report(period, NOW, 8.0, values)


def replies() -> Iterator[tuple[str, dict[str, Any]]]:
    """Ephemeral replies: a slash command's answer, or through a response_url."""
    def message(text: str, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return {"text": text, **({"blocks": blocks} if blocks is not None else {})}

    yield "help", message(*messages.help_blocks())
    yield "help for unknown word", message(*messages.help_blocks(typed("word", 200)))
    yield "glossary index", message(*glossary.glossary_index(GLOSSARY, P.name))
    for shown in (AGENCIES[:1], AGENCIES):
        yield f"partnership figures for {len(shown)} agencies", message(*reports.report_blocks(
            figures_report(), P, [agency.key for agency in shown]))
    yield "partnership figures refused", message(reports.REFUSED)
    yield "partnership figures bad period", message(reports.bad_period("Joined Up can't tell which period " * 3))
    for term in (TERMS[0], TERMS[1]):
        yield f"glossary answer {len(term.definition)}", message(*glossary.glossary_answer(term))
    yield "glossary near matches", message(*glossary.glossary_not_found(typed("q", 300), TERMS[:3], P.admins))
    yield "glossary not found", message(*glossary.glossary_not_found(typed("q", 300), [], P.admins))
    yield "glossary not found no admins", message(*glossary.glossary_not_found(typed("q", 300), [], ()))
    rec = record(acknowledged=True, note=True, outcomes=8, revisions=12)
    yield "show", message(f"{rec.reference} about case {rec.case_reference}",  # handlers/commands.py's words
                          overview.history_blocks(history(rec), P, GLOSSARY.terms))
    yield "show not shared", message(REFERENCE, overview.history_blocks(history(record(shared=False)), P, []))
    told = history(record(acknowledged=True, note=True, outcomes=8))
    yield "show with notes and results", message(REFERENCE, overview.history_blocks(
        RecordHistory(told.record, deliveries(failures=False, told=True), told.posts, []), P, []))
    yield "mine full", message(*overview.mine_message(overview_page(5, 500)))
    yield "mine empty", message(*overview.mine_message(overview_page(0, 0, agency=False)))
    acts = [*Act, "a" * 40]
    events = [AuditEvent(at=NOW, actor="system" if i % 3 else USERS[i % 30], action=acts[i % len(acts)],
                         record_id=RECORD_ID, surface="s" * 40,
                         detail=AGENCIES[i % 20].key if i % 2 else typed("detail", 300)) for i in range(500)]
    yield "audit", message(*audit.audit_blocks(RECORD_ID, events, P))
    yield "no access", message(messages.no_access(typed("reference", 300)))
    yield "form unavailable", message(messages.form_unavailable(typed("error", 300)))
    for outcome in ("acknowledged", "already", "not_member", "not_found"):
        yield f"acknowledgement reply {outcome}", message(messages.acknowledgement_reply(
            outcome, reference=REFERENCE, agency=NAME, by=USERS[1], at=NOW))


def views() -> Iterator[tuple[str, dict[str, Any]]]:
    defaults = record_form.FormDefaults(occurred_at=NOW, follow_up_on=date(2026, 12, 8))
    yield "record form first open", record_form.record_form(P, defaults)
    remembered = dataclasses.replace(defaults, sharer_agency=AGENCIES[-1].key, case_reference=typed("case", 40))
    yield "record form remembered agency", record_form.record_form(P, remembered)
    yield "record form risk chosen", record_form.record_form(P, dataclasses.replace(remembered, risk_key=RISKS[0].key))
    yield "record form urgent", record_form.record_form(P, dataclasses.replace(remembered, risk_key=RISKS[9].key))
    yield "record form from a message shortcut", record_form.record_form(
        P, dataclasses.replace(remembered, from_message=True))
    yield "record form unchecked", record_form.record_form(dataclasses.replace(P, check_identifiers=False), defaults)
    yield "record form fullest", fullest_record_form(dataclasses.replace(remembered, details=True, from_message=True))
    yield "record saved", record_form.saved_view(REFERENCE, [a.name for a in AGENCIES])
    yield "record saved not shared", record_form.saved_view(REFERENCE, [])
    yield "acknowledge with note form", messages.acknowledge_note_form(RECORD_ID, REFERENCE, NAME)
    rec, subject = record(), f"{RECORD_ID}:{AGENCIES[-1].key}"
    yield "outcome form for agency", outcomes.outcome_form(rec, subject, NAME)
    yield "outcome form for sharer", outcomes.outcome_form(rec, f"{RECORD_ID}:", None, check_identifiers=False)
    yield "challenge form", challenges.challenge_form(rec, subject, P)
    for may_revise in (True, False):
        yield f"response form{' may revise' * may_revise}", challenges.response_form(
            rec, a_challenge(), P, may_revise=may_revise)
    yield "amend form", challenges.amend_form(rec)
    yield "problem", messages.problem_view()
    said = [messages.acknowledgement_reply(o, reference=REFERENCE, agency=NAME, by=USERS[1], at=NOW)
            for o in ("acknowledged", "already")]
    for title in ("What came of it", "Ask or challenge", "Answer", "Amend record", "Acknowledgement", "Outcome sent",
                  "Sent", "Answer sent", "Amendment sent"):
        yield f"info {title}", messages.info_view(title, " ".join(said) + " " + typed("text", 2000))
    yield "home empty", overview.home_view(overview_page(0, 0, agency=False))
    yield "home empty agency", overview.home_view(overview_page(0, 0))
    yield "home full", overview.home_view(overview_page(10, 500))
    yield "home more page", overview.home_view(overview_page(10, 500, 250))
    yield "home last page", overview.home_view(overview_page(10, 500, 490))


def fullest_record_form(defaults: Any) -> dict[str, Any]:
    """Every field the record form can show at once, each holding all it may, with a note under each."""
    longest = record_form.longest
    everything = record_form.RecordForm(
        case_reference=typed("case", 40), occurred_at=int(NOW.timestamp()), participants=list(USERS),
        others_present=typed("o", longest(Field.OTHERS_PRESENT)), sharer_agency=AGENCIES[-1].key,
        share_with=[a.key for a in AGENCIES], record_only=True, not_shared_reason=typed("r", 500),
        purposes=list(P.purposes), other_purpose=True, purpose_detail=typed("p", 500), request="action",
        requested_action=typed("a", 500), source="reported", lawful_basis=P.lawful_bases[-1],
        summary=typed("s", 3000), risk_key=RISKS[9].key, urgent_confirmed=True, actions=typed("x", 3000),
        follow_up_on="2026-12-08", identifiers_reason=typed("i", 500))
    found = {field: typed(f"found {field}", 600) for field in record_form.LABELS}
    return record_form.record_form(P, defaults, everything, found=found,
                                   notes={field: typed(f"note {field}", 2000) for field in Field})


def answers() -> Iterator[tuple[str, tuple[dict[str, Any], dict[str, Any]]]]:
    """Answers to a form submission that keep the form open, with its errors."""
    check, rec = services(), record()
    form = record_form.record_form(P, record_form.FormDefaults(occurred_at=NOW, follow_up_on=date(2026, 12, 8)))
    wrong = record_form.RecordForm(case_reference=typed("case", 40), others_present=typed("o", 3000),
                                   share_with=["nowhere"], not_shared_reason=typed("r", 3000), purposes=["none"],
                                   request="action", summary=typed("s", 4000), risk_key=RISKS[9].key,
                                   actions=typed("a", 4000), follow_up_on="2020-01-01")
    yield "record form errors", errors(check["records"].check(wrong)[0], form)
    identifiers = f"NHS {ANOTHER_NHS_NUMBER}, SW1A 1AA, 07700 900123, a@b.example, CR-99999, born 01/02/2015 "
    found = dataclasses.replace(wrong, **{k: identifiers * 3 for k in (
        "others_present", "purpose_detail", "requested_action", "summary", "actions")}, case_reference=CASE)
    yield "record form identifiers", errors(check["records"].check(found)[0], form)
    outcome_form = outcomes.outcome_form(rec, f"{RECORD_ID}:", None)
    yield "outcome form errors", errors(check["outcomes"].problems(read_outcome_form(values(
        {Field.WHAT_HAPPENED: identifiers * 100, Field.WHAT_CHANGED: typed("c", 4000)})), None), outcome_form)
    yield "challenge form errors", errors(check["challenges"].challenge_problems(read_challenge_form(values(
        {Field.CHALLENGE_TEXT: identifiers})), None), challenges.challenge_form(rec, f"{RECORD_ID}:", P))
    yield "response form errors", errors(check["challenges"].response_problems(read_response_form(values(
        {Field.RESPONSE_TEXT: typed("r", 4000)}))), challenges.response_form(rec, a_challenge(), P, may_revise=True))
    yield "amend form errors", errors(check["challenges"].amend_problems(read_amend_form(values(
        {Field.SUMMARY: identifiers, Field.AMEND_REASON: typed("r", 600)})), None), challenges.amend_form(rec))
    note_form = messages.acknowledge_note_form(RECORD_ID, REFERENCE, NAME)
    not_member = messages.acknowledgement_reply("not_member", reference=REFERENCE, agency=NAME, by=None, at=None)
    yield "acknowledge note not member", errors({Field.NOTE: not_member}, note_form)


# The partnership's own words in Welsh, each as long as its English may be, so a bilingual post carries both.
WELSH_WORDS = {text: ("Cy " + text)[:len(text)] for text in (
    *P.purposes, *P.lawful_bases, *(r.label for r in RISKS), *(r.definition for r in RISKS), P.emergency_instructions)}
LANGUAGES = ("en", "cy", "cy+en")


def cases(language: str) -> list[tuple[str, str, Any]]:
    """Every payload, built as its reader would get it: in English, in Welsh and, for a channel's posts, bilingual
    (Welsh first). A person reads one language, so forms, App Home and replies are never bilingual."""
    with using(Voice(language=language, words=WELSH_WORDS)):
        if language == BILINGUAL:
            return [(name, POST, p) for name, p in posts()]
        return [*((name, POST, p) for name, p in posts()), *((name, REPLY, p) for name, p in replies()),
                *((name, VIEW, p) for name, p in views()), *((name, ANSWER, p) for name, p in answers())]


CASES = [(f"{language}: {name}", kind, payload) for language in LANGUAGES for name, kind, payload in cases(language)]


def slack_takes(check: Any, *args: Any) -> None:
    from bot.standin.rules import SlackError

    try:
        check(*args)
    except SlackError as error:
        pytest.fail(f"Slack would refuse it: {error.error}\n" + "\n".join(error.messages), pytrace=False)


@pytest.mark.parametrize("kind, payload", [pytest.param(kind, payload, id=f"{kind}: {name}")
                                           for name, kind, payload in CASES])
def test_slack_takes_every_payload_at_its_largest(kind: str, payload: Any) -> None:
    from bot.standin.rules import check_message, check_submission_answer, check_view

    if kind == POST:
        text, blocks = payload
        slack_takes(check_message, {"text": text, "blocks": notice(text)})  # first posted with its line alone
        slack_takes(check_message, {"text": text, "blocks": blocks})  # then its content, as an update
    elif kind == REPLY:
        slack_takes(check_message, dict(payload))
    elif kind == VIEW:
        slack_takes(check_view, payload)
    else:
        slack_takes(check_submission_answer, *payload)
    text, blocks = payload if kind == POST else (payload.get("text", ""), payload.get("blocks", [])) \
        if kind in (REPLY, VIEW) else ("", [])
    assert not [raw for raw in RAW if raw in text], "typed markup reaches the notification line unescaped"
    cut = [b["text"]["text"][-60:] for b in blocks if b["type"] == "section" and b.get("text", {}).get("text", "")
           .endswith(CONTINUED)]
    assert not cut, "a section was cut short: what did not fit is lost"


@pytest.mark.parametrize("text", [pytest.param(text, id=name) for name, kind, (text, _) in
                                  ((n, k, p) for n, k, p in CASES if k == POST)])
def test_a_notification_names_only_the_reference_agencies_and_what_it_is(text: str) -> None:
    assert REFERENCE in text
    assert CASE not in text, "the case reference is in the notification line"
    assert TAG not in text, "something someone typed is in the notification line"
    assert "\n" not in text.strip()
