"""config/trends.yaml: suppression threshold and rising-rumour parameters, validated with marshmallow."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from marshmallow import Schema, fields, post_load, validate

from hotline.content.yamlfile import load_yaml_file
from hotline.settings import CONFIG_DIR
from hotline.trends.suppression import MIN_K

TRENDS_FILE = CONFIG_DIR / "trends.yaml"


@dataclass(frozen=True)
class RisingConfig:
    """When a rise is unusual enough to flag."""

    recent_weeks: int = 4
    min_count: int = 5
    min_ratio: float = 1.5
    alpha: float = 0.01


@dataclass(frozen=True)
class TrendsConfig:
    """Everything config/trends.yaml sets."""

    min_cell_count: int
    rising: RisingConfig
    max_range_weeks: int = 156


class _ExportsSchema(Schema):
    min_cell_count = fields.Integer(required=True, strict=True, validate=validate.Range(min=MIN_K))
    # Optional, so a trends.yaml written before the key existed still loads.
    max_range_weeks = fields.Integer(load_default=156, strict=True, validate=validate.Range(min=1, max=1040))


class _RisingSchema(Schema):
    recent_weeks = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=26))
    min_count = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    min_ratio = fields.Float(required=True, validate=validate.Range(min=1.0))
    alpha = fields.Float(required=True, validate=validate.Range(min=0.0, max=0.5, min_inclusive=False))


class TrendsFileSchema(Schema):
    """Schema of config/trends.yaml."""

    version = fields.Integer(required=True, validate=validate.Equal(1))
    exports = fields.Nested(_ExportsSchema, required=True)
    rising = fields.Nested(_RisingSchema, required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> TrendsConfig:
        exports = data["exports"]
        return TrendsConfig(exports["min_cell_count"], RisingConfig(**data["rising"]), exports["max_range_weeks"])


def load_trends_config(path: Path = TRENDS_FILE) -> TrendsConfig:
    """Load and validate ``path``; ContentError names file, line and key."""
    result: TrendsConfig = load_yaml_file(path, TrendsFileSchema())
    return result


@lru_cache(maxsize=1)
def trends_config() -> TrendsConfig:
    """The project's config/trends.yaml, loaded once."""
    return load_trends_config()


@lru_cache(maxsize=1)
def confirmed_match_score() -> float:
    """The rumour-match score at which a link counts as confirmed (config/classify.yaml)."""
    from hotline.classify.config import load_classify_config

    return load_classify_config(CONFIG_DIR / "classify.yaml").confirmed
