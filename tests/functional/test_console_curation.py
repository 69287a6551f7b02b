"""Rumours (sparkline, review, merge, split), the message library (drafts, approval), supervision, audit, profile."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.rumours.library import approved_counter_messages
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour, RumourStatus
from tests.console_helpers import make_report
from tests.factories import csrf_token_in, make_staff, sign_in


def _rumour(session: Session, statement: str = "The border is open") -> Rumour:
    rumour = Rumour(canonical_statement=statement, category="destination_policy", status=RumourStatus.CANDIDATE)
    session.add(rumour)
    session.flush()
    return rumour


def _signed_in(client: FlaskClient, session: Session, role: str) -> str:
    sign_in(client, make_staff(session, role))
    return csrf_token_in(client.get("/console/profile").get_data(as_text=True))


def test_rumour_list_has_counts_and_an_inline_svg_sparkline(client: FlaskClient, db_session: Session) -> None:
    rumour = _rumour(db_session)
    for _ in range(3):
        make_report(db_session, rumour_id=rumour.id)
    rumour.report_count = 3
    db_session.flush()
    _signed_in(client, db_session, "operator")
    html = client.get("/console/rumours").get_data(as_text=True)
    assert "The border is open" in html and "<polyline" in html and "<script" not in html.split("</head>")[1]


def test_supervisor_reviews_merges_and_splits(client: FlaskClient, db_session: Session) -> None:
    first, second = _rumour(db_session), _rumour(db_session, "Boats are allowed to land")
    reports = [make_report(db_session, rumour_id=first.id) for _ in range(2)]
    make_report(db_session, rumour_id=second.id)
    token = _signed_in(client, db_session, "supervisor")
    client.post(f"/console/rumours/{first.id}/review", data={
        "csrf_token": token, "statement": "The border is open to everyone", "status": "reviewed",
        "verification": "false", "risk": "high", "translation_prs": "مرز باز است"})
    db_session.expire_all()
    assert (first.status, first.verification, first.statement_translations) == \
        ("reviewed", "false", {"prs": "مرز باز است"})
    # A merge asks first ("Move 1 report?"), and happens once confirmed with that number.
    asked = client.post(f"/console/rumours/{second.id}/merge", data={"csrf_token": token, "target_id": str(first.id)})
    assert "Move one report?" in asked.get_data(as_text=True)
    db_session.expire_all()
    assert second.merged_into_id is None
    client.post(f"/console/rumours/{second.id}/merge", data={"csrf_token": token, "target_id": str(first.id),
                                                              "confirm": "1", "expected": "1"})
    db_session.expire_all()
    assert second.merged_into_id == first.id and first.report_count == 3
    client.post(f"/console/rumours/{first.id}/split", data={
        "csrf_token": token, "statement": "A different claim", "report_id": [str(reports[0].id)]})
    db_session.expire_all()
    assert first.report_count == 2
    actions = set(db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "rumour")))
    assert {"rumour.review", "rumour.merge", "rumour.split", "rumour.create"} <= actions


def test_operators_cannot_review_rumours(client: FlaskClient, db_session: Session) -> None:
    rumour = _rumour(db_session)
    token = _signed_in(client, db_session, "operator")
    response = client.post(f"/console/rumours/{rumour.id}/review", data={"csrf_token": token, "statement": "x",
                                                                         "status": "reviewed"})
    assert response.status_code == 403


def test_drafts_are_unused_until_a_supervisor_approves(app: Flask, client: FlaskClient, db_session: Session) -> None:
    token = _signed_in(client, db_session, "operator")
    client.post("/console/library", data={"csrf_token": token, "language": "id", "category": "journey_risk",
                                          "title": "Musim angin", "body": "Laut berbahaya di musim angin barat."})
    message = db_session.scalar(select(CounterMessage).where(CounterMessage.title == "Musim angin"))
    assert message is not None and message.status == ApprovalStatus.DRAFT
    assert approved_counter_messages(db_session, "id", date.today(), category="journey_risk") == []
    operator_try = client.post(f"/console/library/{message.id}/status", data={"csrf_token": token,
                                                                               "status": "approved"})
    assert operator_try.status_code == 403
    supervisor = app.test_client()
    sign_in(supervisor, make_staff(db_session, "supervisor"))
    page = supervisor.get("/console/library?lang=id").get_data(as_text=True)
    assert "Musim angin" in page
    supervisor.post(f"/console/library/{message.id}/status",
                    data={"csrf_token": csrf_token_in(page), "status": "approved"})
    db_session.expire_all()
    assert [m.id for m in approved_counter_messages(db_session, "id", date.today(), category="journey_risk")] == \
        [message.id]
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "counter_message.approved")) is not None


def test_a_draft_without_a_category_or_rumour_is_refused(client: FlaskClient, db_session: Session) -> None:
    token = _signed_in(client, db_session, "operator")
    html = client.post("/console/library", data={"csrf_token": token, "language": "id", "title": "t", "body": "b"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Check the form" in html


def test_audit_page_is_for_supervisors_and_shows_before_and_after(app: Flask, client: FlaskClient,
                                                                  db_session: Session) -> None:
    _signed_in(client, db_session, "operator")
    assert client.get("/console/audit").status_code == 403
    assert client.get("/console/supervision").status_code == 403
    supervisor = app.test_client()
    sign_in(supervisor, make_staff(db_session, "supervisor"))
    html = supervisor.get("/console/audit?entity_type=user").get_data(as_text=True)
    assert "user.login" in html and "user.create" in html
    analyst = app.test_client()
    sign_in(analyst, make_staff(db_session, "analyst"))
    assert analyst.get("/console/audit").status_code == 403


def test_supervision_shows_backlog_and_response_times(client: FlaskClient, db_session: Session) -> None:
    make_report(db_session, language="prs", minutes_ago=30)
    make_report(db_session, language="prs", minutes_ago=60 * 30)
    _signed_in(client, db_session, "supervisor")
    html = client.get("/console/supervision").get_data(as_text=True)
    assert "Backlog by language and age" in html and "Median" in html


def test_profile_sets_the_ui_language(client: FlaskClient, db_session: Session) -> None:
    token = _signed_in(client, db_session, "operator")
    client.post("/console/profile", data={"csrf_token": token, "ui_locale": "prs"})
    html = client.get("/console/queue").get_data(as_text=True)
    assert 'lang="prs" dir="rtl"' in html
    assert client.post("/console/profile", data={"csrf_token": token, "ui_locale": "xx"}).status_code == 303


def test_the_author_of_a_counter_message_cannot_approve_it(app: Flask, client: FlaskClient,
                                                          db_session: Session) -> None:
    token = _signed_in(client, db_session, "supervisor")
    client.post("/console/library", data={"csrf_token": token, "language": "id", "category": "journey_risk",
                                          "title": "Ombak tinggi", "body": "Ombak tinggi di bulan Desember."})
    message = db_session.scalar(select(CounterMessage).where(CounterMessage.title == "Ombak tinggi"))
    assert message is not None
    own = client.post(f"/console/library/{message.id}/status", data={"csrf_token": token, "status": "approved"},
                      follow_redirects=True).get_data(as_text=True)
    assert "Another supervisor must approve a message you wrote." in own
    db_session.refresh(message)
    assert message.status == ApprovalStatus.DRAFT
    other = app.test_client()
    sign_in(other, make_staff(db_session, "supervisor"))
    page = other.get("/console/library?lang=id").get_data(as_text=True)
    other.post(f"/console/library/{message.id}/status", data={"csrf_token": csrf_token_in(page), "status": "approved"})
    db_session.refresh(message)
    assert message.status == ApprovalStatus.APPROVED


def test_backlog_cells_link_to_the_queue_filtered_the_same_way(app: Flask, client: FlaskClient,
                                                               db_session: Session) -> None:
    import html as html_module
    import re

    from tests.console_helpers import make_report

    recent = make_report(db_session, "recent one", language="en", minutes_ago=30)
    middle = make_report(db_session, "two hours old", language="en", minutes_ago=120)
    _signed_in(client, db_session, "supervisor")
    page = client.get("/console/supervision").get_data(as_text=True)
    links = [html_module.unescape(u) for u in re.findall(r'href="(/console/queue\?[^"]+)"', page)]
    assert "/console/queue?lang=en&status=open&age=1" in links
    assert "/console/queue?lang=en&status=open&older=1&age=4" in links
    queue = client.get("/console/queue?lang=en&status=open&older=1&age=4").get_data(as_text=True)
    assert f'data-report="{middle.id}"' in queue
    assert f'data-report="{recent.id}"' not in queue
