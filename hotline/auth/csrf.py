"""CSRF protection (Flask-WTF) on every browser form; webhooks and the bearer-token API are outside it.

Twilio's webhooks are authenticated by their signature and the API by a bearer token, neither by a cookie, so a
forged cross-site request gains nothing there. Everything else that changes state must carry ``csrf_token()``.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_wtf.csrf import CSRFProtect

from hotline.web.browser_only import browser_only

csrf = CSRFProtect()
EXEMPT_PREFIXES = ("/twilio/", "/api/")


def init_csrf(app: Flask) -> None:
    """Check the token on every unsafe request outside the exempt prefixes."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session (idle timeout applies)
    csrf.init_app(app)

    @app.before_request
    @browser_only
    def _protect() -> None:
        # g lives in the app context, which a test (or a CLI command) may hold open across requests:
        # per-request state must not leak from one request into the next.
        for name in ("csrf_token", "staff_user", "user_locale", "_flask_babel"):
            g.pop(name, None)
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or request.path.startswith(EXEMPT_PREFIXES):
            return
        csrf.protect()
