"""Twilio signature checks: signed requests pass, unsigned or mis-signed ones get 403 and touch nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from hotline.channels.twilio.signature import public_request_url, twilio_webhook
from tests.factories import sign, signed_post

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
