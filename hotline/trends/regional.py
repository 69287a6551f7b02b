"""What cross-border news the dashboard and the digest show: lines from a source plugged in by the app
(``hotline.trends.runtime``; hotline.region sits above this package and plugs itself in), so trends and digests
never import the regional feed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session


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
