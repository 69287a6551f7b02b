"""The operator queue: roles, filters, ordering, pagination, claim/release by two operators, hostile caller text."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.intake.constants import ReportStatus, Sensitivity, Urgency
from hotline.web.security import CONTENT_SECURITY_POLICY, RECORDER_CONTENT_SECURITY_POLICY
from tests.console_helpers import make_report
from tests.factories import csrf_token_in, make_staff, sign_in

HOSTILE = [
    "<script>window.pwned=1</script>",
    '<a href="javascript:alert(1)">tap</a>',
    "\u202eevil reversed text",
    "x" * 3000,
]


def _operator(session: Session, **fields: object) -> object:
    return make_staff(session, "operator", languages=fields.pop("languages", ["en", "prs"]), **fields)


def _ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-report="(\d+)"', html)]


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/console/queue")
    assert response.status_code == 302
    assert "/console/login" in response.headers["Location"]


def test_analysts_never_see_the_queue_or_a_report(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session)
    analyst = make_staff(db_session, "analyst")
    sign_in(client, analyst)
    assert client.get("/console/queue").status_code == 403
    assert client.get(f"/console/reports/{report.id}").status_code == 403
    front = client.get("/console/")
    assert front.status_code in (200, 302)
    assert "Is the border open?" not in front.get_data(as_text=True)


def test_queue_puts_urgent_and_protection_first_then_oldest(client: FlaskClient, db_session: Session) -> None:
    old = make_report(db_session, "old question", minutes_ago=300)
    new = make_report(db_session, "new question", minutes_ago=5)
    urgent = make_report(db_session, "urgent", minutes_ago=1, urgency=Urgency.HIGH, urgency_rank=1)
    protection = make_report(db_session, "danger", minutes_ago=2, sensitivity=Sensitivity.PROTECTION)
    sign_in(client, _operator(db_session))
    html = client.get("/console/queue?lang=all&per_page=100").get_data(as_text=True)
    order = [i for i in _ids(html) if i in {old.id, new.id, urgent.id, protection.id}]
    assert order == [protection.id, urgent.id, old.id, new.id]


def test_queue_defaults_to_the_operators_languages_and_filters(client: FlaskClient, db_session: Session) -> None:
    dari = make_report(db_session, "آیا مرز باز است؟", language="prs")
    thai = make_report(db_session, "ชายแดนเปิดไหม", language="th")
    bengali = make_report(db_session, "সীমান্ত কি খোলা?", language="bn")
    sign_in(client, _operator(db_session, languages=["prs", "th"]))
    ids = _ids(client.get("/console/queue?per_page=100").get_data(as_text=True))
    assert dari.id in ids and thai.id in ids and bengali.id not in ids
    ids = _ids(client.get("/console/queue?lang=th&per_page=100").get_data(as_text=True))
    assert thai.id in ids and dari.id not in ids
    ids = _ids(client.get("/console/queue?lang=all&channel=voice&per_page=100").get_data(as_text=True))
    assert dari.id not in ids
    assert client.get("/console/queue?urgency=bogus").status_code == 400


def test_pagination_and_counts(client: FlaskClient, db_session: Session) -> None:
    made = [make_report(db_session, f"question {n}", minutes_ago=100 - n, language="ms") for n in range(12)]
    sign_in(client, _operator(db_session, languages=["ms"]))
    first = client.get("/console/queue?per_page=10").get_data(as_text=True)
    second = client.get("/console/queue?per_page=10&page=2").get_data(as_text=True)
    assert _ids(first) == [r.id for r in made[:10]]
    assert _ids(second) == [r.id for r in made[10:]]
    assert "12 matching" in first
    assert client.get("/console/queue?page=100000").status_code == 400  # capped


def test_two_operators_cannot_hold_the_same_report(app: Flask, db_session: Session) -> None:
    report = make_report(db_session)
    first, second = app.test_client(), app.test_client()
    alice, bob = _operator(db_session), _operator(db_session)
    sign_in(first, alice)
    sign_in(second, bob)
    token_a = csrf_token_in(first.get("/console/queue?lang=all").get_data(as_text=True))
    token_b = csrf_token_in(second.get("/console/queue?lang=all").get_data(as_text=True))
    # Both saw the report unclaimed; both press Claim.
    won = first.post(f"/console/reports/{report.id}/claim", data={"csrf_token": token_a})
    lost = second.post(f"/console/reports/{report.id}/claim", data={"csrf_token": token_b}, follow_redirects=True)
    assert won.status_code == 303
    assert "Someone else is already working on this report" in lost.get_data(as_text=True)
    db_session.refresh(report)
    assert report.assignee_id == alice.id and report.status == ReportStatus.CLAIMED  # type: ignore[attr-defined]
    # Bob cannot release or act on Alice's report.
    second.post(f"/console/reports/{report.id}/release", data={"csrf_token": token_b})
    db_session.refresh(report)
    assert report.assignee_id == alice.id  # type: ignore[attr-defined]
    first.post(f"/console/reports/{report.id}/release", data={"csrf_token": token_a})
    db_session.refresh(report)
    assert report.assignee_id is None and report.status == ReportStatus.NEW
    actions = list(db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == report.id,
                                                                      AuditEvent.entity_type == "report")))
    assert actions == ["report.claim", "report.release"]


def test_claim_without_csrf_is_refused(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session)
    sign_in(client, _operator(db_session))
    assert client.post(f"/console/reports/{report.id}/claim").status_code == 400


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_caller_text_is_escaped_on_queue_and_report(client: FlaskClient, db_session: Session,
                                                            payload: str) -> None:
    report = make_report(db_session, payload)
    sign_in(client, _operator(db_session))
    # The report page records spoken replies: its policy differs only by blob: media (the take played back).
    for url, policy in (("/console/queue?lang=all&per_page=100", CONTENT_SECURITY_POLICY),
                        (f"/console/reports/{report.id}", RECORDER_CONTENT_SECURITY_POLICY)):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<script>window.pwned" not in html
        assert 'href="javascript:' not in html
        assert response.headers["Content-Security-Policy"] == policy
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert re.search(r"<script>(?!\s*</script>)", html) is None  # no inline script at all
        assert " style=" not in html and " onclick=" not in html
        if payload.startswith("\u202e"):
            assert re.search(r'<bdi class="caller-text" dir="auto"[^>]*>\u202eevil', html)


def test_console_pages_carry_the_security_headers(client: FlaskClient, db_session: Session) -> None:
    response = client.get("/console/login")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
