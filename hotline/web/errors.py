"""Error responses that leak nothing: JSON for API and webhook clients, a short page for people."""

from __future__ import annotations

import logging

from flask import Flask, abort, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, InternalServerError

from hotline.extensions import db

log = logging.getLogger("hotline.errors")


def _wants_json() -> bool:
    if request.path.startswith(("/api/", "/twilio/")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _respond(status: int, title: str, detail: str) -> ResponseReturnValue:
    request_id = g.get("request_id")
    if _wants_json():
        return jsonify(error={"status": status, "title": title, "detail": detail, "request_id": request_id}), status
    page = render_template("errors/error.html", status=status, title=title, detail=detail, request_id=request_id)
    return page, status


def handle_http_error(exc: HTTPException) -> ResponseReturnValue:
    """Known HTTP errors: the standard title and a generic, translated explanation."""
    status = exc.code or 500
    detail = {
        400: gettext("The request could not be understood."),
        403: gettext("You are not allowed to do this."),
        404: gettext("There is nothing here."),
        405: gettext("This method is not allowed here."),
        413: gettext("The request is too large."),
        429: gettext("Too many requests; please wait a moment."),
    }.get(status, gettext("Something went wrong."))
    return _respond(status, exc.name, detail)


def handle_unexpected(exc: Exception) -> ResponseReturnValue:
    """Anything unexpected: roll back, log the traceback with the request id, show nothing internal."""
    db.session.rollback()
    log.exception("unhandled error on %s", request.endpoint)
    return _respond(500, InternalServerError().name, gettext("Something went wrong. It has been logged."))


def refuse_oversized_bodies() -> None:
    """Refuse a declared body over the limit before any route reads it (undeclared ones are cut by werkzeug)."""
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(413)


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.before_request(refuse_oversized_bodies)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
