"""The OpenAPI document of /api/v1, built with apispec from the same marshmallow schemas the views use."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from hotline.api import region_schemas, schemas

_ERRORS = {
    "400": {"description": "A parameter is invalid; the message names it", "content": {
        "application/json": {"schema": "Error"}}},
    "401": {"description": "Missing, unknown, revoked or expired token", "content": {
        "application/json": {"schema": "Error"}}},
    "403": {"description": "The token's user may not read this", "content": {
        "application/json": {"schema": "Error"}}},
}


def _get(summary: str, query: type, ok: dict[str, Any]) -> dict[str, Any]:
    return {"get": {"summary": summary, "security": [{"bearer": []}],
                    "parameters": [{"in": "query", "schema": query}],
                    "responses": {"200": ok, **_ERRORS}}}


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The document as a dict (built once)."""
    spec = APISpec(title="Hotline API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "Rumour trends and exports for campaign teams. Aggregates only: "
                                        "small cells are suppressed and no caller text is ever returned. "
                                        "Ranges are counted in whole ISO weeks: from/to are widened to the Monday "
                                        "and Sunday of their weeks (the response says which), and a range longer "
                                        "than the configured cap (156 weeks by default) is a 400."},
                   servers=[{"url": "/api/v1"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=schemas.ErrorSchema)
    spec.components.schema("Trends", schema=schemas.TrendsResponseSchema)
    spec.components.schema("RumourList", schema=schemas.RumourListSchema)
    spec.path(path="/trends", operations=_get(
        "Weekly counts by one dimension (suppressed) and unusual rises", schemas.TrendsQuerySchema,
        {"description": "Trends", "content": {"application/json": {"schema": "Trends"}}}))
    spec.path(path="/rumours", operations=_get(
        "Reviewed rumours (staff-written statements only)", schemas.RumoursQuerySchema,
        {"description": "Rumours", "content": {"application/json": {"schema": "RumourList"}}}))
    spec.components.schema("Attribution", schema=schemas.AttributionSchema)
    spec.components.schema("CampaignList", schema=schemas.CampaignListSchema)
    spec.path(path="/attribution", operations=_get(
        "How callers heard about the hotline, by ISO week and country (suppressed)", schemas.RangeQuerySchema,
        {"description": "Attribution", "content": {"application/json": {"schema": "Attribution"}}}))
    spec.path(path="/campaigns", operations={"get": {
        "summary": "Each started campaign: its target categories' volumes before, during and after, tested",
        "security": [{"bearer": []}], "responses": {"200": {"description": "Campaigns", "content": {
            "application/json": {"schema": "CampaignList"}}}, "401": _ERRORS["401"], "403": _ERRORS["403"]}}})
    spec.path(path="/exports/trends", operations=_get(
        "Counts by ISO week x country x admin1 x language x channel x type x category x reviewed rumour, "
        "as CSV or XLSX (with an HXL hashtag row) or JSON, streamed", schemas.ExportQuerySchema,
        {"description": "The export", "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "object"}}}}))
    _region_paths(spec)
    return spec.to_dict()


def _region_paths(spec: APISpec) -> None:
    spec.components.schema("RegionFeed", schema=region_schemas.FeedEnvelopeSchema)
    spec.components.schema("CrossBorder", schema=region_schemas.CrossBorderSchema)
    feed = _get("This deployment's signed regional feed for a peer deployment: closed weeks after since "
                "(suppressed, frozen once published), reviewed rumours, shareable counter-messages. Needs a token "
                "of scope 'peer'.", region_schemas.FeedQueryDocSchema,
                {"description": "The signed envelope", "content": {"application/json": {"schema": "RegionFeed"}}})
    feed["get"]["responses"]["503"] = {"description": "No signing key yet (`hotline region key`)", "content": {
        "application/json": {"schema": "Error"}}}
    spec.path(path="/region/feed", operations=feed)
    spec.path(path="/region/paths", operations=_get(
        "Rumours confirmed as the same claim in peer countries: the path across countries by ISO week, and early "
        "warnings of rumours rising upstream on a configured route; from published (suppressed) weeks only",
        region_schemas.PathQuerySchema,
        {"description": "Cross-border rumours", "content": {"application/json": {"schema": "CrossBorder"}}}))
