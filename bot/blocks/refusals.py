"""What someone is told when Joined Up will not let them act on a record, by button or by form.

Each refusal reads the same whatever the click or form pointed at: a record that exists or never did, a share
for any agency, a challenge of anyone's, a case reference typed right or wrong. A button value or a form made up
by hand can then never confirm that a record exists, whose it is, or anything it holds. The words say who may
act and what to do about it; they name no record, agency or person.
"""
from __future__ import annotations

GONE = "If it was yours to act on, the record may no longer be in Joined Up."
JOIN = "If you should count as a member, ask to join the agency's channel, or ask its lead to add you."

ACKNOWLEDGE = (f"Only members of the agency a record was shared with can acknowledge it, and Joined Up doesn't "
               f"count you as one of them. {JOIN} {GONE}")
REPORT_OUTCOME = (f"Only members of the agencies a record was shared with can tell its sharer what their agency "
                  f"did, and only the sharer can report the outcome for the child; Joined Up doesn't count you as "
                  f"one of them. {JOIN} {GONE}")
CHALLENGE = (f"Only members of the agencies a record was shared with can ask about or challenge it from their "
             f"agency's post, and Joined Up doesn't count you as one of them. {JOIN} {GONE}")
ANSWER = (f"Only the sharer, and members of the agencies a record was shared with, can answer a question about "
          f"it, and Joined Up doesn't count you as one of them. {JOIN} {GONE}")
AMEND = f"Only the person who shared a record can amend it. {GONE}"
CLOSE_CHALLENGE = ("Only the person who raised a challenge can mark it resolved or escalate it. If it was yours, "
                   "it may no longer be in Joined Up.")

NOT_SAVED_TITLE = "Not saved"
