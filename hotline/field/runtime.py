"""The field package's part of the app: its pages, its structured-SMS handler and config/field_sms.yaml, checked
when the app is made."""

from __future__ import annotations

from flask import Flask

from hotline.field import briefing_views  # noqa: F401 - adds the briefing routes to both blueprints
from hotline.field.console_views import bp as console_bp
from hotline.field.sms import handle_field_sms
from hotline.field.sms_config import load_field_sms_config
from hotline.field.views import bp as field_bp
from hotline.sms.runtime import register_text_handler


def init_field(app: Flask) -> None:
    """Register the /field and /console/field pages and check config/field_sms.yaml at start-up."""
    load_field_sms_config()
    app.register_blueprint(field_bp)
    app.register_blueprint(console_bp)
    register_text_handler(app, handle_field_sms)  # a focal point's FP text is theirs before any caller's
