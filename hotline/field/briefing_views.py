"""Briefing sheets: /field/briefing for the signed-in focal point, /console/field/briefing for supervisors."""

from __future__ import annotations

import re

from flask import Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _

from hotline.auth.session import login_required
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.field.briefing import Briefing, build_briefing
from hotline.field.console_views import bp as console_bp
from hotline.field.pdf import render_pdf
from hotline.field.session import current_focal_point, focal_point_required
from hotline.field.views import bp as field_bp
from hotline.field.views import field_locales
from hotline.i18n import babel_identifier, current_ui_code

_AREA = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,6})?$")


def _labels(language: str) -> dict[str, str]:
    """The sheet's headings in the sheet's language when the web catalogues have it (else the page's)."""
    if language not in field_locales(current_app):
        return _headings()
    with force_locale(babel_identifier(language)):
        return _headings()


def _headings() -> dict[str, str]:
    return {"title": _("Briefing sheet"), "rumours": _("What people are saying"),
            "messages": _("The facts to share"), "none": _("Nothing yet."), "fact": _("The fact:"),
            "other": _("More facts to share")}


def _respond(briefing: Briefing, pdf: bool, template: str = "field/briefing.html") -> ResponseReturnValue:
    labels = _labels(briefing.language)
    if briefing.rumours:
        labels["messages"] = labels["other"]
    if pdf:
        return Response(render_pdf(briefing, labels), mimetype="application/pdf",
                        headers={"Content-Disposition": "inline; filename=briefing.pdf"})
    return render_template(template, briefing=briefing, labels=labels,
                           rtl=runtime().languages.get(briefing.language) is not None
                           and runtime().languages.get(briefing.language).rtl)  # type: ignore[union-attr]


@field_bp.get("/briefing", defaults={"pdf": False})
@field_bp.get("/briefing.pdf", defaults={"pdf": True})
@focal_point_required
def field_briefing(pdf: bool) -> ResponseReturnValue:
    """The focal point's own area, in their language."""
    point = current_focal_point()
    assert point is not None
    language = point.languages[0] if point.languages else current_ui_code()
    return _respond(build_briefing(db.session(), point.country, point.admin1, language, utcnow()), pdf)


@console_bp.get("/briefing", defaults={"pdf": False})
@console_bp.get("/briefing.pdf", defaults={"pdf": True})
@login_required("supervisor")
def console_briefing(pdf: bool) -> ResponseReturnValue:
    """Any area (``?area=AF`` or ``AF-KAB``) and language (``?lang=prs``)."""
    area = (request.args.get("area") or "").strip().upper()
    language = request.args.get("lang") or current_ui_code()
    if (area and not _AREA.match(area)) or language not in runtime().languages.codes:
        abort(400)
    country, admin1 = (area[:2] or None), (area if "-" in area else None)
    # The console's own layout (its navigation), not the focal points' light one.
    return _respond(build_briefing(db.session(), country, admin1, language, utcnow()), pdf,
                    "field/console_briefing.html")
