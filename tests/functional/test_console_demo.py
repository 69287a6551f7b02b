"""The console works on the demo's data: every page renders for the demo operator and supervisor."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.demo.credentials import Credential, demo_email
from hotline.demo.seed import seed_demo
from hotline.intake.models import Recording, Report
from hotline.models import Role, Rumour, User
from tests.factories import sign_in

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_console_pages_render_on_demo_data(app: Flask, client: FlaskClient, db_session: Session) -> None:
    credentials = {r.value: Credential(r.value, demo_email(r.value), f"demo-password-{r.value}") for r in Role}
    seed_demo(db_session, runtime(app), credentials, reports=15, seed=11, now=NOW)
    from tests.factories import csrf_token_in

    def sign_in_as(role: str) -> FlaskClient:
        other = app.test_client()
        token = csrf_token_in(other.get("/console/login").get_data(as_text=True))
        response = other.post("/console/login", data={"email": demo_email(role), "csrf_token": token,
                                                      "password": f"demo-password-{role}"})
        assert response.status_code == 302
        return other

    operator = sign_in_as("operator")
    queue = operator.get("/console/queue?status=all&per_page=100")
    assert queue.status_code == 200 and "data-report=" in queue.get_data(as_text=True)
    report_ids = list(db_session.scalars(select(Report.id).limit(15)))
    for report_id in report_ids:
        assert operator.get(f"/console/reports/{report_id}").status_code == 200
    rumour_id = db_session.scalar(select(Rumour.id).limit(1))
    for url in ("/console/rumours", f"/console/rumours/{rumour_id}", "/console/library", "/console/profile"):
        assert operator.get(url).status_code == 200, url
    supervisor = sign_in_as("supervisor")
    for url in ("/console/supervision", "/console/audit", "/console/library?status=draft"):
        assert supervisor.get(url).status_code == 200, url


def test_a_demo_call_plays_in_the_console(app: Flask, db_session: Session) -> None:
    credentials = {r.value: Credential(r.value, demo_email(r.value), f"demo-password-{r.value}") for r in Role}
    seed_demo(db_session, runtime(app), credentials, reports=40, seed=11, now=NOW,
              recordings=app.config["HOTLINE"].recordings_folder)
    report = db_session.scalars(select(Report).join(Recording, Recording.id == Report.recording_id)
                                .where(Recording.content_type == "audio/wav")).first()
    assert report is not None
    operator = app.test_client()
    sign_in(operator, db_session.scalars(select(User).where(User.email == demo_email("operator"))).one(),
            password="demo-password-operator")
    page = operator.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert f'<audio controls preload="none" src="/console/recordings/{report.recording_id}/audio">' in page
    with operator.get(f"/console/recordings/{report.recording_id}/audio") as audio:
        assert audio.status_code == 200
        assert audio.mimetype == "audio/wav"
        assert audio.data[:4] == b"RIFF"
