"""`hotline retention purge` and `hotline erase`: personal data goes, coding and aggregate counts stay."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.callbacks.spoken_models import SpokenReply
from hotline.classify.runtime import classify_runtime
from hotline.classify.service import MatchStatus, classify_report
from hotline.cli import cli
from hotline.context import runtime
from hotline.field.models import SOURCES
from hotline.field.reports import load_submission
from hotline.field.service import VoiceNote, submit_web_report
from hotline.intake.constants import Channel
from hotline.intake.inbound import InboundMessage, InboundRecording, InboundReport, Intake
from hotline.intake.models import Caller, Contact, Message, Recording, Report
from hotline.intake.service import record
from hotline.operators.models import OperatorCall
from hotline.privacy.sealed_records import SMS_INBOUND, decode, encode, make_record
from hotline.rumours.models import Rumour
from hotline.spool.runtime import app_spool
from hotline.spool.store import Spool
from hotline.triage.models import ProtectionReferral
from tests.app_settings import override_settings
from tests.factories import TEST_SECRETS, make_sms_intake, make_staff, sid, sign_in
from tests.fakes.twilio_api import twilio_api_for
from tests.field_factories import make_focal_point

NOW = datetime.now(UTC)
OLD_TEXTER, NEW_TEXTER, OLD_CALLER = "+93701111111", "+923002222222", "+8801733333333"
ACCOUNT = TEST_SECRETS["HOTLINE_TWILIO_ACCOUNT_SID"]


def _aggregates(session: Session) -> list[tuple[Any, ...]]:
    query = (select(Report.week, Report.country, Report.language, Report.channel, Report.type, Report.category,
                    func.count()).group_by(Report.week, Report.country, Report.language, Report.channel, Report.type,
                                           Report.category).order_by(Report.week, Report.channel))
    return [tuple(row) for row in session.execute(query)]


def _seed(app: Flask, session: Session) -> dict[str, Any]:
    ctx = runtime(app).intake_context()
    message_sid = sid("SM")
    media = ({"url": "https://api.twilio.com/m/1", "content_type": "image/jpeg"},)
    body = "They said the boat is safe, call me on +93709999999"
    old = make_sms_intake(OLD_TEXTER, body, received_at=NOW - timedelta(days=400), message_sid=message_sid)
    old = dataclasses.replace(old, message=InboundMessage(message_sid, body, media))
    old_report = record(session, old, ctx).report
    assert old_report is not None
    record(session, make_sms_intake(NEW_TEXTER, "Is the border open?", received_at=NOW - timedelta(days=10)), ctx)
    rec_sid = sid("RE")
    call = Intake(channel=Channel.VOICE, received_at=NOW - timedelta(days=400), sender=OLD_CALLER,
                  contact_key=sid("CA"), recording=InboundRecording(rec_sid, "question", "https://api.twilio.com/r"),
                  report=InboundReport(source_id=rec_sid, type="question"))
    record(session, call, ctx)
    session.commit()  # as in production, intake's classification jobs have run long before any purge
    old_report.type, old_report.category, old_report.translation = "rumour_belief", "smuggler_claims", "boat is safe"
    recording = session.scalar(select(Recording).where(Recording.provider_sid == rec_sid))
    assert recording is not None
    audio = app.config["HOTLINE"].recordings_folder / "2025" / f"{rec_sid}.mp3"
    audio.parent.mkdir(parents=True, exist_ok=True)
    audio.write_bytes(b"ID3 fake audio")
    recording.storage_path = f"2025/{rec_sid}.mp3"
    session.flush()
    return {"audio": audio, "old_message": message_sid}


def test_purge_removes_what_is_due_keeps_the_trends_and_is_idempotent(
    app: Flask, db_session: Session, runner: FlaskCliRunner
) -> None:
    seeded = _seed(app, db_session)
    before = _aggregates(db_session)
    result = runner.invoke(cli, ["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "report texts: 1" in result.output and "recordings: 1" in result.output
    assert "reply addresses: 2" in result.output and "attachments: 1" in result.output
    db_session.expire_all()
    assert _aggregates(db_session) == before
    assert not Path(seeded["audio"]).exists()
    old = db_session.scalar(select(Message).where(Message.provider_sid == seeded["old_message"]))
    assert old is not None and old.body is None and old.media == [] and old.num_media == 1
    texts = dict(db_session.execute(select(Report.channel, Report.text).where(Report.text.is_not(None))).all())
    assert list(texts.values()) == ["Is the border open?"]
    coded = db_session.scalar(select(Report).where(Report.category == "smuggler_claims"))
    assert coded is not None and coded.text is None and coded.translation is None and coded.text_redacted_at
    recording = db_session.scalar(select(Recording))
    assert recording is not None and recording.purged_at and recording.storage_path is None
    kept = db_session.scalar(select(Caller.reply_address).join(Report, Report.caller_id == Caller.id)
                             .where(Report.text.is_not(None)))
    assert kept is not None  # the recent texter can still be answered

    again = runner.invoke(cli, ["retention", "purge"])
    assert again.exit_code == 0 and "done: 0 change(s)" in again.output
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purge")))
    assert len(events) == 2 and events[0].after is not None and events[0].after["report_texts"] == 1
    assert "9370" not in json.dumps([e.after for e in events])


def test_erase_finds_the_caller_by_number_and_erases_them_everywhere(
    app: Flask, db_session: Session, runner: FlaskCliRunner
) -> None:
    seeded = _seed(app, db_session)
    before = _aggregates(db_session)
    declined = runner.invoke(cli, ["erase", OLD_CALLER], input="n\n")
    assert declined.exit_code != 0 and Path(seeded["audio"]).exists()

    result = runner.invoke(cli, ["erase", "-", "--yes"], input=OLD_CALLER + "\n")
    assert result.exit_code == 0, result.output
    assert OLD_CALLER not in result.output and "recordings 1" in result.output
    db_session.expire_all()
    assert not Path(seeded["audio"]).exists() and _aggregates(db_session) == before
    assert runner.invoke(cli, ["erase", OLD_CALLER, "--yes"]).exit_code != 0  # no longer linkable to the number

    texter = runner.invoke(cli, ["erase", OLD_TEXTER, "--yes"])
    assert texter.exit_code == 0, texter.output
    db_session.expire_all()
    old = db_session.scalar(select(Message).where(Message.provider_sid == seeded["old_message"]))
    assert old is not None and old.body is None and old.media == []
    assert db_session.scalar(select(func.count()).select_from(Report).where(Report.text.is_not(None))) == 1
    erased = list(db_session.scalars(select(Caller).where(Caller.pseudonym.like("erased-%"))))
    assert len(erased) == 2 and all(c.reply_address is None and c.phone_masked is None and c.opted_out for c in erased)
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == "caller.erase")))
    assert len(events) == 2 and "+" not in json.dumps([e.after for e in events])
    assert runner.invoke(cli, ["erase", "not-a-number", "--yes"]).exit_code != 0


FIELD_PHONE = "+93705550123"
PLACE = "Behind the blue mosque, Kart-e-Char"
RUMOUR_TEXT = "I heard the agent gives a refund if the navy stops the boat, call him on +93 70 123 4567"
NOTE = "Fatima, 14, waits at the camp gate every night"


@pytest.fixture()
def own_folders(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Voice notes and this host's spool in the test's own folders (the instance folder is the session's)."""
    override_settings(monkeypatch, app, voice_notes_dir=str(tmp_path / "voice-notes"))
    spool = Spool(tmp_path / "spool", runtime(app).keys)
    spool.directory.mkdir(mode=0o700)
    monkeypatch.setitem(app.extensions, "hotline_spool", spool)


def _seed_personal(app: Flask, session: Session, days_ago: int, texter: str) -> dict[str, Any]:
    """A field report with a voice note and a place, a candidate rumour made from a text, a referral note and
    sealed webhooks set aside in the spool: all ``days_ago`` old."""
    ctx, at = runtime(app).intake_context(), NOW - timedelta(days=days_ago)
    point, _issued = make_focal_point(app, session, phone=FIELD_PHONE)
    form = {"submission_id": uuid.uuid4().hex, "text": "", "place": PLACE, "source": SOURCES[0], "people": "3"}
    field = submit_web_report(session, load_submission(form, has_voice_note=True),
                              VoiceNote("audio/ogg", b"OggS voice of a focal point"), point, ctx, at,
                              app.config["HOTLINE"].voice_notes_folder)
    assert field.report is not None and field.report.recording is not None
    source = sid()
    text = make_sms_intake(texter, RUMOUR_TEXT, received_at=at, message_sid=source,
                           report=InboundReport(source_id=source, text=RUMOUR_TEXT, language="en"))
    report = record(session, text, ctx).report
    assert report is not None
    assert classify_report(session, report, classify_runtime(app)).match_status == MatchStatus.CANDIDATE
    session.add(ProtectionReferral(report_id=report.id, referred_to="UNHCR protection desk", note=NOTE))
    call = OperatorCall(contact_id=report.contact_id, report_id=report.id, room=uuid.uuid4().hex, taken_at=at,
                        answer_note="Told them the refund story is false; they live near " + PLACE)
    answer = SpokenReply(report_id=report.id, source="browser", audio=b"RIFF spoken answer", sha256="0" * 64,
                         audio_key=uuid.uuid4().hex, created_at=at)
    session.add_all([call, answer])
    spool = app_spool(app)
    for when in (at, NOW):  # one set aside with the rest, one just now
        spool.set_aside(encode(runtime(app).keys, make_record(SMS_INBOUND, {"From": texter, "Body": RUMOUR_TEXT},
                                                                 when)))
    session.commit()
    return {"voice_note": app.config["HOTLINE"].voice_notes_folder / str(field.report.recording.storage_path),
            "recording_id": field.report.recording.id, "contact_id": field.contact.id, "rumour_id": report.rumour_id,
            "report_id": report.id, "dead": spool.directory / "dead.log", "call": call, "answer": answer}


def _assert_personal_data_gone(session: Session, seeded: dict[str, Any]) -> None:
    session.expire_all()
    assert not seeded["voice_note"].exists()
    recording = session.get(Recording, seeded["recording_id"])
    assert recording is not None and recording.storage_path is None and recording.purged_at is not None
    contact = session.get(Contact, seeded["contact_id"])
    assert contact is not None and "place" not in contact.state and contact.state.get("heard_from") == SOURCES[0]
    rumour = session.get(Rumour, seeded["rumour_id"])
    assert rumour is not None and "refund" not in rumour.canonical_statement and rumour.statement_translations == {}
    assert rumour.report_count == 1  # the candidate stays, linked and counted: only its words go
    referral = session.scalar(select(ProtectionReferral).where(ProtectionReferral.report_id == seeded["report_id"]))
    assert referral is not None and referral.note is None and referral.referred_to
    call, answer = session.get(OperatorCall, seeded["call"].id), session.get(SpokenReply, seeded["answer"].id)
    assert call is not None and call.answer_note is None and call.outcome  # the note goes, the figures stay
    assert answer is not None and answer.audio is None and answer.source == "browser"


def test_purge_removes_voice_notes_candidates_referral_notes_places_and_old_dead_letters(
    app: Flask, db_session: Session, runner: FlaskCliRunner, own_folders: None, client: FlaskClient
) -> None:
    seeded = _seed_personal(app, db_session, 400, OLD_TEXTER)
    assert seeded["voice_note"].is_file() and len(seeded["dead"].read_bytes().splitlines()) == 2
    result = runner.invoke(cli, ["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "candidate rumours: 1" in result.output and "referral notes: 1" in result.output
    assert "contact places: 1" in result.output and "set-aside webhooks (this host's spool): 1" in result.output
    assert "call notes: 1" in result.output and "spoken answers: 1" in result.output
    _assert_personal_data_gone(db_session, seeded)
    sign_in(client, make_staff(db_session, "supervisor"))
    page = client.get(f"/console/rumours/{seeded['rumour_id']}").get_data(as_text=True)
    assert "refund" not in page and "Statement removed with the caller" in page
    (left,) = seeded["dead"].read_bytes().splitlines()
    assert decode(runtime(app).keys, left).received_at > NOW - timedelta(days=1)  # the recent one is kept
    again = runner.invoke(cli, ["retention", "purge"])
    assert again.exit_code == 0 and "done: 0 change(s)" in again.output, again.output


def test_erase_removes_their_voice_notes_candidates_referral_notes_and_places(
    app: Flask, db_session: Session, runner: FlaskCliRunner, own_folders: None
) -> None:
    seeded = _seed_personal(app, db_session, 2, NEW_TEXTER)
    texter = runner.invoke(cli, ["erase", NEW_TEXTER, "--yes"])  # the candidate and the note are about their text
    assert texter.exit_code == 0, texter.output
    assert "candidate_rumours 1" in texter.output and "referral_notes 1" in texter.output
    assert "call_notes 1" in texter.output and "spoken_answers 1" in texter.output
    focal_point = runner.invoke(cli, ["erase", FIELD_PHONE, "--yes"])  # the voice note and the place are theirs
    assert focal_point.exit_code == 0, focal_point.output
    assert "contact_places 1" in focal_point.output and "recordings 1" in focal_point.output
    _assert_personal_data_gone(db_session, seeded)


def test_recordings_and_media_left_at_twilio_are_deleted_there_by_purge_and_retried(
    app: Flask, db_session: Session, runner: FlaskCliRunner
) -> None:
    seeded = _seed(app, db_session)
    with twilio_api_for(app) as api:
        recording = db_session.scalar(select(Recording))
        message = db_session.scalar(select(Message).where(Message.provider_sid == seeded["old_message"]))
        assert recording is not None and message is not None
        recording.media_url, media = api.add_recording(b"ID3 audio", ACCOUNT), api.add_media(b"\xff\xd8", "image/jpeg")
        message.media = [{"url": media, "content_type": "image/jpeg"}]
        db_session.commit()
        api.fail_deletes(1)  # Twilio fails once: the URL is kept, the next run deletes it
        first = runner.invoke(cli, ["retention", "purge"])
        assert first.exit_code == 0, first.output
        assert "could not be deleted at Twilio yet" in first.output
        db_session.expire_all()
        url = recording.media_url  # recordings go first: the failed delete was the recording's
        assert url is not None and api.holds(url) and message.media == [] and not api.holds(media)
        second = runner.invoke(cli, ["retention", "purge"])
        assert second.exit_code == 0 and "done: 0 change(s)" in second.output, second.output
        assert not api.holds(url)
        assert len(api.deletes) == 3
    db_session.expire_all()
    assert recording.media_url is None and message.media == [] and message.num_media == 1
