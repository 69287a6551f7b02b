"""GET /api/v1/region/feed: this deployment's signed regional feed, for peers holding a `peer` token."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from hotline.api.auth import peer_token_required
from hotline.api.errors import ApiError, error_response, invalid_parameters
from hotline.db import utcnow, writes
from hotline.extensions import db
from hotline.region.keys import key_path, load_or_create_key
from hotline.region.publish import signed_feed
from hotline.region.schemas import FeedQuerySchema
from hotline.trends.config import confirmed_match_score, trends_config
from hotline.web.ratelimit import limit_api

bp = Blueprint("region", __name__, url_prefix="/api/v1/region")
bp.register_error_handler(ApiError, error_response)
limit_api(bp)


@bp.get("/feed")
@writes  # the first request after a week closes stores that week's table, once
@peer_token_required
def feed() -> ResponseReturnValue:
    """Closed weeks after ``since`` (suppressed), reviewed rumours and shareable counter-messages, signed."""
    try:
        feed_request = FeedQuerySchema().load(request.args.to_dict(), unknown="exclude")
    except ValidationError as exc:
        raise invalid_parameters(exc.messages) from None
    instance = Path(current_app.config["HOTLINE"].instance_path)
    if not key_path(instance).exists():
        raise ApiError(503, "This deployment has no regional signing key yet: run `hotline region key`.")
    key, _ = load_or_create_key(instance)
    envelope = signed_feed(db.session(), feed_request, utcnow(), trends_config().min_cell_count,
                           confirmed_match_score(), key)
    return jsonify(envelope)
