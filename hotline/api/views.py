"""/api/v1 views: parse parameters, call one service, dump with a schema."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from hotline.api import schemas
from hotline.api.auth import READ_TRENDS, token_required
from hotline.api.errors import ApiError, error_response, invalid_parameters
from hotline.api.openapi import openapi_document
from hotline.exports.writers import CONTENT_TYPES, csv_chunks, json_chunks, write_xlsx
from hotline.extensions import db
from hotline.trends.campaigns import attribution, evaluate_campaigns
from hotline.trends.config import trends_config
from hotline.trends.present import campaign_body, rise_body
from hotline.trends.queries import reviewed_rumours
from hotline.trends.service import TrendSummary, export_records, trend_summary
from hotline.trends.weeks import week_label
from hotline.web.ratelimit import limit_api

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.register_error_handler(ApiError, error_response)
limit_api(bp)  # per token, per address; refused (401) requests per address


def _load(schema: Schema) -> Any:
    try:
        return schema.load({key: value for key, value in request.args.items() if value != ""}, unknown="exclude")
    except ValidationError as exc:
        raise invalid_parameters(exc.messages) from None


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3 document of this API."""
    return jsonify(openapi_document())


@bp.get("/trends")
@token_required(*READ_TRENDS)
def trends() -> ResponseReturnValue:
    """Weekly counts by one dimension, small cells suppressed, and this range's unusual rises."""
    filters, group_by = _load(schemas.TrendsQuerySchema())
    summary = trend_summary(db.session(), filters, group_by)
    return jsonify(schemas.TrendsResponseSchema().dump(_summary_body(summary, group_by)))


def _summary_body(summary: TrendSummary, group_by: str) -> dict[str, Any]:
    weeks = trends_config().rising.recent_weeks
    return {
        "group_by": group_by, "date_from": summary.filters.date_from, "date_to": summary.filters.date_to,
        "min_cell_count": summary.k, "points": summary.series.points,
        "totals": [{"week": week_label(w), "week_start": w, "total": t} for w, t in summary.series.totals.items()],
        "rising_rumours": [rise_body(r, weeks) for r in summary.rising_rumours],
        "rising_categories": [rise_body(r, weeks) for r in summary.rising_categories],
    }


@bp.get("/rumours")
@token_required(*READ_TRENDS)
def rumours() -> ResponseReturnValue:
    """Reviewed rumours, newest activity first; candidates (made from caller text) are never listed."""
    query = _load(schemas.RumoursQuerySchema())
    found = reviewed_rumours(db.session(), query["category"], query["limit"], query["offset"])
    return jsonify(schemas.RumourListSchema().dump({"rumours": found, "limit": query["limit"],
                                                    "offset": query["offset"]}))


@bp.get("/attribution")
@token_required(*READ_TRENDS)
def attribution_view() -> ResponseReturnValue:
    """How callers heard about the hotline, by week and country, small cells suppressed."""
    query = _load(schemas.RangeQuerySchema())
    k = trends_config().min_cell_count
    rows = attribution(db.session(), query["date_from"], query["date_to"], k)
    return jsonify(schemas.AttributionSchema().dump({"min_cell_count": k, "rows": rows}))


@bp.get("/campaigns")
@token_required(*READ_TRENDS)
def campaigns() -> ResponseReturnValue:
    """Every started campaign, evaluated."""
    results = evaluate_campaigns(db.session(), date.today(), trends_config().min_cell_count)
    return jsonify(schemas.CampaignListSchema().dump({"min_cell_count": trends_config().min_cell_count,
                                                      "campaigns": [campaign_body(r) for r in results]}))


@bp.get("/exports/trends")
@token_required(*READ_TRENDS)
def export_trends() -> ResponseReturnValue:
    """The trends export, streamed (CSV and JSON as they are produced; XLSX from a constant-memory temp file)."""
    query = _load(schemas.ExportQuerySchema())
    filters, fmt = query.filters, query.format
    name = f"hotline-trends-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"}
    meta = {"from": filters.date_from.isoformat(), "to": filters.date_to.isoformat(),
            "generated": date.today().isoformat()}

    def body(session: Session) -> Iterator[Any]:
        records = export_records(session, filters)
        if fmt == "xlsx":
            return _xlsx_stream(records)
        return json_chunks(records, meta) if fmt == "json" else csv_chunks(records)

    # The body is read after this request (and its session) ended: it gets a read-only session of its own, closed
    # when the stream ends or the client goes away. It needs no request context, so none is kept alive for it.
    return Response(db.stream(body), mimetype=CONTENT_TYPES[fmt].split(";")[0],
                    content_type=CONTENT_TYPES[fmt], headers=headers)


def _xlsx_stream(records: Iterator[Any]) -> Iterator[bytes]:
    """XLSX is a zip with its directory at the end: write it to a temporary file, then stream that file."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(path, records)
        with open(path, "rb") as source:
            while chunk := source.read(64 * 1024):
                yield chunk
    finally:
        os.unlink(path)
