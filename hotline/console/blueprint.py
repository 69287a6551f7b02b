"""The console blueprint, its role sets and the labels every console template uses."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l

from hotline.auth.models import Role, User
from hotline.auth.session import current_user

bp = Blueprint("console", __name__, url_prefix="/console")

# Who reads caller text: operators and supervisors (admins pass every check). Analysts see aggregates only.
CASEWORK = (Role.OPERATOR, Role.SUPERVISOR)
SUPERVISORS = (Role.SUPERVISOR,)

LABELS = {
    "status": {"new": _l("New"), "claimed": _l("Claimed"), "answered": _l("Answered"), "escalated": _l("Escalated"),
               "closed": _l("Closed")},
    "urgency": {"normal": _l("Normal"), "high": _l("High"), "immediate": _l("Immediate")},
    "sensitivity": {"normal": _l("Normal"), "sensitive": _l("Sensitive"), "protection": _l("Protection")},
    "channel": {"voice": _l("Voice"), "sms": _l("SMS"), "whatsapp": _l("WhatsApp"), "field": _l("Field")},
    "verification": {"unverified": _l("Unverified"), "false": _l("False"), "misleading": _l("Misleading"),
                     "partly_true": _l("Partly true"), "true": _l("True")},
    "approval": {"draft": _l("Draft"), "approved": _l("Approved"), "retired": _l("Retired")},
    "rumour_status": {"candidate": _l("Candidate"), "reviewed": _l("Reviewed"), "archived": _l("Archived")},
    "risk": {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")},
}

REFUSALS = {
    "not_found": _l("This report does not exist."),
    "not_holder": _l("Claim this report before working on it."),
    "invalid_coding": _l("That coding is not in the codebook."),
    "no_rumour": _l("That rumour does not exist."),
    "bad_reply": _l("Write a reply of at most 1600 characters."),
    "cannot_reply": _l("This caller cannot be texted (opted out, no number, or the number has expired)."),
    "bad_referral": _l("Say who the report is referred to."),
    "invalid": _l("Check the form: something is missing or not valid."),
    "forbidden": _l("Only a supervisor can do that."),
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
