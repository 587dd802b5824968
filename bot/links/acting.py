"""The services, as the holder of a link reaches them: a member of the one agency the record was shared with."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from bot.blocks.outcome import agency_results, sharer_outcomes
from bot.blocks.record_post import agency_name
from bot.i18n import _
from bot.links.pages import RecordView, on_day, own, when
from bot.links.service import Holder, link_id_of
from bot.services.acknowledgements import AcknowledgementService
from bot.services.acts import Subject
from bot.services.challenges import ChallengeService
from bot.services.directory import Directory
from bot.services.outcomes import OutcomeService
from bot.services.records import calendar_for
from bot.services.wiring import Services
from storage.models import EmailLink, Record, Share


class LinkDirectory(Directory):
    """The partnership's directory, in which the link's holder is a member of its share's agency, and of no other."""

    def __init__(self, directory: Directory, holder: Holder) -> None:  # the same directory, not a new one
        self.__dict__.update(directory.__dict__)
        self.holder = holder

    def is_member(self, user_id: str, agency_key: str) -> bool:
        if user_id == self.holder.actor:
            return agency_key == self.holder.agency_key
        return super().is_member(user_id, agency_key)


@dataclass(frozen=True)
class Acting:
    subject: Subject
    acknowledgements: AcknowledgementService
    outcomes: OutcomeService
    challenges: ChallengeService


def act_for(services: Services, holder: Holder) -> Acting:
    directory = LinkDirectory(services.directory, holder)
    common = dict(db=services.db, directory=directory, clock=services.clock, outbox=services.outbox)
    return Acting(
        subject=Subject(holder.record_id, holder.agency_key),
        acknowledgements=AcknowledgementService(**common),  # type: ignore[arg-type]
        outcomes=OutcomeService(partnership=services.partnership, **common),  # type: ignore[arg-type]
        challenges=ChallengeService(partnership=services.partnership, calendar=calendar_for(services.partnership),
                                    **common))  # type: ignore[arg-type]


def record_view(services: Services, holder: Holder) -> RecordView | None:
    """What the agency's post in Slack shows of the record, read afresh; None if it can no longer be shown."""
    partnership, zone = services.partnership, services.partnership.zone
    with services.db.read() as session:
        record = session.get(Record, holder.record_id, options=[selectinload(Record.outcomes),
                                                               selectinload(Record.revisions)])
        share = session.get(Share, holder.share_id)
        if record is None or share is None or record.purged_at is not None or not record.is_shared:
            return None
        link_addresses = {link.id: link.address for link in session.query(EmailLink).filter(
            EmailLink.share_id == share.id)}

    def name(actor: str | None) -> str:
        if actor is None:
            return _("someone")
        link_id = link_id_of(actor)
        if link_id is not None:
            address = link_addresses.get(link_id)
            return _("{address} (by email link)", address=address) if address else _("someone")
        return services.directory.person(actor).name

    results = [_("{moment}, {name}: {text}", moment=when(o.reported_at, zone), name=name(o.reported_by),
                 text=o.what_happened)
               + ("\n" + _("What changed: {text}", text=o.what_changed) if o.what_changed else "")
               for o in agency_results(record, share.agency_key)[-5:]]
    results += [_("Outcome for the child, from the sharer ({moment}): {text}", moment=when(o.reported_at, zone),
                  text=o.what_happened) for o in sharer_outcomes(record)[-2:]]
    revisions = [_("Risk level revised from {previous} to {current} on {day}: {reason}",
                   previous=own(r.previous.get("risk_label", "")), current=own(r.current.get("risk_label", "")),
                   day=on_day(r.revised_at.astimezone(zone).date()), reason=r.reason[:300])
                 if r.kind == "risk level" else
                 _("Amended on {day}: {reason}", day=on_day(r.revised_at.astimezone(zone).date()),
                   reason=r.reason[:300]) for r in record.revisions[-5:]]
    acknowledged = (_("Acknowledged by {name} on {moment}.", name=name(share.acknowledged_by),
                      moment=when(share.acknowledged_at, zone)) if share.acknowledged_at is not None else None)
    return RecordView(
        reference=record.reference, case_reference=record.case_reference,
        agency_name=agency_name(partnership, share.agency_key),
        sharer_agency_name=f"{name(record.sharer_id)}, {agency_name(partnership, record.sharer_agency)}",
        occurred_at=record.occurred_at,
        who=[*(name(p) for p in record.participants), *([record.others_present] if record.others_present else [])],
        purposes=list(record.purposes), purpose_detail=record.purpose_detail,
        requested_action=record.requested_action, first_hand=record.first_hand, lawful_basis=record.lawful_basis,
        summary=record.summary, actions=record.actions, risk_label=record.risk_label,
        risk_definition=record.risk_definition, follow_up_on=record.follow_up_on, acknowledged=acknowledged,
        note=share.acknowledgement_note, results=results, revisions=revisions)
