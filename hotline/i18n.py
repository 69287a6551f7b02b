"""Locale selection, text direction and gettext catalogues for the web UI (flask-babel, domain ``messages``).

Hotline names languages by the codes in config/languages.yaml (ISO 639-3 where ISO 639-1 has none: ``prs`` for Dari).
Babel's CLDR data has no ``prs`` locale, so a UI code is mapped to the Babel locale used for dates and numbers
(``prs`` -> ``fa_AF``, CLDR's Dari) while the catalogues stay in ``locales/<UI code>/LC_MESSAGES/``, the directory
every gettext domain (``messages``, ``ivr``, ``sms``) shares.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, request
from flask.wrappers import Response
from flask_babel import Domain, get_babel, get_locale, gettext
from jinja2 import Environment

from hotline.assets import asset_url
from hotline.content.catalogues import load_translations
from hotline.context import runtime
from hotline.extensions import babel
from hotline.web.browser_only import browser_only

LOCALE_COOKIE = "hotline_lang"
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600
MESSAGES_DOMAIN = "messages"

# UI codes Babel/CLDR does not know, and the CLDR locale that formats dates and numbers for them.
BABEL_LOCALES = {"prs": "fa_AF", "haz": "fa_AF"}


def babel_identifier(code: str) -> str:
    """The Babel locale identifier for a UI language code (``prs`` -> ``fa_AF``)."""
    return BABEL_LOCALES.get(code, code)


def ui_code(locale: Locale | str | None, ui_locales: Iterable[str] = ()) -> str | None:
    """The UI language code for a Babel locale: the inverse of babel_identifier among ``ui_locales``."""
    if locale is None:
        return None
    identifier = str(locale)
    for code in ui_locales:
        if babel_identifier(code) == identifier:
            return code
    return identifier


def select_locale() -> str:
    """The UI language: a signed-in user's choice, then ?lang= or the cookie, then the browser's preference.

    Returns a Babel identifier (flask-babel parses it); ``current_ui_code()`` gives the UI code back.
    """
    settings = current_app.config["HOTLINE"]
    # A page family may offer more languages than the console (the /field pages: every language's catalogue).
    offered = g.get("ui_locales_override") or settings.ui_locales
    # Kept because two UI codes can share a Babel locale (Dari and Hazaragi are both fa_AF).
    g.ui_code = requested_ui_code(offered, settings.default_locale)
    return babel_identifier(g.ui_code)


def requested_ui_code(ui_locales: tuple[str, ...], default: str) -> str:
    """The UI code this request asks for, among ``ui_locales``."""
    user_locale = getattr(g, "user_locale", None)
    if user_locale in ui_locales:
        return str(user_locale)
    for candidate in (request.args.get("lang"), request.cookies.get(LOCALE_COOKIE)):
        if candidate in ui_locales:
            return str(candidate)
    # Browsers send BCP 47 tags: a Dari speaker's browser says fa-AF (or prs), an Indonesian's id-ID.
    offered = {babel_identifier(code).replace("_", "-"): code for code in ui_locales}
    offered.update({code: code for code in ui_locales})
    best = request.accept_languages.best_match(list(offered))
    return offered[best] if best else default


def current_ui_code() -> str:
    """The UI language code of the current request (``prs``, not ``fa_AF``)."""
    settings = current_app.config["HOTLINE"]
    locale = get_locale()
    chosen = g.get("ui_code") if g else None
    if chosen and locale is not None and babel_identifier(chosen) == str(locale):
        return str(chosen)
    return ui_code(locale, settings.ui_locales) or settings.default_locale


def language_name(code: str) -> str:
    """A language's name in the current UI language: CLDR's name, or the catalogue's where CLDR has none."""
    ui = current_ui_code()
    own: dict[str, str] = {"prs": gettext("Dari"), "haz": gettext("Hazaragi")}
    if code in own:
        return own[code]
    language = runtime().languages.get(code)
    fallback = language.name if language is not None else code
    if ui == "en":
        return fallback
    return str(Locale.parse(babel_identifier(ui)).languages.get(code) or fallback)


def text_direction(code: str | None = None) -> str:
    """'rtl' or 'ltr' for a language code (default: the current UI language)."""
    code = code or current_ui_code()
    language = runtime().languages.get(code.split("_")[0].split("-")[0])
    return "rtl" if language is not None and language.rtl else "ltr"


class CatalogueDomain(Domain):  # type: ignore[misc]
    """flask-babel's Domain, loading catalogues from the UI code's directory (``prs``), not Babel's (``fa_AF``)."""

    def get_translations(self) -> NullTranslations:
        """The merged catalogues of this domain for the current request's UI language."""
        if not g:
            return NullTranslations()
        code = current_ui_code()
        key = (code, self.domain[0])
        cached: NullTranslations | None = self.cache.get(key)
        if cached is not None:
            return cached
        translations = Translations()
        for index, dirname in enumerate(self.translation_directories):
            domain = self.domain[0] if len(self.domain) == 1 else self.domain[index]
            catalogue = load_translations(Path(dirname), code, domain)
            if isinstance(catalogue, Translations):  # a missing catalogue loads as NullTranslations
                translations.merge(catalogue)
            if hasattr(catalogue, "plural"):
                translations.plural = catalogue.plural
        self.cache[key] = translations
        return translations


@browser_only
def remember_locale(response: Response) -> Response:
    """after_request: keep a valid ``?lang=`` choice in a cookie so the next page is in the same language."""
    settings = current_app.config["HOTLINE"]
    chosen = request.args.get("lang")
    if chosen is not None and chosen in settings.ui_locales and request.cookies.get(LOCALE_COOKIE) != chosen:
        response.set_cookie(LOCALE_COOKIE, chosen, max_age=LOCALE_COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                            secure=settings.production)
    if response.mimetype == "text/html":
        # The same URL renders in another language for another cookie or browser: caches must keep them apart.
        response.vary.update(("Cookie", "Accept-Language"))
    return response


def as_text(value: Any) -> str:
    """A plain ``str`` (never Markup) so that autoescaping always escapes it; None becomes ''."""
    # str() of a Markup (a str subclass) is a plain str copy.
    return "" if value is None else str(value)


def register_filters(env: Environment) -> None:
    """The Jinja filters the templates (macros.html) rely on."""
    env.filters["as_text"] = as_text


def init_template_helpers(app: Flask) -> None:
    """Wire i18n into ``app``: the catalogue domain, the language cookie, template filters and globals."""
    # flask-babel keeps one domain object per Babel extension (shared by every app built in this process).
    babel.domain_instance = CatalogueDomain(domain=get_babel(app).default_domain)
    app.after_request(remember_locale)
    register_filters(app.jinja_env)
    app.jinja_env.globals["asset_url"] = asset_url

    @app.context_processor
    def _helpers() -> dict[str, object]:
        locale = current_ui_code()
        return {
            "ui_locale": locale,
            "ui_direction": text_direction(locale),
            "ui_locales": [runtime().languages.get(code) for code in app.config["HOTLINE"].ui_locales],
            "text_direction": text_direction,
            "language_name": language_name,
        }


def compile_catalogues(locales_dir: str | os.PathLike[str]) -> list[Path]:
    """Compile every ``locales/<lang>/LC_MESSAGES/<domain>.po`` whose ``.mo`` is missing or older; return those written.

    Fuzzy entries are left out, as ``pybabel compile`` does. Each .mo is written to a temporary file and renamed, so
    two test sessions compiling at once never read half a file.
    """
    written = []
    for po_path in sorted(Path(locales_dir).glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file, locale=None, domain=po_path.stem, abort_invalid=True)
        fd, tmp_name = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as mo_file:
                write_mo(mo_file, catalogue, use_fuzzy=False)
            os.chmod(tmp_name, 0o644)  # mkstemp makes it private; a server running as another user must read it
            os.replace(tmp_name, mo_path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        written.append(mo_path)
    return written
