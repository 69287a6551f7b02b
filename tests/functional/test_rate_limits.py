"""Rate limits (issue 17, finding 9): each place a stranger can knock answers 429 with Retry-After past its limit.

The suite's apps run without limits (tests/conftest.py); each test here builds an app with limits on, set low, on
its own SQLite file, and knocks from chosen client addresses (REMOTE_ADDR).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from hotline.auth.service import create_api_token
from hotline.auth.totp import seal_secret
from hotline.context import runtime
from hotline.extensions import db
from tests.factories import STAFF_PASSWORD, csrf_token_in, make_staff, sign, signed_post

REDIS_URL = "redis://127.0.0.1:6379/0"
LOW_LIMITS = {
    "HOTLINE_RATELIMIT_ENABLED": True,
    "HOTLINE_RATELIMIT_LOGIN": "3 per minute",
    "HOTLINE_RATELIMIT_LOGIN_ACCOUNT": "2 per minute",
    "HOTLINE_RATELIMIT_FIELD_SIGN_IN": "3 per minute",
    "HOTLINE_RATELIMIT_FIELD_ACCOUNT": "2 per minute",
    "HOTLINE_RATELIMIT_FIELD_OVERALL": "5 per minute",
    "HOTLINE_RATELIMIT_WEBHOOK_REFUSED": "3 per minute",
    "HOTLINE_RATELIMIT_API": "3 per minute",
    "HOTLINE_RATELIMIT_API_REFUSED": "2 per minute",
}


@pytest.fixture()
def limited(make_app: Callable[..., Flask], tmp_path: Path) -> Callable[..., Flask]:
    """Build an app with low limits (``overrides`` on top) on a migrated SQLite file of its own."""
    from hotline.migrate import upgrade

    def make(**overrides: object) -> Flask:
        url = f"sqlite:///{tmp_path / f'limits-{uuid.uuid4().hex[:8]}.sqlite3'}"
        upgrade(url)
        return make_app(database_url=url, **{**LOW_LIMITS, **overrides})

    return make


def from_address(app: Flask, address: str) -> FlaskClient:
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


WRONG_PASSWORD = "not the password at all"


def try_password(app: Flask, address: str, email: str, password: str = WRONG_PASSWORD) -> Any:
    client = from_address(app, address)
    token = csrf_token_in(client.get("/console/login").get_data(as_text=True))
    return client.post("/console/login", data={"email": email, "password": password, "csrf_token": token})


def assert_throttled(response: Any, text: str | None = "Too many requests") -> None:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    if text is not None:
        assert text in response.get_data(as_text=True)


def staff(app: Flask, role: str = "operator", totp_secret: str | None = None) -> str:
    """A committed staff user's e-mail address (with a TOTP secret when given)."""
    with app.app_context():
        user = make_staff(db.session, role)
        db.session.flush()
        if totp_secret:
            user.totp_secret = seal_secret(runtime(app).keys, totp_secret, user.id)
        db.session.commit()
        return str(user.email)


# --- staff sign-in ----------------------------------------------------------------------------------------------

def test_staff_sign_in_is_limited_per_address(limited: Callable[..., Flask]) -> None:
    app = limited()
    for attempt in range(3):  # a different account each time: only the address limit (3) can trip
        assert try_password(app, "203.0.113.5", f"nobody-{attempt}@hotline.test").status_code == 401
    throttled = try_password(app, "203.0.113.5", "nobody-3@hotline.test")
    assert_throttled(throttled)
    assert "Wrong e-mail address or password" not in throttled.get_data(as_text=True)
    assert from_address(app, "203.0.113.5").get("/console/login").status_code == 200  # the form itself is not limited
    assert try_password(app, "203.0.113.6", "nobody-4@hotline.test").status_code == 401  # another address


def test_successful_sign_ins_are_not_counted(limited: Callable[..., Flask]) -> None:
    app = limited()
    email = staff(app)
    for _ in range(5):  # more than either limit, from one address, for one account
        assert try_password(app, "203.0.113.7", email, STAFF_PASSWORD).status_code == 302


def test_staff_sign_in_is_limited_per_account_from_any_address(limited: Callable[..., Flask]) -> None:
    app = limited()
    email = staff(app)
    assert try_password(app, "198.51.100.1", email).status_code == 401
    assert try_password(app, "198.51.100.2", email.upper()).status_code == 401  # the same account, however typed
    assert_throttled(try_password(app, "198.51.100.3", email, STAFF_PASSWORD))  # even the right password waits
    assert try_password(app, "198.51.100.3", "someone-else@hotline.test").status_code == 401


def _half_signed_in(app: Flask, address: str, email: str) -> tuple[FlaskClient, str]:
    client = from_address(app, address)
    token = csrf_token_in(client.get("/console/login").get_data(as_text=True))
    answer = client.post("/console/login", data={"email": email, "password": STAFF_PASSWORD, "csrf_token": token})
    assert answer.headers["Location"].endswith("/console/login/code")
    return client, csrf_token_in(client.get("/console/login/code").get_data(as_text=True))


def test_the_code_step_is_limited_per_user(limited: Callable[..., Flask]) -> None:
    app = limited()
    secret = pyotp.random_base32()
    email = staff(app, "supervisor", totp_secret=secret)
    client, token = _half_signed_in(app, "192.0.2.10", email)
    for _ in range(2):
        assert client.post("/console/login/code", data={"csrf_token": token, "code": "000000"}).status_code == 401
    other, other_token = _half_signed_in(app, "192.0.2.11", email)  # the same user from elsewhere
    assert_throttled(other.post("/console/login/code", data={"csrf_token": other_token,
                                                             "code": pyotp.TOTP(secret).now()}))


def test_the_code_step_is_limited_per_address(limited: Callable[..., Flask]) -> None:
    app = limited()
    first = staff(app, "supervisor", totp_secret=pyotp.random_base32())
    second = staff(app, "admin", totp_secret=pyotp.random_base32())
    client, token = _half_signed_in(app, "192.0.2.20", first)
    for _ in range(2):
        assert client.post("/console/login/code", data={"csrf_token": token, "code": "000000"}).status_code == 401
    client, token = _half_signed_in(app, "192.0.2.20", second)
    assert client.post("/console/login/code", data={"csrf_token": token, "code": "000000"}).status_code == 401
    assert_throttled(client.post("/console/login/code", data={"csrf_token": token, "code": "000000"}))


# --- focal points -----------------------------------------------------------------------------------------------

def try_pin(app: Flask, address: str, number: str, pin: str = "000000") -> Any:
    client = from_address(app, address)
    token = csrf_token_in(client.get("/field/sign-in").get_data(as_text=True))
    return client.post("/field/sign-in", data={"number": number, "pin": pin, "csrf_token": token})


def try_link(app: Flask, address: str, link: str) -> Any:
    client = from_address(app, address)
    token = csrf_token_in(client.get(f"/field/link/{link}").get_data(as_text=True))
    return client.post(f"/field/link/{link}", data={"csrf_token": token})


def test_field_sign_in_is_limited_per_address_links_included(limited: Callable[..., Flask]) -> None:
    app = limited()
    assert try_pin(app, "203.0.113.20", "101").status_code == 401
    assert try_pin(app, "203.0.113.20", "102").status_code == 401
    assert try_link(app, "203.0.113.20", "a-link-that-was-never-issued").status_code == 401
    assert_throttled(try_pin(app, "203.0.113.20", "103"))
    assert_throttled(try_link(app, "203.0.113.20", "another-link"))
    assert try_pin(app, "203.0.113.21", "104").status_code == 401


def test_field_pin_is_limited_per_focal_point_from_any_address(limited: Callable[..., Flask]) -> None:
    app = limited()
    assert try_pin(app, "198.51.100.20", "48210937").status_code == 401
    assert try_pin(app, "198.51.100.21", "4821 0937").status_code == 401  # the same number, as the sign-in reads it
    assert_throttled(try_pin(app, "198.51.100.22", "۴۸۲۱-۰۹۳۷"))  # in Dari digits
    assert try_pin(app, "198.51.100.22", "48210938").status_code == 401


def test_field_sign_in_has_an_overall_ceiling(limited: Callable[..., Flask]) -> None:
    app = limited()
    for n in range(5):  # five addresses, five numbers: no address or number limit is reached
        assert try_pin(app, f"192.0.2.{30 + n}", str(200 + n)).status_code == 401
    assert_throttled(try_pin(app, "192.0.2.40", "300"))


# --- Twilio webhooks --------------------------------------------------------------------------------------------

STATUS = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}


def test_bad_signatures_are_limited_per_address_and_twilio_still_gets_through(limited: Callable[..., Flask]) -> None:
    app = limited()
    forger = from_address(app, "203.0.113.50")
    forged = {"X-Twilio-Signature": sign("http://localhost/twilio/sms", {"Body": "hi"}, "another-token")}
    for path in ("/twilio/sms", "/twilio/voice", "/twilio/fallback"):  # counted over every webhook together
        assert forger.post(path, data={"Body": "hi"}, headers=forged).status_code == 403
    throttled = forger.post("/twilio/sms/status", data=STATUS)
    assert_throttled(throttled, text=None)
    assert throttled.mimetype == "text/plain" and "<Response" not in throttled.get_data(as_text=True)
    assert signed_post(forger, "/twilio/sms/status", STATUS).status_code == 200  # Twilio, from the same address
    assert from_address(app, "203.0.113.51").post("/twilio/sms/status", data=STATUS).status_code == 403


# --- API --------------------------------------------------------------------------------------------------------

def api_token(app: Flask) -> str:
    with app.app_context():
        user = make_staff(db.session, "analyst")
        token = create_api_token(db.session, user.email, "test").token
        db.session.commit()
        return str(token)


def api_get(app: Flask, address: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return from_address(app, address).get("/api/v1/campaigns", headers=headers)


def test_api_refusals_are_limited_per_address(limited: Callable[..., Flask]) -> None:
    app = limited()
    assert api_get(app, "203.0.113.60").status_code == 401
    assert api_get(app, "203.0.113.60", "htl_not-a-token").status_code == 401
    throttled = api_get(app, "203.0.113.60")
    assert_throttled(throttled, text=None)
    assert throttled.get_json()["error"]["status"] == 429
    assert api_get(app, "203.0.113.61").status_code == 401


def test_the_api_is_limited_per_token_from_any_address(limited: Callable[..., Flask]) -> None:
    app = limited()
    token = api_token(app)
    for n in range(3):
        assert api_get(app, f"198.51.100.{60 + n}", token).status_code == 200
    assert_throttled(api_get(app, "198.51.100.63", token), text=None)
    assert api_get(app, "198.51.100.63", api_token(app)).status_code == 200  # another token, same address


def test_the_api_is_limited_per_address_across_tokens(limited: Callable[..., Flask]) -> None:
    app = limited()
    first, second = api_token(app), api_token(app)
    assert api_get(app, "192.0.2.60", first).status_code == 200
    assert api_get(app, "192.0.2.60", first).status_code == 200
    assert api_get(app, "192.0.2.60", second).status_code == 200
    assert_throttled(api_get(app, "192.0.2.60", second), text=None)


# --- the client address behind a proxy, and shared counters -----------------------------------------------------

def test_behind_a_counted_proxy_the_forwarded_address_is_the_client(limited: Callable[..., Flask]) -> None:
    app = limited(HOTLINE_PROXY_HOPS=1)
    proxy = from_address(app, "10.0.0.2")
    for n in range(4):  # four clients through one proxy: none reaches the per-address limit of 2
        assert proxy.get("/api/v1/campaigns", headers={"X-Forwarded-For": f"203.0.113.{70 + n}"}).status_code == 401
    forwarded = {"X-Forwarded-For": "203.0.113.80"}
    assert proxy.get("/api/v1/campaigns", headers=forwarded).status_code == 401
    assert proxy.get("/api/v1/campaigns", headers=forwarded).status_code == 401
    assert_throttled(proxy.get("/api/v1/campaigns", headers=forwarded), text=None)


def test_without_a_proxy_a_forged_forwarded_header_does_not_change_the_address(
        limited: Callable[..., Flask]) -> None:
    app = limited()
    client = from_address(app, "203.0.113.90")
    for n in range(2):
        assert client.get("/api/v1/campaigns", headers={"X-Forwarded-For": f"10.1.1.{n}"}).status_code == 401
    assert_throttled(client.get("/api/v1/campaigns", headers={"X-Forwarded-For": "10.1.1.9"}), text=None)


def test_the_page_is_translated(limited: Callable[..., Flask]) -> None:
    app = limited()
    for n in range(3):
        try_password(app, "203.0.113.95", f"x{n}@hotline.test")
    client = from_address(app, "203.0.113.95")
    token = csrf_token_in(client.get("/console/login").get_data(as_text=True))
    throttled = client.post("/console/login", data={"email": "y@hotline.test", "password": "p", "csrf_token": token},
                            headers={"Accept-Language": "prs"})
    assert throttled.status_code == 429
    assert "لطفاً لحظه‌ای صبر کنید" in throttled.get_data(as_text=True)  # "please wait a moment", in Dari


def test_an_unreachable_redis_never_turns_a_request_into_an_error(limited: Callable[..., Flask]) -> None:
    app = limited(HOTLINE_REDIS_URL="redis://127.0.0.1:9/0")  # nothing listens there: counters fall back to memory
    client = from_address(app, "203.0.113.110")
    assert client.post("/twilio/sms/status", data=STATUS).status_code == 403
    assert signed_post(client, "/twilio/sms/status", STATUS).status_code == 200
    assert try_password(app, "203.0.113.110", "nobody@hotline.test").status_code == 401


def test_a_limit_that_does_not_parse_stops_start_up(tmp_path: Path) -> None:
    from hotline.settings import SettingsError, load_settings
    from tests.factories import TEST_SECRETS

    with pytest.raises(SettingsError, match="HOTLINE_RATELIMIT_LOGIN"):
        load_settings({"HOTLINE_MODE": "testing", "HOTLINE_RATELIMIT_LOGIN": "ten a minute", **TEST_SECRETS},
                      environ={}, instance_path=tmp_path)


@pytest.fixture()
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the real Redis; its keys are deleted afterwards."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    prefix = f"hotline-test-ratelimit-{uuid.uuid4().hex}"
    yield prefix
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)
    connection.close()


def test_two_app_instances_share_their_counters_in_redis(limited: Callable[..., Flask], redis_prefix: str) -> None:
    import redis

    settings = {"HOTLINE_REDIS_URL": REDIS_URL, "HOTLINE_RATELIMIT_KEY_PREFIX": redis_prefix,
                "HOTLINE_RATELIMIT_WEBHOOK_REFUSED": "2 per minute"}
    first = limited(**settings)
    for _ in range(2):
        assert from_address(first, "203.0.113.99").post("/twilio/sms", data={"Body": "x"}).status_code == 403
    second = limited(**settings)  # a fresh storage object: only Redis can know what the first instance counted
    assert_throttled(from_address(second, "203.0.113.99").post("/twilio/sms", data={"Body": "x"}), text=None)
    connection = redis.Redis.from_url(REDIS_URL)
    keys = [key.decode() for key in connection.scan_iter(f"{redis_prefix}:*")]
    connection.close()
    assert keys and all(key.startswith(f"{redis_prefix}:") for key in keys)
