"""/console/region/...: the regional library (peers' shareable messages; a supervisor adopts one as a local
draft), campaign evaluations across peers, and the regional tables as CSV, XLSX or JSON.

Who may call: the library for operators, supervisors and analysts (staff-written texts, no caller's words);
adopting for supervisors (CSRF-checked like every console form); evaluations and exports for supervisors and
analysts (aggregates only, as the trends dashboard).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.console import staff
from hotline.auth.models import Role
from hotline.auth.session import login_required
from hotline.context import runtime
from hotline.db import utcnow
from hotline.exports.writers import CONTENT_TYPES, FORMATS, csv_chunks, json_chunks, write_xlsx
from hotline.extensions import db
from hotline.region.adoption import adopt, local_annotations
from hotline.region.document import public_key_text
from hotline.region.evaluations import regional_evaluations
from hotline.region.keys import key_path, load_or_create_key
from hotline.region.library import LibraryQuerySchema, clean_args, search
from hotline.region.models import RegionPeer, RegionPeerMessage
from hotline.region.regional_export import TABLES, columns_of, evaluation_record, regional_week_records
from hotline.triage.actions import ActionRefused
from hotline.triage.library_views import set_library_annotations
from hotline.web.console import refusal

bp = Blueprint("region_console", __name__, url_prefix="/console/region")
READERS = (Role.OPERATOR, Role.SUPERVISOR, Role.ANALYST)
AGGREGATES = (Role.SUPERVISOR, Role.ANALYST)


EXPORT_NAME = "here"  # how this deployment is named beside its peers in exported data (as `region export`)


def here() -> str:
    """How this deployment is named beside its peers on the regional pages."""
    return str(_("this hotline"))


def own_public_key() -> str | None:
    """This deployment's public key, when it has a signing key (it names our messages in peers' adoptions)."""
    instance = Path(current_app.config["HOTLINE"].instance_path)
    if not key_path(instance).exists():
        return None
    return public_key_text(load_or_create_key(instance)[0])


def _annotations(session: Session, ids: Sequence[int]) -> tuple[dict[int, str], dict[int, list[str]]]:
    return local_annotations(session, own_public_key(), ids)


def init_region_library(app: Flask) -> None:
    """Register the regional pages and the local library's "adopted from / used in" notes."""
    set_library_annotations(_annotations)
    app.register_blueprint(bp)


@bp.get("/library")
@login_required(*READERS)
def library() -> ResponseReturnValue:
    """Peers' shareable counter-messages, searched by rumour, category and language."""
    try:
        query = LibraryQuerySchema().load(clean_args(request.args.to_dict()))
    except ValidationError as exc:
        return Response(str(exc.messages), status=400, mimetype="text/plain")
    rt = runtime()
    results = search(db.session(), query, here())
    peers = db.session.scalars(select(RegionPeer.name).order_by(RegionPeer.name)).all()
    return render_template("region/library.html", results=results, query=query, peers=peers,
                           languages=rt.languages.languages, taxonomy=rt.taxonomy,
                           local_languages=rt.languages.codes, local_categories=rt.taxonomy.category_ids)


@bp.post("/library/<int:message_id>/adopt")
@login_required(Role.SUPERVISOR)
def adopt_message(message_id: int) -> ResponseReturnValue:
    """Adopt a peer's message (and its translations) into the local library as drafts."""
    peer_message = db.session.get(RegionPeerMessage, message_id)
    if peer_message is None:
        abort(404)
    rt = runtime()
    try:
        drafts = adopt(db.session(), peer_message, staff(), rt.taxonomy.category_ids, rt.languages.codes)
    except ActionRefused as refused:
        db.session.rollback()
        flash(refusal(refused.reason), "error")
        return redirect(url_for("region_console.library"), 303)
    db.session.commit()
    flash(_("Adopted as %(count)s draft(s): another supervisor approves them in the message library before "
            "callers see them.", count=len(drafts)))
    return redirect(url_for("console.library", status="draft"), 303)


@bp.get("/evaluations")
@login_required(*AGGREGATES)
def evaluations() -> ResponseReturnValue:
    """Campaign evaluations across peers: before, during and after, with the change and its p-value."""
    rows = regional_evaluations(db.session(), here())
    return render_template("region/evaluations.html", rows=rows, tables=TABLES, formats=FORMATS)


@bp.get("/export/<table>.<fmt>")
@login_required(*AGGREGATES)
def export(table: str, fmt: str) -> ResponseReturnValue:
    """The regional weeks or evaluations as CSV, XLSX or JSON with an HXL hashtag row."""
    if table not in TABLES or fmt not in FORMATS:
        abort(404)
    session = db.session()
    records = (list(regional_week_records(session, EXPORT_NAME)) if table == "weeks" else
               [evaluation_record(row) for row in regional_evaluations(session, EXPORT_NAME)])
    columns = columns_of(table)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, records, columns, sheet=table)
        body: bytes | str = buffer.getvalue()
    elif fmt == "csv":
        body = "".join(csv_chunks(records, columns))
    else:
        body = "".join(json_chunks(records, {"table": table, "generated": utcnow().date().isoformat()}, columns))
    response = Response(body, mimetype=CONTENT_TYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = CONTENT_TYPES[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="region-{table}.{fmt}"'
    return response
