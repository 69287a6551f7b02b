"""Operators who take calls on their own phone: the number is sealed and shown by its last two digits only; the
waiting caller is put through with <Dial><Number url=whisper> showing the hotline's number; the whisper (language,
menu path, in the operator's UI language) asks for key 1, and a call not accepted goes back to the queue."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.context import runtime
from hotline.intake.models import Contact
from hotline.operators.calls import waiting_calls
from hotline.operators.models import OperatorCall, OperatorPresence, Presence, phone_binding
from hotline.operators.presence import set_presence
from hotline.privacy.sealing import unseal
from tests.factories import csrf_token_in, make_staff, sid, sign_in, signed_post
from tests.fakes.twilio_api import FakeTwilioApi
from tests.functional import test_operator_phone as operator_phone
from tests.functional import test_voice_calls as calls

ivr, twiml_schema, twilio_api = calls.ivr, calls.twiml_schema, operator_phone.twilio_api
pytestmark = pytest.mark.usefixtures("ivr")
OWN = "+93799123467"
CALLER = "+93701234577"
HOTLINE = "+93790000000"
ENQUEUE = ('<?xml version="1.0" encoding="UTF-8"?><Response><Enqueue action="/twilio/voice/step?node=operator&amp;n=5"'
           ' waitUrl="/twilio/voice/hold?n=5">hotline-prs</Enqueue></Response>')


def _operator(client, db_session: Session, ui_locale: str = "en"):
    operator = make_staff(db_session, languages=["prs"], ui_locale=ui_locale)
    set_presence(db_session, operator, Presence.AVAILABLE, datetime.now(UTC))
    db_session.commit()
    sign_in(client, operator)
    return operator


def _save_number(client, number: str = OWN, confirm: str | None = None, **extra: str):
    token = csrf_token_in(client.get("/console/phone").get_data(as_text=True))
    return client.post("/console/phone/number", data={"number": number, "confirm": confirm or number,
                                                      "csrf_token": token, **extra})


def test_the_number_is_sealed_and_shown_by_its_last_two_digits(client, db_session: Session,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    operator = _operator(client, db_session)
    assert client.post("/console/phone/number", data={"number": OWN, "confirm": OWN}).status_code == 400  # CSRF
    assert _save_number(client, OWN, "+93799123468").status_code == 303  # not the same: refused
    assert _save_number(client, "12").status_code == 303  # not a number
    db_session.expire_all()
    assert db_session.get(OperatorPresence, operator.id) is None or \
        db_session.get(OperatorPresence, operator.id).phone_sealed is None
    saved = _save_number(client, "+93 799 123 467", OWN)
    assert saved.status_code == 303
    db_session.expire_all()
    row = db_session.get(OperatorPresence, operator.id)
    assert row.phone_hint == "67" and OWN.encode() not in row.phone_sealed and b"799123467" not in row.phone_sealed
    assert unseal(runtime().keys, row.phone_sealed, phone_binding(operator.id)) == OWN
    page = client.get("/console/phone").get_data(as_text=True)
    assert "67" in page and OWN not in page and "799123467" not in page and "799 123 467" not in page
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action.like("operator.phone%"))).all()
    assert events and all(OWN not in str(e.after) and "799123467" not in str(e.after) for e in events)
    assert "799123467" not in caplog.text
    token = csrf_token_in(page)
    assert client.post("/console/phone/number", data={"remove": "true", "csrf_token": token}).status_code == 303
    db_session.expire_all()
    assert db_session.get(OperatorPresence, operator.id).phone_sealed is None


def test_on_my_phone_needs_a_number_and_the_ring_is_refused_without(client, db_session: Session,
                                                                    twilio_api: FakeTwilioApi) -> None:
    operator = _operator(client, db_session)
    _waiting(db_session)
    db_session.commit()
    token = csrf_token_in(client.get("/console/phone").get_data(as_text=True))
    client.post("/console/phone/answer-on", data={"answer_on": "phone", "csrf_token": token})
    db_session.expire_all()
    row = db_session.get(OperatorPresence, operator.id)
    assert row is None or row.answer_on == "browser"
    assert client.post("/console/phone/ring", data={"csrf_token": token}).status_code == 303
    assert not [r for r in twilio_api.requests if "/Members/" in r.path]  # nobody was moved
    assert client.post("/console/phone/ring", data={}).status_code == 400  # CSRF
    client.post("/console/logout", data={"csrf_token": token})
    sign_in(client, make_staff(db_session, role="analyst"))
    assert client.post("/console/phone/ring", data={"csrf_token": token}).status_code in (400, 403)


def _waiting(db_session: Session) -> str:
    caller_sid = operator_phone.waiting_call(db_session, CALLER, "prs", datetime.now(UTC) - timedelta(minutes=2))
    contact = db_session.scalars(select(Contact).where(Contact.provider_id == caller_sid)).one()
    contact.hotline_number = HOTLINE
    contact.ivr_path = ["notice", "choose_language", "heard_via", "main_menu", "operator"]
    contact.state = {**contact.state, "twiml": ENQUEUE}
    db_session.flush()
    return caller_sid


def _put_through(client, db_session: Session, twilio_api: FakeTwilioApi, ui_locale: str = "en"):
    operator = _operator(client, db_session, ui_locale)
    caller_sid = _waiting(db_session)
    db_session.commit()
    assert _save_number(client).status_code == 303
    token = csrf_token_in(client.get("/console/phone").get_data(as_text=True))
    client.post("/console/phone/answer-on", data={"answer_on": "phone", "csrf_token": token})
    assert client.post("/console/phone/ring", data={"csrf_token": token}).status_code == 303
    moved = [r for r in twilio_api.requests if "/Members/" in r.path]
    assert len(moved) == 1 and moved[0].path.endswith(f"/{caller_sid}.json")
    url = urlparse(moved[0].form["Url"])
    return operator, caller_sid, f"{url.path}?{url.query}"


def test_the_caller_is_put_through_with_a_whisper_and_the_hotline_s_number(
        client, db_session: Session, twilio_api: FakeTwilioApi, twiml_schema: etree.XMLSchema) -> None:
    _operator_user, caller_sid, bridge = _put_through(client, db_session, twilio_api, ui_locale="id")
    assert bridge.startswith("/twilio/voice/operator/phone?room=room_")
    response = signed_post(client, bridge, {"CallSid": caller_sid, "From": CALLER, "To": HOTLINE})
    calls.assert_valid_twiml(twiml_schema, response.data)
    dial = etree.fromstring(response.data).find("Dial")
    assert dial.get("callerId") == HOTLINE  # never the caller's number on the operator's phone
    assert dial.findtext("Number") == OWN
    whisper_path = urlparse(dial.find("Number").get("url"))
    whisper = signed_post(client, f"{whisper_path.path}?{whisper_path.query}", {"CallSid": sid("CA")})
    calls.assert_valid_twiml(twiml_schema, whisper.data)
    said = etree.fromstring(whisper.data).find("Gather/Say")
    assert said.get("language") == "id-ID" and "1" in said.text and "main menu" in said.text
    # Another call's sid gets a silent hang-up and dials nobody.
    other = signed_post(client, bridge, {"CallSid": sid("CA"), "From": CALLER, "To": HOTLINE})
    assert b"<Hangup" in other.data and OWN.encode() not in other.data


def test_accepted_with_key_1_the_talk_time_is_stored(client, db_session: Session, twilio_api: FakeTwilioApi,
                                                    twiml_schema: etree.XMLSchema) -> None:
    _op, caller_sid, bridge = _put_through(client, db_session, twilio_api)
    room = bridge.split("room=")[1]
    answered = signed_post(client, f"/twilio/voice/operator/whisper/answer?room={room}",
                           {"CallSid": sid("CA"), "Digits": "1"})
    calls.assert_valid_twiml(twiml_schema, answered.data)
    assert b"<Hangup" not in answered.data
    done = signed_post(client, f"/twilio/voice/operator/phone/done?room={room}",
                       {"CallSid": caller_sid, "DialCallStatus": "completed", "DialCallDuration": "42"})
    calls.assert_valid_twiml(twiml_schema, done.data)
    assert b"<Hangup" in done.data
    db_session.expire_all()
    call = db_session.scalars(select(OperatorCall)).one()
    assert call.via == "phone" and call.accepted_at is not None and call.talk_seconds == 42
    assert call.outcome == "answered"


@pytest.mark.parametrize("digits", ["2", ""])
def test_not_accepted_the_caller_goes_back_to_the_queue(client, db_session: Session, twilio_api: FakeTwilioApi,
                                                        twiml_schema: etree.XMLSchema, digits: str) -> None:
    _op, caller_sid, bridge = _put_through(client, db_session, twilio_api)
    room = bridge.split("room=")[1]
    refused = signed_post(client, f"/twilio/voice/operator/whisper/answer?room={room}",
                          {"CallSid": sid("CA"), "Digits": digits})
    assert b"<Hangup" in refused.data
    done = signed_post(client, f"/twilio/voice/operator/phone/done?room={room}",
                       {"CallSid": caller_sid, "DialCallStatus": "completed", "DialCallDuration": "6"})
    calls.assert_valid_twiml(twiml_schema, done.data)
    assert etree.fromstring(done.data).findtext("Enqueue") == "hotline-prs"  # back in the queue, not dropped
    db_session.expire_all()
    call = db_session.scalars(select(OperatorCall)).one()
    assert call.outcome == "returned" and call.accepted_at is None
    again = waiting_calls(db_session, {"operator"}, datetime.now(UTC))
    assert [w.call_sid for w in again] == [caller_sid]


def test_an_unanswered_phone_returns_the_caller_too(client, db_session: Session, twilio_api: FakeTwilioApi) -> None:
    _op, caller_sid, bridge = _put_through(client, db_session, twilio_api)
    room = bridge.split("room=")[1]
    done = signed_post(client, f"/twilio/voice/operator/phone/done?room={room}",
                       {"CallSid": caller_sid, "DialCallStatus": "no-answer"})
    assert b"<Enqueue" in done.data


def test_the_own_phone_webhooks_refuse_unsigned_requests(client, db_session: Session,
                                                         twilio_api: FakeTwilioApi) -> None:
    _op, caller_sid, bridge = _put_through(client, db_session, twilio_api)
    room = bridge.split("room=")[1]
    for path, form in ((bridge, {"CallSid": caller_sid}),
                       (f"/twilio/voice/operator/whisper?room={room}", {"CallSid": sid("CA")}),
                       (f"/twilio/voice/operator/whisper/answer?room={room}", {"CallSid": sid("CA"), "Digits": "1"}),
                       (f"/twilio/voice/operator/phone/done?room={room}", {"CallSid": caller_sid})):
        assert client.post(path, data=form).status_code == 403
        assert signed_post(client, path, form, token="wrong" * 8).status_code == 403
    db_session.expire_all()
    call = db_session.scalars(select(OperatorCall)).one()
    assert call.accepted_at is None and call.ended_at is None and call.outcome == "answered"
