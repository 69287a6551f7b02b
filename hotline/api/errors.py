"""JSON error responses for /api/v1, in the same shape as hotline.web.errors, with a specific message."""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify
from werkzeug.http import HTTP_STATUS_CODES


class ApiError(Exception):
    """An error to answer with ``status`` and a message that says what to fix."""

    def __init__(self, status: int, detail: str, fields: dict[str, Any] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.fields = status, detail, fields


def error_response(exc: ApiError) -> Response:
    """The JSON body of ``exc``; 401 also says which scheme to use."""
    body: dict[str, Any] = {"status": exc.status, "title": HTTP_STATUS_CODES.get(exc.status, "Error"),
                            "detail": exc.detail, "request_id": g.get("request_id")}
    if exc.fields:
        body["fields"] = exc.fields
    response = jsonify(error=body)
    response.status_code = exc.status
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="hotline"'
    return response


def invalid_parameters(messages: Any) -> ApiError:
    """A 400 naming each bad parameter."""
    fields = messages if isinstance(messages, dict) else {"_": messages}
    named = "; ".join(f"{key}: {' '.join(map(str, value if isinstance(value, list) else [value]))}"
                      for key, value in fields.items())
    return ApiError(400, f"Invalid parameters - {named}", fields)
