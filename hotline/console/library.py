"""/console/library: counter-messages by category or rumour and language; drafted by operators, approved by
supervisors. Only approved, valid messages reach callers (hotline.rumours.library)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from hotline.auth.session import login_required
from hotline.console.blueprint import CASEWORK, SUPERVISORS, bp, refusal, staff
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour
from hotline.sms.encoding import sms_cost
from hotline.triage import library as service
from hotline.triage.actions import ActionRefused


@bp.get("/library")
@login_required(*CASEWORK)
def library() -> ResponseReturnValue:
    """The library, filtered by language, status and category."""
    args = request.args
    language, status, category = (args.get("lang") or None, args.get("status") or None,
                                  args.get("category") or None)
    items = service.list_messages(db.session(), language, status, category)
    rumours = db.session.scalars(select(Rumour).where(Rumour.merged_into_id.is_(None))
                                 .order_by(Rumour.report_count.desc()).limit(100)).all()
    rt = runtime()
    return render_template("console/library.html", items=items, rumours=rumours, languages=rt.languages.languages,
                           taxonomy=rt.taxonomy, statuses=list(ApprovalStatus), lang=language, status=status,
                           category=category, costs={m.id: sms_cost(m.body) for m in items},
                           today=utcnow().date(), valid_today=service.valid_today)


@bp.post("/library")
@login_required(*CASEWORK)
def draft() -> ResponseReturnValue:
    """Add a draft."""
    rt = runtime()
    try:
        service.draft(db.session(), request.form.to_dict(), staff(), rt.taxonomy.category_ids, rt.languages.codes)
    except ActionRefused as refused:
        db.session.rollback()
        flash(refusal(refused.reason), "error")
        return redirect(url_for("console.library"), 303)
    flash(_("Draft saved: a supervisor must approve it before callers see it."))
    return redirect(url_for("console.library"), 303)


@bp.post("/library/<int:message_id>/status")
@login_required(*SUPERVISORS)
def message_status(message_id: int) -> ResponseReturnValue:
    """Approve or retire a counter-message."""
    message = db.session.get(CounterMessage, message_id)
    if message is None:
        abort(404)
    try:
        service.set_status(db.session(), message, staff(), request.form.get("status", ""), utcnow())
    except ActionRefused as refused:
        db.session.rollback()
        flash(refusal(refused.reason), "error")
        return redirect(url_for("console.library"), 303)
    flash(_("Counter-message updated."))
    return redirect(url_for("console.library", lang=message.language), 303)
