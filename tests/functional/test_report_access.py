"""Who opens which report, through HTTP: operators their languages and what they hold; sensitive or protection
reports only their language's operators and supervisors; analysts none. Refusals are 404, like a missing report."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.intake.constants import Sensitivity
from hotline.intake.models import Message, Recording, Report
from tests.console_helpers import make_report
from tests.factories import csrf_token_in, make_staff, sign_in


def _queue_ids(client: FlaskClient) -> str:
    return client.get("/console/queue?lang=all&per_page=100").get_data(as_text=True)


def _statuses(client: FlaskClient, urls: list[str]) -> list[int]:
    statuses = []
    for url in urls:
        with client.get(url) as response:  # a served file is closed with its response
            statuses.append(response.status_code)
    return statuses


def _token(client: FlaskClient) -> str:
    return csrf_token_in(client.get("/console/profile").get_data(as_text=True))


def test_an_operator_cannot_open_a_report_in_a_language_they_do_not_work_in(client: FlaskClient,
                                                                           db_session: Session) -> None:
    thai = make_report(db_session, "ชายแดนเปิดไหม", language="th")
    sign_in(client, make_staff(db_session, "operator", languages=["prs"]))
    assert client.get(f"/console/reports/{thai.id}").status_code == 404
    assert f"/console/reports/{thai.id}\"" not in _queue_ids(client)  # not listed with lang=all either
    token = _token(client)
    assert client.post(f"/console/reports/{thai.id}/claim", data={"csrf_token": token}).status_code == 404
    db_session.refresh(thai)
    assert thai.assignee_id is None  # claiming it would have made it theirs to read
    assert client.post(f"/console/reports/{thai.id}/answered", data={"csrf_token": token}).status_code == 404


def test_an_operator_of_the_language_or_its_holder_opens_it(client: FlaskClient, db_session: Session) -> None:
    thai = make_report(db_session, "ชายแดนเปิดไหม", language="th", sensitivity=Sensitivity.PROTECTION)
    holder = make_staff(db_session, "operator", languages=["prs"])
    sign_in(client, make_staff(db_session, "operator", languages=["th"]))
    assert client.get(f"/console/reports/{thai.id}").status_code == 200
    thai.assignee_id = holder.id
    db_session.flush()
    client.post("/console/logout", data={"csrf_token": _token(client)})
    sign_in(client, holder)
    assert client.get(f"/console/reports/{thai.id}").status_code == 200


def test_unknown_language_is_open_to_operators_unless_sensitive(client: FlaskClient, db_session: Session) -> None:
    plain = make_report(db_session, "??", language=None)
    protection = make_report(db_session, "help", language=None, sensitivity=Sensitivity.PROTECTION)
    sensitive = make_report(db_session, "help", language=None, sensitivity=Sensitivity.SENSITIVE)
    sign_in(client, make_staff(db_session, "operator", languages=["en"]))
    assert client.get(f"/console/reports/{plain.id}").status_code == 200
    assert client.get(f"/console/reports/{protection.id}").status_code == 404
    assert client.get(f"/console/reports/{sensitive.id}").status_code == 404


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_open_every_report(client: FlaskClient, db_session: Session, role: str) -> None:
    report = make_report(db_session, "help", language="th", sensitivity=Sensitivity.PROTECTION)
    sign_in(client, make_staff(db_session, role))
    assert client.get(f"/console/reports/{report.id}").status_code == 200


def test_analysts_open_no_report(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session, language="en")
    sign_in(client, make_staff(db_session, "analyst"))
    assert client.get(f"/console/reports/{report.id}").status_code == 403


def test_recordings_and_media_follow_their_report(app: Flask, client: FlaskClient, db_session: Session) -> None:
    thai = make_report(db_session, "", language="th")
    name = uuid.uuid4().hex
    recording = Recording(contact_id=thai.contact_id, purpose="report", storage_path=f"2026/11/29/{name}.mp3",
                          content_type="audio/mpeg")
    db_session.add(recording)
    db_session.flush()
    thai.recording_id = recording.id
    message = db_session.scalar(select(Message).where(Message.contact_id == thai.contact_id))
    assert message is not None
    message.media = [{"url": "https://api.twilio.com/x", "stored": f"2026/11/29/{name}.jpg",
                      "content_type": "image/jpeg"}]
    db_session.flush()
    for folder, suffix, data in (("recordings", ".mp3", b"ID3fake"), ("media", ".jpg", b"\xff\xd8fake")):
        target = Path(app.instance_path) / folder / "2026/11/29" / f"{name}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    urls = [f"/console/recordings/{recording.id}/audio", f"/console/messages/{message.id}/media/0"]
    sign_in(client, make_staff(db_session, "operator", languages=["prs"]))
    assert _statuses(client, urls) == [404, 404]
    client.post("/console/logout", data={"csrf_token": _token(client)})
    sign_in(client, make_staff(db_session, "operator", languages=["th"]))
    assert _statuses(client, urls) == [200, 200]


def test_the_queue_lists_only_what_the_operator_may_open(client: FlaskClient, db_session: Session) -> None:
    mine = make_report(db_session, "Is the border open?", language="en")
    other = make_report(db_session, "ชายแดนเปิดไหม", language="th")
    hidden = make_report(db_session, "help", language=None, sensitivity=Sensitivity.PROTECTION)
    sign_in(client, make_staff(db_session, "operator", languages=["en"]))
    html = _queue_ids(client)
    assert f"/console/reports/{mine.id}\"" in html
    assert f"/console/reports/{other.id}\"" not in html and f"/console/reports/{hidden.id}\"" not in html
    assert db_session.get(Report, other.id) is not None
