"""Cross-border rumours in words, in the current UI language: country names from CLDR, ISO weeks spelled out."""

from __future__ import annotations

from datetime import date

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.numbers import format_decimal
from flask_babel import gettext

from hotline.i18n import babel_identifier, current_ui_code
from hotline.region.crossborder import PeerWarning, RumourPath
from hotline.region.paths import PathStep


def _locale() -> Locale:
    try:
        return Locale.parse(babel_identifier(current_ui_code()))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def country_name(code: str) -> str:
    """The country's name in the UI language (CLDR), or its code when CLDR has none."""
    return str(_locale().territories.get(code) or code)


def week_text(monday: date) -> str:
    """An ISO week as words: "week 31 of 2026" (the ISO year, which near 1 January is not the calendar year's)."""
    year, week, _ = monday.isocalendar()
    locale = _locale()
    return str(gettext("week %(week)s of %(year)s", week=format_decimal(week, locale=locale),
                       year=format_decimal(year, format="0", locale=locale)))


def path_sentence(steps: list[PathStep]) -> str:
    """"First reported in Afghanistan in week 31 of 2026, then in Bangladesh in week 35 of 2026 and in …" """
    if not steps:
        return ""
    first, *rest = steps
    if not rest:
        return str(gettext("First reported in %(country)s in %(week)s.", country=country_name(first.country),
                           week=week_text(first.first_week)))
    others = format_list([gettext("in %(country)s in %(week)s", country=country_name(step.country),
                                  week=week_text(step.first_week)) for step in rest], locale=_locale())
    return str(gettext("First reported in %(country)s in %(week)s, then %(others)s.",
                       country=country_name(first.country), week=week_text(first.first_week), others=others))


def path_statement(path: RumourPath, language: str | None = None) -> str:
    """The rumour's statement, in ``language`` when it has that translation."""
    return (path.translations.get(language) if language else None) or path.statement


def warning_sentence(item: PeerWarning) -> str:
    """"Rising in Afghanistan in week 48 of 2026 (12 reports, about 2 expected), upstream on: Route A." """
    warning = item.warning
    routes = format_list([route.name for route in warning.routes], locale=_locale())
    text = gettext("Rising in %(country)s in %(week)s (%(count)s reports, about %(expected)s expected), "
                   "upstream of here on: %(routes)s.", country=country_name(warning.country),
                   week=week_text(warning.week), count=warning.count,
                   expected=format_decimal(round(warning.expected, 1), locale=_locale()), routes=routes)
    if item.rumour_id is None:
        return f"{text} {gettext('Not reported here yet, and not linked to a rumour here.')}"
    return f"{text} {gettext('Linked to rumour %(id)s here, which is not published here yet.', id=item.rumour_id)}"
