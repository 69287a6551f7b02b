"""/console/trends/rumours/<id>: a reviewed rumour, read-only, for analysts: never a candidate, a report or caller
text; weekly counts hidden as the charts hide them; the dashboard's legend and rising rumours link to it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hotline.rumours.models import RumourStatus
from hotline.trends.cells import Cell
from hotline.trends.rumour_page import rumour_weeks
from tests.factories import make_staff, sign_in
from tests.trends_helpers import add_report, add_rumour


def test_a_rumour_page_hides_what_the_chart_hides() -> None:
    weeks = [date(2026, 11, 23), date(2026, 11, 30)]
    cells = [Cell(weeks[0], "AF", None, "ps", "sms", None, "c", 7, 2), Cell(weeks[0], "AF", None, "ps", "sms",
                                                                             None, "c", 8, 40),
             Cell(weeks[0], "AF", None, "ps", "sms", None, "c", 9, 12), Cell(weeks[1], "AF", None, "ps", "sms",
                                                                              None, "c", 8, 6)]
    # Week 1: rumour 7 has 2 (hidden); 9 (12) is hidden with it, so 40 and the total do not give 7 back.
    shown = rumour_weeks(cells, 9, weeks, 5, date(2026, 12, 3))
    assert [(w.count, w.partial) for w in shown] == [(None, False), (0, True)]
    assert [w.count for w in rumour_weeks(cells, 8, weeks, 5, date(2026, 12, 3))] == [40, 6]


def test_analysts_read_a_reviewed_rumour_never_a_candidate(client: FlaskClient, db_session: Session) -> None:
    operator = make_staff(db_session)
    rumour = add_rumour(db_session)
    rumour.statement_translations = {"prs": "کشتی‌ها در موسم باران امن هستند"}  # noqa: RUF001
    candidate = add_rumour(db_session, status=RumourStatus.CANDIDATE)
    monday = date.today() - timedelta(days=date.today().weekday())
    for _ in range(6):
        add_report(db_session, datetime.combine(monday - timedelta(weeks=1), time(10), tzinfo=UTC),
                   coded_by=operator, rumour_id=rumour.id)
    db_session.flush()
    assert client.get(f"/console/trends/rumours/{rumour.id}").status_code == 302
    sign_in(client, make_staff(db_session, "operator"))
    assert client.get(f"/console/trends/rumours/{rumour.id}").status_code == 403
    analyst = client.application.test_client()
    sign_in(analyst, make_staff(db_session, "analyst"))
    page = analyst.get(f"/console/trends/rumours/{rumour.id}").get_data(as_text=True)
    assert "Boats to Australia are safe in the monsoon" in page and "کشتی‌ها در موسم باران امن هستند" in page  # noqa: RUF001
    assert "caller words" not in page and "+93" not in page
    assert ">6<" in page  # last week's count, published
    assert analyst.get(f"/console/trends/rumours/{candidate.id}").status_code == 404
    assert analyst.get("/console/trends/rumours/999999").status_code == 404
    dashboard = analyst.get("/console/trends?group_by=rumour_id").get_data(as_text=True)
    assert f"/console/trends/rumours/{rumour.id}" in dashboard  # the weekly chart's legend, as links
    assert "Boats to Australia are safe in the mon" in dashboard
