"""The console blueprint, its role sets and the labels every console template uses."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import lazy_gettext

from hotline.auth.models import Role, User
from hotline.auth.session import current_user

bp = Blueprint("console", __name__, url_prefix="/console")

# Who reads caller text: operators and supervisors (admins pass every check). Analysts see aggregates only.
CASEWORK = (Role.OPERATOR, Role.SUPERVISOR)
SUPERVISORS = (Role.SUPERVISOR,)

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
}

REFUSALS = {
    "not_found": lazy_gettext("This report does not exist."),
    "not_holder": lazy_gettext("Claim this report before working on it."),
    "invalid_coding": lazy_gettext("That coding is not in the codebook."),
    "no_rumour": lazy_gettext("That rumour does not exist."),
    "bad_reply": lazy_gettext("Write a reply of at most 1600 characters."),
    "cannot_reply": lazy_gettext("This caller cannot be texted (opted out, no number, or the number has expired)."),
    "bad_referral": lazy_gettext("Say who the report is referred to."),
    "invalid": lazy_gettext("Check the form: something is missing or not valid."),
    "forbidden": lazy_gettext("Only a supervisor can do that."),
    "own_message": lazy_gettext("Another supervisor must approve a message you wrote."),
    "confirm_close": lazy_gettext("This protection case was escalated: confirm that the partner has it in hand "
                                  "before closing it."),
}


def label(kind: str, value: str | None) -> str:
    """The translated label of a stored value (``status``, ``new``); the value itself when it has none."""
    if value is None:
        return ""
    return str(LABELS.get(kind, {}).get(value, value))


def refusal(reason: str) -> str:
    """The sentence for an ActionRefused reason."""
    return str(REFUSALS.get(reason.split(":")[0], REFUSALS["invalid"]))


@bp.app_template_global("label")
def _label(kind: str, value: str | None) -> str:
    return label(kind, value)


def staff() -> User:
    """The signed-in user of a view guarded by login_required."""
    user = current_user()
    if user is None:  # login_required ran first; this tells the type checker
        abort(401)
    return user
