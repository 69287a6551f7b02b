"""/field and /console/field over HTTP: sessions, the form, idempotent submissions, escaping, the page weight."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.field.service import MAX_VOICE_NOTE_BYTES, VoiceNoteRefused, check_voice_note
from hotline.intake.models import Caller, Contact, Report
from tests.app_settings import override_settings
from tests.factories import csrf_token_in, make_staff, sign_in
from tests.field_factories import field_sign_in, make_focal_point, report_form

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" \u202eevil'


def _reports(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Report).where(Report.channel == "field")) or 0


def test_a_focal_point_signs_in_once_with_a_link_and_reports(app: Flask, client, db_session: Session) -> None:
    point, issued = make_focal_point(app, db_session)
    assert client.get("/field").status_code == 302  # not signed in
    assert field_sign_in(client, issued.link_token).status_code == 303
    form = report_form(client, text="Mardum mégoyan marz baz ast", people="25", place="Masjid", heard_on="2026-11-20")
    response = client.post("/field/report", data=form)
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200
    assert 'dir="rtl"' in thanks.get_data(as_text=True)  # the focal point's language, Dari
    report = db_session.scalars(select(Report).where(Report.channel == "field")).one()
    assert (report.people_count, report.country, report.admin1, report.language) == (25, "AF", "AF-KAB", "prs")
    assert report.contact.focal_point_id == point.id
    assert report.contact.state["heard_from"] == "agent_smuggler"
    assert report.contact.state["heard_on"] == "2026-11-20"
    assert report.type is not None  # classified like calls and texts
    # The link was one-time: a second use is refused, and both uses are audited.
    client.post("/field/sign-out", data={"csrf_token": csrf_token_in(client.get("/field/sign-in").get_data(
        as_text=True))})
    assert field_sign_in(client, issued.link_token).status_code == 401
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("field.sign_in%"))).all()
    assert sorted(actions) == ["field.sign_in", "field.sign_in_failed"]


def test_a_double_submit_creates_one_report(app: Flask, client, db_session: Session) -> None:
    _point, issued = make_focal_point(app, db_session)
    field_sign_in(client, issued.link_token)
    form = report_form(client)
    first = client.post("/field/report", data=form)
    second = client.post("/field/report", data=form, headers={"Accept": "application/json"})
    assert first.status_code == 303 and second.status_code == 200
    assert second.get_json()["created"] is False
    assert _reports(db_session) == 1


def test_pin_sign_in_and_lock_out(app: Flask, client, db_session: Session) -> None:
    point, issued = make_focal_point(app, db_session)
    token = csrf_token_in(client.get("/field/sign-in").get_data(as_text=True))
    for _ in range(5):
        assert client.post("/field/sign-in", data={"csrf_token": token, "number": point.public_number,
                                                   "pin": "000000x"}).status_code == 401
    # Five failures: even the right PIN is refused for a while.
    assert client.post("/field/sign-in", data={"csrf_token": token, "number": point.public_number,
                                               "pin": issued.pin}).status_code == 401


def test_pin_sign_in_works(app: Flask, client, db_session: Session) -> None:
    point, issued = make_focal_point(app, db_session)
    token = csrf_token_in(client.get("/field/sign-in").get_data(as_text=True))
    response = client.post("/field/sign-in", data={"csrf_token": token, "number": point.public_number,
                                                   "pin": issued.pin})
    assert response.status_code == 303
    assert client.get("/field").status_code == 200


def test_revoking_ends_open_sessions(app: Flask, client, db_session: Session) -> None:
    point, issued = make_focal_point(app, db_session)
    field_sign_in(client, issued.link_token)
    assert client.get("/field").status_code == 200
    supervisor = make_staff(db_session, "supervisor")
    staff_client = app.test_client()
    sign_in(staff_client, supervisor)
    page = staff_client.get("/console/field/focal-points").get_data(as_text=True)
    staff_client.post(f"/console/field/focal-points/{point.public_number}/revoke",
                      data={"csrf_token": csrf_token_in(page)})
    assert point.revoked_at is not None and point.pin_hash is None
    assert client.get("/field").status_code == 302
    # New credentials do not revive the old session.
    staff_client.post(f"/console/field/focal-points/{point.public_number}/credentials",
                      data={"csrf_token": csrf_token_in(page)})
    assert client.get("/field").status_code == 302


def test_a_focal_point_session_never_opens_the_console(app: Flask, client, db_session: Session) -> None:
    _point, issued = make_focal_point(app, db_session)
    field_sign_in(client, issued.link_token)
    for path in ("/console/field/focal-points", "/console/field/import", "/console/field/template.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_console_needs_a_supervisor(app: Flask, client, db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "operator"))
    assert client.get("/console/field/focal-points").status_code == 403


def test_registering_a_focal_point_stores_no_clear_number(app: Flask, client, db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "supervisor"))
    page = client.get("/console/field/focal-points").get_data(as_text=True)
    response = client.post("/console/field/focal-points", data={
        "csrf_token": csrf_token_in(page), "display_name": HOSTILE, "kind": "teacher", "country": "BD",
        "admin1": "BD-C", "languages": ["bn", "en"], "phone": "+8801712345678"})
    html = response.get_data(as_text=True)
    assert response.status_code == 201
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "/field/link/" in html and "+8801712345678" not in html
    assert "+880 17" in html  # the masked number
    caller = db_session.scalars(select(Caller).where(Caller.country == "BD")).one()
    assert b"8801712345678" not in (caller.reply_address or b"")
    assert "8801712345678" not in caller.pseudonym


def test_hostile_text_is_escaped_on_the_form_after_an_error(app: Flask, client, db_session: Session) -> None:
    _point, issued = make_focal_point(app, db_session)
    field_sign_in(client, issued.link_token)
    response = client.post("/field/report", data=report_form(client, text=HOSTILE, people="many"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert _reports(db_session) == 0


def test_voice_notes_have_type_and_size_limits(app: Flask, client, db_session: Session, tmp_path: Path) -> None:
    import io

    _point, issued = make_focal_point(app, db_session)
    field_sign_in(client, issued.link_token)
    bad = report_form(client, text="", voice_note=(io.BytesIO(b"MZ\x90\x00"), "x.exe", "application/x-msdownload"))
    assert client.post("/field/report", data=bad, content_type="multipart/form-data").status_code == 422
    disguised = report_form(client, text="", voice_note=(io.BytesIO(b"<html><script>x()</script>"), "n.ogg",
                                                          "audio/ogg"))
    assert client.post("/field/report", data=disguised, content_type="multipart/form-data").status_code == 422
    # Too large: checked on the bytes (an HTTP test would leave werkzeug's spooled test body unclosed).
    with pytest.raises(VoiceNoteRefused):
        check_voice_note("audio/ogg", b"OggS" + b"\x00" * MAX_VOICE_NOTE_BYTES)
    good = report_form(client, text="", voice_note=(io.BytesIO(b"OggS" + b"\x00" * 500), "note.ogg", "audio/ogg"))
    response = client.post("/field/report", data=good, content_type="multipart/form-data")
    assert response.status_code == 303
    report = db_session.scalars(select(Report).where(Report.channel == "field")).one()
    assert report.recording is not None and report.recording.content_type == "audio/ogg"
    stored = report.recording.storage_path or ""
    assert not Path(stored).is_absolute()  # relative to the voice-notes folder, like every stored file
    assert (app.config["HOTLINE"].voice_notes_folder / stored).read_bytes().startswith(b"OggS")


def test_the_first_field_page_weighs_under_50_kb(app: Flask, client, db_session: Session) -> None:
    """HTML plus every stylesheet and script it links (fonts: see the browser test, which sees what loads)."""
    import re

    _point, issued = make_focal_point(app, db_session)
    field_sign_in(client, issued.link_token)
    html = client.get("/field").get_data()
    total = len(html)
    for url in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        asset = client.get(url.decode().replace("&amp;", "&"))
        total += len(asset.get_data())
        asset.close()
    assert total < 50_000, total
    assert b"<script>" not in html  # no inline script: only /static files


def test_templates_download(app: Flask, client, db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "supervisor"))
    csv_file = client.get("/console/field/template.csv")
    assert csv_file.status_code == 200 and csv_file.data.startswith(b"\xef\xbb\xbffocal_point,date_heard")
    xlsx = client.get("/console/field/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")


def test_the_import_page_reports_errors_by_file_row_and_field(app: Flask, client, db_session: Session) -> None:
    import io

    sign_in(client, make_staff(db_session, "supervisor"))
    token = csrf_token_in(client.get("/console/field/import").get_data(as_text=True))
    body = (b"date_heard,country,language,source,people,text\n2026-03-01,AF,prs,neighbour,lots,<b>x</b>\n"
            b"2026-03-01,AF,prs,neighbour,3,=HYPERLINK(\"http://x\")\n")
    bad = client.post("/console/field/import", data={"csrf_token": token, "file": (io.BytesIO(body), "forms.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "forms.csv: row 2: people:" in bad.get_data(as_text=True)
    assert _reports(db_session) == 0
    good_body = body.replace(b"lots", b"4")
    for _ in range(2):
        good = client.post("/console/field/import", data={"csrf_token": token,
                                                           "file": (io.BytesIO(good_body), "forms.csv")},
                           content_type="multipart/form-data")
        assert good.status_code == 200
    assert _reports(db_session) == 2  # re-importing the same file created nothing
    texts = set(db_session.scalars(select(Report.text).where(Report.channel == "field")))
    assert '=HYPERLINK("http://x")' in texts  # stored as text, never evaluated


def test_contacts_of_field_reports_are_field_visits(app: Flask, client, db_session: Session) -> None:
    _point, issued = make_focal_point(app, db_session)
    field_sign_in(client, issued.link_token)
    client.post("/field/report", data=report_form(client))
    contact = db_session.scalars(select(Contact).where(Contact.channel == "field")).one()
    assert contact.provider_id.startswith("FS-")


def test_field_pages_speak_every_language_with_a_catalogue(app: Flask, client, db_session: Session) -> None:
    _point, issued = make_focal_point(app, db_session, languages=["ur"], country="PK", admin1="PK-PB")
    field_sign_in(client, issued.link_token)
    html = client.get("/field").get_data(as_text=True)
    assert '<html lang="ur" dir="rtl">' in html and "لوگ کیا کہہ رہے ہیں؟" in html
    bengali = app.test_client().get("/field/sign-in?lang=bn").get_data(as_text=True)
    assert '<html lang="bn" dir="ltr">' in bengali and "ফোকাল পয়েন্ট সাইন-ইন" in bengali
    # The console keeps its own, shorter list of languages.
    assert '<html lang="en"' in app.test_client().get("/console/login?lang=bn").get_data(as_text=True)


def test_a_field_voice_note_plays_in_the_console_for_case_workers_only(
        app: Flask, client, db_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    override_settings(monkeypatch, app, voice_notes_dir=str(tmp_path / "notes"))
    audio = b"OggS" + b"\x01" * 300
    _point, issued = make_focal_point(app, db_session)
    field_sign_in(client, issued.link_token)
    form = report_form(client, text="", voice_note=(io.BytesIO(audio), "note.ogg", "audio/ogg"))
    assert client.post("/field/report", data=form, content_type="multipart/form-data").status_code == 303
    report = db_session.scalars(select(Report).where(Report.channel == "field")).one()
    assert report.recording is not None
    src = f"/console/recordings/{report.recording.id}/audio"

    staff = app.test_client()
    assert staff.get(src).status_code == 302  # not signed in
    sign_in(staff, make_staff(db_session, "analyst"))
    assert staff.get(src).status_code == 403  # analysts see aggregates, never a caller's voice
    staff = app.test_client()
    sign_in(staff, make_staff(db_session, "operator", languages=[report.language]))  # reports in their language
    page = staff.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert f'src="{src}"' in page and "not stored on this server" not in page
    with staff.get(src) as served:
        assert served.status_code == 200 and served.data == audio and served.mimetype == "audio/ogg"
        assert served.headers["Cache-Control"] == "private, no-store"
