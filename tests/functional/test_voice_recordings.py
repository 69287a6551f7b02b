"""Fetching recording audio from a fake Twilio REST API on loopback (HOTLINE_TWILIO_API_BASE's stand-in)."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.channels.twilio.account import TwilioAccount
from hotline.intake.models import Recording
from hotline.ivr.cli import ivr_group
from hotline.ivr.recordings import RecordingFetchError, audio_url, fetch_recording
from tests.app_settings import override_settings
from tests.factories import TEST_AUTH_TOKEN, TEST_SECRETS
from tests.fakes.twilio_api import FakeStorage, FakeTwilioApi, twilio_api_for
from tests.fakes.twilio_caller import FakeTwilioCaller, Recorded
from tests.functional import test_voice_calls as calls

ivr, clock, phone, twiml_schema = calls.ivr, calls.clock, calls.phone, calls.twiml_schema
ACCOUNT = TEST_SECRETS["HOTLINE_TWILIO_ACCOUNT_SID"]
AUDIO = b"ID3\x03\x00fake mp3 bytes"


class _FakeTwilio(BaseHTTPRequestHandler):
    expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TEST_AUTH_TOKEN}".encode()).decode()
    served: list[str] = []

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != self.expected:
            self.send_response(401)
            self.end_headers()
            return
        self.served.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.end_headers()
        self.wfile.write(AUDIO)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def fake_twilio() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_audio_url_goes_to_the_api_base_and_refuses_other_urls() -> None:
    path = f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'1' * 32}"
    url = f"https://api.twilio.com{path}"
    assert audio_url(url, "http://127.0.0.1:9/") == f"http://127.0.0.1:9{path}.mp3"
    for hostile in ("https://evil.example/2010-04-01/Accounts/AC/Recordings/RE1",
                    "http://169.254.169.254/latest/meta-data", url.replace("Recordings", "Messages"),
                    url + "/../../../Calls"):
        with pytest.raises(RecordingFetchError):
            audio_url(hostile, "https://api.twilio.com")


def test_recordings_are_fetched_once_into_storage(phone: FakeTwilioCaller, db_session: Session, fake_twilio: str,
                                                  tmp_path: Path) -> None:
    call = phone.call(["1", "2", "2", Recorded(duration=7)])
    recording = db_session.scalar(select(Recording).where(Recording.provider_sid == call.recordings[0]))
    account = TwilioAccount(fake_twilio, ACCOUNT, TEST_AUTH_TOKEN)
    stored = fetch_recording(db_session, recording, account, tmp_path)
    assert stored is not None and stored.read_bytes() == AUDIO
    assert stored.stat().st_mode & 0o777 == 0o600 and stored.parent.stat().st_mode & 0o777 == 0o700  # private
    assert recording.storage_path.endswith(f"{recording.provider_sid}.mp3") and recording.content_type == "audio/mpeg"
    assert fetch_recording(db_session, recording, account, tmp_path) is None  # once only
    assert _FakeTwilio.served[-1].endswith(f"{recording.provider_sid}.mp3")


def test_wrong_credentials_fail_loudly(phone: FakeTwilioCaller, db_session: Session, fake_twilio: str,
                                       tmp_path: Path) -> None:
    call = phone.call(["1", "2", "3", Recorded(duration=7)])
    recording = db_session.scalar(select(Recording).where(Recording.provider_sid == call.recordings[0]))
    with pytest.raises(RecordingFetchError, match="HTTP 401"):
        fetch_recording(db_session, recording, TwilioAccount(fake_twilio, ACCOUNT, "wrong"), tmp_path)
    assert recording.storage_path is None and not list(tmp_path.rglob("*.mp3"))


def test_fetch_recordings_command(phone: FakeTwilioCaller, db_session: Session, fake_twilio: str, tmp_path: Path,
                                  app: Flask, runner, monkeypatch: pytest.MonkeyPatch) -> None:
    phone.call(["1", "2", "2", Recorded(duration=7)])
    override_settings(monkeypatch, app, twilio_api_base=fake_twilio, recordings_dir=str(tmp_path))
    result = runner.invoke(ivr_group, ["fetch-recordings"])
    assert result.exit_code == 0, result.output
    assert "1 recording(s) fetched" in result.output and len(list(tmp_path.rglob("*.mp3"))) == 1


def test_the_recording_callback_fetches_the_audio_after_its_commit(
        phone: FakeTwilioCaller, db_session: Session, fake_twilio: str, tmp_path: Path, app: Flask,
        monkeypatch: pytest.MonkeyPatch) -> None:
    override_settings(monkeypatch, app, twilio_api_base=fake_twilio, recordings_dir=str(tmp_path))
    call = phone.call(["1", "2", "2", Recorded(duration=7)])
    recording = db_session.scalar(select(Recording).where(Recording.provider_sid == call.recordings[0]))
    assert recording is not None
    db_session.refresh(recording)
    assert recording.storage_path is not None, "no job fetched the audio"
    assert (tmp_path / recording.storage_path).read_bytes() == AUDIO


def _twilio_recording(phone: FakeTwilioCaller, db_session: Session, url: str) -> Recording:
    call = phone.call(["1", "2", "2", Recorded(duration=7)])
    recording = db_session.scalar(select(Recording).where(Recording.provider_sid == call.recordings[0]))
    assert recording is not None
    recording.media_url = url
    db_session.flush()
    return recording


def test_a_redirect_to_another_host_never_carries_the_credentials(phone: FakeTwilioCaller, db_session: Session,
                                                                  tmp_path: Path) -> None:
    with FakeTwilioApi() as api, FakeStorage("127.0.0.2") as storage:
        api.redirect_downloads(storage)  # as Twilio does: a 307 to its storage on another host
        recording = _twilio_recording(phone, db_session, api.add_recording(AUDIO, ACCOUNT))
        stored = fetch_recording(db_session, recording, TwilioAccount(api.base_url, ACCOUNT, TEST_AUTH_TOKEN),
                                 tmp_path)
    assert stored is not None and stored.read_bytes() == AUDIO
    assert len(storage.headers) == 1
    assert "Authorization" not in storage.headers[0]  # urllib forwarded it: the account's keys left Twilio


def test_a_redirect_on_the_same_host_still_authenticates(phone: FakeTwilioCaller, db_session: Session,
                                                         tmp_path: Path) -> None:
    with FakeTwilioApi() as api:
        api.redirect_downloads(api)  # the copy is on the API host itself, served to the account only
        recording = _twilio_recording(phone, db_session, api.add_recording(AUDIO, ACCOUNT))
        stored = fetch_recording(db_session, recording, TwilioAccount(api.base_url, ACCOUNT, TEST_AUTH_TOKEN),
                                 tmp_path)
        served = [r for r in api.requests if r.path.startswith("/stored/")]
    assert stored is not None and stored.read_bytes() == AUDIO
    assert [r.account_sid for r in served] == [ACCOUNT]


def test_stored_recordings_are_deleted_at_twilio_and_a_failed_delete_is_retried(
        phone: FakeTwilioCaller, db_session: Session, tmp_path: Path, app: Flask, runner,
        monkeypatch: pytest.MonkeyPatch) -> None:
    override_settings(monkeypatch, app, recordings_dir=str(tmp_path))
    with twilio_api_for(app) as api:
        url = api.add_recording(AUDIO, ACCOUNT)
        recording = _twilio_recording(phone, db_session, url)
        db_session.commit()
        api.fail_deletes(1)
        result = runner.invoke(ivr_group, ["fetch-recordings"])
        assert result.exit_code == 0, result.output
        assert "1 left for the next run" in result.output
        db_session.refresh(recording)
        assert recording.storage_path and recording.media_url == url and api.holds(url)
        assert (tmp_path / recording.storage_path).read_bytes() == AUDIO  # the local copy stays whatever happens

        result = runner.invoke(ivr_group, ["fetch-recordings"])  # the scheduled catch-up tries again
        assert result.exit_code == 0, result.output
        assert "1 recording(s) deleted at Twilio" in result.output
        db_session.refresh(recording)
    assert recording.media_url is None and not api.holds(url)
    assert api.deletes == [f"{url.removeprefix('https://api.twilio.com')}.json"] * 2
    assert (tmp_path / str(recording.storage_path)).read_bytes() == AUDIO
