"""Marshmallow schemas of the regional endpoints (/api/v1/region/...), for their views and the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class FeedQueryDocSchema(Schema):
    """Parameters of GET /api/v1/region/feed (the view validates them with hotline.region.schemas)."""

    nonce = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{16,128}$"),
                          metadata={"description": "16 to 128 letters, digits, - or _: echoed in the signed document"})
    since = fields.String(load_default=None, metadata={
        "description": "the last week already stored (2026-W45, or its Monday): only later weeks are sent"})


class FeedColumnSchema(Schema):
    name = fields.String()
    hxl = fields.String()


class FeedWeekSchema(Schema):
    week = fields.String(metadata={"description": "ISO week, e.g. 2026-W48"})
    week_start = fields.Date()
    min_cell_count = fields.Integer(metadata={"description": "the threshold the week was suppressed with"})
    rows = fields.List(fields.List(fields.Raw()), metadata={"description": "rows in the order of columns"})


class FeedDocumentSchema(Schema):
    format = fields.String(metadata={"description": "hotline-region-feed/1"})
    nonce = fields.String()
    issued_at = fields.DateTime()
    since = fields.Date(allow_none=True)
    through = fields.Date(allow_none=True)
    more = fields.Boolean(metadata={"description": "more weeks wait: pull again with since=through"})
    min_cell_count = fields.Integer()
    columns = fields.List(fields.Nested(FeedColumnSchema))
    weeks = fields.List(fields.Nested(FeedWeekSchema))
    rumours = fields.List(fields.Dict(), metadata={"description": "reviewed rumours: id, category, code, "
                                                                  "statement, translations, verification"})
    messages = fields.List(fields.Dict(), metadata={"description": "approved counter-messages marked shareable"})


class FeedEnvelopeSchema(Schema):
    """The signed feed: Ed25519 over the canonical JSON (sorted keys, no spaces, UTF-8) of ``document``."""

    document = fields.Nested(FeedDocumentSchema)
    signature = fields.String(metadata={"description": "base64 Ed25519 signature"})


class PathQuerySchema(Schema):
    """Parameters of GET /api/v1/region/paths."""

    language = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z]{2,3}$"), metadata={
        "description": "give statements in this language where a translation exists"})


class PathStepSchema(Schema):
    country = fields.String(metadata={"description": "ISO 3166 alpha-2"})
    first_week = fields.String(metadata={"description": "ISO week it was first published in that country"})
    first_week_start = fields.Date()
    weeks = fields.Integer(metadata={"description": "weeks with a published count there"})
    reports = fields.Integer(metadata={"description": "sum of the published (never suppressed) counts there"})


class RumourPathSchema(Schema):
    rumour_id = fields.Integer()
    statement = fields.String()
    steps = fields.List(fields.Nested(PathStepSchema))


class RouteRefSchema(Schema):
    id = fields.String()
    name = fields.String()
    countries = fields.List(fields.String())


class EarlyWarningSchema(Schema):
    peer = fields.String(metadata={"description": "the deployment whose published week shows the rise"})
    statement = fields.String(metadata={"description": "the peer's reviewed statement"})
    rumour_id = fields.Integer(allow_none=True, metadata={"description": "the local rumour it is linked to"})
    country = fields.String()
    week = fields.String()
    week_start = fields.Date()
    count = fields.Integer(metadata={"description": "published reports that week (never under k)"})
    expected = fields.Float()
    change_percent = fields.Integer()
    p_value = fields.Float()
    routes = fields.List(fields.Nested(RouteRefSchema))


class CrossBorderSchema(Schema):
    """GET /api/v1/region/paths: confirmed cross-border rumours' paths and early warnings, published data only."""

    through = fields.String(metadata={"description": "the newest ISO week that may be published"})
    through_start = fields.Date()
    home = fields.List(fields.String(), metadata={"description": "this deployment's countries"})
    min_cell_count = fields.Integer()
    paths = fields.List(fields.Nested(RumourPathSchema))
    early_warnings = fields.List(fields.Nested(EarlyWarningSchema))
