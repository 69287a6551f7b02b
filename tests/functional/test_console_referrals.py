"""Referral partners per country (admin-managed), chosen when escalating; referral status, history, stale flags."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.intake.constants import Sensitivity
from hotline.triage.models import ProtectionReferral, ReferralPartner, ReferralStatus
from tests.console_helpers import make_report
from tests.factories import csrf_token_in, make_staff, sign_in


def _partner(session: Session, country: str = "AF", name: str = "UNHCR Kabul", active: bool = True) -> ReferralPartner:
    partner = ReferralPartner(country=country, name=name, services="Protection counselling",
                              contact="kabul@example.org", active=active, created_at=utcnow())
    session.add(partner)
    session.flush()
    return partner


def _holder(client: FlaskClient, session: Session) -> tuple[Any, Any, str]:
    report = make_report(session, "they threatened me", sender="+93701234567", sensitivity=Sensitivity.PROTECTION,
                         language="en")
    operator = make_staff(session, "operator", languages=["en"])
    sign_in(client, operator)
    token = csrf_token_in(client.get("/console/queue?lang=all").get_data(as_text=True))
    client.post(f"/console/reports/{report.id}/claim", data={"csrf_token": token})
    return report, operator, token


def test_only_admins_manage_partners_and_errors_name_the_field(app: Flask, client: FlaskClient,
                                                              db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "supervisor"))
    assert client.get("/console/partners").status_code == 403
    admin = app.test_client()
    sign_in(admin, make_staff(db_session, "admin"))
    token = csrf_token_in(admin.get("/console/partners").get_data(as_text=True))
    bad = admin.post("/console/partners", data={"csrf_token": token, "country": "Afghanistan", "name": "X"})
    assert bad.status_code == 400
    assert '<span class="field">country</span>' in bad.get_data(as_text=True)
    assert admin.post("/console/partners", data={"name": "X", "country": "AF"}).status_code == 400  # no CSRF
    added = admin.post("/console/partners", data={"csrf_token": token, "country": "af", "name": "<b>IOM</b> Herat",
                                                  "services": "Return counselling", "contact": "+93 700 000 000"})
    assert added.status_code == 303
    page = admin.get("/console/partners").get_data(as_text=True)
    assert "&lt;b&gt;IOM&lt;/b&gt; Herat" in page
    partner = db_session.scalars(select(ReferralPartner)).one()
    assert partner.country == "AF"
    admin.post(f"/console/partners/{partner.id}/active", data={"csrf_token": token, "active": "0"})
    db_session.refresh(partner)
    assert partner.active is False


def test_the_operator_chooses_a_partner_of_the_callers_country(client: FlaskClient, db_session: Session) -> None:
    kabul = _partner(db_session)
    _partner(db_session, country="BD", name="Dhaka legal aid")
    retired = _partner(db_session, name="Closed office", active=False)
    report, _, token = _holder(client, db_session)
    page = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert "UNHCR Kabul (AF)" in page
    assert "Dhaka legal aid" not in page
    assert "Closed office" not in page
    refused = client.post(f"/console/reports/{report.id}/escalate",
                          data={"csrf_token": token, "partner_id": str(retired.id)})
    assert refused.status_code == 303
    assert db_session.scalars(select(ProtectionReferral)).all() == []
    client.post(f"/console/reports/{report.id}/escalate", data={"csrf_token": token, "partner_id": str(kabul.id)})
    referral = db_session.scalars(select(ProtectionReferral)).one()
    assert (referral.partner_id, referral.referred_to, referral.status) == (kabul.id, "UNHCR Kabul", "sent")


def test_a_referral_is_accepted_then_closed_with_its_history(client: FlaskClient, db_session: Session) -> None:
    report, _, token = _holder(client, db_session)
    client.post(f"/console/reports/{report.id}/escalate", data={"csrf_token": token, "referred_to": "UNHCR"})
    referral = db_session.scalars(select(ProtectionReferral)).one()
    assert client.post(f"/console/referrals/{referral.id}/status",
                       data={"csrf_token": token, "status": "accepted"}).status_code == 303
    answer = client.post(f"/console/referrals/{referral.id}/status", headers={"Accept": "application/json"},
                         data={"csrf_token": token, "status": "closed"})
    assert answer.get_json()["ok"] is True
    db_session.refresh(referral)
    assert referral.status == ReferralStatus.CLOSED
    page = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert page.count("Accepted by the partner") == 1
    assert "Partner accepted</button>" not in page
    back = client.post(f"/console/referrals/{referral.id}/status", data={"csrf_token": token, "status": "accepted"})
    assert back.status_code == 303  # closed is final
    db_session.refresh(referral)
    assert referral.status == ReferralStatus.CLOSED


def test_only_the_holder_or_a_supervisor_moves_a_referral(app: Flask, client: FlaskClient,
                                                         db_session: Session) -> None:
    report, _, token = _holder(client, db_session)
    client.post(f"/console/reports/{report.id}/escalate", data={"csrf_token": token, "referred_to": "UNHCR"})
    referral = db_session.scalars(select(ProtectionReferral)).one()
    other = app.test_client()
    sign_in(other, make_staff(db_session, "operator", languages=["en"]))
    other_token = csrf_token_in(other.get("/console/queue").get_data(as_text=True))
    assert other.post(f"/console/referrals/{referral.id}/status",
                      data={"csrf_token": other_token, "status": "closed"}).status_code == 403
    assert other.post(f"/console/referrals/{referral.id}/status",
                      data={"csrf_token": other_token, "status": "nonsense"}).status_code == 400
    db_session.refresh(referral)
    assert referral.status == ReferralStatus.SENT


def test_supervision_flags_stale_referrals(app: Flask, client: FlaskClient, db_session: Session,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "HOTLINE", dataclasses.replace(app.config["HOTLINE"], referral_stale_days=3))
    report, _, token = _holder(client, db_session)
    client.post(f"/console/reports/{report.id}/escalate", data={"csrf_token": token, "referred_to": "UNHCR"})
    referral = db_session.scalars(select(ProtectionReferral)).one()
    supervisor = app.test_client()
    sign_in(supervisor, make_staff(db_session, "supervisor"))
    assert "Stale</strong>" not in supervisor.get("/console/supervision").get_data(as_text=True)
    referral.created_at = utcnow() - timedelta(days=4)
    db_session.flush()
    page = supervisor.get("/console/supervision").get_data(as_text=True)
    assert "Stale</strong>" in page
    assert "1 referrals have not moved for 3 days or more." in page
