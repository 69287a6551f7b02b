"""JSON logs with a request id, and a filter that masks phone numbers before anything is written."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-Id"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Seven or more digits, possibly with separators and a leading +: phone-shaped runs in any log text.
_PHONE_LIKE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{5,}\d(?![\w])")


def scrub(text: str) -> str:
    """Replace phone-number-shaped runs of digits with a fixed marker."""
    return _PHONE_LIKE.sub("[number]", text)


class RedactingFilter(logging.Filter):
    """Defence in depth: whatever a log call passes, numbers never reach the log sink."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info:
            # Exception messages may quote caller data: format the traceback now, scrubbed, and drop exc_info.
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        for key, value in list(vars(record).items()):
            if key.startswith("hotline_") and isinstance(value, str):
                setattr(record, key, scrub(value))
        if has_request_context():
            record.request_id = g.get("request_id")
        return True


def _configure_handler(level: str) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level"})
    )
    handler.addFilter(RedactingFilter())
    handler.setLevel(level)
    return handler


_request_log = logging.getLogger("hotline.request")


def init_logging(app: Flask) -> None:
    """Log JSON to stderr, tag each request with an id (echoed in the response), log one line per request."""
    settings = app.config["HOTLINE"]
    logger = logging.getLogger("hotline")  # also Flask's app.logger, whose name is the import name
    for handler in list(logger.handlers):
        if not getattr(handler, "_hotline", False):
            logger.removeHandler(handler)  # Flask's default plain-text handler
    if not logger.handlers:
        handler = _configure_handler(settings.log_level)
        handler._hotline = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(settings.log_level)
    logger.propagate = settings.mode == "testing"  # lets pytest's caplog see records in tests

    app.before_request(_start_request)
    app.after_request(_finish_request)


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else str(uuid.uuid4())
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    if _request_log.isEnabledFor(logging.INFO):
        elapsed_ms = round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1)
        # Only the route pattern is logged: paths and query strings may carry caller data.
        extra: dict[str, Any] = {
            "method": request.method,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": elapsed_ms,
        }
        _request_log.info("request", extra=extra)
    return response
