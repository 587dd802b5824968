"""What someone is told when Joined Up will not let them act on a record, by button or by form.

Each refusal reads the same whatever the click or form pointed at: a record that exists or never did, a share
for any agency, a challenge of anyone's, a case reference typed right or wrong. A button value or a form made up
by hand can then never confirm that a record exists, whose it is, or anything it holds. The words say who may
act and what to do about it; they name no record, agency or person.
"""
from __future__ import annotations

from bot.i18n import N_

# Each is marked for the catalogue here and translated where it is shown: `_(refusals.ACKNOWLEDGE)`.
ACKNOWLEDGE = N_(
    "Only members of the agency a record was shared with can acknowledge it, and Joined Up doesn't count you as one "
    "of them. If you should count as a member, ask to join the agency's channel, or ask its lead to add you. If it "
    "was yours to act on, the record may no longer be in Joined Up.")
REPORT_OUTCOME = N_(
    "Only members of the agencies a record was shared with can tell its sharer what their agency did, and only the "
    "sharer can report the outcome for the child; Joined Up doesn't count you as one of them. If you should count "
    "as a member, ask to join the agency's channel, or ask its lead to add you. If it was yours to act on, the "
    "record may no longer be in Joined Up.")
CHALLENGE = N_(
    "Only members of the agencies a record was shared with can ask about or challenge it from their agency's post, "
    "and Joined Up doesn't count you as one of them. If you should count as a member, ask to join the agency's "
    "channel, or ask its lead to add you. If it was yours to act on, the record may no longer be in Joined Up.")
ANSWER = N_(
    "Only the sharer, and members of the agencies a record was shared with, can answer a question about it, and "
    "Joined Up doesn't count you as one of them. If you should count as a member, ask to join the agency's "
    "channel, or ask its lead to add you. If it was yours to act on, the record may no longer be in Joined Up.")
AMEND = N_("Only the person who shared a record can amend it. If it was yours to act on, the record may no longer "
           "be in Joined Up.")
CLOSE_CHALLENGE = N_("Only the person who raised a challenge can mark it resolved or escalate it. If it was yours, "
                     "it may no longer be in Joined Up.")

NOT_SAVED_TITLE = N_("Not saved")
