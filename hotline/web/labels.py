"""Translated labels of stored values (statuses, kinds, roles): one table for the console and the trends pages."""

from __future__ import annotations

from flask_babel import lazy_gettext

LABELS = {
    "status": {
        "new": lazy_gettext("New"),
        "claimed": lazy_gettext("Claimed"),
        "answered": lazy_gettext("Answered"),
        "escalated": lazy_gettext("Escalated"),
        "closed": lazy_gettext("Closed"),
    },
    "urgency": {
        "normal": lazy_gettext("Normal"),
        "high": lazy_gettext("High"),
        "immediate": lazy_gettext("Immediate"),
    },
    "sensitivity": {
        "normal": lazy_gettext("Normal"),
        "sensitive": lazy_gettext("Sensitive"),
        "protection": lazy_gettext("Protection"),
    },
    "channel": {
        "voice": lazy_gettext("Voice"),
        "sms": lazy_gettext("SMS"),
        "whatsapp": lazy_gettext("WhatsApp"),
        "field": lazy_gettext("Field"),
    },
    "verification": {
        "unverified": lazy_gettext("Unverified"),
        "false": lazy_gettext("False"),
        "misleading": lazy_gettext("Misleading"),
        "partly_true": lazy_gettext("Partly true"),
        "true": lazy_gettext("True"),
    },
    "approval": {
        "draft": lazy_gettext("Draft"),
        "approved": lazy_gettext("Approved"),
        "retired": lazy_gettext("Retired"),
    },
    "recording": {
        "draft": lazy_gettext("Draft"),
        "approved": lazy_gettext("Approved"),
        "superseded": lazy_gettext("Replaced"),
        "rejected": lazy_gettext("Set aside"),
    },
    "rumour_status": {
        "candidate": lazy_gettext("Candidate"),
        "reviewed": lazy_gettext("Reviewed"),
        "archived": lazy_gettext("Archived"),
    },
    "referral": {
        "sent": lazy_gettext("Sent"),
        "accepted": lazy_gettext("Accepted by the partner"),
        "closed": lazy_gettext("Closed"),
    },
    "risk": {
        "low": lazy_gettext("Low"),
        "medium": lazy_gettext("Medium"),
        "high": lazy_gettext("High"),
    },
    "role": {
        "operator": lazy_gettext("Operator"),
        "supervisor": lazy_gettext("Supervisor"),
        "analyst": lazy_gettext("Analyst"),
        "admin": lazy_gettext("Administrator"),
    },
    "message_status": {
        "received": lazy_gettext("Received"),
        "queued": lazy_gettext("Queued"),
        "sending": lazy_gettext("Sending"),
        "sent": lazy_gettext("Sent"),
        "delivered": lazy_gettext("Delivered"),
        "undelivered": lazy_gettext("Not delivered"),
        "failed": lazy_gettext("Failed"),
    },
    "focal_point_kind": {
        "religious_leader": lazy_gettext("Religious leader"),
        "teacher": lazy_gettext("Teacher"),
        "community_volunteer": lazy_gettext("Community volunteer"),
        "returnee": lazy_gettext("Returnee"),
        "health_worker": lazy_gettext("Health worker"),
    },
    "entity_type": {
        "report": lazy_gettext("Report"),
        "protection_referral": lazy_gettext("Protection referral"),
        "rumour": lazy_gettext("Rumour"),
        "counter_message": lazy_gettext("Counter-message"),
        "user": lazy_gettext("Staff account"),
        "api_token": lazy_gettext("API token"),
        "focal_point": lazy_gettext("Focal point"),
        "referral_partner": lazy_gettext("Referral partner"),
        "prompt_recording": lazy_gettext("Prompt recording"),
        "reviewed_text": lazy_gettext("Reviewed text"),
        "caller": lazy_gettext("Caller"),
    },
    "heard_via": {
        "radio": lazy_gettext("Radio"),
        "religious_leader": lazy_gettext("A religious leader or place of worship"),
        "family_friend": lazy_gettext("Family or friends"),
        "poster": lazy_gettext("A poster"),
        "street_theatre": lazy_gettext("Street theatre"),
        "social_media": lazy_gettext("Social media"),
        "other": lazy_gettext("Something else"),
    },
    "ivr_node": {
        "notice": lazy_gettext("Notice"),
        "choose_language": lazy_gettext("Language menu"),
        "change_language": lazy_gettext("Language changed"),
        "heard_via": lazy_gettext("How they heard of the hotline"),
        "main_menu": lazy_gettext("Main menu"),
        "facts": lazy_gettext("Heard the facts"),
        "ask_question": lazy_gettext("Asked a question"),
        "report_rumour": lazy_gettext("Reported something heard"),
        "nothing_recorded": lazy_gettext("Nothing recorded"),
        "recorded_thanks": lazy_gettext("Recording saved"),
        "callback_consent": lazy_gettext("Asked to be called back"),
        "callback": lazy_gettext("Call-back"),
        "operator": lazy_gettext("Waited for a person"),
        "voicemail_closed": lazy_gettext("Voicemail (closed)"),
        "voicemail_unstaffed": lazy_gettext("Voicemail (nobody available)"),
        "voicemail_unanswered": lazy_gettext("Voicemail (not answered)"),
        "goodbye": lazy_gettext("Goodbye"),
        "goodbye_no_input": lazy_gettext("Hung up: no key pressed"),
    },
    "heard_from": {
        "agent_smuggler": lazy_gettext("An agent or smuggler"),
        "relative_abroad": lazy_gettext("A relative abroad"),
        "social_media": lazy_gettext("Social media"),
        "neighbour": lazy_gettext("A neighbour"),
        "other": lazy_gettext("Someone else"),
    },
    "dimension": {
        "category": lazy_gettext("Category"),
        "type": lazy_gettext("Type"),
        "language": lazy_gettext("Language"),
        "channel": lazy_gettext("Channel"),
        "country": lazy_gettext("Country"),
        "admin1": lazy_gettext("Province or state"),
        "rumour_id": lazy_gettext("Rumour"),
    },
}


def label(kind: str, value: str | None) -> str:
    """The translated label of a stored value (``status``, ``new``); the value itself when it has none."""
    if value is None:
        return ""
    return str(LABELS.get(kind, {}).get(value, value))
