"""/console/trends: analysts and supervisors only; SVG charts drawn on the server; no script on the page."""

from __future__ import annotations

import xml.dom.minidom

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hotline.trends.png import png_available
from tests.factories import make_staff, sign_in
from tests.trends_helpers import add_report

RANGE = "from=2026-10-26&to=2026-11-29"


def seed(session: Session) -> None:
    operator = make_staff(session)
    for day in ("2026-10-27", "2026-11-03", "2026-11-10", "2026-11-17"):
        add_report(session, f"{day}T10:00:00", coded_by=operator, category="destination_policy")
    for _ in range(12):
        add_report(session, "2026-11-24T10:00:00", coded_by=operator, category="destination_policy")


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    answer = client.get("/console/trends")
    assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]


def test_operators_are_refused(client: FlaskClient, db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "operator"))
    assert client.get("/console/trends").status_code == 403
    assert client.get("/console/trends/chart/weekly.svg").status_code == 403


@pytest.mark.parametrize("role", ["analyst", "supervisor"])
def test_the_dashboard_shows_charts_and_rising_categories(client: FlaskClient, db_session: Session,
                                                          role: str) -> None:
    seed(db_session)
    sign_in(client, make_staff(db_session, role))
    page = client.get(f"/console/trends?{RANGE}").get_data(as_text=True)
    assert "<script" not in page
    assert "/console/trends/chart/weekly.svg?" in page and "download=1" in page
    assert "Rising categories" in page and "12 reports in one language" in page
    for kind in ("weekly", "totals", "seasonal"):
        chart = client.get(f"/console/trends/chart/{kind}.svg?{RANGE}")
        assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
        document = xml.dom.minidom.parseString(chart.get_data())  # noqa: S318 - our own SVG
        assert document.documentElement.tagName == "svg"
        assert not document.getElementsByTagName("script")
    download = client.get(f"/console/trends/chart/weekly.svg?{RANGE}&download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    if png_available():
        assert "weekly.png?" in page
        png = client.get(f"/console/trends/chart/weekly.png?{RANGE}&download=1")
        assert png.mimetype == "image/png" and png.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/console/trends/chart/weekly.gif?{RANGE}").status_code == 404


def test_bad_dates_are_shown_not_crashed(client: FlaskClient, db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "analyst"))
    answer = client.get("/console/trends?from=2026-11-30&to=2026-11-01")
    assert answer.status_code == 400 and "to:" in answer.get_data(as_text=True)
