"""The trends package's part of the app: the cross-border news source the app plugs in, and how a page or a
command asks it. The one trends module that knows Flask."""

from __future__ import annotations

from datetime import date

from flask import Flask, current_app
from sqlalchemy.orm import Session

from hotline.trends.regional import RegionalNews, RegionalSource

_EXTENSION = "hotline_regional_news"


def set_regional_source(app: Flask, source: RegionalSource | None) -> None:
    """Plug a source in (None: no cross-border news)."""
    if source is None:
        app.extensions.pop(_EXTENSION, None)
    else:
        app.extensions[_EXTENSION] = source


def regional_news(session: Session, today: date, language: str | None = None) -> RegionalNews | None:
    """The news from the plugged-in source, or None when there is none (a deployment with no peers)."""
    source: RegionalSource | None = current_app.extensions.get(_EXTENSION)
    return source(session, today, language) if source is not None else None
