"""/console/supervision: backlog by language and age, response times, escalations, who holds what."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hotline.auth.session import login_required
from hotline.console.blueprint import SUPERVISORS, bp, staff
from hotline.db import utcnow
from hotline.extensions import db
from hotline.ivr.phone_views import operator_nodes
from hotline.operators.supervision import load_phone_supervision
from hotline.triage.actions import ActionRefused, close_referral
from hotline.triage.stats import AGE_BUCKETS
from hotline.triage.supervision import load_supervision


@bp.get("/supervision")
@login_required(*SUPERVISORS)
def supervision() -> ResponseReturnValue:
    """The supervisor's overview (aggregates and staff names; no caller text)."""
    figures = load_supervision(db.session(), utcnow())
    return render_template("console/supervision.html", figures=figures, buckets=[b for _, b in AGE_BUCKETS])


@bp.get("/supervision/phone")
@login_required(*SUPERVISORS)
def phone_supervision() -> ResponseReturnValue:
    """Callers waiting and operators available per language; answered / abandoned / voicemail per day."""
    figures = load_phone_supervision(db.session(), operator_nodes(), utcnow())
    return render_template("console/phone_supervision.html", figures=figures)


@bp.post("/referrals/<int:referral_id>/close")
@login_required(*SUPERVISORS)
def close_escalation(referral_id: int) -> ResponseReturnValue:
    """The protection partner has the case: the referral leaves the open escalations (audited)."""
    try:
        close_referral(db.session(), referral_id, staff())
    except ActionRefused as refused:
        abort(404 if refused.reason == "not_found" else 403)
    flash(_("Referral closed."))
    return redirect(url_for("console.supervision"), 303)
