"""HEAD asks what GET would answer: it never submits a form (a link preview must not use up a sign-in link)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from tests.factories import make_staff, sign_in
from tests.field_factories import field_sign_in, make_focal_point


@pytest.mark.parametrize("path", ["/field/sign-in", "/console/login", "/console/login/code"])
def test_head_on_a_sign_in_form_is_the_form_and_stores_nothing(
        client: FlaskClient, db_session: Session, path: str) -> None:
    events = db_session.scalar(select(func.count()).select_from(AuditEvent))
    answer = client.head(path)
    assert answer.status_code in (200, 302)
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_head_on_a_one_time_link_does_not_use_it_up(app: Flask, client: FlaskClient, db_session: Session) -> None:
    _point, issued = make_focal_point(app, db_session)
    assert client.head(f"/field/link/{issued.link_token}").status_code == 200
    assert field_sign_in(app.test_client(), issued.link_token).status_code == 303  # the link still works


def test_head_on_the_enrolment_page_is_the_page(app: Flask, client: FlaskClient, db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "supervisor"))
    assert client.head("/console/profile/totp").status_code == 200
