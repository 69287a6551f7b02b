"""Open escalations on the supervision page: only referrals still waiting, and a supervisor can close one."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.triage.models import ProtectionReferral, ReferralStatus
from tests.console_helpers import make_report
from tests.factories import csrf_token_in, make_staff, sign_in


def _escalated(client: FlaskClient, session: Session, partner: str) -> tuple[int, str]:
    """A report claimed and escalated by an operator through the report page; returns its id and the CSRF token."""
    report = make_report(session, "They threatened my family", sensitivity="protection")
    sign_in(client, make_staff(session, "operator", languages=["en"]))
    token = csrf_token_in(client.get("/console/queue?lang=all").get_data(as_text=True))
    assert client.post(f"/console/reports/{report.id}/claim", data={"csrf_token": token}).status_code == 303
    assert client.post(f"/console/reports/{report.id}/escalate", data={
        "csrf_token": token, "referred_to": partner, "note": "needs protection advice"}).status_code == 303
    return report.id, token


def _supervisor(app: Flask, session: Session) -> tuple[FlaskClient, str]:
    supervisor = app.test_client()
    sign_in(supervisor, make_staff(session, "supervisor"))
    return supervisor, csrf_token_in(supervisor.get("/console/profile").get_data(as_text=True))


def _open_escalations(client: FlaskClient) -> str:
    html = client.get("/console/supervision").get_data(as_text=True)
    return html.split("Open escalations", 1)[1].split("</ul>", 1)[0]


def test_a_closed_report_leaves_the_open_escalations(app: Flask, client: FlaskClient, db_session: Session) -> None:
    closed_id, token = _escalated(client, db_session, "UNHCR Kabul")
    assert client.post(f"/console/reports/{closed_id}/close",
                       data={"csrf_token": token, "confirm": "1"}).status_code == 303
    open_id, _ = _escalated(app.test_client(), db_session, "IOM Herat")
    supervisor, _ = _supervisor(app, db_session)
    listed = _open_escalations(supervisor)
    assert f"/console/reports/{open_id}\"" in listed
    assert f"/console/reports/{closed_id}\"" not in listed


def test_a_supervisor_closes_a_referral_with_an_audit_event(app: Flask, client: FlaskClient,
                                                            db_session: Session) -> None:
    report_id, _ = _escalated(client, db_session, "UNHCR Kabul")
    referral = db_session.scalars(select(ProtectionReferral).where(ProtectionReferral.report_id == report_id)).one()
    supervisor, token = _supervisor(app, db_session)
    assert f"/console/referrals/{referral.id}/close" in _open_escalations(supervisor)

    answer = supervisor.post(f"/console/referrals/{referral.id}/close", data={"csrf_token": token})
    assert answer.status_code == 303
    assert "Referral closed." in supervisor.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"/console/reports/{report_id}\"" not in _open_escalations(supervisor)
    db_session.refresh(referral)
    assert referral.status == ReferralStatus.CLOSED
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "referral.status")).all()
    assert [(e.entity_type, e.entity_id, e.after["report_id"]) for e in events] == [
        ("protection_referral", referral.id, report_id)]
    # Closing again changes nothing and records nothing more.
    assert supervisor.post(f"/console/referrals/{referral.id}/close", data={"csrf_token": token}).status_code == 303
    assert len(db_session.scalars(select(AuditEvent).where(AuditEvent.action == "referral.status")).all()) == 1


def test_closing_a_referral_needs_a_supervisor_and_a_csrf_token(app: Flask, client: FlaskClient,
                                                                 db_session: Session) -> None:
    report_id, operator_token = _escalated(client, db_session, "UNHCR Kabul")
    referral = db_session.scalars(select(ProtectionReferral).where(ProtectionReferral.report_id == report_id)).one()
    assert client.post(f"/console/referrals/{referral.id}/close",
                       data={"csrf_token": operator_token}).status_code == 403
    supervisor, token = _supervisor(app, db_session)
    assert supervisor.post(f"/console/referrals/{referral.id}/close").status_code == 400
    assert supervisor.post("/console/referrals/999999/close", data={"csrf_token": token}).status_code == 404
    db_session.refresh(referral)
    assert referral.status == ReferralStatus.SENT
