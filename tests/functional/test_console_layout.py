"""Every console page keeps the console's layout: its navigation, stylesheet and flashed notices."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import make_staff, sign_in

SUPERVISOR_PAGES = [
    "/console/queue", "/console/supervision", "/console/audit",
    "/console/field/focal-points", "/console/field/import", "/console/field/briefing?area=AF-KAB&lang=prs",
    "/console/trends",
]


def _nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="console-nav".*?</nav>', html, re.S)
    assert nav, "the page has no console navigation"
    return re.findall(r'href="([^"]+)"', nav.group(0))


@pytest.mark.parametrize("path", SUPERVISOR_PAGES)
def test_supervisor_pages_carry_the_console_navigation(client: FlaskClient, db_session: Session,
                                                       path: str) -> None:
    sign_in(client, make_staff(db_session, "supervisor"))
    answer = client.get(path)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "/console/field/focal-points" in _nav_links(html)
    assert "console/console.css" in html


def test_analysts_see_trends_in_their_navigation_and_no_caseworker_page(client: FlaskClient,
                                                                          db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "analyst"))
    links = _nav_links(client.get("/console/trends").get_data(as_text=True))
    assert "/console/trends" in links
    assert "/console/rumours" not in links  # an analyst would get 403 there


def test_console_briefing_shows_the_sheet_in_its_language_direction(client: FlaskClient,
                                                                    db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "supervisor"))
    html = client.get("/console/field/briefing?area=AF-KAB&lang=prs").get_data(as_text=True)
    assert 'lang="prs" dir="rtl"' in html  # the sheet itself is still there, in its language's direction
