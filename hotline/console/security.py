"""Security headers for console pages: a Content-Security-Policy with no inline script or style, and framing denied."""

from __future__ import annotations

from flask import Flask, request
from flask.wrappers import Response

# No 'unsafe-inline' anywhere: templates use no inline scripts, event handlers or style attributes.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PREFIXES = ("/console",)


def security_headers(response: Response) -> Response:
    """after_request: the console's policy and hardening headers."""
    if request.path.startswith(PREFIXES):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")  # caller text must not sit in shared caches
    return response


def init_security(app: Flask) -> None:
    """Install the headers."""
    app.after_request(security_headers)
