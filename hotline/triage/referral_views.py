"""Referral partners (/console/partners, admins) and a referral's status (sent -> accepted -> closed)."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import ValidationError

from hotline.auth.console import CASEWORK, staff
from hotline.auth.models import Role
from hotline.auth.session import login_required
from hotline.db import utcnow
from hotline.extensions import db
from hotline.triage.models import ProtectionReferral, ReferralStatus
from hotline.triage.referrals import (
    PartnerSchema,
    ReferralRefused,
    add_partner,
    all_partners,
    set_partner_active,
    set_referral_status,
)
from hotline.web.console import bp


@bp.get("/partners")
@login_required(Role.ADMIN)
def partners() -> ResponseReturnValue:
    """Every referral partner, by country, with the form to add one."""
    return render_template("console/partners.html", partners=all_partners(db.session()), errors={}, form={})


@bp.post("/partners")
@login_required(Role.ADMIN)
def partner_add() -> ResponseReturnValue:
    """Add a partner (country, name, services, contact); errors name the field."""
    form = {key: request.form.get(key, "").strip() for key in ("country", "name", "services", "contact")}
    form["country"] = form["country"].upper()
    try:
        data = PartnerSchema().load(form)
    except ValidationError as exc:
        return render_template("console/partners.html", partners=all_partners(db.session()),
                               errors=exc.messages, form=form), 400
    add_partner(db.session(), data, staff(), utcnow())
    flash(_("Partner added."))
    return redirect(url_for("console.partners"), 303)


@bp.post("/partners/<int:partner_id>/active")
@login_required(Role.ADMIN)
def partner_active(partner_id: int) -> ResponseReturnValue:
    """Offer a partner again, or stop offering it."""
    try:
        set_partner_active(db.session(), partner_id, request.form.get("active") == "1", staff())
    except ReferralRefused:
        abort(404)
    flash(_("Partner updated."))
    return redirect(url_for("console.partners"), 303)


@bp.post("/referrals/<int:referral_id>/status")
@login_required(*CASEWORK)
def referral_status(referral_id: int) -> ResponseReturnValue:
    """The partner accepted the referral, or it is closed (supervisors, or the holder of the report)."""
    status = request.form.get("status", "")
    if status not in (ReferralStatus.ACCEPTED, ReferralStatus.CLOSED):
        abort(400)
    session = db.session()
    try:
        referral = set_referral_status(session, referral_id, status, staff(), utcnow())
    except ReferralRefused as refused:
        session.rollback()
        if refused.reason in ("not_found", "forbidden"):
            abort(404 if refused.reason == "not_found" else 403)
        return _referral_answer(session.get(ProtectionReferral, referral_id), _("That change is not possible."), 409)
    return _referral_answer(referral, _("Referral updated."), 200)


def _referral_answer(referral: ProtectionReferral | None, message: str, status: int) -> ResponseReturnValue:
    if request.accept_mimetypes.best == "application/json":
        return jsonify(ok=status == 200, message=message, redirect=None), status
    flash(message, "error" if status != 200 else "message")
    target = url_for("console.report", report_id=referral.report_id) if referral else url_for("console.queue")
    return redirect(target, 303)
