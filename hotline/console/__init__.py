"""The operator console at /console/: queue, report, rumours, message library, supervision, audit, profile."""

from __future__ import annotations

from flask import Flask

from hotline.auth import accounts_views, audit_views, profile_views  # noqa: F401 - routes
from hotline.auth.totp import bp as totp_bp
from hotline.triage import (  # noqa: F401 - routes
    callback_views,
    library_views,
    phone_views,
    queue_views,
    referral_views,
    report_rumour_views,
    report_views,
    rumour_views,
    spoken_reply_views,
    supervision_views,
)
from hotline.web.console import bp


def init_console(app: Flask) -> None:
    """Register the console's views."""
    spoken_reply_views.init_spoken(app)
    app.register_blueprint(bp)
    app.register_blueprint(totp_bp)
