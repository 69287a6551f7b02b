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


def _drawn(svg: bytes) -> dict[int, list[int]]:
    """The values a month-of-year line chart draws, by month index (0 = January), read back from its geometry."""
    document = xml.dom.minidom.parseString(svg)  # noqa: S318 - our own SVG
    ticks = [int(t.firstChild.data) for t in document.getElementsByTagName("text")  # type: ignore[union-attr]
             if t.getAttribute("text-anchor") == "end"]
    peak, left, top, plot_w, plot_h = max(ticks), 48, 34, 760 - 48 - 170, 320 - 34 - 46
    step = plot_w / 11
    points = [tuple(map(float, p.split(","))) for line in document.getElementsByTagName("polyline")
              for p in line.getAttribute("points").split()]
    points += [(float(c.getAttribute("cx")), float(c.getAttribute("cy")))
               for c in document.getElementsByTagName("circle")]
    drawn: dict[int, list[int]] = {}
    for x, y in points:
        drawn.setdefault(round((x - left) / step), []).append(round((top + plot_h - y) * peak / plot_h))
    return drawn


def test_the_seasonal_chart_never_shows_a_month_under_k_nor_one_that_gives_a_hidden_week_back(
        client: FlaskClient, db_session: Session) -> None:
    operator = make_staff(db_session)
    add_report(db_session, "2026-11-10T10:00:00", coded_by=operator, country="IR")  # the only report from IR
    for _ in range(6):  # from PK: 6 in one November week and 2 in another (8 in the month, a week under k)
        add_report(db_session, "2026-11-03T10:00:00", coded_by=operator, country="PK")
    for _ in range(2):
        add_report(db_session, "2026-11-17T10:00:00", coded_by=operator, country="PK")
    for _ in range(7):  # and 7 in October's only non-empty week: published
        add_report(db_session, "2026-10-06T10:00:00", coded_by=operator, country="PK")
    sign_in(client, make_staff(db_session, "analyst"))
    for country in ("IR", "PK"):
        chart = client.get(f"/console/trends/chart/seasonal.svg?{RANGE}&country={country}")
        assert chart.status_code == 200
        drawn = _drawn(chart.get_data())
        assert 10 not in drawn, f"November drawn for {country}: {drawn[10]}"  # a gap, not 1 nor 8
        assert all(value == 0 or value >= 5 for values in drawn.values() for value in values)
    assert _drawn(chart.get_data())[9] == [7]


def test_the_dashboard_counts_whole_iso_weeks_and_says_so(client: FlaskClient, db_session: Session) -> None:
    seed(db_session)
    sign_in(client, make_staff(db_session, "analyst"))
    page = client.get("/console/trends?from=2026-10-28&to=2026-11-26").get_data(as_text=True)
    assert "Counted in whole ISO weeks: 2026-10-26 (Monday) to 2026-11-29 (Sunday)." in page
    assert 'value="2026-10-26"' in page and 'value="2026-11-29"' in page
    a_day_apart = [client.get(f"/console/trends/chart/{kind}.svg?from={first}&to=2026-11-26").get_data()
                   for kind in ("weekly", "totals") for first in ("2026-10-27", "2026-10-28")]
    assert a_day_apart[0] == a_day_apart[1] and a_day_apart[2] == a_day_apart[3]


def test_a_range_over_the_cap_is_a_form_error(client: FlaskClient, db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "analyst"))
    answer = client.get("/console/trends?from=2020-01-01&to=2026-11-29")
    assert answer.status_code == 400 and "at most 156 whole weeks" in answer.get_data(as_text=True)
    assert client.get("/console/trends/chart/weekly.svg?from=2020-01-01&to=2026-11-29").status_code == 400
