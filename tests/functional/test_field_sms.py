"""Focal points' structured SMS through POST /twilio/sms: a field report with its people count, a reply after commit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.intake.constants import Direction
from hotline.intake.models import Message, Report
from tests.factories import sid, signed_post
from tests.fakes.twilio_api import FakeTwilioApi, twilio_api_for
from tests.field_factories import make_focal_point

HOTLINE = "+93790000000"
NUMBER = "+93701112233"


@pytest.fixture()
def twilio_api(app: Flask) -> Iterator[FakeTwilioApi]:
    with twilio_api_for(app) as fake:
        yield fake


def _send(client: FlaskClient, body: str, sender: str = NUMBER, message_sid: str | None = None) -> str:
    message_sid = message_sid or sid("SM")
    form = {"MessageSid": message_sid, "AccountSid": "AC00000000000000000000000000000000", "From": sender,
            "To": HOTLINE, "Body": body, "NumMedia": "0"}
    assert signed_post(client, "/twilio/sms", form).status_code == 200
    return message_sid


def test_a_registered_focal_point_reports_by_sms(app: Flask, client: FlaskClient, db_session: Session,
                                                  twilio_api: FakeTwilioApi) -> None:
    point, _ = make_focal_point(app, db_session, phone=NUMBER)
    message_sid = _send(client, "FP 12 people said the border opens in March")
    _send(client, "FP 12 people said the border opens in March", message_sid=message_sid)  # Twilio's retry
    report = db_session.scalars(select(Report).where(Report.channel == "field")).one()
    assert (report.people_count, report.text, report.admin1) == (12, "people said the border opens in March",
                                                                 "AF-KAB")
    assert report.contact.focal_point_id == point.id
    [sent] = twilio_api.messages  # one confirmation, in the focal point's language (Dari), not two
    assert sent.form["To"] == NUMBER and sent.form["From"] == HOTLINE
    assert f"گزارش {report.id}" in sent.form["Body"]


def test_a_malformed_report_gets_a_localised_hint(app: Flask, client: FlaskClient, db_session: Session,
                                                  twilio_api: FakeTwilioApi) -> None:
    make_focal_point(app, db_session, phone=NUMBER, languages=["bn"])
    _send(client, "FP many people talk")
    assert db_session.scalars(select(Report)).all() == []
    [sent] = twilio_api.messages
    assert "রিপোর্ট করতে পাঠান" in sent.form["Body"]


def test_an_unregistered_number_using_the_keyword_is_an_ordinary_text(
        client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi) -> None:
    _send(client, "FP 12 the border opens", sender="+93709998877")
    report = db_session.scalars(select(Report)).one()
    assert report.channel == "sms" and report.people_count is None


def test_a_revoked_focal_point_is_an_ordinary_texter(app: Flask, client: FlaskClient, db_session: Session,
                                                     twilio_api: FakeTwilioApi) -> None:
    from hotline.db import utcnow
    from hotline.field.registry import revoke

    point, _ = make_focal_point(app, db_session, phone=NUMBER)
    revoke(db_session, point, None, utcnow())
    _send(client, "FP 3 boats leave on Friday")
    assert db_session.scalars(select(Report.channel)).all() == ["sms"]
    outbound = db_session.scalars(select(Message).where(Message.direction == Direction.OUTBOUND)).all()
    assert all("Report" not in (m.body or "") for m in outbound)


def test_no_focal_point_number_is_stored_in_clear(app: Flask, client: FlaskClient, db_session: Session,
                                                  twilio_api: FakeTwilioApi) -> None:
    from tests.privacy_scan import assert_no_phone_numbers

    make_focal_point(app, db_session, phone=NUMBER)
    _send(client, f"FP 4 call the agent on {NUMBER} for a seat")
    _send(client, "FP oops")
    assert_no_phone_numbers(db_session, [NUMBER], allowed=[HOTLINE])
