"""/console/region/links (supervisors decide suggested links) and GET /api/v1/region/paths (analysts' API)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from hotline.api.auth import READ_TRENDS, token_required
from hotline.api.errors import ApiError, error_response, invalid_parameters
from hotline.api.region_schemas import CrossBorderSchema, PathQuerySchema
from hotline.auth.console import staff
from hotline.auth.models import Role
from hotline.auth.session import login_required
from hotline.db import utcnow
from hotline.extensions import db
from hotline.region.crossborder import CrossBorder
from hotline.region.links import Decision, LinkRefused, decide, suggested_links
from hotline.region.models import RegionPeer
from hotline.region.news import current_cross_border
from hotline.region.wording import path_sentence, path_statement
from hotline.trends.config import trends_config
from hotline.trends.weeks import week_label
from hotline.web.ratelimit import limit_api

console_bp = Blueprint("region_links", __name__, url_prefix="/console/region")
api_bp = Blueprint("region_api", __name__, url_prefix="/api/v1/region")
api_bp.register_error_handler(ApiError, error_response)
limit_api(api_bp)

SUPERVISORS = (Role.SUPERVISOR,)  # admins pass every role check


class DecisionFormSchema(Schema):
    """The form under each suggested link: confirm or reject."""

    decision = fields.String(required=True, validate=validate.OneOf(["confirm", "reject"]))


@console_bp.get("/links")
@login_required(*SUPERVISORS)
def links() -> ResponseReturnValue:
    """Suggested links: the peer's statement beside ours, how similar, and the two buttons."""
    session = db.session()
    found = suggested_links(session)
    peers = {pid: name for pid, name in session.execute(select(RegionPeer.id, RegionPeer.name))}
    news = current_cross_border(session, date.today())
    return render_template("region/links.html", links=found, peers=peers,
                           paths=[(p, path_statement(p), path_sentence(p.steps)) for p in news.paths])


@console_bp.post("/links/<int:link_id>")
@login_required(*SUPERVISORS)
def decide_link(link_id: int) -> ResponseReturnValue:
    """Confirm or reject one suggested link (audited)."""
    try:
        form = DecisionFormSchema().load(request.form.to_dict(), unknown="exclude")
        decide(db.session(), Decision(link_id, form["decision"] == "confirm"), staff(), utcnow())
    except ValidationError:
        db.session.rollback()
        flash(gettext("Choose to confirm or to reject the link."), "error")
        return redirect(url_for("region_links.links"), 303)
    except LinkRefused as refused:
        db.session.rollback()
        if str(refused) == "not_found":
            abort(404)
        flash(gettext("Another supervisor has already decided on this link."), "error")
        return redirect(url_for("region_links.links"), 303)
    if form["decision"] == "confirm":
        flash(gettext("Linked: the rumour's path across countries now includes the peer's weeks."))
    else:
        flash(gettext("Not linked: this pair will not be suggested again."))
    return redirect(url_for("region_links.links"), 303)


@api_bp.get("/paths")
@token_required(*READ_TRENDS)
def paths() -> ResponseReturnValue:
    """Confirmed cross-border rumours' paths by week, and early warnings; published (suppressed) weeks only."""
    try:
        query = PathQuerySchema().load({k: v for k, v in request.args.items() if v != ""}, unknown="exclude")
    except ValidationError as exc:
        raise invalid_parameters(exc.messages) from None
    found = current_cross_border(db.session(), date.today())
    return jsonify(CrossBorderSchema().dump(_body(found, query["language"])))


def _body(found: CrossBorder, language: str | None) -> dict[str, Any]:
    return {
        "through": week_label(found.through), "through_start": found.through, "home": list(found.home),
        "min_cell_count": trends_config().min_cell_count,
        "paths": [{"rumour_id": p.rumour_id, "statement": path_statement(p, language),
                   "steps": [{"country": s.country, "first_week": week_label(s.first_week),
                              "first_week_start": s.first_week, "weeks": s.weeks, "reports": s.total}
                             for s in p.steps]} for p in found.paths],
        "early_warnings": [{
            "peer": w.peer, "statement": (w.translations.get(language) if language else None) or w.statement,
            "rumour_id": w.rumour_id, "country": w.warning.country, "week": week_label(w.warning.week),
            "week_start": w.warning.week, "count": w.warning.count, "expected": w.warning.expected,
            "change_percent": w.warning.change_percent, "p_value": w.warning.p_value,
            "routes": [{"id": r.id, "name": r.name, "countries": list(r.countries)} for r in w.warning.routes]}
            for w in found.warnings],
    }


