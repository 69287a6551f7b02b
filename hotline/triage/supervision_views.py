"""/console/supervision: backlog by language and age, response times, escalations, who holds what."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from hotline.auth.console import SUPERVISORS, staff
from hotline.auth.session import login_required
from hotline.db import utcnow
from hotline.extensions import db
from hotline.ivr.phone_views import operator_nodes
from hotline.operators.supervision import load_phone_supervision
from hotline.triage.actions import ActionRefused, close_referral
from hotline.triage.referrals import count_stale, is_stale
from hotline.triage.stats import AGE_BUCKETS
from hotline.triage.supervision import load_supervision
from hotline.web.console import bp


@bp.get("/supervision")
@login_required(*SUPERVISORS)
def supervision() -> ResponseReturnValue:
    """The supervisor's overview (aggregates and staff names; no caller text)."""
    now, days = utcnow(), current_app.config["HOTLINE"].referral_stale_days
    figures = load_supervision(db.session(), now)
    stale_after = timedelta(days=days)
    return render_template("console/supervision.html", figures=figures, buckets=[b for _, b in AGE_BUCKETS],
                           bounds=_bucket_bounds(),
                           now=now, stale_after=stale_after, stale_days=days, is_stale=is_stale,
                           stale_count=count_stale(db.session(), now, stale_after))


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
        close_referral(db.session(), referral_id, staff(), utcnow())
    except ActionRefused as refused:
        abort(404 if refused.reason == "not_found" else 403)
    flash(_("Referral closed."))
    return redirect(url_for("console.supervision"), 303)


def _bucket_bounds() -> dict[str, dict[str, int]]:
    """Each backlog column as the queue's filter: received more than ``older`` and less than ``age`` hours ago."""
    bounds: dict[str, dict[str, int]] = {}
    lower = 0
    for upper, name in AGE_BUCKETS:
        bounds[name] = {key: value for key, value in (("older", lower), ("age", upper)) if value}
        lower = upper or lower
    return bounds
