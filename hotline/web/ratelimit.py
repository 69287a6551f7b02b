"""Rate limits where a stranger can knock: staff and focal-point sign-in, refused webhooks, the API.

Each limit is a Flask-Limiter declaration whose value is a setting (read per request, so each app has its own) and
whose key says who is counted: the client's address, the account being signed into, or the API token. Accounts and
tokens are keyed by an HMAC under the app's secret key, so the counters (in Redis, shared by every host, or in
memory) hold no e-mail address or token. Most limits count only refused requests (``deduct_when``): people and
Twilio using the service normally never meet them, and an office behind one address is not throttled by its own
successful sign-ins. A throttled request gets 429 with Retry-After, a short translated page or JSON, and for
webhooks a plain-text 429 (no TwiML); what is logged is the endpoint and the limit, never the key.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import time
from collections.abc import Callable
from typing import TypeVar, cast

from flask import Blueprint, Flask, Response, current_app, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded, RouteLimit
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline.digits import digits_only
from hotline.extensions import limiter
from hotline.web.errors import handle_http_error

log = logging.getLogger("hotline.ratelimit")
F = TypeVar("F", bound=Callable[..., ResponseReturnValue])
TOTP_PENDING = "totp_pending"  # hotline.auth.totp.PENDING: who is half signed in (imported there, so not from it)


def init_rate_limits(app: Flask) -> None:
    """Trust ``proxy_hops`` proxies for the client address, and bind the limiter (Redis or memory) to ``app``."""
    settings = app.config["HOTLINE"]
    if settings.public_url and not settings.proxy_hops and settings.ratelimit_enabled:
        log.warning("HOTLINE_PUBLIC_URL is set but HOTLINE_PROXY_HOPS is 0: behind a proxy, rate limits would count "
                    "every client as the proxy's address")
    if settings.proxy_hops:
        # Only X-Forwarded-For: the URL Twilio signed is rebuilt from HOTLINE_PUBLIC_URL, not from proxy headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops)  # type: ignore[method-assign]
    redis = settings.redis_url
    app.config.update(
        RATELIMIT_ENABLED=settings.ratelimit_enabled,
        RATELIMIT_STORAGE_URI=redis or "memory://",
        # Short socket timeouts: a slow Redis must not eat Twilio's 15 s; on errors the limiter falls back to memory.
        RATELIMIT_STORAGE_OPTIONS={"key_prefix": settings.ratelimit_key_prefix, "socket_timeout": 1,
                                   "socket_connect_timeout": 1} if redis else {},
    )
    limiter.init_app(app)
    # init_app made a fresh storage: forget that an earlier app's storage was unreachable (several apps share the
    # one limiter object in a process that builds more than one, as the tests do).
    limiter._storage_dead = False
    # Flask-Limiter logs each breach with its key (an address, a digest): ours says the endpoint and limit only.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    app.register_error_handler(RateLimitExceeded, too_many_requests)


def limiter_middleware() -> Callable[[], None]:
    """The limiter's app-wide before-request pass. It evaluates default and blueprint limits (the API's); a view's
    own limits it leaves to the view's decorator, which evaluates them whether or not this pass ran."""
    check: Callable[[], None] = limiter._check_request_limit
    return check


@limiter.request_filter
def _off_for_this_request() -> bool:
    """Flask-Limiter keeps "enabled" on its one (process-wide) object: each app's own setting decides here."""
    return not current_app.config["HOTLINE"].ratelimit_enabled


def too_many_requests(exc: RateLimitExceeded) -> ResponseReturnValue:
    """429 with Retry-After: plain text for Twilio, the translated error page or JSON for everyone else."""
    log.warning("rate limit reached", extra={"endpoint": request.endpoint, "limit": str(exc.limit.limit)})
    if request.path.startswith("/twilio/"):
        response = Response("Too Many Requests\n", status=429, mimetype="text/plain")
    else:
        response = make_response(handle_http_error(exc))
    response.headers["Retry-After"] = str(_retry_after(exc))
    return response


def _retry_after(exc: RateLimitExceeded) -> int:
    """Seconds until the breached limit lets a request through again (its whole window if the store cannot say)."""
    breached = limiter.current_limit
    try:
        if breached is not None:
            return max(1, int(breached.reset_at - time.time()))
    except Exception:  # a storage error here must not turn the 429 into a 500
        log.warning("rate limit storage did not say when the limit resets")
    return max(1, int(exc.limit.limit.get_expiry()))


# --- keys: who is counted ---------------------------------------------------------------------------------------

def client_address() -> str:
    """The client's address (after ProxyFix); IPv6 by its /64, which one subscriber usually holds whole."""
    raw = request.remote_addr or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def _digest(kind: str, value: str) -> str:
    secret = current_app.config["HOTLINE"].secret_key.encode()
    return f"{kind}-" + hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def login_account() -> str:
    """The e-mail address a sign-in names (as typed, case and spaces aside), as a keyed digest."""
    return _digest("email", request.form.get("email", "").strip().casefold())


def pending_account() -> str:
    """The half-signed-in user at the code step (anyone else is sent back to the password form, uncounted)."""
    pending = session.get(TOTP_PENDING)
    user_id = pending.get("uid") if isinstance(pending, dict) else None
    return f"user-{user_id}" if isinstance(user_id, int) else "user-none"


def focal_point_number() -> str:
    """The focal point number a PIN sign-in names, read as the sign-in reads it (any script's digits, spaces and
    dashes dropped), so one number is one counter however it is typed; anything else is counted together."""
    number = digits_only(request.form.get("number", "").strip()[:40])
    return f"fp-{number}" if number and len(number) <= 12 else "fp-invalid"


def everyone() -> str:
    """One counter for all clients: a ceiling however many addresses an attacker has."""
    return "all"


def api_token() -> str:
    """The bearer token of an API request, as a keyed digest ("" without one: that limit is then skipped)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return _digest("token", token.strip()) if scheme.lower() == "bearer" and token.strip() else ""


def _no_api_token() -> bool:
    return not api_token()


# --- limits -----------------------------------------------------------------------------------------------------

def _setting(name: str) -> Callable[[], str]:
    def value() -> str:
        limit: str = getattr(current_app.config["HOTLINE"], name)
        return limit
    return value


def _refused(*statuses: int) -> Callable[[Response], bool]:
    def counted(response: Response) -> bool:
        return response.status_code in statuses
    return counted


def _all_of(*limits: RouteLimit) -> Callable[[F], F]:
    """Several limits as one decorator (the innermost one checks them all, before the view runs)."""
    def decorate(view: F) -> F:
        limited: Callable[..., ResponseReturnValue] = view
        for limit in reversed(limits):
            limited = limit(limited)
        return cast(F, limited)
    return decorate


_POST = ["POST"]
staff_sign_in_limits = _all_of(
    limiter.limit(_setting("ratelimit_login"), key_func=client_address, methods=_POST, deduct_when=_refused(401)),
    limiter.limit(_setting("ratelimit_login_account"), key_func=login_account, methods=_POST,
                  deduct_when=_refused(401)),
)
"""/console/login: refused sign-ins per address and per e-mail."""

second_step_limits = _all_of(
    limiter.limit(_setting("ratelimit_login"), key_func=client_address, methods=_POST, deduct_when=_refused(401)),
    limiter.limit(_setting("ratelimit_login_account"), key_func=pending_account, methods=_POST,
                  deduct_when=_refused(401)),
)
"""/console/login/code: wrong codes per address and per user."""

_field_address = limiter.shared_limit(_setting("ratelimit_field_sign_in"), scope="field-sign-in",
                                      key_func=client_address, methods=_POST, deduct_when=_refused(401))
_field_overall = limiter.shared_limit(_setting("ratelimit_field_overall"), scope="field-sign-in-all",
                                      key_func=everyone, methods=_POST, deduct_when=_refused(401))
field_pin_limits = _all_of(
    _field_address, _field_overall,
    limiter.limit(_setting("ratelimit_field_account"), key_func=focal_point_number, methods=_POST,
                  deduct_when=_refused(401)),
)
"""/field/sign-in: refused PINs per address, per focal point number, and for everyone together."""

field_link_limits = _all_of(_field_address, _field_overall)
"""/field/link/<token>: refused links, counted with the PIN sign-ins (per address, everyone together)."""


def refused_webhook_limit() -> RouteLimit:
    """Webhooks refused for their signature (403), per address, over every /twilio/ endpoint together.

    It decorates the refusal only (``twilio_webhook``): a request Twilio signed never meets it, so Twilio's own
    requests pass however many forged ones came from the same address (or through the same proxy).
    """
    return limiter.shared_limit(_setting("ratelimit_webhook_refused"), scope="twilio-refused",
                                key_func=client_address, deduct_when=_refused(403))


def limit_api(bp: Blueprint) -> None:
    """Every /api/v1 request per token and per address, and requests refused with 401 per address."""
    limiter.shared_limit(_setting("ratelimit_api"), scope="api-token", key_func=api_token,
                         exempt_when=_no_api_token)(bp)
    limiter.shared_limit(_setting("ratelimit_api"), scope="api-address", key_func=client_address)(bp)
    limiter.shared_limit(_setting("ratelimit_api_refused"), scope="api-refused", key_func=client_address,
                         deduct_when=_refused(401))(bp)
