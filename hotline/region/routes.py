"""config/region.yaml: the routes a rumour travels along, this deployment's countries and when to suggest a link.

Loaded once and validated with marshmallow (errors name file, line and key). A route is an ordered sequence of
countries, where people leave from first: reports carry no route, so this is what "upstream" means.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from hotline.content.yamlfile import load_yaml_file
from hotline.region.paths import RouteSpec
from hotline.settings import CONFIG_DIR

REGION_FILE = CONFIG_DIR / "region.yaml"
_COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="an ISO 3166 alpha-2 code in capitals, e.g. AF")


@dataclass(frozen=True)
class RegionConfig:
    """Everything config/region.yaml sets."""

    home: tuple[str, ...]
    suggest_links_from: float
    routes: tuple[RouteSpec, ...]


class _RouteSchema(Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    countries = fields.List(fields.String(validate=_COUNTRY), required=True, validate=validate.Length(min=2))

    @validates_schema
    def no_loop(self, data: dict[str, Any], **_: Any) -> None:
        if len(set(data["countries"])) != len(data["countries"]):
            raise ValidationError("a route passes through each country once", "countries")


class RegionFileSchema(Schema):
    """Schema of config/region.yaml."""

    version = fields.Integer(required=True, validate=validate.Equal(1))
    home = fields.List(fields.String(validate=_COUNTRY), load_default=list)
    suggest_links_from = fields.Float(required=True, validate=validate.Range(min=0.05, max=1.0))
    routes = fields.List(fields.Nested(_RouteSchema), required=True)

    @validates_schema
    def unique(self, data: dict[str, Any], **_: Any) -> None:
        ids = [route["id"] for route in data.get("routes", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError("route ids must be unique", "routes")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> RegionConfig:
        routes = tuple(RouteSpec(r["id"], r["name"], tuple(r["countries"])) for r in data["routes"])
        return RegionConfig(tuple(data["home"]), data["suggest_links_from"], routes)


def load_region_config(path: Path = REGION_FILE) -> RegionConfig:
    """Load and validate ``path``; ContentError names file, line and key."""
    result: RegionConfig = load_yaml_file(path, RegionFileSchema())
    return result


@lru_cache(maxsize=1)
def region_config() -> RegionConfig:
    """The project's config/region.yaml, loaded once."""
    return load_region_config()
