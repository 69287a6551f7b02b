"""The header's language list for signed-in staff, stored values shown as translated labels, and the focal
points' pages in every language."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.auth.models import User
from hotline.content.languages import load_languages
from hotline.settings import CONFIG_DIR
from tests.factories import csrf_token_in, make_staff, sign_in

CODES = load_languages(CONFIG_DIR / "languages.yaml").codes


def test_the_header_language_list_works_when_signed_in(client: FlaskClient, db_session: Session) -> None:
    user = make_staff(db_session, "supervisor", languages=["en", "prs"])
    sign_in(client, user)
    page = client.get("/console/queue?lang=all").get_data(as_text=True)
    assert 'name="ui_locale" value="prs"' in page  # a button of a form, not a ?lang= link the account overrides
    response = client.post("/console/profile", data={"csrf_token": csrf_token_in(page), "ui_locale": "prs",
                                                     "next": "/console/queue?lang=all"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/console/queue?lang=all")
    again = client.get("/console/queue?lang=all").get_data(as_text=True)
    assert '<html lang="prs" dir="rtl">' in again
    assert db_session.scalar(select(User.ui_locale).where(User.id == user.id)) == "prs"
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user.ui_locale")) is not None


def test_the_header_language_choice_needs_the_csrf_token_and_stays_on_this_site(
        client: FlaskClient, db_session: Session) -> None:
    user = make_staff(db_session, "operator", languages=["en"])
    sign_in(client, user)
    page = client.get("/console/queue").get_data(as_text=True)
    refused = client.post("/console/profile", data={"ui_locale": "id", "next": "/console/queue"})
    assert refused.status_code == 400
    assert db_session.scalar(select(User.ui_locale).where(User.id == user.id)) == "en"
    away = client.post("/console/profile", data={"csrf_token": csrf_token_in(page), "ui_locale": "id",
                                                 "next": "https://evil.example/"})
    assert away.status_code == 303
    assert away.headers["Location"].endswith("/console/profile")


def test_roles_and_audit_record_types_are_translated(client: FlaskClient, db_session: Session) -> None:
    admin = make_staff(db_session, "admin", ui_locale="prs")
    make_staff(db_session, "analyst")
    sign_in(client, admin)
    accounts = client.get("/console/accounts").get_data(as_text=True)
    assert "<td>تحلیلگر</td>" in accounts
    assert "<td>analyst</td>" not in accounts
    audit = client.get("/console/audit").get_data(as_text=True)
    assert ">ارجاع حمایتی</option>" in audit
    assert ">protection_referral</option>" not in audit


@pytest.mark.parametrize("code", CODES)
def test_the_focal_point_sign_in_page_speaks_every_language(client: FlaskClient, code: str) -> None:
    page = client.get(f"/field/sign-in?lang={code}").get_data(as_text=True)
    assert f'<html lang="{code}"' in page
    assert f'href="?lang={code}"' in page
    if code != "en":
        assert "Focal point sign-in" not in page
        assert "Sign in</button>" not in page
