"""Where the dashboard and the digest get cross-border news from: a source plugged in by the app (hotline.region
sits above this package and plugs itself in), so trends and digests never import the regional feed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import Flask, current_app
from sqlalchemy.orm import Session

_EXTENSION = "hotline_regional_news"


@dataclass(frozen=True)
class RegionalLine:
    """One line: the rumour's statement (caller-free, staff-written) and a sentence about it, both translated."""

    statement: str
    sentence: str


@dataclass(frozen=True)
class RegionalNews:
    """Rumours' paths across countries and early warnings, as lines in the current UI language."""

    paths: list[RegionalLine] = field(default_factory=list)
    warnings: list[RegionalLine] = field(default_factory=list)


# (session, today, language of the page or None) -> the news as words; called where gettext has a locale.
RegionalSource = Callable[[Session, date, "str | None"], RegionalNews]


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
