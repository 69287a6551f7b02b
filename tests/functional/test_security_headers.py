"""Security headers on every response, not only the console: home, /field, error pages, health, webhooks' errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm import Session as SqlSession

from hotline.web.security import CONTENT_SECURITY_POLICY
from tests.factories import sid, signed_post
from tests.field_factories import field_sign_in, make_focal_point

PAGES = ["/", "/healthz", "/readyz", "/field/sign-in", "/nothing-here", "/console/login", "/api/v1/nothing"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_hardening_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "microphone=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # testing mode: no HSTS outside production


def test_the_field_form_alone_may_use_the_microphone(app: Flask, client: FlaskClient, db_session: Session) -> None:
    _point, issued = make_focal_point(app, db_session)
    field_sign_in(client, issued.link_token)
    form = client.get("/field")
    assert form.status_code == 200
    assert "microphone=(self)" in form.headers["Permissions-Policy"]
    assert "camera=()" in form.headers["Permissions-Policy"]
    assert "microphone=()" in client.get("/field/briefing").headers["Permissions-Policy"]


def test_strict_transport_security_only_in_production(make_app: Callable[..., Flask]) -> None:
    production = make_app(mode="production", public_url="https://hotline.example.org")
    response = production.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    demo = make_app(mode="demo")
    assert "Strict-Transport-Security" not in demo.test_client().get("/healthz").headers


def test_a_stricter_policy_of_a_view_is_kept(make_app: Callable[..., Flask]) -> None:
    app = make_app()

    @app.get("/strict")
    def strict() -> tuple[str, int, dict[str, str]]:
        return "x", 200, {"Content-Security-Policy": "default-src 'none'; sandbox"}

    assert app.test_client().get("/strict").headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_the_answer_to_a_webhook_whose_commit_failed_carries_them_too(
    client: FlaskClient, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def outage(_session: Session) -> None:
        raise OperationalError("COMMIT", None, ConnectionError("the database went away"))

    monkeypatch.setattr(SqlSession, "commit", outage)
    form = {"MessageSid": sid("SM"), "AccountSid": "AC" + "0" * 32, "From": "+93701234567", "To": "+93790000000",
            "Body": "Is the border open?", "NumMedia": "0"}
    response = signed_post(client, "/twilio/sms", form, headers={"X-Request-Id": "abc12345-commit"})
    # The spool answered in place of the failed commit: the hooks after the commit saw that answer.
    assert response.status_code == 200 and b"<Response" in response.data
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Request-Id"] == "abc12345-commit"
