"""Marshmallow schemas of /api/v1: query parameters in, aggregates out (never caller text or pseudonyms)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate, validates_schema

from hotline.trends.params import PLAUSIBLE_DATE, ExportQuerySchema, TrendQuerySchema, check_range, snap_to_weeks
from hotline.trends.series import GROUPABLE


class TrendsQuerySchema(TrendQuerySchema):
    """Parameters of GET /api/v1/trends: a trend query and the dimension to group by."""

    group_by = fields.String(load_default="category", validate=validate.OneOf(GROUPABLE))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Any:
        group_by = data.pop("group_by")
        return super().make(data), group_by


class RumoursQuerySchema(Schema):
    """Parameters of GET /api/v1/rumours."""

    category = fields.String(load_default=None, validate=validate.Length(max=32))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    # Bounded: an offset beyond what the database takes as an integer was a 500 (found by schemathesis).
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class SeriesPointSchema(Schema):
    week = fields.String(metadata={"description": "ISO week, e.g. 2026-W48"})
    week_start = fields.Date()
    value = fields.Raw(allow_none=True, metadata={"description": "value of the grouped dimension; null = unknown"})
    count = fields.Integer(allow_none=True, metadata={"description": "null when suppressed"})
    suppressed = fields.String(allow_none=True, metadata={"description": "primary (under k) or secondary"})


class WeekTotalSchema(Schema):
    week = fields.String()
    week_start = fields.Date()
    total = fields.Integer(allow_none=True)


class RiseSchema(Schema):
    key = fields.Raw(metadata={"description": "rumour id or category"})
    week = fields.String()
    count = fields.Integer()
    expected = fields.Float()
    basis = fields.String(metadata={"description": "recent (previous weeks) or seasonal (same weeks last year)"})
    change_percent = fields.Integer()
    p_value = fields.Float()
    languages = fields.Integer()
    top_channel = fields.String(allow_none=True)
    top_region = fields.String(allow_none=True)
    new = fields.Boolean()
    explanation = fields.String()


class TrendsResponseSchema(Schema):
    group_by = fields.String()
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    min_cell_count = fields.Integer()
    points = fields.List(fields.Nested(SeriesPointSchema))
    totals = fields.List(fields.Nested(WeekTotalSchema))
    rising_rumours = fields.List(fields.Nested(RiseSchema))
    rising_categories = fields.List(fields.Nested(RiseSchema))


class RumourSchema(Schema):
    """A reviewed rumour: its staff-written statement, never a caller's words."""

    id = fields.Integer()
    canonical_statement = fields.String()
    statement_translations = fields.Dict(keys=fields.String(), values=fields.String())
    category = fields.String()
    code = fields.String(allow_none=True)
    verification = fields.String()
    risk = fields.String()
    report_count = fields.Integer()
    first_seen_at = fields.DateTime(allow_none=True)
    last_seen_at = fields.DateTime(allow_none=True)


class RumourListSchema(Schema):
    rumours = fields.List(fields.Nested(RumourSchema))
    limit = fields.Integer()
    offset = fields.Integer()


class RangeQuerySchema(Schema):
    """``from`` and ``to`` only (GET /api/v1/attribution), widened to whole ISO weeks like every trends range."""

    date_from = fields.Date(required=True, data_key="from", validate=PLAUSIBLE_DATE,
                            metadata={"description": "first day (YYYY-MM-DD); widened to its week's Monday"})
    date_to = fields.Date(required=True, data_key="to", validate=PLAUSIBLE_DATE,
                          metadata={"description": "last day, inclusive; widened to its week's Sunday"})

    @validates_schema
    def order(self, data: dict[str, Any], **_: Any) -> None:
        check_range(data)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Any:
        return snap_to_weeks(data)


class AttributionRowSchema(Schema):
    week = fields.String()
    country = fields.String(allow_none=True)
    heard_via = fields.String()
    count = fields.Integer(allow_none=True, metadata={"description": "null when suppressed"})


class AttributionSchema(Schema):
    min_cell_count = fields.Integer()
    rows = fields.List(fields.Nested(AttributionRowSchema))


class PeriodSchema(Schema):
    first = fields.Date(metadata={"description": "a Monday: periods are whole ISO weeks"})
    last = fields.Date(metadata={"description": "a Sunday"})
    reports = fields.Integer(allow_none=True, metadata={"description": "null when suppressed (under k)"})
    per_week = fields.Float(allow_none=True, metadata={"description": "null when suppressed"})


class CampaignEvaluationSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    target_categories = fields.List(fields.String())
    languages = fields.List(fields.String())
    regions = fields.List(fields.Dict())
    before = fields.Nested(PeriodSchema)
    during = fields.Nested(PeriodSchema)
    after = fields.Nested(PeriodSchema, allow_none=True)
    change_percent = fields.Integer(allow_none=True, metadata={"description": "null when a count it needs is hidden"})
    p_value = fields.Float(allow_none=True, metadata={"description": "null when a count it needs is hidden"})
    summary = fields.String()


class CampaignListSchema(Schema):
    min_cell_count = fields.Integer(metadata={"description": "counts under this are published as null"})
    campaigns = fields.List(fields.Nested(CampaignEvaluationSchema))


class ErrorBodySchema(Schema):
    status = fields.Integer()
    title = fields.String()
    detail = fields.String()
    request_id = fields.String(allow_none=True)
    fields_ = fields.Dict(data_key="fields")


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema)


__all__ = ["ExportQuerySchema", "TrendQuerySchema"]
