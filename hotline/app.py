"""The application factory: the one module that knows every blueprint, extension and hook."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from hotline import models  # noqa: F401 - every mapper registered before the first query
from hotline.api.views import bp as api_bp
from hotline.auth.csrf import init_csrf
from hotline.auth.views import bp as auth_bp
from hotline.classify.jobs import classify_later, match_for_instant_answer
from hotline.classify.runtime import classify_runtime
from hotline.console import init_console
from hotline.content.languages import load_languages
from hotline.content.taxonomy import load_taxonomy
from hotline.context import Runtime
from hotline.exports.views import bp as exports_bp
from hotline.extensions import babel, db
from hotline.field.runtime import init_field
from hotline.files import private_dir
from hotline.home.views import bp as home_bp
from hotline.i18n import init_template_helpers, select_locale
from hotline.ivr.callback_views import bp as twilio_callback_bp
from hotline.ivr.content import STAND_INS_FOLDER, IvrPaths
from hotline.ivr.phone_views import bp as phone_bp
from hotline.ivr.spoken_views import bp as twilio_spoken_bp
from hotline.ivr.views import init_voice
from hotline.jobs import add_warm_up
from hotline.jobs.background import init_background
from hotline.ops.health import bp as health_bp
from hotline.ops.logging import init_logging
from hotline.privacy.keys import PrivacyKeys
from hotline.region.library_views import init_region_library
from hotline.region.link_views import api_bp as region_api_bp
from hotline.region.link_views import console_bp as region_console_bp
from hotline.region.news import regional_news_source
from hotline.region.views import bp as region_bp
from hotline.settings import CONFIG_DIR, LOCALES_DIR, PROJECT_ROOT, load_settings
from hotline.sms.replies import set_reviewed_lookup
from hotline.sms.runtime import set_rumour_matcher
from hotline.sms.views import bp as twilio_sms_bp
from hotline.spool.views import init_spool
from hotline.studio.runtime import sms_reviewed
from hotline.studio.views import init_studio
from hotline.trends.runtime import set_regional_source
from hotline.trends.views import bp as trends_bp
from hotline.web.browser_only import skip_for_webhooks
from hotline.web.errors import init_body_limits, register_error_handlers
from hotline.web.ratelimit import init_rate_limits, limiter_middleware
from hotline.web.security import init_security


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings -> content -> logging -> extensions -> blueprints -> CLI."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"))
    settings = load_settings(config, instance_path=Path(app.instance_path))
    app.instance_path = settings.instance_path
    private_dir(Path(settings.instance_path), tighten=True)  # database, recordings, media, spool: ours alone
    languages = load_languages(CONFIG_DIR / "languages.yaml")
    taxonomy = load_taxonomy(CONFIG_DIR / "taxonomy.yaml", languages.codes)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        TESTING=settings.mode == "testing",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        BABEL_TRANSLATION_DIRECTORIES=str(LOCALES_DIR),
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        SEND_FILE_MAX_AGE_DEFAULT=365 * 24 * 3600,  # static URLs carry a content digest (hotline.assets)
        HOTLINE=settings,
    )
    app.extensions["hotline"] = Runtime(settings, languages, taxonomy, PrivacyKeys.from_secret(settings.pseudonym_key),
                                        classify_later=classify_later)
    _init_extensions(app)
    _register_blueprints(app)
    init_voice(app, languages, IvrPaths(stand_ins=Path(settings.instance_path) / STAND_INS_FOLDER))
    app.register_blueprint(phone_bp)
    set_rumour_matcher(app, match_for_instant_answer)
    add_warm_up(app, classify_runtime)  # the matcher's and the classifier's models, before a job's first transaction
    set_reviewed_lookup(sms_reviewed)
    set_regional_source(app, regional_news_source)
    init_spool(app)
    skip_for_webhooks(app, before=(limiter_middleware(),))  # once every hook is registered
    db.commit_first(app)
    _announce(app)
    return app


def _init_extensions(app: Flask) -> None:
    init_logging(app)
    init_body_limits(app)  # before anything reads a body (the CSRF check reads the form)
    init_background(app)
    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    init_csrf(app)
    init_rate_limits(app)
    init_security(app)


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(health_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(twilio_sms_bp)
    app.register_blueprint(twilio_callback_bp)
    app.register_blueprint(twilio_spoken_bp)
    init_console(app)
    init_field(app)
    init_studio(app)
    app.register_blueprint(api_bp)
    app.register_blueprint(trends_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(region_bp)
    init_region_library(app)
    app.register_blueprint(region_api_bp)
    app.register_blueprint(region_console_bp)
    register_error_handlers(app)
    init_template_helpers(app)


def _announce(app: Flask) -> None:
    settings = app.config["HOTLINE"]
    if settings.generated_secrets:
        app.logger.warning(
            "%s mode: using generated stand-ins for %s (kept in %s/demo-secrets.json). Never use them in production.",
            settings.mode, ", ".join(settings.generated_secrets), app.instance_path,
        )
