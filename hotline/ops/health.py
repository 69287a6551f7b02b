"""GET /healthz (the process is up) and GET /readyz (the database answers; what waits in the spool and the inbox)."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hotline.db import utcnow
from hotline.extensions import db
from hotline.sms.inbox import inbox_state
from hotline.spool.runtime import app_spool

bp = Blueprint("health", __name__)
# Headers a reverse proxy adds: behind one on the same host every client would otherwise look local.
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-Ip", "Forwarded")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness: answers without touching the database."""
    return jsonify(status="ok")


def may_see_details(remote_addr: str | None, headers: dict[str, str], token: str | None) -> bool:
    """Readiness details go to a loopback client reached directly, or to whoever sends the readiness token."""
    if token:
        scheme, _, supplied = headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(supplied.strip().encode(), token.encode()):
            return True
    if any(name in headers for name in PROXY_HEADERS):
        return False
    try:
        return remote_addr is not None and ipaddress.ip_address(remote_addr).is_loopback
    except ValueError:
        return False


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Readiness: 200 when the database answers a trivial query, 503 otherwise.

    Everyone (a load balancer) gets ``{"status": "ok"}`` or ``{"status": "unavailable"}``. Loopback clients and
    holders of HOTLINE_READYZ_TOKEN also get the details: ``spool_backlog`` counts webhooks received during an outage
    that still wait to be replayed on this host; ``sms_inbox`` counts inbound texts waiting to be filed:
    ``overdue`` ones lost their job (is the worker running?), ``stuck`` ones failed too often and need a person.
    """
    details = may_see_details(request.remote_addr, dict(request.headers), current_app.config["HOTLINE"].readyz_token)
    backlog = app_spool().backlog() if details else 0
    try:
        db.session.execute(text("SELECT 1"))
        inbox = inbox_state(db.session(), utcnow()) if details else None
    except SQLAlchemyError:
        db.session.rollback()
        if not details:
            return jsonify(status="unavailable"), 503
        return jsonify(status="unavailable", database="unreachable", spool_backlog=backlog), 503
    if inbox is None:
        return jsonify(status="ok")
    return jsonify(status="ok", database="ok", spool_backlog=backlog,
                   sms_inbox={"waiting": inbox.waiting, "overdue": inbox.overdue, "stuck": inbox.stuck})
