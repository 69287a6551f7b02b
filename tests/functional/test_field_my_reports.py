"""/field/my-reports: the signed-in focal point's own reports and what became of each; nobody else's."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.field.outcomes import ANSWERED, LOOKED_AT, RECEIVED, outcome
from hotline.intake.models import Report
from tests.factories import make_staff, sign_in
from tests.field_factories import field_sign_in, make_focal_point, report_form
from tests.trends_helpers import add_report, add_rumour


def test_outcomes_in_plain_words() -> None:
    assert outcome("new", coded=False) == RECEIVED
    assert outcome("new", coded=True) == LOOKED_AT
    assert outcome("claimed", coded=False) == LOOKED_AT
    assert outcome("escalated", coded=True) == LOOKED_AT  # an escalation is a staff matter
    assert outcome("answered", coded=True) == ANSWERED and outcome("closed", coded=False) == ANSWERED


def test_a_focal_point_sees_only_their_own_reports_and_what_became_of_them(app: Flask, client,
                                                                            db_session: Session) -> None:
    _mine, issued = make_focal_point(app, db_session, languages=["en"])
    _other, other_issued = make_focal_point(app, db_session, display_name="Other Point")
    assert client.get("/field/my-reports").status_code == 302  # not signed in
    other = app.test_client()
    field_sign_in(other, other_issued.link_token)
    other.post("/field/report", data=report_form(other, text="OTHER POINT WORDS"))
    add_report(db_session, "2026-11-03T10:00:00")  # a caller's text: "caller words ..."
    field_sign_in(client, issued.link_token)
    assert "You have not sent a report yet." in client.get("/field/my-reports").get_data(as_text=True)
    client.post("/field/report", data=report_form(client, text="The border opens in March <b>x</b>"))
    client.post("/field/report", data=report_form(client, text="Boats are safe now"))
    page = client.get("/field/my-reports").get_data(as_text=True)
    assert "The border opens in March &lt;b&gt;x&lt;/b&gt;" in page and "Boats are safe now" in page
    assert "OTHER POINT WORDS" not in page and "caller words" not in page
    assert page.count("Received") + page.count("Being looked at") == 2  # classified, not yet confirmed by staff

    reports = db_session.scalars(select(Report).where(Report.text.like("Boats%"))).all()
    rumour = add_rumour(db_session)
    reports[0].status, reports[0].rumour_id = "answered", rumour.id
    reports[0].coded_by_id = make_staff(db_session).id
    db_session.flush()
    page = client.get("/field/my-reports").get_data(as_text=True)
    assert "Answered" in page and "Linked to a rumour we already know:" in page
    assert "Boats to Australia are safe in the monsoon" in page


def test_staff_sessions_do_not_open_the_page(app: Flask, client, db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "supervisor"))
    answer = client.get("/field/my-reports")
    assert answer.status_code == 302 and "/field/sign-in" in answer.headers["Location"]
