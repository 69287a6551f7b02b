"""/console/audit: the append-only trail of changes, for supervisors: filtered by date range, person and record,
a page at a time, each entry linked to its record and its changes shown as "field: old → new"."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select

from hotline.audit.search import AuditFilter, search_events
from hotline.auth.audit_entries import RECORD_TYPES, show_events
from hotline.auth.console import SUPERVISORS
from hotline.auth.models import User
from hotline.auth.session import login_required
from hotline.context import runtime
from hotline.extensions import db
from hotline.i18n import current_ui_code
from hotline.web.console import bp


class AuditArgsSchema(Schema):
    """The audit page's query string; an empty field means "any"."""

    class Meta:
        unknown = EXCLUDE

    since = fields.Date(load_default=None, allow_none=True)
    until = fields.Date(load_default=None, allow_none=True)
    user = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    entity_type = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(RECORD_TYPES))
    entity_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    action = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=400))


def _parse(args: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Filters and the fields that were not valid (ignored, and said so on the page)."""
    raw = {key: value for key, value in args.items() if value != ""}
    try:
        return AuditArgsSchema().load(raw), {}
    except ValidationError as error:
        bad = error.messages if isinstance(error.messages, dict) else {}
        kept = {key: value for key, value in raw.items() if key not in bad}
        return AuditArgsSchema().load(kept), bad


@bp.get("/audit")
@login_required(*SUPERVISORS)
def audit() -> ResponseReturnValue:
    """Events newest first, filtered by date range, person, record (type and id) and action."""
    wanted, errors = _parse(request.args)
    session = db.session()
    found = search_events(session, AuditFilter(
        since=wanted["since"], until=wanted["until"], actor_user_id=wanted["user"],
        entity_type=wanted["entity_type"], entity_id=wanted["entity_id"], action=wanted["action"]), wanted["page"])
    staff = session.execute(select(User.id, User.email).order_by(User.email)).all()
    filters = {key: (value.isoformat() if hasattr(value, "isoformat") else value)
               for key, value in wanted.items() if key != "page" and value is not None}
    return render_template("console/audit.html", entries=show_events(session, found.events, runtime().taxonomy,
                                                                     current_ui_code()),
                           page=found.page, more=found.more, filters=filters, errors=errors, staff=staff,
                           record_types=RECORD_TYPES)
