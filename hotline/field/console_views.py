"""/console/field: the focal-point registry, the paper-form template and import, and briefing sheets (supervisors)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from hotline.auth.session import current_user, login_required
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.field.credentials import spaced
from hotline.field.importing import import_paper_file
from hotline.field.models import FOCAL_POINT_KINDS, FocalPoint
from hotline.field.paper import ImportFileError
from hotline.field.registry import (
    FREE_PIN_FAILURES,
    MAX_PIN_DELAY,
    RegistryError,
    by_number,
    issue_credentials,
    register,
    revoke,
)
from hotline.field.template import csv_template, xlsx_template

bp = Blueprint("field_console", __name__, url_prefix="/console/field")
MAX_IMPORT_BYTES = 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_filter("spaced")
def _spaced(digits: str, group: int = 4) -> str:
    return spaced(digits, group)


def _actor_id() -> int | None:
    user = current_user()
    return user.id if user else None


def _registry_page(status: int = 200, **extra: object) -> ResponseReturnValue:
    points = db.session.scalars(select(FocalPoint).order_by(FocalPoint.id)).all()
    # ``extra`` may carry errors and values (after a refused form): they replace the empty defaults.
    context: dict[str, object] = {"errors": {}, "values": {}, **extra}
    return render_template("field/console_focal_points.html", points=points, kinds=FOCAL_POINT_KINDS,
                           languages=runtime().languages.languages, free_failures=FREE_PIN_FAILURES,
                           max_delay_minutes=int(MAX_PIN_DELAY.total_seconds() // 60), **context), status


@bp.get("/focal-points")
@login_required("supervisor")
def focal_points() -> ResponseReturnValue:
    """The registry: who, where, which languages, masked phone, sign-in state."""
    return _registry_page()


@bp.post("/focal-points")
@login_required("supervisor")
def create_focal_point() -> ResponseReturnValue:
    """Register a focal point and show their first sign-in link and PIN once."""
    form: dict[str, object] = {key: value for key, value in request.form.items()
                               if key not in ("csrf_token", "languages") and value}
    form["languages"] = request.form.getlist("languages")
    rt = runtime()
    try:
        point = register(db.session(), form, rt.keys, rt.settings.reply_address_ttl_days, set(rt.languages.codes),
                         _actor_id(), utcnow())
    except RegistryError as exc:
        return _registry_page(422, errors=exc.messages, values=request.form)
    issued = issue_credentials(db.session(), point, _actor_id(), utcnow())
    return _registry_page(201, issued=issued, issued_for=point, link=_link(issued.link_token))


def _link(token: str | None) -> str | None:
    return url_for("field.link", token=token, _external=True) if token else None


def _point(number: str) -> FocalPoint:
    point = by_number(db.session(), number)
    if point is None:
        abort(404)
    return point


@bp.post("/focal-points/<number>/credentials")
@login_required("supervisor")
def new_credentials(number: str) -> ResponseReturnValue:
    """A new one-time link and PIN: earlier ones stop working and every open session of this focal point ends."""
    point = _point(number)
    issued = issue_credentials(db.session(), point, _actor_id(), utcnow())
    return _registry_page(issued=issued, issued_for=point, link=_link(issued.link_token))


@bp.post("/focal-points/<number>/revoke")
@login_required("supervisor")
def revoke_sign_in(number: str) -> ResponseReturnValue:
    """Revoke every sign-in of this focal point, ending their open sessions."""
    revoke(db.session(), _point(number), _actor_id(), utcnow())
    return _registry_page()


@bp.get("/template.csv")
@login_required("supervisor")
def template_csv() -> ResponseReturnValue:
    """The paper-form template as CSV."""
    return Response(csv_template(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=field-reports-template.csv"})


@bp.get("/template.xlsx")
@login_required("supervisor")
def template_xlsx() -> ResponseReturnValue:
    """The paper-form template as an Excel workbook."""
    return Response(xlsx_template(), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=field-reports-template.xlsx"})


@bp.route("/import", methods=["GET", "POST"])
@login_required("supervisor")
def import_file() -> ResponseReturnValue:
    """Upload a filled-in template; the page reports every error by file, row and field."""
    if request.method != "POST":
        return render_template("field/console_import.html", summary=None, error=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("field/console_import.html", summary=None, error="no file"), 400
    data = upload.read(MAX_IMPORT_BYTES + 1)
    name = upload.filename.rsplit("/", 1)[-1][:120]
    try:
        if len(data) > MAX_IMPORT_BYTES:
            raise ImportFileError(f"{name}: larger than 1 MiB: split the file")
        rt = runtime()
        summary = import_paper_file(db.session(), data, name, rt.intake_context(), utcnow(), rt.languages.codes,
                                    encoding=request.form.get("encoding") or None)
    except ImportFileError as exc:
        return render_template("field/console_import.html", summary=None, error=str(exc)), 422
    current_app.logger.info("field import", extra={"rows_created": summary.created, "row_errors": len(summary.errors)})
    return render_template("field/console_import.html", summary=summary, error=None), (200 if summary.ok else 422)
