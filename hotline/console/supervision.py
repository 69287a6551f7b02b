"""/console/supervision: backlog by language and age, response times, escalations, who holds what."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from hotline.auth.session import login_required
from hotline.console.blueprint import SUPERVISORS, bp
from hotline.db import utcnow
from hotline.extensions import db
from hotline.triage.stats import AGE_BUCKETS
from hotline.triage.supervision import load_supervision


@bp.get("/supervision")
@login_required(*SUPERVISORS)
def supervision() -> ResponseReturnValue:
    """The supervisor's overview (aggregates and staff names; no caller text)."""
    figures = load_supervision(db.session(), utcnow())
    return render_template("console/supervision.html", figures=figures, buckets=[b for _, b in AGE_BUCKETS])
