"""/console/rumours: rumours with counts and an eight-week sparkline; review, merge and split."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from hotline.auth.console import CASEWORK, SUPERVISORS, staff
from hotline.auth.session import login_required
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.i18n import current_ui_code
from hotline.intake.models import Report
from hotline.rumours.models import CounterMessage, Risk, Rumour, RumourStatus, Verification
from hotline.triage import rumours as service
from hotline.triage.actions import ActionRefused
from hotline.triage.rumour_translation import add_translation, reads_languages, staff_translations
from hotline.triage.stats import sparkline_points, weekly_series
from hotline.web.console import bp, refusal


@bp.get("/rumours")
@login_required(*CASEWORK)
def rumours() -> ResponseReturnValue:
    """The rumour list."""
    status = request.args.get("status") or None
    category = request.args.get("category") or None
    items = service.list_rumours(db.session(), status if status in list(RumourStatus) else None, category)
    weeks, counts = service.weekly_counts(db.session(), [r.id for r in items], utcnow().date())
    series = {r.id: weekly_series(counts.get(r.id, {}), weeks) for r in items}  # type: ignore[arg-type]
    lines = {rid: sparkline_points(values) for rid, values in series.items()}
    ui = current_ui_code()
    translated = staff_translations(db.session(), items, reads_languages(staff(), ui), ui)
    return render_template("console/rumours.html", rumours=items, series=series, lines=lines, translated=translated,
                           statuses=list(RumourStatus), taxonomy=runtime().taxonomy, status=status, category=category)


@bp.get("/rumours/<int:rumour_id>")
@login_required(*CASEWORK)
def rumour(rumour_id: int) -> ResponseReturnValue:
    """One rumour: statement, translations, verification, counter-messages, recent reports (ids only)."""
    session = db.session()
    item = session.get(Rumour, rumour_id)
    if item is None:
        abort(404)
    messages = session.scalars(select(CounterMessage).where(CounterMessage.rumour_id == rumour_id)
                               .order_by(CounterMessage.language, CounterMessage.id)).all()
    reports = session.execute(select(Report.id, Report.language, Report.channel, Report.received_at)
                              .where(Report.rumour_id == rumour_id).order_by(Report.received_at.desc())
                              .limit(50)).all()
    query = request.args.get("q", "")[:500]
    targets = service.merge_targets(session, item, query) if item.merged_into_id is None else []
    ui = current_ui_code()
    translated = staff_translations(session, [item, *(t for t, _ in targets)], reads_languages(staff(), ui), ui)
    return render_template("console/rumour.html", rumour=item, messages=messages, reports=reports, targets=targets,
                           q=query, translated=translated, moving=service.reports_to_move(session, item),
                           statuses=list(RumourStatus), verifications=list(Verification), risks=list(Risk),
                           languages=runtime().languages.languages)


def _done(rumour_id: int, message: str) -> ResponseReturnValue:
    flash(message)
    return redirect(url_for("console.rumour", rumour_id=rumour_id), 303)


def _refused(rumour_id: int, refused: ActionRefused) -> ResponseReturnValue:
    db.session.rollback()
    flash(refusal(refused.reason), "error")
    return redirect(url_for("console.rumour", rumour_id=rumour_id), 303)


def _get(rumour_id: int) -> Rumour:
    item = db.session.get(Rumour, rumour_id)
    if item is None:
        abort(404)
    return item


@bp.post("/rumours/<int:rumour_id>/review")
@login_required(*SUPERVISORS)
def review(rumour_id: int) -> ResponseReturnValue:
    """Save statement, translations, status, verification and risk."""
    form = request.form
    translations = {lang.code: form.get(f"translation_{lang.code}", "")[:2000]
                    for lang in runtime().languages.languages}
    try:
        service.review(db.session(), _get(rumour_id), staff(), statement=form.get("statement", ""),
                       status=form.get("status", ""), verification=form.get("verification", ""),
                       risk=form.get("risk", ""), translations=translations)
    except ActionRefused as refused:
        return _refused(rumour_id, refused)
    return _done(rumour_id, _("Rumour saved."))


@bp.post("/rumours/<int:rumour_id>/merge")
@login_required(*SUPERVISORS)
def merge(rumour_id: int) -> ResponseReturnValue:
    """Merge this rumour into another, once the supervisor has confirmed how many reports move.

    The first post answers with the question ("Move 14 reports?"); the merge happens only when the confirmation
    carries the number of reports that would move now: if reports were linked meanwhile, the question comes again.
    """
    source = _get(rumour_id)
    target_id = request.form.get("target_id", "")
    target = db.session.get(Rumour, int(target_id)) if target_id.isdigit() else None
    if target is None or target.id == source.id or target.merged_into_id is not None \
            or source.merged_into_id is not None:
        return _refused(rumour_id, ActionRefused("invalid"))
    moving = service.reports_to_move(db.session(), source)
    expected = request.form.get("expected", "")
    if request.form.get("confirm") != "1" or expected != str(moving):
        return render_template("console/rumour_merge.html", source=source, target=target, moving=moving,
                               changed=request.form.get("confirm") == "1")
    try:
        service.merge(db.session(), _get(rumour_id), target, staff())
    except ActionRefused as refused:
        return _refused(rumour_id, refused)
    return _done(target.id, _("Rumours merged."))


@bp.post("/rumours/<int:rumour_id>/translation")
@login_required(*SUPERVISORS)
def rumour_translation(rumour_id: int) -> ResponseReturnValue:
    """Add (or replace) the statement's translation into one language."""
    try:
        add_translation(db.session(), _get(rumour_id), staff(), request.form.get("language", "")[:8],
                        request.form.get("text", "")[:4000], [lang.code for lang in runtime().languages.languages])
    except ActionRefused as refused:
        return _refused(rumour_id, refused)
    return _done(rumour_id, _("Translation saved."))


@bp.post("/rumours/<int:rumour_id>/split")
@login_required(*SUPERVISORS)
def split(rumour_id: int) -> ResponseReturnValue:
    """Move the chosen reports to a new rumour."""
    ids = [int(v) for v in request.form.getlist("report_id") if v.isdigit()]
    try:
        created = service.split(db.session(), _get(rumour_id), ids, request.form.get("statement", "")[:2000],
                                staff(), utcnow())
    except ActionRefused as refused:
        return _refused(rumour_id, refused)
    return _done(created.id, _("A new rumour was split off."))
