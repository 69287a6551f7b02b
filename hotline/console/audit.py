"""/console/audit: the append-only trail of changes, for supervisors."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from hotline.audit.models import AuditEvent
from hotline.auth.models import User
from hotline.auth.session import login_required
from hotline.console.blueprint import SUPERVISORS, bp
from hotline.extensions import db

PER_PAGE = 100
MAX_PAGE = 200


@bp.get("/audit")
@login_required(*SUPERVISORS)
def audit() -> ResponseReturnValue:
    """Events newest first, filtered by entity type and id, and by action."""
    args = request.args
    query = select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.actor_user_id)
    entity_type = args.get("entity_type") or None
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type[:32])
    entity_id = args.get("entity_id", "")
    if entity_id.isdigit():
        query = query.where(AuditEvent.entity_id == int(entity_id))
    action = args.get("action") or None
    if action:
        query = query.where(AuditEvent.action == action[:64])
    page = min(MAX_PAGE, max(1, int(args["page"]) if args.get("page", "").isdigit() else 1))
    rows = db.session.execute(query.order_by(AuditEvent.id.desc()).limit(PER_PAGE + 1)
                              .offset((page - 1) * PER_PAGE)).all()
    return render_template("console/audit.html", rows=rows[:PER_PAGE], more=len(rows) > PER_PAGE, page=page,
                           entity_type=entity_type, entity_id=entity_id, action=action)
