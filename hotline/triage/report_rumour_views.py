"""Rumour linking on the report page: search rumours (type-ahead, server-side, a page at a time) and make a new
rumour from the report. Case workers who may open the report only (others: 404, analysts: 403)."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from hotline.auth.console import CASEWORK, staff
from hotline.auth.models import User
from hotline.auth.session import login_required
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.i18n import current_ui_code
from hotline.intake.models import Report
from hotline.triage.access import may_open_report
from hotline.triage.report_views import _act, _wants_json
from hotline.triage.rumour_search import search_rumours
from hotline.triage.rumour_translation import reads_languages, staff_translations
from hotline.triage.rumours import new_rumour_from_report
from hotline.web.console import bp


def _openable(report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None or not may_open_report(staff(), report):
        abort(404)  # as the report page: a report this user may not open does not exist for them
    return report


@bp.get("/reports/<int:report_id>/rumours")
@login_required(*CASEWORK)
def report_rumour_search(report_id: int) -> ResponseReturnValue:
    """Rumours matching ``q``, page ``page``: JSON holding the rendered results for the page's type-ahead, or a
    page of its own for a browser without JavaScript."""
    report = _openable(report_id)
    page_arg = request.args.get("page", "1")
    results = search_rumours(db.session(), request.args.get("q", ""), int(page_arg) if page_arg.isdigit() else 1)
    ui = current_ui_code()
    translated = staff_translations(db.session(), [hit.rumour for hit in results.hits],
                                    reads_languages(staff(), ui), ui)
    context = {"report": report, "results": results, "translated": translated}
    if _wants_json():
        return jsonify(html=render_template("console/_rumour_results.html", **context), count=len(results.hits),
                       page=results.page, more=results.more)
    return render_template("console/report_rumour_search.html", **context)


@bp.post("/reports/<int:report_id>/rumour/new")
@login_required(*CASEWORK)
def report_new_rumour(report_id: int) -> ResponseReturnValue:
    """A new candidate rumour with the operator's statement (redacted), linked to this report."""
    statement = request.form.get("statement", "")[:4000]
    language = request.form.get("language") or None
    if language not in (None, *runtime().languages.codes):
        language = None

    def make(session: Session, target: Report, user: User) -> None:
        new_rumour_from_report(session, target, user, statement, language, utcnow())

    return _act(report_id, make, _("A new rumour was made from this report and linked to it."))
