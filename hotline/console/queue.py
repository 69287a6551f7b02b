"""GET /console/ and /console/queue: the operator queue; POST claim and release."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import ValidationError

from hotline.auth.models import Role
from hotline.auth.session import has_role, login_required
from hotline.console.blueprint import CASEWORK, bp, staff
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.intake.constants import Channel, ReportStatus, Urgency
from hotline.triage.access import openable_by
from hotline.triage.queue import PAGE_SIZES, ClaimRefused, ReportHidden, claim, load_queue, parse_filter, release


@bp.get("/")
@login_required()
def index() -> ResponseReturnValue:
    """The console's front door: the queue for case workers; analysts (aggregates only) go to their dashboard."""
    if not has_role(staff(), *CASEWORK):
        if staff().role == Role.TRANSLATOR:  # translators work on prompts, never on caller text
            return redirect(url_for("studio.matrix"))
        for endpoint in ("trends.index", "trends.dashboard"):
            if endpoint in current_app.view_functions:
                return redirect(url_for(endpoint))
        return render_template("console/aggregates_only.html")
    return queue()


@bp.get("/queue")
@login_required(*CASEWORK)
def queue() -> ResponseReturnValue:
    """Every report matching the filters, urgent and protection-flagged first, then oldest."""
    user = staff()
    try:
        wanted = parse_filter(request.args.to_dict(), user.languages or [])
    except ValidationError as exc:
        return render_template("console/queue.html", page=None, wanted=None, errors=exc.messages,
                               **_choices()), 400
    page = load_queue(db.session(), wanted, user.id, utcnow(), scope=openable_by(user))
    return render_template("console/queue.html", page=page, wanted=wanted, errors=None, now=utcnow(),
                           args=request.args.to_dict(), **_choices())


def _choices() -> dict[str, object]:
    rt = runtime()
    return {"languages": rt.languages.languages, "taxonomy": rt.taxonomy, "statuses": list(ReportStatus),
            "channels": list(Channel), "urgencies": list(Urgency), "page_sizes": PAGE_SIZES}


def _back() -> str:
    target = request.form.get("back", "")
    return target if target.startswith("/console/") and not target.startswith("//") else url_for("console.index")


@bp.post("/reports/<int:report_id>/claim")
@login_required(*CASEWORK)
def claim_report(report_id: int) -> ResponseReturnValue:
    """Take a report; if another operator was first, say so and change nothing."""
    try:
        claim(db.session(), report_id, staff(), utcnow())
    except ReportHidden:
        abort(404)
    except ClaimRefused:
        db.session.rollback()
        flash(_("Someone else is already working on this report."), "error")
        return redirect(_back(), 303)
    flash(_("The report is yours."))
    return redirect(url_for("console.report", report_id=report_id), 303)


@bp.post("/reports/<int:report_id>/release")
@login_required(*CASEWORK)
def release_report(report_id: int) -> ResponseReturnValue:
    """Give a report back to the queue (supervisors may release anyone's)."""
    user = staff()
    try:
        release(db.session(), report_id, user, utcnow(), override=user.role in ("supervisor", "admin"))
    except ClaimRefused:
        db.session.rollback()
        flash(_("You do not hold this report."), "error")
    return redirect(_back(), 303)
