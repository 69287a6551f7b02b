"""Voice webhooks under attack and under Twilio's retries: signatures, malformed input, replays, callback order."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.intake.models import Contact, Recording, Report
from tests.factories import sign, signed_post
from tests.fakes.twilio_caller import FakeTwilioCaller, Recorded
from tests.functional import test_voice_calls as calls

# The whole-call fixtures: IVR content with Dari stand-ins, a fixed clock, a fake caller that checks the XSD.
ivr, clock, phone, twiml_schema = calls.ivr, calls.clock, calls.phone, calls.twiml_schema
pytestmark = pytest.mark.usefixtures("ivr", "clock")
CALL = {"CallSid": "CA" + "a" * 32, "From": "+93701234567", "To": calls.AFGHAN, "AccountSid": "AC" + "0" * 32}


@pytest.fixture()
def valid_twiml(twiml_schema):
    """Assert that a response body is TwiML the XSD accepts."""
    from lxml import etree

    def check(body: bytes) -> None:
        twiml_schema.assertValid(etree.fromstring(body))

    return check


def count(db_session: Session, model: type) -> int:
    return int(db_session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("path", ["/twilio/voice", "/twilio/voice/step?node=main_menu&n=1", "/twilio/voice/status",
                                  "/twilio/voice/recording?node=ask_question", "/twilio/voice/hold"])
def test_unsigned_or_mis_signed_requests_are_refused_and_store_nothing(client, db_session: Session, path: str) -> None:
    data = {**CALL, "CallStatus": "completed", "RecordingSid": "RE" + "b" * 32, "Digits": "1"}
    assert client.post(path, data=data).status_code == 403
    assert signed_post(client, path, data, token="not-our-token").status_code == 403
    signed_for_other_values = sign("http://localhost" + path, {**data, "Digits": "2"})
    assert client.post(path, data=data, headers={"X-Twilio-Signature": signed_for_other_values}).status_code == 403
    assert count(db_session, Contact) == 0 and count(db_session, Report) == 0


def test_a_replayed_incoming_call_gets_the_same_twiml_and_stores_one_contact(client, db_session: Session,
                                                                            valid_twiml) -> None:
    first = signed_post(client, "/twilio/voice", CALL)
    again = signed_post(client, "/twilio/voice", CALL)
    assert first.status_code == again.status_code == 200 and first.data == again.data
    valid_twiml(again.data)
    assert count(db_session, Contact) == 1


def test_a_replayed_or_stale_key_press_changes_nothing(client, db_session: Session) -> None:
    signed_post(client, "/twilio/voice", CALL)
    step = "/twilio/voice/step?node=choose_language&n=1"
    chosen = signed_post(client, step, {**CALL, "Digits": "2"})
    state = dict(db_session.scalar(select(Contact)).state)
    replay = signed_post(client, step, {**CALL, "Digits": "1"})
    assert replay.data == chosen.data
    contact = db_session.scalar(select(Contact))
    db_session.refresh(contact)
    assert contact.state == state and contact.language == "en"


@pytest.mark.parametrize("digits", ["<script>alert(1)</script>", "99999999999999999999999999999999999999", "\u0661",
                                    "\x00", "*", "' OR 1=1 --"])
def test_hostile_digits_are_re_prompted_never_refused(client, db_session: Session, digits: str,
                                                      valid_twiml) -> None:
    signed_post(client, "/twilio/voice", CALL)
    response = signed_post(client, "/twilio/voice/step?node=choose_language&n=1", {**CALL, "Digits": digits})
    assert response.status_code == 200
    assert b"<Gather" in response.data and b"script" not in response.data
    valid_twiml(response.data)
    assert db_session.scalar(select(Contact)).state["node"] == "choose_language"


@pytest.mark.parametrize("path,data", [
    ("/twilio/voice", {**CALL, "CallSid": "../../etc/passwd"}),
    ("/twilio/voice", {k: v for k, v in CALL.items() if k != "CallSid"}),
    ("/twilio/voice", {**CALL, "From": "+9" * 100}),
    ("/twilio/voice/step?node=Main%20Menu&n=1", CALL),
    ("/twilio/voice/step?node=main_menu&n=minus-one", CALL),
    ("/twilio/voice/step?node=main_menu&n=1", {**CALL, "RecordingSid": "RE-not-a-sid"}),
    ("/twilio/voice/step?node=main_menu&n=1", {**CALL, "RecordingUrl": "javascript:alert(1)"}),
    ("/twilio/voice/status", {**CALL, "CallStatus": "exploded"}),
    ("/twilio/voice/status", {**CALL, "CallStatus": "completed", "CallDuration": "-5"}),
    ("/twilio/voice/recording?node=ask_question", {**CALL}),
])
def test_malformed_webhooks_get_400_twiml_and_store_nothing(client, db_session: Session, path: str,
                                                            data: dict[str, str], valid_twiml) -> None:
    response = signed_post(client, path, data)
    assert response.status_code == 400
    assert response.mimetype == "text/xml" and b"<Hangup />" in response.data
    valid_twiml(response.data)
    assert "invalid webhook fields" in response.headers["X-Hotline-Error"]
    assert count(db_session, Contact) == 0


def test_status_callbacks_are_idempotent_and_order_independent(client, db_session: Session) -> None:
    status = "/twilio/voice/status"
    assert signed_post(client, status, {**CALL, "CallStatus": "completed", "CallDuration": "31"}).status_code == 204
    signed_post(client, status, {**CALL, "CallStatus": "completed", "CallDuration": "31"})
    signed_post(client, status, {**CALL, "CallStatus": "ringing"})  # late, out of order
    contact = db_session.scalar(select(Contact))
    assert count(db_session, Contact) == 1
    assert contact.status == "completed" and contact.state["call"]["duration"] == 31
    assert contact.state["call"]["abandoned"] is True and contact.ended_at is not None


def test_hang_up_in_a_menu_is_recorded_as_abandoned_there(phone: FakeTwilioCaller, db_session: Session) -> None:
    call = phone.call(["1", "hangup"], status=None)
    assert call.ended_by == "caller"
    phone.status(call, "completed", duration=12)
    contact = db_session.scalar(select(Contact).where(Contact.provider_id == call.call_sid))
    assert contact.state["call"] == {"duration": 12, "hung_up_at": "heard_via", "abandoned": True}


def test_recording_callback_replays_and_either_order_store_one_report(phone: FakeTwilioCaller,
                                                                      db_session: Session, client) -> None:
    call = phone.call(["1", "3", "3", Recorded(duration=9, callback_first=True), "", "", ""])
    sid = call.recordings[0]
    again = signed_post(client, "/twilio/voice/recording?node=report_rumour",
                        {**phone.params(call), "RecordingSid": sid, "RecordingDuration": "9",
                         "RecordingUrl": f"https://api.twilio.com/x/{sid}"})
    assert again.status_code == 204
    assert db_session.scalar(select(func.count()).select_from(Report).where(Report.source_id == sid)) == 1
    assert db_session.scalar(select(func.count()).select_from(Recording).where(Recording.provider_sid == sid)) == 1
    report = db_session.scalar(select(Report).where(Report.source_id == sid))
    assert report.type == "rumour_belief" and report.recording.media_url.endswith(sid)


def test_sub_second_recording_is_kept_as_incomplete(phone: FakeTwilioCaller, db_session: Session) -> None:
    call = phone.call(["1", "3", "2", Recorded(duration=0)])
    report = db_session.scalar(select(Report).where(Report.source_id == call.recordings[0]))
    assert report.type == "incomplete" and report.language == "prs"


def test_record_that_hears_nothing_falls_through_and_is_kept(client, db_session: Session) -> None:
    signed_post(client, "/twilio/voice", CALL)
    signed_post(client, "/twilio/voice/step?node=choose_language&n=1", {**CALL, "Digits": "2"})
    signed_post(client, "/twilio/voice/step?node=heard_via&n=2", {**CALL, "Digits": "1"})
    signed_post(client, "/twilio/voice/step?node=main_menu&n=3", {**CALL, "Digits": "2"})
    response = signed_post(client, "/twilio/voice/step?node=ask_question&n=4", CALL)  # the Redirect after <Record>
    assert response.status_code == 200 and b"<Gather" in response.data
    assert [r.type for r in db_session.scalars(select(Report))] == ["incomplete"]


@pytest.mark.parametrize("path", ["/ivr/audio/prs/../../../config/defaults.yaml", "/ivr/audio/prs/%2e%2e/x.wav",
                                  "/ivr/audio/xx/notice.wav", "/ivr/audio/prs/notice.ogg",
                                  "/ivr/audio/prs/missing.wav", "/ivr/audio/prs/synthetic/../notice.wav"])
def test_audio_is_safe_against_path_traversal(client, path: str) -> None:
    response = client.get(path)
    response.close()
    assert response.status_code == 404


def test_audio_is_served_with_type_and_caching(client) -> None:
    response = client.get("/ivr/audio/prs/synthetic/main_menu.wav")
    response.close()
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert response.headers["Cache-Control"] == "public, max-age=86400" and response.headers.get("ETag")


def test_hold_music_outside_the_queue_is_a_pause_not_a_redirect(client, db_session: Session, valid_twiml) -> None:
    signed_post(client, "/twilio/voice", CALL)
    response = signed_post(client, "/twilio/voice/hold", {**CALL, "QueueTime": "5"})
    assert response.status_code == 200 and b"<Pause" in response.data and b"<Redirect" not in response.data
    valid_twiml(response.data)
