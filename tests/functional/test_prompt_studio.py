"""The prompt studio: record or upload, a second person approves, roll back, only approved audio reaches callers,
reviewed texts in force at once, and a language offered on the next call once its recordings are approved."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import EnvironBuilder

from hotline.cli import cli
from hotline.studio import service
from hotline.studio.models import PromptRecording, RecordingStatus
from hotline.studio.runtime import live_content
from hotline.studio.service import StudioRefused
from tests.factories import csrf_token_in, make_staff, sign_in
from tests.fakes.twilio_caller import FakeTwilioCaller
from tests.functional import test_voice_calls as calls
from tests.studio_audio import voice_like_wav

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
AFGHAN = calls.AFGHAN
ivr, clock, twiml_schema = calls.ivr, calls.clock, calls.twiml_schema
phone = calls.phone


def _upload(client: FlaskClient, lang: str, prompt: str, data: bytes, token: str | None = None):  # type: ignore[no-untyped-def]
    page = client.get(f"/console/studio/{lang}/{prompt}")
    assert page.status_code == 200
    csrf = token if token is not None else csrf_token_in(page.get_data(as_text=True))
    # Built by hand so that the body werkzeug spools to a temporary file (over 500 KB) is closed after the request.
    builder = EnvironBuilder(path=f"/console/studio/{lang}/{prompt}/recordings", method="POST",
                             data={"csrf_token": csrf, "source": "upload", "audio": (io.BytesIO(data), "t.wav")})
    try:
        return client.open(builder)
    finally:
        builder.close()


def _decide(client: FlaskClient, recording: PromptRecording, action: str):  # type: ignore[no-untyped-def]
    csrf = csrf_token_in(client.get(f"/console/studio/{recording.language}/{recording.prompt}").get_data(as_text=True))
    return client.post(f"/console/studio/recordings/{recording.id}/{action}", data={"csrf_token": csrf})


def _versions(db_session: Session, lang: str, prompt: str) -> dict[int, str]:
    db_session.expire_all()
    return {r.version: r.status for r in service.versions(db_session, lang, prompt)}


def test_a_recording_is_a_draft_until_someone_else_approves_it_and_can_be_rolled_back(
        app: Flask, client: FlaskClient, db_session: Session) -> None:
    author = make_staff(db_session, "translator", languages=["ps"])
    reviewer = make_staff(db_session, "translator", languages=["ps", "prs"])
    db_session.flush()
    sign_in(client, author)
    other = app.test_client()
    sign_in(other, reviewer)
    assert _upload(client, "ps", "goodbye", voice_like_wav()).status_code == 303
    first = db_session.scalar(select(PromptRecording).where(PromptRecording.language == "ps"))
    assert first is not None and first.status == RecordingStatus.DRAFT and first.source == "upload"
    assert client.get(f"/ivr/audio/ps/studio/{first.id}.wav").status_code == 404  # a draft is never played
    assert client.get(f"/console/studio/recordings/{first.id}.wav").status_code == 200  # but staff can listen
    _decide(client, first, "approve")
    assert _versions(db_session, "ps", "goodbye") == {1: "draft"}  # the author cannot approve their own

    _decide(other, first, "approve")
    assert _versions(db_session, "ps", "goodbye") == {1: "approved"}
    played = client.get(f"/ivr/audio/ps/studio/{first.id}.wav")
    assert played.status_code == 200 and played.mimetype == "audio/wav" and played.data[:4] == b"RIFF"

    _upload(client, "ps", "goodbye", voice_like_wav(pitch=240))
    second = service.versions(db_session, "ps", "goodbye")[0]
    _decide(other, second, "approve")
    assert _versions(db_session, "ps", "goodbye") == {1: "superseded", 2: "approved"}
    assert client.get(f"/ivr/audio/ps/studio/{first.id}.wav").status_code == 404
    _decide(client, first, "roll-back")
    assert _versions(db_session, "ps", "goodbye") == {1: "approved", 2: "superseded"}
    assert client.get(f"/ivr/audio/ps/studio/{first.id}.wav").status_code == 200
    assert live_content(app).content(db_session).prompts.resolve("goodbye", "ps").audio == f"ps/studio/{first.id}.wav"


def test_who_may_use_the_studio(app: Flask, db_session: Session) -> None:
    urdu = make_staff(db_session, "translator", languages=["ur"])
    operator = make_staff(db_session, "operator", languages=["ps"])
    supervisor = make_staff(db_session, "supervisor")
    db_session.flush()
    client = app.test_client()
    assert client.get("/console/studio").status_code == 302  # anonymous: to the sign-in page
    sign_in(client, operator)
    assert client.get("/console/studio").status_code == 403
    client = app.test_client()
    sign_in(client, urdu)
    assert client.get("/console/").location.endswith("/console/studio")  # their front door
    assert client.get("/console/queue").status_code == 403  # never caller text
    matrix = client.get("/console/studio").get_data(as_text=True)
    assert 'data-lang="ur"' in matrix and 'data-lang="ps"' not in matrix  # their languages only
    assert client.get("/console/studio/ps/goodbye").status_code == 403
    assert _upload(client, "ur", "goodbye", voice_like_wav(), token="wrong").status_code == 400  # CSRF
    client = app.test_client()
    sign_in(client, supervisor)
    matrix = client.get("/console/studio").get_data(as_text=True)
    assert 'data-lang="ps"' in matrix and 'data-lang="th"' in matrix
    assert 'data-lang="ps" data-prompt="spoken_reply_greeting"' in matrix  # the spoken-reply call's, to record
    assert client.get("/console/studio/ps/no_such_prompt").status_code == 404


def test_a_studio_file_may_be_larger_than_other_requests(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from hotline.extensions import db
    from hotline.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade(url)
    app = make_app(database_url=url, HOTLINE_MAX_CONTENT_LENGTH=100_000)  # werkzeug spools bodies over 500 KB
    with app.app_context():
        supervisor = make_staff(db.session(), "supervisor")
        db.session.commit()
    client = app.test_client()
    sign_in(client, supervisor)
    studio_file = voice_like_wav(seconds=2.5, rate=48000, channels=1)
    assert 200_000 < len(studio_file) < 500_000
    assert _upload(client, "si", "notice", studio_file).status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(PromptRecording).where(PromptRecording.language == "si"))
        assert stored is not None and 2_500 <= stored.duration_ms <= 2_800


def test_unusable_audio_is_refused_and_nothing_is_stored(client: FlaskClient, db_session: Session) -> None:
    supervisor = make_staff(db_session, "supervisor")
    db_session.flush()
    sign_in(client, supervisor)
    response = _upload(client, "dv", "goodbye", b"this is not audio" * 50)
    assert response.status_code == 303
    assert "could not be used" in client.get(response.location).get_data(as_text=True)
    assert db_session.scalar(select(PromptRecording).where(PromptRecording.language == "dv")) is None


def _approve_everything(db_session: Session, app: Flask, language: str) -> None:
    author = make_staff(db_session, "translator", languages=[language])
    approver = make_staff(db_session, "supervisor")
    db_session.flush()
    for index, prompt in enumerate(live_content(app).base.prompts.used):
        recording = service.add_recording(db_session, author, language, prompt,
                                          voice_like_wav(seconds=0.5, pitch=150 + index), "browser", NOW)
        service.approve(db_session, approver, recording, NOW)
    with pytest.raises(StudioRefused):
        service.approve(db_session, author, recording, NOW)  # not a draft any more


def test_pashto_is_offered_on_the_next_call_once_its_recordings_are_approved(
        app: Flask, client: FlaskClient, phone: FakeTwilioCaller, db_session: Session) -> None:
    before = phone.call(["", "", ""], dialled=AFGHAN)
    assert not any("/ps/" in line for line in before.transcript)
    _approve_everything(db_session, app, "ps")
    after = phone.call(["2", "1", ""], dialled=AFGHAN)  # Pashto is the number's second language
    played = [line for line in after.transcript if "/ivr/audio/ps/studio/" in line]
    assert played, after.transcript
    ids = {int(m) for line in played for m in re.findall(r"/studio/(\d+)\.wav", line)}
    approved = set(db_session.scalars(select(PromptRecording.id).where(
        PromptRecording.language == "ps", PromptRecording.status == RecordingStatus.APPROVED)))
    assert ids <= approved
    assert "PLAY /ivr/audio/ps/studio/" in after.transcript[-3]  # goodbye, in Pashto, after choosing it
    assert client.get(played[-1].split()[-1]).status_code == 200


def test_a_reviewed_text_is_spoken_and_sent_at_once(app: Flask, client: FlaskClient, db_session: Session,
                                                    phone: FakeTwilioCaller) -> None:
    from hotline.sms import replies

    reviewer = make_staff(db_session, "translator", languages=["id"])
    db_session.flush()
    sign_in(client, reviewer)
    csrf = csrf_token_in(client.get("/console/studio/id/goodbye").get_data(as_text=True))
    client.post("/console/studio/id/goodbye/text", data={"csrf_token": csrf, "text": "Terima kasih, sampai jumpa."})
    call = phone.call(["1", "1", "9"], dialled="+62210000000")
    assert live_content(app).content(db_session).prompts.text("goodbye", "id") == "Terima kasih, sampai jumpa."

    page = client.get("/console/studio/texts/sms/id").get_data(as_text=True)
    assert "Thank you for your message." in page
    ack = replies.ACKNOWLEDGEMENT
    refused = client.post("/console/studio/texts/sms/id", data={
        "csrf_token": csrf_token_in(page), "context": "", "msgid": ack, "text": "Pesan Anda rahasia."})
    assert refused.status_code == 303  # the placeholder %(hours)s was dropped: refused
    assert replies.render("id", ack, hours="08-17") != "Pesan Anda rahasia."
    client.post("/console/studio/texts/sms/id", data={
        "csrf_token": csrf_token_in(page), "context": "", "msgid": ack,
        "text": "Terima kasih. Pesan Anda rahasia. Kami buka %(hours)s."})
    assert replies.render("id", ack, hours="08-17") == "Terima kasih. Pesan Anda rahasia. Kami buka 08-17."
    exported = client.get("/console/studio/export/sms/id.po").get_data(as_text=True)
    assert 'msgstr "Terima kasih. Pesan Anda rahasia. Kami buka %(hours)s."' in exported
    assert call.transcript


def test_a_language_pack_carries_rohingya_to_another_database(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from hotline.extensions import db
    from hotline.migrate import upgrade

    apps = []
    for name in ("bangladesh", "malaysia"):
        url = f"sqlite:///{tmp_path / name}.sqlite3"
        upgrade(url)
        apps.append(make_app(database_url=url))
    bangladesh, malaysia = apps
    with bangladesh.app_context():
        _approve_everything(db.session(), bangladesh, "rhg")
        source = live_content(bangladesh).base.prompts.sources["goodbye"]
        service.review_text(db.session(), make_staff(db.session(), "supervisor"), ("ivr", "rhg", "goodbye", source),
                            "Shukuria, Allah hafiz.", NOW)
        db.session.commit()
    pack = tmp_path / "rhg.zip"
    exported = bangladesh.test_cli_runner().invoke(cli, args=["language-pack", "export", "rhg", "-o", str(pack)])
    assert exported.exit_code == 0, exported.output

    with malaysia.app_context():
        assert "rhg" not in live_content(malaysia).content(db.session()).offered_languages("+60390000000")
    runner = malaysia.test_cli_runner()
    first = runner.invoke(cli, args=["language-pack", "import", str(pack)])
    assert first.exit_code == 0, first.output
    used = len(live_content(malaysia).base.prompts.used)
    assert f"rhg: {used} recordings added, 0 already here, 1 reviewed texts added" in first.output
    again = runner.invoke(cli, args=["language-pack", "import", str(pack)])
    assert f"rhg: 0 recordings added, {used} already here, 0 reviewed texts added" in again.output
    with malaysia.app_context():
        content = live_content(malaysia).content(db.session())
        assert "rhg" in content.offered_languages("+60390000000")
        assert content.prompts.text("goodbye", "rhg") == "Shukuria, Allah hafiz."
        statuses = set(db.session.scalars(select(PromptRecording.status)))
        assert statuses == {"approved"}


def test_a_damaged_pack_is_refused_with_the_file_and_field(app: Flask, db_session: Session, tmp_path: Path) -> None:
    import json
    import zipfile

    pack = tmp_path / "bad.zip"
    with zipfile.ZipFile(pack, "w") as out:
        out.writestr("manifest.json", json.dumps({"format": "hotline-language-pack", "version": 1, "language": "ps",
                                                  "created_at": "2026-12-03T00:00:00+00:00",
                                                  "recordings": [{"prompt": "goodbye", "file": "audio/goodbye.wav",
                                                                  "sha256": "0" * 64, "duration_ms": 0}]}))
    result = app.test_cli_runner().invoke(cli, args=["language-pack", "import", str(pack)])
    assert result.exit_code == 1
    assert "manifest.json: recordings.0.duration_ms" in result.output


def test_recordings_are_in_the_backup(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import delete

    from hotline.extensions import db
    from hotline.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade(url)
    app = make_app(database_url=url)
    with app.app_context():
        author, approver = make_staff(db.session(), "translator", languages=["dv"]), make_staff(db.session(), "admin")
        recording = service.add_recording(db.session(), author, "dv", "goodbye", voice_like_wav(), "upload", NOW)
        service.approve(db.session(), approver, recording, NOW)
        wav, recording_id = recording.audio, recording.id
        db.session.commit()
    backup = tmp_path / "backups" / "hotline.sqlite3"
    assert app.test_cli_runner().invoke(cli, ["backup", "-o", str(backup)]).exit_code == 0
    with app.app_context():
        db.session.execute(delete(PromptRecording))
        db.session.commit()
    assert app.test_client().get(f"/ivr/audio/dv/studio/{recording_id}.wav").status_code == 404
    restored = app.test_cli_runner().invoke(cli, ["restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert app.test_client().get(f"/ivr/audio/dv/studio/{recording_id}.wav").data == wav


def test_replies_ask_the_database_once_per_moment_and_see_a_local_change_at_once(
        app: Flask, db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from hotline.sms import replies
    from hotline.studio import runtime as live
    from hotline.studio.models import ReviewedText

    asked: list[int] = []
    real = live.fingerprint

    def counted(session: Session) -> tuple[object, ...]:
        asked.append(1)
        return real(session)

    monkeypatch.setattr(live, "fingerprint", counted)
    ack = replies.ACKNOWLEDGEMENT
    with app.app_context():
        first = replies.render("ms", ack, hours="9-5")
        for _ in range(20):
            assert replies.render("ms", ack, hours="9-5") == first
        assert len(asked) <= 1, "every reply asked the database"
        db_session.add(ReviewedText(domain="sms", language="ms", context="", msgid=ack,
                                    msgid_hash=service.msgid_hash(ack), text="Terima kasih. Kami buka %(hours)s."))
        db_session.commit()
        assert replies.render("ms", ack, hours="9-5") == "Terima kasih. Kami buka 9-5."
        before = len(asked)
        # A change made by another host is not announced here: it is seen once the moment has passed.
        clock = live.monotonic() + live.MAX_AGE_SECONDS + 1
        monkeypatch.setattr(live, "monotonic", lambda: clock)
        replies.render("ms", ack, hours="9-5")
        assert len(asked) == before + 1
