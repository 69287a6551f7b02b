"""marshmallow schemas at the feed's boundaries: its query string, and a peer as `region peers add` takes it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from hotline.region.document import load_public_key
from hotline.region.publish import FeedRequest
from hotline.trends.weeks import parse_week, week_start

NONCE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


class FeedQuerySchema(Schema):
    """``?nonce=...&since=2026-W45`` (or the week's Monday, 2026-11-02); no since: from the first week."""

    nonce = fields.String(required=True, validate=validate.Regexp(NONCE, error="16 to 128 letters, digits, - or _"))
    since = fields.String(load_default=None)

    @validates("since")
    def _check_since(self, value: str | None, **_: Any) -> None:
        if value is not None:
            _monday(value)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> FeedRequest:
        return FeedRequest(data["nonce"], _monday(data["since"]) if data["since"] else None)


def _monday(value: str) -> date:
    try:
        return parse_week(value) if "W" in value else week_start(date.fromisoformat(value))
    except ValueError as exc:
        raise ValidationError(f"an ISO week (2026-W45) or a date (YYYY-MM-DD): {exc}") from None


class PeerSchema(Schema):
    """A peer deployment: a short name, its feed URL (https, or http on loopback), its public key, our token."""

    name = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,63}$",
                                                                 error="lower-case letters, digits, - and _"))
    url = fields.String(required=True, validate=validate.Length(max=500))
    public_key = fields.String(required=True)
    token = fields.String(required=True, validate=validate.Length(min=8, max=200))

    @validates("url")
    def _check_url(self, value: str, **_: Any) -> None:
        parts = urlsplit(value)
        loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise ValidationError("the feed URL must be https (http only on loopback)")
        if not parts.path.endswith("/api/v1/region/feed"):
            raise ValidationError("the feed URL ends with /api/v1/region/feed")

    @validates("public_key")
    def _check_key(self, value: str, **_: Any) -> None:
        try:
            load_public_key(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class PeerRumourSchema(Schema):
    """A reviewed rumour as a peer's feed carries it."""

    id = fields.Integer(required=True, strict=True)
    category = fields.String(required=True, validate=validate.Length(min=1, max=32))
    code = fields.String(load_default=None, allow_none=True)
    statement = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    translations = fields.Dict(keys=fields.String(validate=validate.Length(max=8)),
                               values=fields.String(validate=validate.Length(max=5000)), load_default=dict)
    verification = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))


class PeerMessageSchema(Schema):
    """A shareable counter-message as a peer's feed carries it."""

    id = fields.Integer(required=True, strict=True)
    rumour_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    category = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    language = fields.String(required=True, validate=validate.Length(min=2, max=8))
    title = fields.String(required=True, validate=validate.Length(max=200))
    body = fields.String(required=True, validate=validate.Length(max=20000))
    source = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    # Added later: a peer from before sends none. Only an https recording (what Twilio can fetch) is taken.
    audio_url = fields.String(load_default=None, allow_none=True,
                              validate=[validate.Length(max=512), validate.Regexp(r"^https://\S+$")])
