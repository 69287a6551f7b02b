"""GET /healthz (the process is up) and GET /readyz (the database answers; what waits in the spool and the inbox)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hotline.db import utcnow
from hotline.extensions import db
from hotline.sms.inbox import inbox_state
from hotline.spool.replay import app_spool

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness: answers without touching the database."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Readiness: 200 when the database answers a trivial query, 503 otherwise (no details leaked).

    ``spool_backlog`` counts webhooks received during an outage that still wait to be replayed on this host;
    ``sms_inbox`` counts inbound texts waiting to be filed: ``overdue`` ones lost their job (is the worker running?),
    ``stuck`` ones failed too often and need a person.
    """
    backlog = app_spool().backlog()
    try:
        db.session.execute(text("SELECT 1"))
        inbox = inbox_state(db.session(), utcnow())
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable", spool_backlog=backlog), 503
    return jsonify(status="ok", database="ok", spool_backlog=backlog,
                   sms_inbox={"waiting": inbox.waiting, "overdue": inbox.overdue, "stuck": inbox.stuck})
