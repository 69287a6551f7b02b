"""Security headers on every response, set in one place (console, /field, home, errors, health, webhooks, API).

A view that needs a stricter policy sets its own header first (media served with ``sandbox``, SVG charts): these
are defaults (``setdefault``), never overrides. The microphone is allowed only on pages marked ``uses_microphone``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request
from flask.wrappers import Response

# No 'unsafe-inline' anywhere: templates use no inline scripts, event handlers or style attributes.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The operators' softphone page only: Twilio's Voice SDK signals over wss://voice-js.<edge>.twilio.com, reports call
# quality to eventgw.twilio.com, and fetches its ring and hang-up sounds from sdk.twilio.com.
SOFTPHONE_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "default-src 'self';",
    "default-src 'self'; connect-src 'self' wss://*.twilio.com https://eventgw.twilio.com https://sdk.twilio.com;",
).replace("media-src 'self';", "media-src 'self' https://sdk.twilio.com blob:;")
# Pages that record (the prompt studio, spoken replies on a report, a field voice note): the take just recorded plays
# from a blob: URL before it is uploaded.
RECORDER_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("media-src 'self';", "media-src 'self' blob:;")
PERMISSIONS_POLICY = "camera=(), geolocation=(), microphone=(), payment=(), usb=(), interest-cohort=()"
MICROPHONE_POLICY = "camera=(), geolocation=(), microphone=(self), payment=(), usb=(), interest-cohort=()"
# A year; only in production, where the app is reached over HTTPS (HOTLINE_PUBLIC_URL). Not includeSubDomains:
# other hosts of the organisation's domain are not ours to pin.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
# Pages that show caller text must not sit in shared or back-button caches.
NO_STORE_PREFIXES = ("/console",)

View = TypeVar("View", bound=Callable[..., object])


def uses_microphone(view: View) -> View:
    """Mark a view whose page may record from the microphone (Permissions-Policy ``microphone=(self)``)."""
    view.hotline_microphone = True  # type: ignore[attr-defined]
    return view


def _wants_microphone() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "hotline_microphone", False))


_ALWAYS = tuple((name, name.lower(), value) for name, value in (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"), ("Cross-Origin-Opener-Policy", "same-origin"),
))


def security_headers(response: Response) -> Response:
    """after_request: the policy and hardening headers, on every response (error pages included)."""
    headers = response.headers
    # One pass over what the view set: Headers.setdefault searches them all again for every default.
    present = {name.lower() for name, _ in headers.items()}
    for name, lowered, value in _ALWAYS:
        if lowered not in present:
            headers.add(name, value)
    if "permissions-policy" not in present:
        headers.add("Permissions-Policy", MICROPHONE_POLICY if _wants_microphone() else PERMISSIONS_POLICY)
    if current_app.config["HOTLINE"].production and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if (response.mimetype == "text/html" and request.path.startswith(NO_STORE_PREFIXES)
            and "cache-control" not in present):
        headers.add("Cache-Control", "no-store")
    return response


def init_security(app: Flask) -> None:
    """Install the headers for every response of ``app``."""
    app.after_request(security_headers)
