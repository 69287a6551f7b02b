"""The operator console's shell at /console/: registers the console blueprint, whose pages live in the domain
packages that own their services (hotline.triage's casework pages, hotline.auth's account, profile and audit pages),
and the second-factor pages."""

from __future__ import annotations

from flask import Flask

# Imported for their routes: each adds its pages to the console blueprint, which must have all of them before the
# first app registers it.
from hotline.auth import accounts_views, audit_views, profile_views  # noqa: F401
from hotline.auth.totp import bp as totp_bp
from hotline.triage import (  # noqa: F401
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
    """Register the console's pages."""
    app.register_blueprint(bp)
    app.register_blueprint(totp_bp)
