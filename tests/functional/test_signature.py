"""Twilio signature checks: signed requests pass, unsigned or mis-signed ones get 403 and touch nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

from hotline.channels.twilio.signature import is_valid_signature, public_request_url, twilio_webhook
from tests.factories import TEST_AUTH_TOKEN, sign, signed_post

CALLS: list[str] = []


@pytest.fixture()
def hook_app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app(HOTLINE_PUBLIC_URL="https://hotline.example.org")

    @app.post("/twilio/test")
    @twilio_webhook
    def hook() -> str:
        CALLS.append(request.form["CallSid"])
        return "<Response/>"

    CALLS.clear()
    return app


def test_signed_request_passes_with_public_url(hook_app: Flask) -> None:
    client: FlaskClient = hook_app.test_client()
    data = {"CallSid": "CA1", "From": "+93701234567"}
    response = signed_post(client, "/twilio/test", data, base="https://hotline.example.org",
                           headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200 and CALLS == ["CA1"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
     {"X-Twilio-Signature": sign("https://hotline.example.org/twilio/test", {"CallSid": "CA1"}, "another-token")},
     {"X-Twilio-Signature": sign("https://hotline.example.org/twilio/test", {"CallSid": "CA9"})}],
    ids=["unsigned", "garbage", "wrong-token", "other-params"],
)
def test_bad_signatures_are_refused(hook_app: Flask, headers: dict[str, str]) -> None:
    response = hook_app.test_client().post("/twilio/test", data={"CallSid": "CA1"}, headers=headers)
    assert response.status_code == 403 and CALLS == []


def test_public_url_rewrites_scheme_host_and_prefix() -> None:
    assert public_request_url("http://10.0.0.5:8000/twilio/voice?x=1", "https://h.example.org/hotline/") == (
        "https://h.example.org/hotline/twilio/voice?x=1"
    )
    assert public_request_url("http://localhost/twilio/sms", None) == "http://localhost/twilio/sms"


FORM = {"CallSid": "CA1", "From": "+93701234567", "Digits": "2"}


@pytest.mark.parametrize(("requested", "signed"), [
    ("https://h.example.org/twilio/voice", "https://h.example.org/twilio/voice"),
    ("https://h.example.org/twilio/voice", "https://h.example.org:443/twilio/voice"),
    ("https://h.example.org:443/twilio/voice", "https://h.example.org/twilio/voice"),
    ("http://h.example.org/twilio/voice?node=menu", "http://h.example.org:80/twilio/voice?node=menu"),
], ids=["as-requested", "twilio-added-the-port", "twilio-left-out-the-port", "http-with-query"])
def test_a_signature_over_either_form_of_the_url_passes(requested: str, signed: str) -> None:
    assert is_valid_signature(TEST_AUTH_TOKEN, requested, FORM, sign(signed, FORM), None)


@pytest.mark.parametrize("settings", ["key=webhooks_sharedkey_1,algorithm=HMAC_SHA256", "algorithm=hmac_sha256"])
def test_a_sha256_signature_passes_when_the_settings_header_names_it(settings: str) -> None:
    url = "https://h.example.org/twilio/sms"
    signature = RequestValidator(TEST_AUTH_TOKEN).compute_signature(url, FORM, "HMAC_SHA256")
    assert is_valid_signature(TEST_AUTH_TOKEN, url, FORM, signature, settings)
    assert not is_valid_signature(TEST_AUTH_TOKEN, url, FORM, signature, None)  # read as SHA-1, it does not match


@pytest.mark.parametrize(("signature", "settings"), [
    (sign("https://h.example.org/twilio/other", FORM), None),
    (sign("https://h.example.org:8443/twilio/voice", FORM), None),
    (sign("https://h.example.org/twilio/voice", {**FORM, "Digits": "3"}), None),
    (sign("https://h.example.org/twilio/voice", FORM), "algorithm=HMAC_MD5"),
    ("é" * 28, None),
    ("", None),
], ids=["other-path", "other-port", "other-form", "unknown-algorithm", "not-base64", "empty"])
def test_anything_else_fails(signature: str, settings: str | None) -> None:
    assert not is_valid_signature(TEST_AUTH_TOKEN, "https://h.example.org/twilio/voice", FORM, signature, settings)
