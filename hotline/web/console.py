"""The console's blueprint, shared by every domain package's console pages, the sentences for refused actions, and
the labels every console template uses. Knows no domain package, so any of them may add routes to it."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext

from hotline.web.labels import label

bp = Blueprint("console", __name__, url_prefix="/console")

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
    "not_approved": lazy_gettext("Only an approved message can be shared with peer deployments."),
    "already_adopted": lazy_gettext("This message has already been adopted here."),
    "not_adoptable": lazy_gettext("This message cannot be adopted here: its language or category is not used by "
                                  "this hotline."),
    "confirm_close": lazy_gettext("This protection case was escalated: confirm that the partner has it in hand "
                                  "before closing it."),
}


def refusal(reason: str) -> str:
    """The sentence for an ActionRefused reason."""
    return str(REFUSALS.get(reason.split(":")[0], REFUSALS["invalid"]))


@bp.app_template_global("label")
def _label(kind: str, value: str | None) -> str:
    return label(kind, value)
