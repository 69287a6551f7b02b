"""During a live call: the operator's leg joins the room with an end-of-call action (talk time), the console shows
the call's panel (pseudonymous history, the report for this call) and saves the operator's wrap-up; how waits end
(abandoned, voicemail) comes from the Enqueue action's webhook and reaches the supervision page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.auth.models import User
from hotline.intake.models import Contact, Report
from hotline.operators.models import OperatorCall
from tests.factories import csrf_token_in, make_staff, sid, sign_in, signed_post
from tests.fakes.twilio_api import FakeTwilioApi
from tests.fakes.twilio_caller import FakeTwilioCaller, Queue, Recorded
from tests.functional import test_operator_phone as operator_phone
from tests.functional import test_voice_calls as calls

ivr, twiml_schema, twilio_api, clock = calls.ivr, calls.twiml_schema, operator_phone.twilio_api, calls.clock
phone = calls.phone
pytestmark = pytest.mark.usefixtures("ivr")
NUMBER = "+93701234599"


def _take(client, db_session: Session, wait_minutes: int = 3) -> tuple[str, str, str, OperatorCall]:
    """A Dari caller waits; an available Dari operator's softphone takes them. Returns (caller's CallSid, the
    operator's CallSid, identity, the call row)."""
    since = datetime.now(UTC) - timedelta(minutes=wait_minutes)
    caller_sid = operator_phone.waiting_call(db_session, NUMBER, "prs", since)
    identity = operator_phone.operator_identity(db_session, ["prs"])
    leg = sid("CA")
    response = signed_post(client, "/twilio/voice/operator", {"CallSid": leg, "From": f"client:{identity}"})
    assert response.status_code == 200
    taken = db_session.scalars(select(OperatorCall)).one()
    return caller_sid, leg, identity, taken


def test_the_operator_leg_has_an_end_action_and_talk_time_is_stored(
        client, db_session: Session, twilio_api: FakeTwilioApi, twiml_schema: etree.XMLSchema) -> None:
    _caller, leg, identity, taken = _take(client, db_session)
    assert 170 <= taken.wait_seconds <= 200 and taken.outcome == "answered" and taken.operator_call_sid == leg
    response = signed_post(client, "/twilio/voice/operator", {"CallSid": leg, "From": f"client:{identity}"})
    assert b"<Hangup" in response.data  # nobody else waits
    first = signed_post(client, "/twilio/voice/operator", {"CallSid": sid("CA"), "From": f"client:{identity}"})
    calls.assert_valid_twiml(twiml_schema, first.data)
    taken_twiml = etree.fromstring(_operator_twiml(client, db_session, identity))
    action = taken_twiml.find("Dial").get("action")
    calls.assert_valid_twiml(twiml_schema, etree.tostring(taken_twiml))
    path = urlparse(action)
    assert path.path == "/twilio/voice/operator/done"
    done_path = f"{path.path}?{path.query}"
    call_id = int(parse_qs(path.query)["call"][0])
    row = db_session.get(OperatorCall, call_id)
    # Another call's sid changes nothing; the operator's own leg stores the end and the talk time.
    other = signed_post(client, done_path, {"CallSid": sid("CA"), "From": f"client:{identity}"})
    assert other.status_code == 200 and b"<Hangup" in other.data
    db_session.refresh(row)
    assert row.ended_at is None and row.talk_seconds is None
    own = signed_post(client, done_path, {"CallSid": row.operator_call_sid, "From": f"client:{identity}"})
    calls.assert_valid_twiml(twiml_schema, own.data)
    db_session.refresh(row)
    assert row.ended_at is not None and row.talk_seconds is not None and row.talk_seconds >= 0


def _operator_twiml(client, db_session: Session, identity: str) -> bytes:
    """Another caller waits and is taken: the operator leg's TwiML."""
    operator_phone.waiting_call(db_session, "+93701234598", "prs", datetime.now(UTC) - timedelta(minutes=1))
    response = signed_post(client, "/twilio/voice/operator", {"CallSid": sid("CA"), "From": f"client:{identity}"})
    assert b"<Conference" in response.data
    return bytes(response.data)


def test_the_end_of_call_webhook_refuses_unsigned_requests(client, db_session: Session,
                                                           twilio_api: FakeTwilioApi) -> None:
    _caller, leg, identity, taken = _take(client, db_session)
    db_session.commit()  # a refused request rolls its session back: keep the setup
    path = f"/twilio/voice/operator/done?call={taken.id}"
    assert client.post(path, data={"CallSid": leg, "From": f"client:{identity}"}).status_code == 403
    assert signed_post(client, path, {"CallSid": leg, "From": f"client:{identity}"},
                       token="wrong" * 8).status_code == 403
    db_session.expire_all()
    assert db_session.get(OperatorCall, taken.id).ended_at is None


def test_the_call_panel_shows_history_and_the_report_never_the_number(
        client, db_session: Session, twilio_api: FakeTwilioApi) -> None:
    _caller, _leg, _identity, taken = _take(client, db_session)
    operator = db_session.get(OperatorCall, taken.id).operator_id
    earlier = db_session.scalars(select(Report).where(Report.channel == "sms")).one()  # the caller's SMS
    sign_in(client, db_session.get(User, operator))
    response = client.get("/console/phone/call")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    db_session.expire_all()
    row = db_session.get(OperatorCall, taken.id)
    assert row.report_id is not None and row.report_id != earlier.id
    assert f"/console/reports/{row.report_id}" in html and f"/console/reports/{earlier.id}" in html
    assert NUMBER not in html and NUMBER.lstrip("+") not in html
    report = db_session.get(Report, row.report_id)
    assert report.caller_id == earlier.caller_id and report.channel == "voice"
    assert client.get("/console/phone/call").get_data(as_text=True).count("call-notes") == 1  # same report again
    assert db_session.scalars(select(Report).where(Report.contact_id == row.contact_id)).all() == [report]


def test_the_panel_and_wrap_up_are_refused_to_others(client, db_session: Session,
                                                     twilio_api: FakeTwilioApi) -> None:
    _take(client, db_session)
    db_session.commit()
    taken = db_session.scalars(select(OperatorCall)).one()
    assert client.get("/console/phone/call").status_code == 302  # signed out: to the sign-in page
    sign_in(client, make_staff(db_session, languages=["prs"]))
    assert client.get("/console/phone/call").status_code == 204  # this operator is on no call
    token = csrf_token_in(client.get("/console/phone").get_data(as_text=True))
    refused = client.post(f"/console/phone/calls/{taken.id}", data={"outcome": "answered", "csrf_token": token})
    assert refused.status_code == 404
    client.post("/console/logout", data={"csrf_token": token})
    sign_in(client, make_staff(db_session, role="analyst"))
    assert client.get("/console/phone/call").status_code == 403
    db_session.expire_all()
    assert db_session.get(OperatorCall, taken.id).wrapped_at is None


def test_the_operator_codes_the_call_and_notes_the_answer_and_outcome(
        client, db_session: Session, twilio_api: FakeTwilioApi) -> None:
    _caller, _leg, _identity, taken = _take(client, db_session)
    operator = db_session.get(User, taken.operator_id)
    db_session.commit()
    sign_in(client, operator)
    client.get("/console/phone/call")
    token = csrf_token_in(client.get("/console/phone").get_data(as_text=True))
    path = f"/console/phone/calls/{taken.id}"
    json_headers = {"Accept": "application/json"}
    assert client.post(path, data={"outcome": "answered"}, headers=json_headers).status_code == 400  # no CSRF
    bad = client.post(path, data={"outcome": "lunch", "csrf_token": token}, headers=json_headers)
    assert bad.status_code == 400 and bad.get_json()["ok"] is False
    db_session.expire_all()
    assert db_session.get(OperatorCall, taken.id).wrapped_at is None
    saved = client.post(path, headers=json_headers, data={
        "csrf_token": token, "type": "question", "category": "", "code": "", "outcome": "answered",
        "answer": "Explained that the visa offer is a scam."})
    assert saved.status_code == 200 and saved.get_json()["ok"] is True, saved.get_data(as_text=True)
    db_session.expire_all()
    row = db_session.get(OperatorCall, taken.id)
    assert row.wrapped_at is not None and row.outcome == "answered" and row.talk_seconds is not None
    assert row.answer_note == "Explained that the visa offer is a scam."
    report = db_session.get(Report, row.report_id)
    assert report.type == "question" and report.coded_by_id == operator.id and report.status == "answered"
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "call.wrap_up")).one()
    assert "scam" not in str(event.after) and event.after["answer_chars"] == len(row.answer_note)
    assert client.get("/console/phone/call").status_code == 204  # wrapped up: no current call
    # The operator found the caller gone: the wait's outcome the figures count follows.
    later = client.post(path, data={"csrf_token": token, "outcome": "abandoned"})
    assert later.status_code == 303
    db_session.expire_all()
    contact = db_session.get(Contact, row.contact_id)
    assert contact.state["call"]["queue"]["outcome"] == "abandoned"


def test_abandoned_and_voicemail_come_from_the_enqueue_action_and_reach_supervision(
        client, phone: FakeTwilioCaller, db_session: Session, clock: list[datetime],
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock[0] = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wednesday 10:00 in Jakarta
    monkeypatch.setattr("hotline.triage.supervision_views.utcnow", lambda: clock[0])
    calls.available_operator(db_session, ["id"], clock[0])
    hung_up = phone.call(["1", "6", "5", Queue("hangup", wait=40)], dialled=calls.INDONESIAN)
    left = phone.call(["1", "6", "5", Queue(None, wait=120), Recorded(duration=12)], dialled=calls.INDONESIAN)
    outcomes = {call.call_sid: calls.contact_of(db_session, call.call_sid).state["call"]["queue"]
                for call in (hung_up, left)}
    assert (outcomes[hung_up.call_sid]["outcome"], outcomes[hung_up.call_sid]["wait"]) == ("abandoned", 40)
    assert (outcomes[left.call_sid]["outcome"], outcomes[left.call_sid]["wait"]) == ("voicemail", 120)
    db_session.commit()
    sign_in(client, make_staff(db_session, role="supervisor"))
    page = client.get("/console/supervision/phone").get_data(as_text=True)
    table = page.split('id="outcomes"')[1].split("</table>")[0]
    row = table.split("<tbody>")[1].split("</tr>")[0]
    cells = [re.sub(r"<[^>]+>", "", cell.split("</td>")[0]).strip() for cell in row.split("<td>")[2:]]
    assert cells == ["0", "1", "1", "80"], table  # answered, abandoned, voicemail, the median of 40 s and 120 s


def test_a_returning_caller_whose_call_kept_the_language_in_the_flow_is_taken(
        client, db_session: Session, twilio_api: FakeTwilioApi) -> None:
    """A returning caller's call may leave the contact's language unset (the flow spoke the language the caller
    record knew): they wait in that language's queue and an operator of it must still take them."""
    caller_sid = operator_phone.waiting_call(db_session, NUMBER, "prs", datetime.now(UTC) - timedelta(minutes=1))
    contact = db_session.scalars(select(Contact).where(Contact.provider_id == caller_sid)).one()
    contact.language = None
    contact.state = {**contact.state, "language": "prs"}
    db_session.flush()
    identity = operator_phone.operator_identity(db_session, ["prs"])
    response = signed_post(client, "/twilio/voice/operator", {"CallSid": sid("CA"), "From": f"client:{identity}"})
    assert b"<Conference" in response.data
    assert next(r.path for r in twilio_api.requests if "/Members/" in r.path).endswith(f"/{caller_sid}.json")
