"""GET /console/ and /console/queue: the operator queue; POST claim and release."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import ValidationError

from hotline.auth.console import CASEWORK, SUPERVISORS, staff
from hotline.auth.models import Role
from hotline.auth.session import has_role, login_required
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.intake.constants import Channel, ReportStatus, Urgency
from hotline.triage.access import openable_by
from hotline.triage.queue import (
    PAGE_SIZES,
    ClaimRefused,
    ReportHidden,
    claim,
    load_new,
    load_queue,
    parse_filter,
    reassign,
    release,
)
from hotline.web.console import bp


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
    """Every report matching the filters, urgent and protection-flagged first, then oldest; new ones arrive live."""
    user = staff()
    try:
        wanted = parse_filter(request.args.to_dict(), user.languages or [])
    except ValidationError as exc:
        return render_template("console/queue.html", page=None, wanted=None, errors=exc.messages,
                               **_choices()), 400
    page = load_queue(db.session(), wanted, user.id, utcnow(), scope=openable_by(user))
    return render_template("console/queue.html", page=page, wanted=wanted, errors=None, back=request.full_path,
                           args=request.args.to_dict(), **_live(), **_choices())


@bp.get("/queue/updates")
@login_required(*CASEWORK)
def queue_updates() -> ResponseReturnValue:
    """What the open queue page lacks: reports newer than ``after`` under the same filters (as rows of HTML), the
    filter's counts, and the banner's words. Polled by console.js; never counts as activity for the idle sign-out."""
    user = staff()
    args = request.args.to_dict()
    after, pending = _non_negative(args.pop("after", None)), _non_negative(args.pop("pending", None))
    try:
        wanted = parse_filter(args, user.languages or [])
    except ValidationError:
        return jsonify(error="invalid"), 400
    page, fresh = load_new(db.session(), wanted, user.id, utcnow(), after, scope=openable_by(user))
    back = url_for("console.queue", **args)  # type: ignore[arg-type]
    context = {"page": page, "back": back, **_live(), **_choices()}
    waiting = pending + fresh
    response = jsonify(
        after=page.latest_id, new=fresh, rows=render_template("console/_queue_rows.html", **context),
        counts=render_template("console/_queue_counts.html", **context),
        banner=_banner(waiting))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _banner(waiting: int) -> str:
    # Two msgids rather than ngettext: the catalogues are filled from locales/incoming/*.json, one string per msgid.
    if waiting == 0:
        return ""
    return str(_("One new report: show") if waiting == 1 else _("%(num)s new reports: show", num=waiting))


def _non_negative(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 12 else 0


def waited_label(minutes: int) -> str:
    """How long a report has waited, in the UI language: "12 min", "3 h 5 min", "2 d 4 h"."""
    if minutes < 60:
        return str(_("%(minutes)s min", minutes=minutes))
    if minutes < 24 * 60:
        return str(_("%(hours)s h %(minutes)s min", hours=minutes // 60, minutes=minutes % 60))
    return str(_("%(days)s d %(hours)s h", days=minutes // (24 * 60), hours=minutes % (24 * 60) // 60))


def _live() -> dict[str, object]:
    settings = current_app.config["HOTLINE"]
    return {"now": utcnow(), "overdue_after": timedelta(minutes=settings.queue_overdue_minutes),
            "overdue_minutes": settings.queue_overdue_minutes, "poll_seconds": settings.queue_poll_seconds,
            "waited": waited_label}


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
        if request.accept_mimetypes.best == "application/json":
            return jsonify(ok=False, message=_("Someone else is already working on this report.")), 409
        flash(_("Someone else is already working on this report."), "error")
        return redirect(_back(), 303)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(ok=True, message=_("The report is yours."), redirect=None)
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


@bp.post("/reports/<int:report_id>/reassign")
@login_required(*SUPERVISORS)
def reassign_report(report_id: int) -> ResponseReturnValue:
    """A supervisor hands a report to another case worker who reads its language."""
    to_user = request.form.get("user_id", "")
    try:
        reassign(db.session(), report_id, int(to_user) if to_user.isdigit() else 0, staff(), utcnow())
    except ReportHidden:
        abort(404)
    except ClaimRefused:
        db.session.rollback()
        flash(_("That person cannot take this report."), "error")
        return redirect(url_for("console.report", report_id=report_id), 303)
    flash(_("Report reassigned."))
    return redirect(url_for("console.report", report_id=report_id), 303)
