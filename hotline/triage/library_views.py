"""/console/library: counter-messages by category or rumour and language; drafted by operators, approved by
supervisors. Only approved, valid messages reach callers (hotline.rumours.library)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.console import CASEWORK, SUPERVISORS, staff
from hotline.auth.session import login_required
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour
from hotline.sms.encoding import sms_cost
from hotline.triage import library as service
from hotline.triage.actions import ActionRefused
from hotline.web.console import bp, refusal

# Where each message came from and where it is used, by the regional library (hotline.region sits above the
# console, so it hands its lookup in: hotline.region.library_views.init_region_library).
Annotations = Callable[[Session, Sequence[int]], tuple[dict[int, str], dict[int, list[str]]]]


def _no_annotations(_session: Session, _ids: Sequence[int]) -> tuple[dict[int, str], dict[int, list[str]]]:
    return {}, {}


_annotations: list[Annotations] = [_no_annotations]


def set_library_annotations(lookup: Annotations) -> None:
    """Use ``lookup`` for the library's "adopted from" and "used in" notes."""
    _annotations[0] = lookup


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
    adopted, used_in = _annotations[0](db.session(), [m.id for m in items])
    return render_template("console/library.html", items=items, adopted=adopted, used_in=used_in,
                           rumours=rumours, languages=rt.languages.languages,
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


@bp.post("/library/<int:message_id>/shareable")
@login_required(*SUPERVISORS)
def message_shareable(message_id: int) -> ResponseReturnValue:
    """Offer an approved counter-message to peer deployments (the regional feed), or stop offering it."""
    message = db.session.get(CounterMessage, message_id)
    if message is None:
        abort(404)
    try:
        service.set_shareable(db.session(), message, staff(), request.form.get("shareable") == "1")
    except ActionRefused as refused:
        db.session.rollback()
        flash(refusal(refused.reason), "error")
        return redirect(url_for("console.library", lang=message.language), 303)
    flash(_("Shared with peer deployments.") if message.shareable else _("No longer shared with peer deployments."))
    return redirect(url_for("console.library", lang=message.language), 303)
