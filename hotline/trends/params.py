"""Parsing trend query parameters (API query strings, CLI options, dashboard filters) with marshmallow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from hotline.trends.cells import DIMENSIONS, TrendFilters
from hotline.trends.config import trends_config
from hotline.trends.linked import MAX_DIMENSIONS, canonical
from hotline.trends.weeks import whole_weeks

_CODE = validate.Regexp(r"^[A-Za-z0-9_\-]{1,32}$", error="must be a short code (letters, digits, _ or -)")


PLAUSIBLE_DATE = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31))


def check_range(data: dict[str, Any]) -> None:
    """``to`` not before ``from``, and the range, widened to whole ISO weeks, no longer than the cap
    (config/trends.yaml ``exports.max_range_weeks``); ValidationError naming ``to`` otherwise."""
    if "date_to" not in data or "date_from" not in data:
        return
    if data["date_to"] < data["date_from"]:
        raise ValidationError("must not be before 'from'", "to")
    monday, sunday = whole_weeks(data["date_from"], data["date_to"])
    weeks, cap = (sunday - monday).days // 7 + 1, trends_config().max_range_weeks
    if weeks > cap:
        raise ValidationError(f"the range covers {weeks} weeks; it may cover at most {cap} whole weeks "
                              f"(about {cap / 52:.1f} years): ask for a shorter one", "to")


def snap_to_weeks(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with ``date_from`` moved back to its Monday and ``date_to`` on to its Sunday (whole ISO weeks)."""
    data["date_from"], data["date_to"] = whole_weeks(data["date_from"], data["date_to"])
    return data


_SNAPPED = "; ranges are widened to whole ISO weeks (Monday to Sunday)"


class TrendQuerySchema(Schema):
    """``from`` and ``to`` (YYYY-MM-DD, inclusive, widened to whole ISO weeks) and optional filters."""

    # Years far from now broke the baseline arithmetic (a year-2 range is a 500; found by schemathesis).
    date_from = fields.Date(required=True, data_key="from", validate=PLAUSIBLE_DATE,
                            metadata={"description": "first day (YYYY-MM-DD)" + _SNAPPED})
    date_to = fields.Date(required=True, data_key="to", validate=PLAUSIBLE_DATE,
                          metadata={"description": "last day, inclusive" + _SNAPPED})
    country = fields.String(load_default=None, validate=_CODE)
    admin1 = fields.String(load_default=None, validate=_CODE)
    language = fields.String(load_default=None, validate=_CODE)
    channel = fields.String(load_default=None, validate=_CODE)
    category = fields.String(load_default=None, validate=_CODE)

    @validates_schema
    def order(self, data: dict[str, Any], **_: Any) -> None:
        check_range(data)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Any:
        return _filters(data)


def _filters(data: dict[str, Any]) -> TrendFilters:
    return TrendFilters(**{key: value for key, value in snap_to_weeks(data).items() if value not in (None, "")})


@dataclass(frozen=True)
class ExportQuery:
    """What to export, and as what."""

    filters: TrendFilters
    format: str


class ExportQuerySchema(TrendQuerySchema):
    """A trend query and the export format."""

    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx", "json")))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Any:
        fmt = data.pop("format")
        return ExportQuery(_filters(data), fmt)


def parse_filters(values: Mapping[str, Any], schema: Schema | None = None) -> TrendFilters:
    """TrendFilters from raw strings; ValidationError (messages keyed by parameter name) otherwise."""
    schema = schema or TrendQuerySchema()
    clean = {key: value for key, value in values.items() if key in _known(schema) and value not in (None, "")}
    result: TrendFilters = schema.load(clean)
    return result


def _known(schema: Schema) -> set[str]:
    return {field.data_key or name for name, field in schema.fields.items()}


@dataclass(frozen=True)
class TableQuery:
    """A table export from the trends page: filters, the chosen dimensions (export order) and the format."""

    filters: TrendFilters
    dims: tuple[str, ...]
    format: str


class TableQuerySchema(TrendQuerySchema):
    """A trend query, one to three dimensions to count by, and the export format."""

    dims = fields.List(fields.String(validate=validate.OneOf(DIMENSIONS)), required=True,
                       validate=validate.Length(min=1, max=MAX_DIMENSIONS))
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx", "json")))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Any:
        fmt, dims = data.pop("format"), canonical(data.pop("dims"))
        return TableQuery(_filters(data), dims, fmt)
