"""The operators' phone: presence, softphone tokens, and the TwiML App's webhook that takes the next caller."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from flask import Flask
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.intake.constants import Channel
from hotline.intake.models import Contact
from hotline.intake.service import record
from hotline.operators.models import OperatorPresence, Presence
from hotline.operators.presence import presence_of, set_presence
from tests.factories import csrf_token_in, make_sms_intake, make_staff, sid, sign_in, signed_post
from tests.fakes.twilio_api import FakeTwilioApi, twilio_api_for
from tests.functional import test_voice_calls as calls

ivr, twiml_schema = calls.ivr, calls.twiml_schema
pytestmark = pytest.mark.usefixtures("ivr")
KEY_SID, KEY_SECRET, APP_SID = "SK" + "5" * 32, "s" * 32, "AP" + "6" * 32
NUMBERS = ("+93701234567", "+93701234568", "+93701234569")


@pytest.fixture()
def phone_settings(app: Flask) -> Iterator[None]:
    """The softphone's API key and TwiML App, set for one test."""
    settings, rt = app.config["HOTLINE"], app.extensions["hotline"]
    configured = dataclasses.replace(settings, twilio_api_key_sid=KEY_SID, twilio_api_key_secret=KEY_SECRET,
                                     twilio_twiml_app_sid=APP_SID)
    app.config["HOTLINE"], app.extensions["hotline"] = configured, dataclasses.replace(rt, settings=configured)
    yield
    app.config["HOTLINE"], app.extensions["hotline"] = settings, rt


@pytest.fixture()
def twilio_api(app: Flask) -> Iterator[FakeTwilioApi]:
    with twilio_api_for(app) as api:
        yield api


def test_the_token_grants_outgoing_calls_to_the_twiml_app_under_an_opaque_identity(
        client, db_session: Session, phone_settings: None) -> None:
    operator = make_staff(db_session, languages=["prs"], email="amina@hotline.test")
    sign_in(client, operator)
    response = client.get("/console/phone/token")
    assert response.status_code == 200
    body = response.get_json()
    claims = jwt.decode(body["token"], KEY_SECRET, algorithms=["HS256"], options={"verify_aud": False})
    assert claims["iss"] == KEY_SID
    assert claims["grants"]["identity"] == body["identity"]
    assert body["identity"].startswith("op_") and "amina" not in body["identity"]
    assert str(operator.id) != body["identity"].removeprefix("op_")
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] == APP_SID
    assert 590 <= claims["exp"] - time.time() <= 600
    assert body["expires_in"] == 600
    assert response.headers["Cache-Control"] == "no-store"


def test_the_token_is_refused_to_analysts_and_strangers(client, db_session: Session, phone_settings: None) -> None:
    assert client.get("/console/phone/token").status_code == 302  # to the sign-in page
    sign_in(client, make_staff(db_session, role="analyst"))
    assert client.get("/console/phone/token").status_code == 403
    assert client.get("/console/phone").status_code == 403


def test_without_api_key_the_token_says_the_phone_is_not_set_up(client, db_session: Session) -> None:
    sign_in(client, make_staff(db_session, languages=["prs"]))
    response = client.get("/console/phone/token")
    assert response.status_code == 503
    assert "token" not in response.get_json()


def test_an_operator_sets_their_availability_with_csrf(client, db_session: Session) -> None:
    operator = make_staff(db_session, languages=["prs"])
    db_session.commit()  # a refused request rolls its session back: keep the operator
    sign_in(client, operator)
    page = client.get("/console/phone")
    assert page.status_code == 200
    assert client.post("/console/phone/presence", data={"status": "available"}).status_code == 400
    token = csrf_token_in(page.get_data(as_text=True))
    assert client.post("/console/phone/presence", data={"status": "lunch", "csrf_token": token}).status_code == 303
    db_session.expire_all()
    assert db_session.get(OperatorPresence, operator.id) is None  # refused: nothing stored
    saved = client.post("/console/phone/presence", data={"status": "available", "csrf_token": token})
    assert saved.status_code == 303, saved.headers.get("Location")
    assert saved.headers["Location"].endswith("/console/phone"), saved.headers["Location"]
    db_session.expire_all()
    assert db_session.get(OperatorPresence, operator.id).status == Presence.AVAILABLE


def waiting_call(db_session: Session, number: str, language: str, since: datetime, flag: str | None = None) -> str:
    """A caller in the ``language`` queue since ``since``; ``flag`` marks one of their earlier reports."""
    result = record(db_session, make_sms_intake(sender=number, language=language), runtime().intake_context())
    if flag and result.report is not None:
        if flag == "protection":
            result.report.sensitivity = "protection"
        else:
            result.report.urgency = "immediate"
    call_sid = sid("CA")
    db_session.add(Contact(channel=Channel.VOICE, provider_id=call_sid, caller_id=result.caller.id,
                           language=language, status="in-progress", started_at=since, last_activity_at=since,
                           state={"node": "operator", "seq": 5, "twiml": "<Response />",
                                  "call": {"queue": {"sid": "QU" + "7" * 32, "since": since.timestamp()}}}))
    db_session.flush()
    return call_sid


def operator_identity(db_session: Session, languages: list[str]) -> str:
    operator = make_staff(db_session, languages=languages)
    set_presence(db_session, operator, Presence.AVAILABLE, datetime.now(UTC))
    return presence_of(db_session, operator, datetime.now(UTC)).client_identity


def test_the_operator_takes_protection_first_then_the_longest_wait_in_their_languages(
        client, db_session: Session, twilio_api: FakeTwilioApi, twiml_schema: etree.XMLSchema) -> None:
    now = datetime.now(UTC)
    oldest = waiting_call(db_session, NUMBERS[0], "prs", now - timedelta(minutes=5))
    protected = waiting_call(db_session, NUMBERS[1], "prs", now - timedelta(minutes=1), flag="protection")
    waiting_call(db_session, NUMBERS[2], "bn", now - timedelta(minutes=9))
    identity = operator_identity(db_session, ["prs"])
    taken = []
    for _ in range(3):
        response = signed_post(client, "/twilio/voice/operator", {"CallSid": sid("CA"), "From": f"client:{identity}"})
        assert response.status_code == 200
        calls.assert_valid_twiml(twiml_schema, response.data)
        moved = [r for r in twilio_api.requests if "/Members/" in r.path]
        taken.append(moved[-1].path.split("/")[-1].removesuffix(".json") if len(moved) > len(taken) else None)
    assert taken == [protected, oldest, None]  # the Bengali caller is not this operator's
    bridge = signed_post(client, "/twilio/voice/bridge", {"CallSid": protected})
    room = etree.fromstring(bridge.data).findtext("Dial/Conference")
    assert room and room.startswith("room_")
    calls.assert_valid_twiml(twiml_schema, bridge.data)
    # Twilio also requests the Enqueue action at once ("redirected"): it too joins the room, never voicemail.
    action = signed_post(client, "/twilio/voice/step?node=operator&n=5", {"CallSid": protected,
                                                                          "QueueResult": "redirected"})
    assert etree.fromstring(action.data).findtext("Dial/Conference") == room


def test_the_operator_webhook_refuses_unsigned_requests_and_moves_nobody(
        client, db_session: Session, twilio_api: FakeTwilioApi) -> None:
    waiting_call(db_session, NUMBERS[0], "prs", datetime.now(UTC))
    identity = operator_identity(db_session, ["prs"])
    db_session.commit()  # a refused request rolls its session back: keep the setup
    form = {"CallSid": sid("CA"), "From": f"client:{identity}"}
    assert client.post("/twilio/voice/operator", data=form).status_code == 403
    assert signed_post(client, "/twilio/voice/operator", form, token="wrong" * 8).status_code == 403
    assert not [r for r in twilio_api.requests if "/Members/" in r.path]
    contact = db_session.scalars(select(Contact).where(Contact.channel == Channel.VOICE)).one()
    assert "room" not in contact.state["call"]["queue"]


def test_no_caller_number_reaches_the_phone_page_or_token(client, db_session: Session, phone_settings: None) -> None:
    waiting_call(db_session, NUMBERS[0], "prs", datetime.now(UTC))
    operator = make_staff(db_session, languages=["prs"])
    sign_in(client, operator)
    seen = client.get("/console/phone").get_data(as_text=True) + client.get("/console/phone/token").get_data(
        as_text=True)
    token = json.loads(client.get("/console/phone/token").get_data(as_text=True))["token"]
    seen += json.dumps(jwt.decode(token, KEY_SECRET, algorithms=["HS256"]))
    for number in NUMBERS:
        assert number not in seen and number.lstrip("+") not in seen


def test_phone_supervision_shows_counts_to_supervisors_only(client, db_session: Session) -> None:
    now = datetime.now(UTC)
    waiting_call(db_session, NUMBERS[0], "prs", now - timedelta(minutes=3))
    operator_identity(db_session, ["prs", "en"])
    db_session.commit()
    sign_in(client, make_staff(db_session, role="operator"))
    assert client.get("/console/supervision/phone").status_code == 403
    client.post("/console/logout", data={"csrf_token": csrf_token_in(client.get("/console/phone").get_data(
        as_text=True))})
    sign_in(client, make_staff(db_session, role="supervisor"))
    response = client.get("/console/supervision/phone")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    row = page.split('id="waiting"')[1].split("</table>")[0]
    assert "<td>" in row and "1</" in row
    assert NUMBERS[0] not in page and NUMBERS[0].lstrip("+") not in page


def test_a_caller_who_just_hung_up_is_skipped_for_the_next(client, db_session: Session,
                                                           twilio_api: FakeTwilioApi) -> None:
    now = datetime.now(UTC)
    gone = waiting_call(db_session, NUMBERS[0], "prs", now - timedelta(minutes=5))
    next_one = waiting_call(db_session, NUMBERS[1], "prs", now - timedelta(minutes=1))
    identity = operator_identity(db_session, ["prs"])
    twilio_api.reject_next(20404, 404)  # Twilio no longer has the first caller in the queue
    response = signed_post(client, "/twilio/voice/operator", {"CallSid": sid("CA"), "From": f"client:{identity}"})
    assert b"<Conference" in response.data
    moved = [r.path.split("/")[-1].removesuffix(".json") for r in twilio_api.requests if "/Members/" in r.path]
    assert moved == [gone, next_one]
    bridge = signed_post(client, "/twilio/voice/bridge", {"CallSid": gone})
    assert b"<Hangup" in bridge.data
