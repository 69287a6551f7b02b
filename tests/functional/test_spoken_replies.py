"""Spoken replies from the report page: an answer recorded (normalised by the studio's normaliser) or picked from the
library, played on a call placed through Twilio's REST API (a loopback fake) behind the call-backs' gate, answered
by signed webhooks whose TwiML is checked against the XSD. A machine hears nothing; a person hears the neutral
greeting, "press 1", the answer, and can replay it or leave another question, filed in the same conversation. The
caller's number never reaches a page or JSON; the audio URL Twilio fetches is signed, expires and names nobody.
"""

from __future__ import annotations

import io
import re
import wave
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.callbacks.models import CallbackConsent
from hotline.callbacks.service import record_consent
from hotline.callbacks.spoken_models import SpokenReply, SpokenReplyAttempt
from hotline.intake.models import Caller, Contact, Recording, Report
from hotline.ivr.spoken_views import audio_token, read_audio_token
from hotline.rumours.models import CounterMessage
from tests.factories import csrf_token_in, make_staff, sid, sign_in, signed_post
from tests.fakes.twilio_api import FakeTwilioApi
from tests.functional.test_callbacks import (  # the call-backs' fixtures and helpers, shared
    DAYTIME_IN_KABUL,
    KABUL,
    NIGHT_IN_KABUL,
    SENDER,
    XSD,
    _report_held,
    clock,
    twilio_api,
)
from tests.functional.test_rate_limits import from_address, limited
from tests.studio_audio import voice_like_wav

__all__ = ["clock", "limited", "twilio_api"]
GREETING = "Hello. You asked us to call you back. To hear our answer, press 1."
MENU = "To hear it again, press 1. To leave another question, press 2."


@pytest.fixture()
def now(clock: list[datetime], monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The call-backs' clock, for spoken replies too."""
    monkeypatch.setattr("hotline.triage.spoken_reply_views.utcnow", lambda: clock[0])
    return clock


def _record_answer(client: FlaskClient, report: Report, token: str, audio: bytes | None = None) -> str:
    data = {"csrf_token": token, "source": "browser",
            "audio": (io.BytesIO(audio or voice_like_wav()), "take.webm")}
    response = client.post(f"/console/reports/{report.id}/spoken-reply/recording", data=data,
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _call(client: FlaskClient, report: Report, token: str) -> str:
    response = client.post(f"/console/reports/{report.id}/spoken-reply/call", data={"csrf_token": token},
                           follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _attempts(session: Session, report: Report) -> list[SpokenReplyAttempt]:
    return list(session.scalars(select(SpokenReplyAttempt).where(SpokenReplyAttempt.report_id == report.id)))


def _placed(client: FlaskClient, session: Session, consent: bool = True) -> tuple[Report, str, SpokenReplyAttempt]:
    report, token = _report_held(client, session, consent=consent)
    _record_answer(client, report, token)
    assert "Calling the caller to play the answer." in _call(client, report, token)
    [attempt] = _attempts(session, report)
    return report, token, attempt


def reply_key(session: Session, attempt: SpokenReplyAttempt) -> str:
    reply = session.get(SpokenReply, attempt.reply_id)
    assert reply is not None
    return reply.audio_key


def _valid(body: bytes) -> etree._Element:
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(etree.fromstring(body))
    return etree.fromstring(body)


def _post(client: FlaskClient, url: str, attempt: SpokenReplyAttempt, **form: str) -> bytes:
    response = signed_post(client, url, {"CallSid": attempt.call_sid, "From": KABUL, "To": SENDER, **form})
    assert response.status_code == 200
    body: bytes = response.data
    return body


def _answered_by_person(client: FlaskClient, attempt: SpokenReplyAttempt) -> etree._Element:
    return _valid(_post(client, f"/twilio/voice/spoken/{attempt.id}/answer", attempt, AnsweredBy="human"))


def _press(client: FlaskClient, twiml: etree._Element, attempt: SpokenReplyAttempt, digits: str) -> etree._Element:
    action = twiml.find("Gather").get("action")
    return _valid(_post(client, action, attempt, Digits=digits))


def test_an_answer_recorded_is_normalised_stored_audited_and_the_call_placed_with_machine_detection(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime]
) -> None:
    report, token = _report_held(client, db_session)
    page = _record_answer(client, report, token, voice_like_wav(rate=44100, channels=2))
    assert "Answer saved." in page
    reply = db_session.scalar(select(SpokenReply).where(SpokenReply.report_id == report.id))
    assert reply is not None and reply.source == "browser" and reply.audio is not None
    with wave.open(io.BytesIO(reply.audio)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)
    assert f"/console/spoken-replies/{reply.id}.wav" in page
    assert client.get(f"/console/spoken-replies/{reply.id}.wav").data == reply.audio  # listen before calling
    page = _call(client, report, token)
    [placed] = twilio_api.calls
    [attempt] = _attempts(db_session, report)
    assert placed.form["To"] == SENDER and placed.form["From"] == KABUL
    assert placed.form["MachineDetection"] == "Enable"
    assert placed.form["Url"] == f"http://localhost/twilio/voice/spoken/{attempt.id}/answer"
    assert placed.form["StatusCallback"] == f"http://localhost/twilio/voice/spoken/{attempt.id}/status"
    assert attempt.call_sid is not None and attempt.reply_id == reply.id and attempt.placed_at == DAYTIME_IN_KABUL
    actions = set(db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == report.id)))
    assert {"report.spoken_reply.answer", "report.spoken_reply.call"} <= actions
    audited = db_session.scalars(select(AuditEvent.after).where(AuditEvent.action.like("report.spoken_reply%")))
    assert all(SENDER not in str(after) for after in audited)
    status = client.get(f"/console/reports/{report.id}/spoken-reply/status")
    assert status.json is not None and status.json["attempts"][0]["delivery"] == "queued"
    for body in (page, status.get_data(as_text=True)):  # the number goes to Twilio, never to the browser
        assert SENDER not in body and SENDER[3:] not in body and SENDER[-7:] not in body


def test_a_machine_hears_nothing_at_all_and_the_reply_is_not_delivered(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime]
) -> None:
    report, _, attempt = _placed(client, db_session)
    body = _post(client, f"/twilio/voice/spoken/{attempt.id}/answer", attempt, AnsweredBy="machine_start")
    assert body.decode().endswith("<Response><Hangup /></Response>")
    status = signed_post(client, f"/twilio/voice/spoken/{attempt.id}/status",
                         {"CallSid": attempt.call_sid, "From": KABUL, "To": SENDER, "CallStatus": "completed"})
    assert status.status_code == 204
    db_session.refresh(attempt)
    assert attempt.outcome == "machine" and attempt.plays == 0
    assert db_session.scalar(select(Contact).where(Contact.provider_id == attempt.call_sid)) is None
    page = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert "Not delivered: a machine answered and nothing was said" in page


def test_a_person_hears_the_neutral_greeting_then_the_answer_and_press_1_replays_it(
    app: Flask, client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime]
) -> None:
    report, _, attempt = _placed(client, db_session)
    greeting = _answered_by_person(client, attempt)
    text = etree.tostring(greeting, encoding="unicode")
    assert GREETING in text and "Hotline" not in text and "<Play" not in text  # nothing before "press 1"
    contact = db_session.scalar(select(Contact).where(Contact.provider_id == attempt.call_sid))
    assert contact is not None and contact.caller_id == report.caller_id
    played = _press(client, greeting, attempt, "1")
    url = played.find("Play").text
    assert url.startswith("/ivr/reply/") and played.find("Gather/Say").text == MENU
    with app.test_request_context():  # the token carries the answer's random key alone: nothing about the caller
        assert read_audio_token(url.removeprefix("/ivr/reply/").removesuffix(".wav")) == reply_key(db_session, attempt)
    fetched = app.test_client().get(url)  # Twilio's <Play>: no session, no cookie
    reply = db_session.get(SpokenReply, attempt.reply_id)
    assert reply is not None
    assert fetched.status_code == 200 and fetched.mimetype == "audio/wav" and fetched.data == reply.audio
    db_session.refresh(attempt)
    assert attempt.plays == 1 and attempt.played_at is not None
    assert _press(client, greeting, attempt, "1") is not None  # Twilio retried the same step: counted once
    db_session.refresh(attempt)
    assert attempt.plays == 1
    again = _press(client, played, attempt, "1")
    assert again.find("Play") is not None and again.find("Gather") is not None
    db_session.refresh(attempt)
    assert attempt.plays == 2
    status = {"CallSid": attempt.call_sid, "From": KABUL, "To": SENDER, "CallStatus": "completed",
              "CallDuration": "61"}
    assert signed_post(client, f"/twilio/voice/spoken/{attempt.id}/status", status).status_code == 204
    db_session.refresh(attempt)
    assert attempt.duration_seconds == 61 and attempt.ended_at is not None
    page = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert "Played" in page and "times played: 2" in page
    assert SENDER[3:] not in page


def test_press_2_records_another_question_filed_in_the_same_conversation(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime]
) -> None:
    report, _, attempt = _placed(client, db_session)
    played = _press(client, _answered_by_person(client, attempt), attempt, "1")
    asked = _press(client, played, attempt, "2")
    record = asked.find("Record")
    assert asked.find("Say").text.startswith("After the beep, ask your question.") and record is not None
    callback = record.get("recordingStatusCallback")
    silent = _valid(_post(client, record.get("action"), attempt))  # nothing recorded: not thanked, asked again
    assert silent.find("Say").text == "We did not hear a message." and silent.find("Gather") is not None
    asked = _press(client, silent, attempt, "2")
    recording_sid, url = sid("RE"), twilio_api.add_recording(b"ID3 question")
    thanked = _valid(_post(client, asked.find("Record").get("action"), attempt, RecordingSid=recording_sid,
                           RecordingUrl=url, RecordingDuration="9"))
    words = [say.text for say in thanked.findall("Say")]
    assert words[0].startswith("Thank you. Someone from our team will listen") and words[-1] == "Thank you. Goodbye."
    assert thanked.find("Hangup") is not None
    assert signed_post(client, callback, {"CallSid": attempt.call_sid, "From": KABUL, "To": SENDER,
                                          "RecordingSid": recording_sid, "RecordingUrl": url,
                                          "RecordingDuration": "9"}).status_code == 204
    [recording] = db_session.scalars(select(Recording).where(Recording.provider_sid == recording_sid)).all()
    [question] = db_session.scalars(select(Report).where(Report.recording_id == recording.id)).all()
    assert question.id != report.id and question.caller_id == report.caller_id and question.type == "question"
    db_session.refresh(attempt)
    assert attempt.question_report_id == question.id
    page = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert f'href="/console/reports/{question.id}"' in page  # in the caller's conversation, and linked


def test_silence_and_wrong_keys_end_the_call_politely(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime]
) -> None:
    _, _, attempt = _placed(client, db_session)
    twiml = _answered_by_person(client, attempt)
    for digits in ("7", "", ""):
        twiml = _press(client, twiml, attempt, digits)
        query = parse_qs(urlsplit(twiml.find("Gather").get("action")).query) if twiml.find("Gather") is not None \
            else {}
        if digits == "7":
            assert twiml.find("Say").text == "Sorry, that key is not in the menu." and query["t"] == ["1"]
    assert [say.text for say in twiml.findall("Say")] == ["Thank you. Goodbye."] and twiml.find("Hangup") is not None


def test_an_approved_audio_message_can_be_the_answer(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime]
) -> None:
    report, token = _report_held(client, db_session)
    message = CounterMessage(language="en", title="Boats in the monsoon", body="...", status="approved",
                             audio_path="https://media.example.org/monsoon-en.mp3", category="journey_risk")
    db_session.add(message)
    db_session.flush()
    page = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert f'<option value="{message.id}">Boats in the monsoon</option>' in page
    chosen = client.post(f"/console/reports/{report.id}/spoken-reply/message",
                         data={"csrf_token": token, "counter_message_id": str(message.id)}, follow_redirects=True)
    assert "Answer saved." in chosen.get_data(as_text=True)
    _call(client, report, token)
    [attempt] = _attempts(db_session, report)
    played = _press(client, _answered_by_person(client, attempt), attempt, "1")
    assert played.find("Play").text == "https://media.example.org/monsoon-en.mp3"


def test_refused_without_consent_and_nothing_is_kept(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime]
) -> None:
    report, token = _report_held(client, db_session, consent=False)
    page = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert "This caller did not." in page and 'id="spoken-recorder"' not in page
    assert "The caller did not agree to be called back." in _record_answer(client, report, token)
    assert "Record an answer, or pick a message, before calling." in _call(client, report, token)
    record_consent(db_session, report.id, DAYTIME_IN_KABUL)  # an answer kept, then consent is what is missing
    _record_answer(client, report, token)
    db_session.execute(CallbackConsent.__table__.delete().where(CallbackConsent.report_id == report.id))
    assert "The caller did not agree to be called back." in _call(client, report, token)
    assert twilio_api.calls == [] and _attempts(db_session, report) == []


@pytest.mark.parametrize("standing", ["erased", "opted_out"])
def test_refused_for_an_erased_or_opted_out_caller(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime], standing: str
) -> None:
    report, token = _report_held(client, db_session)
    _record_answer(client, report, token)
    caller = db_session.get(Caller, report.caller_id)
    assert caller is not None
    if standing == "erased":
        caller.pseudonym, caller.reply_address = "erased-" + "0" * 56, None
    else:
        caller.opted_out = True
    db_session.flush()
    page = _call(client, report, token)
    assert ("This caller&#39;s data was erased" if standing == "erased" else "This caller opted out") in page
    assert twilio_api.calls == [] and _attempts(db_session, report) == []


def test_refused_outside_the_callers_daytime(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime]
) -> None:
    now[0] = NIGHT_IN_KABUL
    report, token = _report_held(client, db_session)
    _record_answer(client, report, token)
    assert "It is not daytime where the caller lives" in _call(client, report, token)
    assert twilio_api.calls == []


def test_call_backs_and_spoken_replies_share_the_limit_of_attempts(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime]
) -> None:
    report, token = _report_held(client, db_session)
    _record_answer(client, report, token)
    for hours in (0, 1):
        now[0] = DAYTIME_IN_KABUL + timedelta(hours=hours)
        client.post(f"/console/reports/{report.id}/callback", data={"csrf_token": token})
    now[0] += timedelta(minutes=10)
    assert "The last call-back was a short while ago" in _call(client, report, token)
    now[0] += timedelta(hours=1)
    assert "Calling the caller to play the answer." in _call(client, report, token)
    now[0] += timedelta(hours=1)
    assert "The limit of call-back attempts is reached." in _call(client, report, token)
    assert len(twilio_api.calls) == 3


def test_an_operator_without_access_gets_404_and_strangers_403(
    app: Flask, client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime]
) -> None:
    report, token = _report_held(client, db_session)
    _record_answer(client, report, token)
    reply = db_session.scalar(select(SpokenReply).where(SpokenReply.report_id == report.id))
    assert reply is not None
    client = app.test_client()  # another operator, whose languages do not include the report's
    sign_in(client, make_staff(db_session, "operator", languages=["prs"]))
    other = csrf_token_in(client.get("/console/queue?lang=all").get_data(as_text=True))
    for path in ("recording", "message", "call"):
        refused = client.post(f"/console/reports/{report.id}/spoken-reply/{path}", data={"csrf_token": other})
        assert refused.status_code == 404, path
    assert client.get(f"/console/spoken-replies/{reply.id}.wav").status_code == 404
    assert client.get(f"/console/reports/{report.id}/spoken-reply/status").status_code == 404
    assert client.post(f"/console/reports/{report.id}/spoken-reply/call").status_code in (400, 403)  # no CSRF
    assert twilio_api.calls == []


def test_webhooks_refuse_unsigned_requests_and_other_calls(
    client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime]
) -> None:
    _, _, attempt = _placed(client, db_session)
    form = {"CallSid": attempt.call_sid, "From": KABUL, "To": SENDER, "AnsweredBy": "human"}
    path = f"/twilio/voice/spoken/{attempt.id}/answer"
    assert client.post(path, data=form).status_code == 403
    assert signed_post(client, path, form, token="not-our-token").status_code == 403
    step = f"/twilio/voice/spoken/{attempt.id}/step?node=greeting&n=1&t=0"
    assert client.post(step, data={**form, "Digits": "1"}).status_code == 403
    assert client.post(f"/twilio/voice/spoken/{attempt.id}/status",
                       data={"CallSid": attempt.call_sid, "CallStatus": "completed"}).status_code == 403
    stranger = signed_post(client, path, {**form, "CallSid": sid("CA")[:34]})
    assert stranger.get_data(as_text=True).endswith("<Response><Hangup /></Response>")
    db_session.refresh(attempt)
    assert attempt.outcome == "placed" and attempt.answered_at is None
    # Before a person answered, no step plays anything, even signed.
    early = signed_post(client, step, {**form, "Digits": "1"})
    assert early.get_data(as_text=True).endswith("<Response><Hangup /></Response>") and attempt.plays == 0


def test_the_audio_url_is_signed_and_expires(
    app: Flask, client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, now: list[datetime],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    report, token = _report_held(client, db_session)
    _record_answer(client, report, token)
    reply = db_session.scalar(select(SpokenReply).where(SpokenReply.report_id == report.id))
    assert reply is not None
    stranger = app.test_client()
    with app.test_request_context():
        good = audio_token(reply.audio_key)
    assert stranger.get(f"/ivr/reply/{good}.wav").status_code == 200
    assert re.fullmatch(r"[A-Za-z0-9_.\-]+", good)
    assert stranger.get(f"/ivr/reply/{good[:-2]}xx.wav").status_code == 404  # tampered
    assert stranger.get(f"/ivr/reply/{reply.audio_key}.wav").status_code == 404  # the bare key is not a token
    monkeypatch.setattr("hotline.ivr.spoken_views.read_audio_token.__defaults__", (-1,))
    assert stranger.get(f"/ivr/reply/{good}.wav").status_code == 404  # expired


def test_guessing_audio_urls_is_rate_limited(limited: Callable[..., Flask]) -> None:
    guesser = from_address(limited(), "203.0.113.60")
    for attempt in range(3):  # HOTLINE_RATELIMIT_WEBHOOK_REFUSED is 3 per minute here
        assert guesser.get(f"/ivr/reply/not-a-token-{attempt}.wav").status_code == 404
    assert guesser.get("/ivr/reply/not-a-token-4.wav").status_code == 429
