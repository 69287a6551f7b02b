"""Locale selection and text direction for the web UI (flask-babel)."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_babel import get_locale

from hotline.context import runtime

LOCALE_COOKIE = "hotline_lang"


def select_locale() -> str:
    """The UI language: a signed-in user's choice, then ?lang= or the cookie, then the browser's preference."""
    settings = current_app.config["HOTLINE"]
    user_locale = getattr(g, "user_locale", None)
    if user_locale in settings.ui_locales:
        return str(user_locale)
    for candidate in (request.args.get("lang"), request.cookies.get(LOCALE_COOKIE)):
        if candidate in settings.ui_locales:
            return str(candidate)
    best = request.accept_languages.best_match(settings.ui_locales)
    return best or settings.default_locale


def text_direction(code: str | None = None) -> str:
    """'rtl' or 'ltr' for a language code (default: the current UI locale)."""
    code = code or str(get_locale() or "en")
    language = runtime().languages.get(code.split("_")[0])
    return "rtl" if language is not None and language.rtl else "ltr"


def init_template_helpers(app: Flask) -> None:
    """Expose locale helpers to every template."""

    @app.context_processor
    def _helpers() -> dict[str, object]:
        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        return {
            "ui_locale": locale,
            "ui_direction": text_direction(locale),
            "ui_locales": [runtime().languages.get(code) for code in app.config["HOTLINE"].ui_locales],
            "text_direction": text_direction,
        }
