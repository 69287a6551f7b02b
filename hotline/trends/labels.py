"""Names beside codes for the trends' exports and charts, in the language of the person who asks.

Everything is looked up once, in the request, into plain dictionaries: a streamed export is written after the
request ended, without translations of its own, so it gets a function over names prepared beforehand.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import get_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.i18n import current_ui_code, language_name
from hotline.intake.constants import Channel
from hotline.rumours.models import Rumour, RumourStatus
from hotline.web.labels import label as stored_label

DimensionLabel = Callable[[str, str | int | None], str]
CODED = ("type", "category", "rumour_id")


def rumour_name(rumour: Rumour, ui: str) -> str:
    """A reviewed rumour's staff-written statement in ``ui`` (the canonical one when it has no translation)."""
    return (rumour.statement_translations or {}).get(ui) or rumour.canonical_statement


def dimension_labels(session: Session) -> DimensionLabel:
    """``label(dimension, code)``: the code's name now, usable later without a request."""
    ui, taxonomy = current_ui_code(), runtime().taxonomy
    locale = get_locale()
    names: dict[str, dict[str | int, str]] = {
        "category": {c.id: c.label.in_language(ui) for c in taxonomy.categories},
        "type": {t.id: t.label.in_language(ui) for t in taxonomy.types},
        "language": {code: language_name(code) for code in runtime().languages.codes},
        "channel": {c.value: str(stored_label("channel", c.value)) for c in Channel},
        "country": dict(locale.territories) if locale is not None else {},
        "admin1": {},
        "rumour_id": {r.id: rumour_name(r, ui) for r in session.scalars(
            select(Rumour).where(Rumour.status == RumourStatus.REVIEWED))},
    }
    unconfirmed, unknown = str(gettext("unconfirmed")), str(gettext("unknown"))

    def label(dimension: str, code: str | int | None) -> str:
        if code is None:
            return unconfirmed if dimension in CODED else unknown
        return names.get(dimension, {}).get(code, str(code))

    return label
