# ruff: noqa: RUF001 - Dari text in Arabic script is meant to be there
"""Rumour linking on the report page: server-side type-ahead over rumours' statements and translations (paged,
role-checked, escaped) and "new rumour from this report" (pre-filled, redacted, never the caller's number)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.classify.service import forget_rumour_indexes
from hotline.rumours.models import Rumour, RumourStatus
from tests.console_helpers import make_report
from tests.factories import csrf_token_in, make_staff, sign_in

JSON = {"Accept": "application/json"}


def _rumour(session: Session, statement: str, translations: dict[str, str] | None = None,
            status: str = RumourStatus.REVIEWED) -> Rumour:
    rumour = Rumour(canonical_statement=statement, category="destination_policy", status=status,
                    statement_translations=translations or {})
    session.add(rumour)
    session.flush()
    return rumour


def _operator(client: FlaskClient, session: Session, languages: list[str] | None = None) -> str:
    sign_in(client, make_staff(session, "operator", languages=languages or ["en", "prs"]))
    forget_rumour_indexes()
    return csrf_token_in(client.get("/console/profile").get_data(as_text=True))


def _hits(answer: dict[str, object]) -> str:
    return str(answer["html"])


def test_search_over_statements_and_translations(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session, "Is it true?", language="en")
    border = _rumour(db_session, "The border to Australia is open to boats",
                     {"prs": "مرز استرالیا برای قایق ها باز است"})
    jobs = _rumour(db_session, "Agents promise construction jobs with high wages")
    _operator(client, db_session)
    url = f"/console/reports/{report.id}/rumours"
    english = client.get(url, query_string={"q": "border open"}, headers=JSON).get_json()
    assert f'data-rumour="{border.id}"' in _hits(english) and f'data-rumour="{jobs.id}"' not in _hits(english)
    dari = client.get(url, query_string={"q": "مرز استرالیا"}, headers=JSON).get_json()
    assert _hits(dari).index(f'data-rumour="{border.id}"') >= 0
    by_id = client.get(url, query_string={"q": f"#{jobs.id}"}, headers=JSON).get_json()
    assert by_id["count"] == 1 and f'data-rumour="{jobs.id}"' in _hits(by_id)
    short = client.get(url, query_string={"q": "b"}, headers=JSON).get_json()
    assert short["count"] == 0 and "at least two characters" in _hits(short)
    plain = client.get(url, query_string={"q": "construction"}).get_data(as_text=True)  # without JavaScript
    assert "<html" in plain and f'data-rumour="{jobs.id}"' in plain and f'value="{jobs.id}"' in plain


def test_results_come_a_page_at_a_time(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session, "Is it true?", language="en")
    made = [_rumour(db_session, f"Boats land safely in harbour number {n}") for n in range(12)]
    _operator(client, db_session)
    url = f"/console/reports/{report.id}/rumours"
    first = client.get(url, query_string={"q": "boats land safely"}, headers=JSON).get_json()
    second = client.get(url, query_string={"q": "boats land safely", "page": 2}, headers=JSON).get_json()
    assert (first["count"], first["more"], second["count"], second["more"]) == (8, True, 4, False)
    shown = {r.id for r in made if f'data-rumour="{r.id}"' in _hits(first) + _hits(second)}
    assert shown == {r.id for r in made}
    assert 'rel="next"' in _hits(first) and 'rel="prev"' in _hits(second)


def test_hostile_statements_are_escaped_in_results(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session, "Is it true?", language="en")
    _rumour(db_session, "<img src=x onerror=alert(1)> boats are <b>safe</b>",
            {"prs": "<script>alert(2)</script> قایق"}, RumourStatus.CANDIDATE)
    _operator(client, db_session, ["en"])
    html = _hits(client.get(f"/console/reports/{report.id}/rumours", query_string={"q": "boats are safe"},
                            headers=JSON).get_json())
    assert "<img src=x" not in html and "<b>safe</b>" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_search_and_new_rumour_are_refused_to_who_may_not_open_the_report(app: Flask, client: FlaskClient,
                                                                          db_session: Session) -> None:
    tamil = make_report(db_session, "secret", language="ta")
    token = _operator(client, db_session, ["en"])
    assert client.get(f"/console/reports/{tamil.id}/rumours?q=border", headers=JSON).status_code == 404
    assert client.post(f"/console/reports/{tamil.id}/rumour/new",
                       data={"csrf_token": token, "statement": "x"}).status_code == 404
    analyst = app.test_client()
    sign_in(analyst, make_staff(db_session, "analyst"))
    analyst_token = csrf_token_in(analyst.get("/console/profile").get_data(as_text=True))
    assert analyst.get(f"/console/reports/{tamil.id}/rumours?q=border").status_code == 403
    assert analyst.post(f"/console/reports/{tamil.id}/rumour/new",
                        data={"csrf_token": analyst_token, "statement": "x"}).status_code == 403
    assert app.test_client().get(f"/console/reports/{tamil.id}/rumours?q=border").status_code in (302, 303)
    assert db_session.scalar(select(Rumour).where(Rumour.canonical_statement == "x")) is None


def test_new_rumour_from_this_report_is_redacted_and_linked(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session, "The agent on +93 70 123 4567 says boats <b>land</b> safely", language="en",
                         category="smuggler_claims")
    token = _operator(client, db_session, ["en"])
    page = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    draft = page[page.index('id="new-rumour-statement"'):page.index("</textarea>", page.index('id="new-rumour-s'))]
    assert "boats &lt;b&gt;land&lt;/b&gt; safely" in draft and "123 4567" not in draft and "4567" not in draft
    answer = client.post(f"/console/reports/{report.id}/rumour/new", headers=JSON, data={
        "csrf_token": token, "language": "en",
        "statement": "Agents (call 0701234567 or x@example.org) say boats land safely"})
    assert answer.status_code == 200 and answer.get_json()["ok"] is True
    db_session.expire_all()
    rumour = db_session.get(Rumour, report.rumour_id)
    assert rumour is not None and rumour.status == RumourStatus.CANDIDATE and rumour.source_report_id == report.id
    assert "0701234567" not in rumour.canonical_statement and "x@example.org" not in rumour.canonical_statement
    assert "boats land safely" in rumour.canonical_statement and rumour.category == "smuggler_claims"
    assert rumour.report_count == 1 and report.assignee_id is not None  # the first action claimed the report
    actions = set(db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id.in_([report.id,
                                                                                               rumour.id]))))
    assert {"rumour.create", "report.link_rumour", "report.claim"} <= actions


def test_someone_elses_report_gets_no_new_rumour(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session, "Boats are safe", language="en")
    report.assignee_id = make_staff(db_session, "operator", languages=["en"]).id
    db_session.flush()
    token = _operator(client, db_session, ["en"])
    answer = client.post(f"/console/reports/{report.id}/rumour/new", headers=JSON,
                         data={"csrf_token": token, "statement": "Boats are safe, people say"})
    assert answer.status_code == 409 and answer.get_json()["ok"] is False
    assert db_session.scalar(select(Rumour).where(Rumour.canonical_statement == "Boats are safe, people say")) is None
    assert client.post(f"/console/reports/{report.id}/rumour/new",
                       data={"statement": "no token"}).status_code == 400  # CSRF
