"""Through the signed SMS webhook: Malay or Indonesian from the numbers and the words, Latin-letter texts answered
in Latin letters, language names in any script as keywords."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.intake.models import Caller, Report
from hotline.sms import replies
from hotline.sms.runtime import sms_context
from tests.factories import sid, signed_post
from tests.fakes.twilio_api import FakeTwilioApi, twilio_api_for

MALAYSIA_LINE = "+60390000000"
INDONESIA_LINE = "+62210000000"
AFGHAN_LINE = "+93790000000"


@pytest.fixture()
def twilio_api(app: Flask) -> Iterator[FakeTwilioApi]:
    with twilio_api_for(app) as fake:
        yield fake


def _send(client: FlaskClient, body: str, sender: str, line: str) -> Any:
    form = {"MessageSid": sid("SM"), "AccountSid": "AC00000000000000000000000000000000", "From": sender,
            "To": line, "Body": body, "NumMedia": "0"}
    response = signed_post(client, "/twilio/sms", form)
    assert response.status_code == 200
    return response


def _ack(client: FlaskClient, variant: str, line: str) -> str:
    """The acknowledgement in ``variant`` with the office hours of ``line``, as the service says them."""
    with client.application.app_context():
        hours = sms_context().opening_hours(line, "en" if "-" in variant else variant)
    return replies.render(variant, replies.ACKNOWLEDGEMENT, hours=hours)


def _last_body(twilio_api: FakeTwilioApi) -> str:
    return str(twilio_api.messages[-1].form["Body"])


def test_an_indonesian_text_to_the_malaysian_line_is_answered_in_indonesian(
        client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi) -> None:
    _send(client, "Saya mau kerja di Malaysia, gimana caranya dapat paspor?", "+6281234567890", MALAYSIA_LINE)
    report = db_session.scalar(select(Report))
    assert report is not None
    assert report.language == "id"
    body = _last_body(twilio_api)
    assert body == _ack(client, "id", MALAYSIA_LINE)
    assert "rahasia" in body
    assert "sulit" not in body


def test_a_malay_text_is_answered_in_malay(client: FlaskClient, twilio_api: FakeTwilioApi) -> None:
    _send(client, "saya nak tahu pasal permit kerja, boleh tolong?", "+60123456789", MALAYSIA_LINE)
    assert _last_body(twilio_api) == _ack(client, "ms", MALAYSIA_LINE)


def test_the_dialled_number_decides_a_text_the_words_leave_open(
        client: FlaskClient, twilio_api: FakeTwilioApi) -> None:
    _send(client, "Terima kasih banyak", "+6599990000", INDONESIA_LINE)
    _send(client, "Terima kasih banyak", "+6599990001", MALAYSIA_LINE)
    first, second = (str(m.form["Body"]) for m in twilio_api.messages)
    assert first == _ack(client, "id", INDONESIA_LINE)
    assert second == _ack(client, "ms", MALAYSIA_LINE)


def test_a_caller_once_taken_for_malay_who_writes_indonesian_is_answered_in_indonesian(
        client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi) -> None:
    _send(client, "Terima kasih banyak", "+6281200000001", MALAYSIA_LINE)
    caller = db_session.scalar(select(Caller))
    assert caller is not None
    caller.language = "ms"
    db_session.flush()
    _send(client, "bantuan", "+6281200000001", MALAYSIA_LINE)
    assert _last_body(twilio_api) == replies.render("ms", replies.HELP)  # "bantuan" is both: history decides
    _send(client, "Saya mau kerja di Malaysia, gimana caranya dapat paspor?", "+6281200000001", MALAYSIA_LINE)
    latest = db_session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert latest is not None
    assert latest.language == "id"


@pytest.mark.parametrize(("body", "variant"), [
    ("salam man mekhaham ba australia boro, kishti chist", "prs-Latn"),
    ("bhai kya australia ka border khula hai", "ur-Latn"),
    ("bhai italy border ki khola ekhon, dalal bolse", "bn-Latn"),
])
def test_a_romanised_text_is_answered_in_latin_letters(
        client: FlaskClient, twilio_api: FakeTwilioApi, body: str, variant: str) -> None:
    _send(client, body, "+93700000001", AFGHAN_LINE)
    reply = _last_body(twilio_api)
    assert reply == _ack(client, variant, AFGHAN_LINE)
    assert reply.isascii()


def test_a_dari_caller_writing_in_latin_letters_gets_latin_letters_and_in_arabic_script_arabic_script(
        client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi) -> None:
    _send(client, "komak", "+93700000002", AFGHAN_LINE)
    _send(client, "کمک", "+93700000002", AFGHAN_LINE)
    latin, arabic = (str(m.form["Body"]) for m in twilio_api.messages[-2:])
    assert latin == replies.render("prs-Latn", replies.HELP)
    assert arabic == replies.render("prs", replies.HELP)


def test_a_rohingya_text_is_answered_in_rohingya(client: FlaskClient, twilio_api: FakeTwilioApi) -> None:
    _send(client, "dalal hoiye hám gorile mashe beton beshi, sotto ni?", "+8801700000001", "+8802000000000")
    reply = _last_body(twilio_api)
    assert reply == _ack(client, "rhg", "+8802000000000")
    assert reply != _ack(client, "en", "+8802000000000")


@pytest.mark.parametrize(("body", "language", "variant"), [
    ("language bangla", "bn", "bn-Latn"),
    ("zaban dari", "prs", "prs-Latn"),
    ("ভাষা বাংলা", "bn", "bn"),
    ("زبان پښتو", "ps", "ps"),
    ("bahasa indonesia", "id", "id"),
    ("හලෝ language සිංහල", None, None),
    ("বাংলা", "bn", "bn"),
    ("Hazaragi", "haz", "haz-Latn"),
])
def test_language_names_in_any_script_choose_the_language(
        client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi,
        body: str, language: str | None, variant: str | None) -> None:
    _send(client, body, "+93700000003", AFGHAN_LINE)
    caller = db_session.scalar(select(Caller))
    assert caller is not None
    if language is None:
        assert not any(m.form["Body"] == replies.render(c, replies.LANGUAGE_SET)
                       for m in twilio_api.messages for c in ("si", "en"))
        return
    assert caller.language == language
    assert variant is not None
    assert _last_body(twilio_api) == replies.render(variant, replies.LANGUAGE_SET)
