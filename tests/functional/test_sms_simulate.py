"""`hotline simulate sms` acts as Twilio against a running server: its requests pass the signature check."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from hotline.intake.constants import Direction
from hotline.intake.models import Message
from hotline.sms.simulate_cli import inbound_form, signed_headers, simulate_group
from tests.factories import TEST_AUTH_TOKEN
from tests.fakes.twilio_api import twilio_api_for


def test_the_simulated_form_is_what_the_webhook_accepts(app: Flask, db_session: Session) -> None:
    form = inbound_form("ދޯނި", "+9607712345", "+14155238886", whatsapp=True, media=("https://x/y.ogg",))
    assert form["From"] == "whatsapp:+9607712345" and form["WaId"] == "9607712345"
    assert form["MediaContentType0"] == "audio/ogg"
    headers = signed_headers("http://localhost/twilio/sms", form, TEST_AUTH_TOKEN)
    with twilio_api_for(app):
        assert app.test_client().post("/twilio/sms", data=form, headers=headers).status_code == 200


@pytest.fixture()
def live_server(app: Flask, db_session: Session) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_simulate_sms_against_a_running_server(
    app: Flask, runner: FlaskCliRunner, db_session: Session, live_server: str
) -> None:
    with twilio_api_for(app) as fake:
        result = runner.invoke(simulate_group, ["sms", "Is the border open?", "--url", live_server,
                                                "--from", "+447700900123"])
        assert result.exit_code == 0, result.output
        assert "HTTP 200" in result.output
        assert len(fake.messages) == 1
    stored = db_session.scalar(select(Message).where(Message.direction == Direction.INBOUND))
    assert stored is not None and stored.body == "Is the border open?"
