"""Every id Slack sends back to us, in one place, so registrations and views cannot drift apart."""
from enum import StrEnum


class Command(StrEnum):
    RECORD = "/record"
    JOINEDUP = "/joinedup"


class Shortcut(StrEnum):
    """callback_id of each shortcut in app_manifest.yml (features.shortcuts)."""

    RECORD_CONVERSATION = "record_conversation"  # global: from the composer's shortcuts menu or search
    RECORD_FROM_MESSAGE = "record_from_message"  # message: from a message's "More actions" menu


class Callback(StrEnum):
    RECORD_FORM = "record_form"
    ACKNOWLEDGE_NOTE_FORM = "acknowledge_note_form"
    OUTCOME_FORM = "outcome_form"
    CHALLENGE_FORM = "challenge_form"
    RESPONSE_FORM = "response_form"
    AMEND_FORM = "amend_form"


class Action(StrEnum):
    RISK_LEVEL = "risk_level"
    # The record form's choices that change which fields it shows (dispatch_action), and its details button.
    SHARE_WITH_CHOSEN = "share_with_chosen"
    PURPOSES_CHOSEN = "purposes_chosen"
    REQUEST_CHOSEN = "request_chosen"
    RECORD_DETAILS = "record_details"
    ACKNOWLEDGE = "acknowledge"
    ACKNOWLEDGE_WITH_NOTE = "acknowledge_with_note"
    POST_MENU = "post_menu"  # the ⋯ menu on an agency's post: each option stands for one of the buttons here
    HOME_MORE = "home_more"
    OPEN_RECORD_FORM = "open_record_form"
    REPORT_OUTCOME = "report_outcome"
    REMIND_LATER = "remind_later"
    ASK_OR_CHALLENGE = "ask_or_challenge"
    RESPOND_CHALLENGE = "respond_challenge"
    RESOLVE_CHALLENGE = "resolve_challenge"
    ESCALATE_CHALLENGE = "escalate_challenge"
    AMEND_RECORD = "amend_record"
    RETRY_DELIVERY = "retry_delivery"
    EMAIL_COPY = "email_copy"  # "Email me a copy": the written record to the clicker's own work address


class LanguageAction(StrEnum):
    """App Home's choice of language, where the partnership offers both: each button's value is "cy" or "en"."""

    SPEAK_WELSH = "speak_welsh"
    SPEAK_ENGLISH = "speak_english"


class Event(StrEnum):
    APP_HOME_OPENED = "app_home_opened"


class Field(StrEnum):
    """block_id of each input in the record form; the action_id inside is always "value"."""

    CASE_REFERENCE = "case_reference"
    OCCURRED_AT = "occurred_at"
    PARTICIPANTS = "participants"
    OTHERS_PRESENT = "others_present"
    SHARER_AGENCY = "sharer_agency"
    SHARE_WITH = "share_with"
    NOT_SHARED_REASON = "not_shared_reason"
    PURPOSES = "purposes"
    PURPOSE_DETAIL = "purpose_detail"
    REQUEST = "request"
    REQUESTED_ACTION = "requested_action"
    SOURCE = "source"
    LAWFUL_BASIS = "lawful_basis"
    SUMMARY = "summary"
    RISK_LEVEL = "risk_level"
    URGENT_CONFIRMED = "urgent_confirmed"
    ACTIONS = "actions"
    FOLLOW_UP_ON = "follow_up_on"
    NOTE = "note"
    WHAT_HAPPENED = "what_happened"
    WHAT_CHANGED = "what_changed"
    NEXT_STEP = "next_step"
    CHALLENGE_KIND = "challenge_kind"
    CHALLENGE_TEXT = "challenge_text"
    PROPOSED_RISK = "proposed_risk"
    RESPONSE_TEXT = "response_text"
    REVISED_RISK = "revised_risk"
    AMEND_REASON = "amend_reason"
    IDENTIFIERS_REASON = "identifiers_reason"


VALUE = "value"
