"""The cross-border news the trends dashboard and the digest show (plugged in as their regional source)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from hotline.region.crossborder import CrossBorder, cross_border
from hotline.region.routes import region_config
from hotline.region.wording import path_sentence, path_statement, warning_sentence
from hotline.trends.config import trends_config
from hotline.trends.regional import RegionalLine, RegionalNews


def current_cross_border(session: Session, today: date) -> CrossBorder:
    """Paths and warnings with the project's region and trends configuration."""
    cfg = trends_config()
    return cross_border(session, today, region_config(), cfg.rising, cfg.min_cell_count)


def regional_news_source(session: Session, today: date, language: str | None) -> RegionalNews:
    """Paths and warnings in words (current UI language), statements in ``language`` where translated."""
    found = current_cross_border(session, today)
    paths = [RegionalLine(path_statement(p, language), path_sentence(p.steps)) for p in found.paths]
    warnings = [RegionalLine((w.translations.get(language) if language else None) or w.statement,
                             warning_sentence(w)) for w in found.warnings]
    return RegionalNews(paths, warnings)
