"""Health, readiness, request ids, error responses that leak nothing, and the request size limit."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_checks_the_database(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json == {
        "status": "ok", "database": "ok", "spool_backlog": 0, "sms_inbox": {"waiting": 0, "overdue": 0, "stuck": 0}}


def test_readyz_reports_an_unreachable_database(make_app: Callable[..., Flask]) -> None:
    dead = make_app(database_url="postgresql://postgres@127.0.0.1:1/nowhere")
    response = dead.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable", "spool_backlog": 0}
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_request_id_is_echoed_or_made(client: FlaskClient) -> None:
    assert client.get("/healthz", headers={"X-Request-Id": "abc12345-call"}).headers["X-Request-Id"] == "abc12345-call"
    made = client.get("/healthz", headers={"X-Request-Id": "<script>"}).headers["X-Request-Id"]
    assert len(made) == 36 and "<" not in made


def test_not_found_is_json_for_api_clients_and_html_for_people(client: FlaskClient) -> None:
    api = client.get("/api/v1/nothing")
    assert api.status_code == 404 and api.json["error"]["status"] == 404
    assert api.json["error"]["request_id"] == api.headers["X-Request-Id"]
    page = client.get("/nothing", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "404" in page.get_data(as_text=True) and "Back to the start page" in page.get_data(as_text=True)


def test_oversized_body_is_refused_with_413(client: FlaskClient, app: Flask) -> None:
    body = {"Body": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}
    response = client.post("/twilio/anything", data=body)
    assert response.status_code == 413 and response.json["error"]["status"] == 413


def test_unexpected_errors_leak_nothing(make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture) -> None:
    app = make_app()

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals: caller +93701234567 said hello")

    with caplog.at_level(logging.ERROR, logger="hotline"):
        response = app.test_client().get("/boom", headers={"Accept": "application/json"})
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert json.loads(text)["error"]["title"] == "Internal Server Error"
    logged = [record.exc_text for record in caplog.records if record.exc_text]
    assert logged and "RuntimeError" in logged[0] and "93701234567" not in logged[0]


def test_logs_never_carry_phone_numbers(client: FlaskClient, caplog: pytest.LogCaptureFixture, app: Flask) -> None:
    handler = next(h for h in logging.getLogger("hotline").handlers if getattr(h, "_hotline", False))
    args = ("+93 70 123 4567", "hi")
    record = logging.LogRecord("hotline.x", logging.INFO, __file__, 1, "sms from %s: %s", args, None)
    for log_filter in handler.filters:
        log_filter.filter(record)  # type: ignore[union-attr]
    line = handler.format(record)
    assert "123 4567" not in line and "[number]" in line
    assert json.loads(line)["message"] == "sms from [number]: hi"


OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def test_readyz_tells_a_remote_client_only_its_status(client: FlaskClient) -> None:
    response = client.get("/readyz", environ_overrides=OUTSIDE)
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_behind_a_local_proxy_is_not_local(client: FlaskClient) -> None:
    response = client.get("/readyz", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_details_with_the_token(make_app: Callable[..., Flask]) -> None:
    app = make_app(readyz_token="r" * 24)
    client = app.test_client()
    granted = client.get("/readyz", environ_overrides=OUTSIDE, headers={"Authorization": "Bearer " + "r" * 24})
    assert granted.status_code == 200 and granted.json["spool_backlog"] == 0 and "sms_inbox" in granted.json
    wrong = client.get("/readyz", environ_overrides=OUTSIDE, headers={"Authorization": "Bearer " + "x" * 24})
    assert wrong.json == {"status": "ok"}


def test_readyz_outage_tells_a_remote_client_only_unavailable(make_app: Callable[..., Flask]) -> None:
    dead = make_app(database_url="postgresql://postgres@127.0.0.1:1/nowhere")
    response = dead.test_client().get("/readyz", environ_overrides=OUTSIDE)
    assert response.status_code == 503 and response.json == {"status": "unavailable"}
