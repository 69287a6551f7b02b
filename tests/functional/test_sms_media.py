"""Media sent with a text: fetched from (a local fake of) Twilio into storage, served to case workers by the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.cli import cli
from hotline.intake.constants import Direction
from hotline.intake.models import Message, Report
from hotline.sms.media import MediaFetchError, media_url
from tests.app_settings import override_settings
from tests.factories import make_staff, sid, sign_in, signed_post
from tests.fakes.twilio_api import FakeTwilioApi, twilio_api_for

ACCOUNT = "AC" + "0" * 32
VOICE_NOTE = b"OggS\x00\x02fake voice note"
PICTURE = b"\xff\xd8\xff\xe0fake jpeg"


@pytest.fixture()
def twilio_api(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilioApi]:
    override_settings(monkeypatch, app, media_dir=str(tmp_path / "media"))
    with twilio_api_for(app) as fake:
        yield fake


def _whatsapp(*media: tuple[str, str], body: str = "") -> dict[str, str]:
    form = {"MessageSid": sid("MM"), "AccountSid": ACCOUNT, "From": "whatsapp:+8801712345678",
            "To": "whatsapp:+14155238886", "WaId": "8801712345678", "Body": body, "NumMedia": str(len(media))}
    for index, (url, content_type) in enumerate(media):
        form[f"MediaUrl{index}"], form[f"MediaContentType{index}"] = url, content_type
    return form


def _inbound(session: Session) -> Message:
    message = session.scalar(select(Message).where(Message.direction == Direction.INBOUND).order_by(Message.id.desc()))
    assert message is not None
    session.refresh(message)
    return message


def test_media_urls_go_to_the_api_base_and_nothing_else_is_fetched() -> None:
    path = f"/2010-04-01/Accounts/{ACCOUNT}/Messages/MM{'1' * 32}/Media/ME{'2' * 32}"
    assert media_url(f"https://api.twilio.com{path}", "http://127.0.0.1:9/") == f"http://127.0.0.1:9{path}"
    for hostile in (f"https://evil.example{path}", "http://169.254.169.254/latest/meta-data",
                    f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'1' * 32}",
                    f"https://api.twilio.com{path}/../../../Calls", "file:///etc/passwd"):
        with pytest.raises(MediaFetchError):
            media_url(hostile, "https://api.twilio.com")


def test_a_voice_note_and_a_picture_are_fetched_once_filed_and_served_only_to_case_workers(
    app: Flask, client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, tmp_path: Path
) -> None:
    note, picture = twilio_api.add_media(VOICE_NOTE, "audio/ogg"), twilio_api.add_media(PICTURE, "image/jpeg")
    form = _whatsapp((note, "audio/ogg"), (picture, "image/jpeg"))
    assert signed_post(client, "/twilio/sms", form).status_code == 200
    message = _inbound(db_session)
    assert [item["content_type"] for item in message.media] == ["audio/ogg", "image/jpeg"]
    assert all(item["stored"] for item in message.media)
    assert sorted(p.read_bytes() for p in (tmp_path / "media").rglob("*.*")) == sorted([VOICE_NOTE, PICTURE])
    audio = f"/console/messages/{message.id}/media/0"
    assert client.get(audio).status_code in (302, 401, 403)  # not signed in: nothing served

    sign_in(client, make_staff(db_session, "operator"))
    report = db_session.scalar(select(Report).where(Report.message_id == message.id))
    assert report is not None
    html = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert f'<audio controls preload="none" src="{audio}">' in html
    assert f'src="/console/messages/{message.id}/media/1"' in html and "<img" in html
    assert "twilio.com" not in html and "/Media/ME" not in html  # Twilio's URLs never reach the browser
    with client.get(audio) as served:
        assert served.status_code == 200 and served.data == VOICE_NOTE and served.mimetype == "audio/ogg"
        assert served.headers["Cache-Control"] == "private, no-store"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in served.headers["Content-Security-Policy"]
    assert client.get(f"/console/messages/{message.id}/media/2").status_code == 404


def test_a_web_page_sent_as_media_is_only_ever_a_download(
    app: Flask, client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi
) -> None:
    page = twilio_api.add_media(b"<script>alert(document.cookie)</script>", "text/html")
    signed_post(client, "/twilio/sms", _whatsapp((page, "text/html")))
    message = _inbound(db_session)
    assert message.media[0]["content_type"] == "application/octet-stream"
    sign_in(client, make_staff(db_session, "operator"))
    with client.get(f"/console/messages/{message.id}/media/0") as served:
        assert served.status_code == 200 and served.mimetype == "application/octet-stream"
        assert served.headers["Content-Disposition"].startswith("attachment")


def test_media_twilio_would_not_give_is_fetched_later_by_the_command(
    app: Flask, client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, runner: FlaskCliRunner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    twilio_api.fail_next(1, status=503)
    note = twilio_api.add_media(VOICE_NOTE, "audio/ogg")
    assert signed_post(client, "/twilio/sms", _whatsapp((note, "audio/ogg"))).status_code == 200
    message = _inbound(db_session)
    assert "stored" not in message.media[0]  # the job failed, logged, and the text is filed all the same
    assert any("media not fetched" in record.getMessage() for record in caplog.records)
    result = runner.invoke(cli, ["sms", "fetch-media"])
    assert result.exit_code == 0, result.output
    assert "1 media item(s) fetched, 0 message(s) failed" in result.output
    assert _inbound(db_session).media[0]["stored"]


def test_erasure_deletes_the_stored_media_with_the_links(
    app: Flask, client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, runner: FlaskCliRunner,
    tmp_path: Path,
) -> None:
    note = twilio_api.add_media(VOICE_NOTE, "audio/ogg")
    signed_post(client, "/twilio/sms", _whatsapp((note, "audio/ogg")))
    assert list((tmp_path / "media").rglob("*.ogg"))
    erased = runner.invoke(cli, ["erase", "+8801712345678", "--yes"])
    assert erased.exit_code == 0, erased.output
    assert "attachments 1" in erased.output
    assert not list((tmp_path / "media").rglob("*.ogg"))
    message = _inbound(db_session)
    assert message.media == [] and message.num_media == 1


def test_stored_media_are_deleted_at_twilio_and_a_failed_delete_is_retried_by_the_command(
    app: Flask, client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi, runner: FlaskCliRunner,
    tmp_path: Path,
) -> None:
    note, picture = twilio_api.add_media(VOICE_NOTE, "audio/ogg"), twilio_api.add_media(PICTURE, "image/jpeg")
    twilio_api.fail_deletes(1)  # the job's first delete fails: that item stays at Twilio, its URL kept
    form = _whatsapp((note, "audio/ogg"), (picture, "image/jpeg"))
    assert signed_post(client, "/twilio/sms", form).status_code == 200
    message = _inbound(db_session)
    assert all(item["stored"] for item in message.media)
    assert [item.get("url") for item in message.media] == [note, None]
    assert twilio_api.holds(note) and not twilio_api.holds(picture)

    result = runner.invoke(cli, ["sms", "fetch-media"])
    assert result.exit_code == 0, result.output
    message = _inbound(db_session)
    assert not twilio_api.holds(note) and all("url" not in item for item in message.media)
    paths = [urlsplit(url).path + ".json" for url in (note, picture)]
    assert twilio_api.deletes == [paths[0], paths[1], paths[0]]
    assert sorted(p.read_bytes() for p in (tmp_path / "media").rglob("*.*")) == sorted([VOICE_NOTE, PICTURE])
