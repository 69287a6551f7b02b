"""Call-backs from the console: placed through Twilio's REST API (a loopback fake), answered by signed webhooks.

A machine gets an empty hang-up; a person hears the neutral greeting in their language. Refused without consent,
for erased and opted-out callers, outside the caller's daytime, and past the limit of attempts. The caller's number
goes to Twilio only, never to the browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.callbacks.models import CallbackAttempt
from hotline.callbacks.service import record_consent
from hotline.intake.models import Caller, Contact, Report
from tests.console_helpers import make_report
from tests.factories import csrf_token_in, make_staff, sid, sign_in, signed_post
from tests.fakes.twilio_api import FakeTwilioApi, twilio_api_for

XSD = Path(__file__).resolve().parents[1] / "schemas" / "twiml-xsd" / "twiml_v20100401_twilioRealtimeCallSchema.xsd"
SENDER, KABUL = "+93701112233", "+93790000000"
DAYTIME_IN_KABUL = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)  # 12:00 in Kabul
NIGHT_IN_KABUL = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)  # 23:00 in Kabul


@pytest.fixture()
def twilio_api(app: Flask) -> Iterator[FakeTwilioApi]:
    with twilio_api_for(app) as fake:
        yield fake


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    now = [DAYTIME_IN_KABUL]
    monkeypatch.setattr("hotline.triage.callback_views.utcnow", lambda: now[0])
    return now


def _report_held(client: FlaskClient, session: Session, consent: bool = True) -> tuple[Report, str]:
    report = make_report(session, sender=SENDER)
    if consent:
        record_consent(session, report.id, DAYTIME_IN_KABUL - timedelta(hours=1))
    operator = make_staff(session, "operator", languages=["en"])
    sign_in(client, operator)
    token = csrf_token_in(client.get("/console/queue?lang=all").get_data(as_text=True))
    assert client.post(f"/console/reports/{report.id}/claim", data={"csrf_token": token}).status_code == 303
    return report, token


def _call_back(client: FlaskClient, report: Report, token: str) -> str:
    response = client.post(f"/console/reports/{report.id}/callback", data={"csrf_token": token},
                           follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _attempts(session: Session, report: Report) -> list[CallbackAttempt]:
    return list(session.scalars(select(CallbackAttempt).where(CallbackAttempt.report_id == report.id)))


def test_call_back_places_the_call_from_the_number_dialled_with_machine_detection(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, clock: list[datetime]
) -> None:
    report, token = _report_held(client, db_session)
    page = _call_back(client, report, token)
    assert "Call-back placed." in page
    [placed] = twilio_api.calls
    [attempt] = _attempts(db_session, report)
    assert placed.form["To"] == SENDER
    assert placed.form["From"] == KABUL
    assert placed.form["MachineDetection"] == "Enable"
    assert placed.form["Url"] == f"http://localhost/twilio/voice/callback/{attempt.id}/answer"
    assert placed.form["StatusCallback"] == f"http://localhost/twilio/voice/callback/{attempt.id}/status"
    assert attempt.call_sid is not None and attempt.call_sid.startswith("CA")
    assert attempt.placed_at == DAYTIME_IN_KABUL and attempt.outcome == "placed"
    audited = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "report.callback"))
    assert audited is not None and audited.entity_id == report.id and SENDER not in str(audited.after)
    assert SENDER[3:] not in page  # the number goes to Twilio, never to the browser


def test_a_machine_hears_nothing_at_all(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, clock: list[datetime]
) -> None:
    report, token = _report_held(client, db_session)
    _call_back(client, report, token)
    [attempt] = _attempts(db_session, report)
    form = {"CallSid": attempt.call_sid, "From": KABUL, "To": SENDER, "AnsweredBy": "machine_end_beep"}
    answered = signed_post(client, f"/twilio/voice/callback/{attempt.id}/answer", form)
    assert answered.status_code == 200
    assert answered.get_data(as_text=True).endswith("<Response><Hangup /></Response>")
    db_session.refresh(attempt)
    assert attempt.outcome == "machine" and attempt.answered_by == "machine_end_beep"
    status = {"CallSid": attempt.call_sid, "From": KABUL, "To": SENDER, "CallStatus": "completed"}
    assert signed_post(client, f"/twilio/voice/callback/{attempt.id}/status", status).status_code == 204
    assert db_session.scalar(select(Contact).where(Contact.provider_id == attempt.call_sid)) is None


def test_a_person_hears_the_neutral_greeting_and_press_1(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, clock: list[datetime]
) -> None:
    report, token = _report_held(client, db_session)
    _call_back(client, report, token)
    [attempt] = _attempts(db_session, report)
    form = {"CallSid": attempt.call_sid, "From": KABUL, "To": SENDER, "AnsweredBy": "human"}
    answered = signed_post(client, f"/twilio/voice/callback/{attempt.id}/answer", form)
    twiml = answered.get_data(as_text=True)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(etree.fromstring(answered.data))
    assert "Hello. You asked us to call you back. To talk to us, press 1." in twiml
    assert "<Gather" in twiml and "Hotline" not in twiml  # never the hotline's name
    contact = db_session.scalar(select(Contact).where(Contact.provider_id == attempt.call_sid))
    assert contact is not None and contact.caller_id == report.caller_id
    assert contact.state["node"] == "callback_answered"
    assert signed_post(client, f"/twilio/voice/callback/{attempt.id}/answer", form).data == answered.data  # replay
    action = etree.fromstring(answered.data).find("Gather").get("action")
    pressed = signed_post(client, action, {"CallSid": attempt.call_sid, "From": KABUL, "To": SENDER, "Digits": "1"})
    connected = pressed.get_data(as_text=True)
    assert "<Enqueue" in connected or "<Record" in connected  # an operator, or a message outside office hours
    status = {"CallSid": attempt.call_sid, "From": KABUL, "To": SENDER, "CallStatus": "completed",
              "CallDuration": "42"}
    assert signed_post(client, f"/twilio/voice/callback/{attempt.id}/status", status).status_code == 204
    db_session.refresh(attempt)
    assert attempt.outcome == "person" and attempt.status == "completed" and attempt.duration_seconds == 42
    assert attempt.answered_at is not None and attempt.ended_at is not None
    db_session.refresh(contact)
    assert contact.status == "completed" and contact.ended_at is not None


def test_no_answer_is_stored_as_unanswered(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, clock: list[datetime]
) -> None:
    report, token = _report_held(client, db_session)
    _call_back(client, report, token)
    [attempt] = _attempts(db_session, report)
    status = {"CallSid": attempt.call_sid, "From": KABUL, "To": SENDER, "CallStatus": "no-answer"}
    assert signed_post(client, f"/twilio/voice/callback/{attempt.id}/status", status).status_code == 204
    db_session.refresh(attempt)
    assert attempt.outcome == "unanswered" and attempt.ended_at is not None
    page = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert "Not answered" in page


def test_refused_without_consent(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, clock: list[datetime]
) -> None:
    report, token = _report_held(client, db_session, consent=False)
    assert "The caller did not agree to be called back." in _call_back(client, report, token)
    assert twilio_api.calls == [] and _attempts(db_session, report) == []


def test_refused_for_an_opted_out_caller(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, clock: list[datetime]
) -> None:
    report, token = _report_held(client, db_session)
    caller = db_session.get(Caller, report.caller_id)
    assert caller is not None
    caller.opted_out = True
    db_session.flush()
    assert "This caller opted out" in _call_back(client, report, token)
    assert twilio_api.calls == [] and _attempts(db_session, report) == []


def test_refused_for_an_erased_caller(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, clock: list[datetime]
) -> None:
    report, token = _report_held(client, db_session)
    caller = db_session.get(Caller, report.caller_id)
    assert caller is not None
    caller.pseudonym, caller.reply_address = "erased-" + "0" * 56, None
    db_session.flush()
    assert "This caller&#39;s data was erased" in _call_back(client, report, token)
    assert twilio_api.calls == []


def test_refused_outside_the_callers_daytime(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, clock: list[datetime]
) -> None:
    clock[0] = NIGHT_IN_KABUL
    report, token = _report_held(client, db_session)
    assert "It is not daytime where the caller lives" in _call_back(client, report, token)
    assert twilio_api.calls == []


def test_refused_past_the_limit_of_attempts(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, clock: list[datetime]
) -> None:
    report, token = _report_held(client, db_session)
    for hours in (0, 1, 2):
        clock[0] = DAYTIME_IN_KABUL + timedelta(hours=hours)
        assert "Call-back placed." in _call_back(client, report, token)
        if hours < 2:
            clock[0] += timedelta(minutes=10)
            assert "The last call-back was a short while ago" in _call_back(client, report, token)
    clock[0] += timedelta(hours=1)
    assert "The limit of call-back attempts is reached." in _call_back(client, report, token)
    assert len(twilio_api.calls) == 3 and len(_attempts(db_session, report)) == 3


def test_call_back_webhooks_refuse_unsigned_requests_and_unknown_calls(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, clock: list[datetime]
) -> None:
    report, token = _report_held(client, db_session)
    _call_back(client, report, token)
    [attempt] = _attempts(db_session, report)
    form = {"CallSid": attempt.call_sid, "From": KABUL, "To": SENDER, "AnsweredBy": "human"}
    path = f"/twilio/voice/callback/{attempt.id}/answer"
    assert client.post(path, data=form).status_code == 403
    assert signed_post(client, path, form, token="not-our-token").status_code == 403
    status = {"CallSid": attempt.call_sid, "CallStatus": "completed"}
    assert client.post(f"/twilio/voice/callback/{attempt.id}/status", data=status).status_code == 403
    stranger = signed_post(client, path, {**form, "CallSid": sid("CA")[:34]})
    assert stranger.get_data(as_text=True).endswith("<Response><Hangup /></Response>")  # not this attempt's call
    db_session.refresh(attempt)
    assert attempt.outcome == "placed" and attempt.status == "queued" and attempt.answered_at is None


def test_an_operator_who_does_not_hold_the_report_cannot_call_back(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, clock: list[datetime]
) -> None:
    report = make_report(db_session, sender=SENDER)
    record_consent(db_session, report.id, DAYTIME_IN_KABUL)
    sign_in(client, make_staff(db_session, "analyst"))
    token = csrf_token_in(client.get("/console/profile").get_data(as_text=True))
    refused = client.post(f"/console/reports/{report.id}/callback", data={"csrf_token": token})
    assert refused.status_code in (403, 404)
    assert client.post(f"/console/reports/{report.id}/callback").status_code in (400, 403)  # no CSRF token
    assert twilio_api.calls == []


def test_a_call_that_cannot_be_placed_is_failed_and_logged_without_the_number(
    db_session: Session
) -> None:
    import io
    import logging

    from hotline.callbacks import service
    from hotline.callbacks.service import CallbackUrls

    report = make_report(db_session, sender=SENDER)
    attempt = CallbackAttempt(report_id=report.id, placed_at=DAYTIME_IN_KABUL, outcome="placed")
    db_session.add(attempt)
    db_session.commit()

    def refusing(**call: str) -> str:  # Twilio's errors quote the number dialled
        raise RuntimeError(f"The 'To' number {call['to']} is not a valid phone number.")

    written = io.StringIO()
    handler = logging.StreamHandler(written)  # formatted as the app's own log handler formats (JSON)
    handler.setFormatter(logging.getLogger("hotline").handlers[0].formatter)
    logging.getLogger("hotline.callbacks").addHandler(handler)
    try:
        service._dial(refusing, CallbackAttempt, attempt.id, SENDER, KABUL, CallbackUrls("a", "s"), DAYTIME_IN_KABUL)
    finally:
        logging.getLogger("hotline.callbacks").removeHandler(handler)
    db_session.refresh(attempt)
    assert attempt.outcome == "failed" and attempt.call_sid is None
    logged = written.getvalue()
    assert "could not be placed" in logged and "RuntimeError" in logged
    assert SENDER not in logged and SENDER[3:] not in logged
