"""Twilio webhook signatures (twilio's RequestValidator), checked before anything is parsed or stored."""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from flask import abort, current_app, request
from twilio.request_validator import HMAC_SHA1, HMAC_SHA256, RequestValidator, get_signature_algorithm

from hotline.web.ratelimit import refused_webhook_limit

log = logging.getLogger("hotline.twilio")
F = TypeVar("F", bound=Callable[..., Any])
SIGNATURE_HEADER = "X-Twilio-Signature"
SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
_ALGORITHMS = frozenset({HMAC_SHA1, HMAC_SHA256})


def public_request_url(url: str, public_url: str | None) -> str:
    """The URL Twilio signed: behind a TLS-terminating proxy, the configured public base replaces ours."""
    if not public_url:
        return url
    ours, theirs = urlsplit(url), urlsplit(public_url)
    path = theirs.path.rstrip("/") + ours.path
    return urlunsplit((theirs.scheme, theirs.netloc, path, ours.query, ""))


def is_valid_signature(auth_token: str, url: str, form: Any, signature: str | None, settings: str | None) -> bool:
    """True when ``signature`` is Twilio's signature of ``url`` and ``form`` under ``auth_token``."""
    if not signature:
        return False
    validator = RequestValidator(auth_token)
    algorithm = get_signature_algorithm(settings)
    # Twilio signs the URL it requested, which is almost always the one we were asked for: one HMAC settles it.
    # ``validate`` computes two every time (with and without the default port), a measurable part of a webhook.
    if algorithm.upper() in _ALGORITHMS and hmac.compare_digest(
            validator.compute_signature(url, form, algorithm).encode(), signature.encode()):
        return True
    return bool(validator.validate(url, form, signature, algorithm))


def request_is_signed() -> bool:
    """Whether Twilio signed this request with our auth token."""
    settings = current_app.config["HOTLINE"]
    return is_valid_signature(settings.twilio_auth_token, public_request_url(request.url, settings.public_url),
                              request.form, request.headers.get(SIGNATURE_HEADER),
                              request.headers.get(SETTINGS_HEADER))


# Refusals (403) are counted per address; past the limit an unsigned request gets 429 instead.
_limit_refusals = refused_webhook_limit()


def twilio_webhook(view: F) -> F:
    """Reject with 403, storing nothing, any request that Twilio did not sign with our auth token."""

    @functools.wraps(view)
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        log.warning("rejected unsigned or mis-signed webhook", extra={"endpoint": request.endpoint})
        abort(403)

    # Only refusals meet the limiter: a signed request (Twilio's) goes straight to the view, never throttled and
    # without the limiter's per-request bookkeeping.
    limited_refusal = _limit_refusals(refuse)

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if request_is_signed():
            return view(*args, **kwargs)
        return limited_refusal(*args, **kwargs)

    return checked  # type: ignore[return-value]
