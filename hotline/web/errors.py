"""Error responses that leak nothing: JSON for API and webhook clients, a short page for people."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, InternalServerError

from hotline.extensions import db

log = logging.getLogger("hotline.errors")
View = TypeVar("View", bound=Callable[..., object])
_BODY_LIMIT = "hotline_body_limit"


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


def accepts_uploads(limit: int) -> Callable[[View], View]:
    """Mark a view that takes bodies of up to ``limit`` bytes (a recording), above the app's MAX_CONTENT_LENGTH."""

    def mark(view: View) -> View:
        setattr(view, _BODY_LIMIT, limit)
        return view

    return mark


def limit_bodies() -> None:
    """Refuse a declared body over the limit before anything reads it (undeclared ones are cut by werkzeug when
    the form is read): the app's limit, or the view's own (``accepts_uploads``), set here before the CSRF check
    reads the form."""
    own = getattr(current_app.view_functions.get(request.endpoint or ""), _BODY_LIMIT, None)
    if own is not None:
        request.max_content_length = own
    limit = request.max_content_length
    length = request.content_length
    if limit is not None and length is not None and length > limit:
        abort(413)


def init_body_limits(app: Flask) -> None:
    """Check every request's body size before the hooks registered after this one (the CSRF check) read it."""
    app.before_request(limit_bodies)


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
