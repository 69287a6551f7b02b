"""One-screen casework: the first action claims, actions answer fetch with JSON, send-and-answer, close-and-next,
the confirmation before closing an escalated protection case, and the next report in queue order."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.intake.constants import ReportStatus, Sensitivity, Urgency
from hotline.intake.models import Message
from tests.console_helpers import make_report
from tests.factories import csrf_token_in, make_staff, sign_in

JSON = {"Accept": "application/json"}


def _operator(client: FlaskClient, session: Session) -> tuple[Any, str]:
    operator = make_staff(session, "operator", languages=["en"])
    sign_in(client, operator)
    return operator, csrf_token_in(client.get("/console/queue?lang=all").get_data(as_text=True))


def test_the_first_action_claims_the_report(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session, type="question", category="destination_policy")
    operator, token = _operator(client, db_session)
    answer = client.post(f"/console/reports/{report.id}/code", headers=JSON,
                         data={"csrf_token": token, "type": "question", "category": "destination_policy"})
    assert answer.status_code == 200
    assert answer.get_json() == {"ok": True, "message": "Coding saved.", "redirect": None}
    db_session.refresh(report)
    assert report.assignee_id == operator.id
    assert report.status == ReportStatus.CLAIMED
    actions = list(db_session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "report", AuditEvent.entity_id == report.id).order_by(AuditEvent.id)))
    assert actions == ["report.claim", "report.code"]


def test_someone_elses_report_is_refused_as_json(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session)
    report.assignee_id = make_staff(db_session, "operator", languages=["en"]).id
    db_session.flush()
    _, token = _operator(client, db_session)
    answer = client.post(f"/console/reports/{report.id}/answered", headers=JSON, data={"csrf_token": token})
    assert answer.status_code == 409
    assert answer.get_json()["ok"] is False
    db_session.refresh(report)
    assert report.status == ReportStatus.NEW


def test_actions_need_the_csrf_token_with_fetch_too(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session)
    _operator(client, db_session)
    assert client.post(f"/console/reports/{report.id}/answered", headers=JSON, data={}).status_code == 400
    db_session.refresh(report)
    assert report.assignee_id is None


def test_send_and_mark_answered_in_one_step(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session)
    _, token = _operator(client, db_session)
    answer = client.post(f"/console/reports/{report.id}/reply", headers=JSON,
                         data={"csrf_token": token, "body": "The border is closed.", "and": "answered"})
    assert answer.get_json()["message"] == "Reply queued for sending; marked as answered."
    db_session.refresh(report)
    assert report.status == ReportStatus.ANSWERED
    sent = db_session.scalars(select(Message.body).where(Message.contact_id == report.contact_id,
                                                         Message.direction == "out")).all()
    assert sent == ["The border is closed."]


def test_close_and_next_goes_to_the_most_pressing_waiting_report(client: FlaskClient, db_session: Session) -> None:
    current = make_report(db_session, "this one", minutes_ago=50)
    make_report(db_session, "older but normal", minutes_ago=40)
    pressing = make_report(db_session, "urgent", minutes_ago=1, urgency=Urgency.IMMEDIATE, urgency_rank=0)
    make_report(db_session, "not my language", language="ta", minutes_ago=60, urgency=Urgency.IMMEDIATE,
                urgency_rank=0)
    _, token = _operator(client, db_session)
    plain = client.post(f"/console/reports/{current.id}/close", data={"csrf_token": token, "then": "next"})
    assert plain.status_code == 303
    assert plain.headers["Location"].endswith(f"/console/reports/{pressing.id}")
    assert "Report closed." in client.get(plain.headers["Location"]).get_data(as_text=True)
    db_session.refresh(current)
    assert current.status == ReportStatus.CLOSED


def test_close_and_next_with_fetch_names_where_to_go_and_the_queue_when_empty(
        client: FlaskClient, db_session: Session) -> None:
    only = make_report(db_session, "alone")
    _, token = _operator(client, db_session)
    answer = client.post(f"/console/reports/{only.id}/close", headers=JSON,
                         data={"csrf_token": token, "then": "next"}).get_json()
    assert answer["redirect"] == "/console/queue"
    assert "Nothing else is waiting in your languages." in answer["message"]


def test_next_skips_the_current_report_and_claimed_ones(client: FlaskClient, db_session: Session) -> None:
    first = make_report(db_session, "first", minutes_ago=30)
    held = make_report(db_session, "held", minutes_ago=20)
    held.assignee_id = make_staff(db_session, "operator", languages=["en"]).id
    third = make_report(db_session, "third", minutes_ago=10)
    db_session.flush()
    _operator(client, db_session)
    assert client.get(f"/console/next?after={first.id}").headers["Location"].endswith(f"/reports/{third.id}")
    assert client.get("/console/next").headers["Location"].endswith(f"/reports/{first.id}")


def test_closing_an_escalated_protection_case_needs_confirmation(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session, "they threatened me", sensitivity=Sensitivity.PROTECTION)
    _, token = _operator(client, db_session)
    client.post(f"/console/reports/{report.id}/escalate", data={"csrf_token": token, "referred_to": "UNHCR"})
    page = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert 'id="confirm-close"' in page
    refused = client.post(f"/console/reports/{report.id}/close", headers=JSON, data={"csrf_token": token})
    assert refused.status_code == 409
    assert "confirm that the partner has it in hand" in refused.get_json()["message"]
    db_session.refresh(report)
    assert report.status == ReportStatus.ESCALATED
    client.post(f"/console/reports/{report.id}/close", data={"csrf_token": token, "confirm": "1"})
    db_session.refresh(report)
    assert report.status == ReportStatus.CLOSED


def test_an_ordinary_report_closes_without_confirmation(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session)
    _, token = _operator(client, db_session)
    assert 'id="confirm-close"' not in client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    client.post(f"/console/reports/{report.id}/close", data={"csrf_token": token})
    db_session.refresh(report)
    assert report.status == ReportStatus.CLOSED


def test_library_messages_show_their_sms_cost_and_codes_carry_their_category(
        client: FlaskClient, db_session: Session) -> None:
    from hotline.rumours.models import ApprovalStatus, CounterMessage

    db_session.add(CounterMessage(language="en", category="destination_policy", title="Border facts",
                                  body="The border is not open to boats.", status=ApprovalStatus.APPROVED))
    report = make_report(db_session)
    _operator(client, db_session)
    page = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert "(GSM-7 · 1 SMS)" in page
    assert 'data-category="destination_policy"' in page


def test_analysts_cannot_reach_next(client: FlaskClient, db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "analyst"))
    assert client.get("/console/next").status_code == 403


def test_a_supervisor_reassigns_and_releases_someone_elses_report(app: Flask, client: FlaskClient,
                                                                  db_session: Session) -> None:
    report = make_report(db_session, language="prs", body="سوال")
    first = make_staff(db_session, "operator", languages=["prs"])
    second = make_staff(db_session, "operator", languages=["prs"])
    english_only = make_staff(db_session, "operator", languages=["en"])
    report.assignee_id = first.id
    db_session.flush()
    supervisor = app.test_client()
    sign_in(supervisor, make_staff(db_session, "supervisor"))
    page = supervisor.get(f"/console/reports/{report.id}").get_data(as_text=True)
    token = csrf_token_in(page)
    assert f'<option value="{second.id}">' in page
    assert f'<option value="{english_only.id}">' not in page  # cannot read Dari
    supervisor.post(f"/console/reports/{report.id}/reassign", data={"csrf_token": token,
                                                                    "user_id": str(english_only.id)})
    db_session.refresh(report)
    assert report.assignee_id == first.id
    supervisor.post(f"/console/reports/{report.id}/reassign", data={"csrf_token": token, "user_id": str(second.id)})
    db_session.refresh(report)
    assert report.assignee_id == second.id
    supervisor.post(f"/console/reports/{report.id}/release", data={"csrf_token": token,
                                                                   "back": f"/console/reports/{report.id}"})
    db_session.refresh(report)
    assert report.assignee_id is None
    sign_in(client, first)
    operator_token = csrf_token_in(client.get("/console/queue?lang=all").get_data(as_text=True))
    assert client.post(f"/console/reports/{report.id}/reassign",
                       data={"csrf_token": operator_token, "user_id": str(first.id)}).status_code == 403
