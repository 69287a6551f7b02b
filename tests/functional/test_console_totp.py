"""TOTP: enrolment from the profile, then a second login step; the secret is stored sealed."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hotline.auth.totp import code_is_valid, open_secret, seal_secret
from hotline.context import runtime
from tests.factories import STAFF_PASSWORD, csrf_token_in, make_staff, sign_in


def test_sealed_secret_opens_only_for_its_user(app: Flask) -> None:
    keys = runtime(app).keys
    sealed = seal_secret(keys, "JBSWY3DPEHPK3PXP", 7)
    assert b"JBSWY3DPEHPK3PXP" not in sealed
    assert open_secret(keys, sealed, 7) == "JBSWY3DPEHPK3PXP"
    assert open_secret(keys, sealed, 8) is None


def test_code_check() -> None:
    secret = pyotp.random_base32()
    assert code_is_valid(secret, pyotp.TOTP(secret).now())
    assert not code_is_valid(secret, "12345") and not code_is_valid(secret, "abcdef")


def test_enrol_then_login_asks_for_the_code(app: Flask, client: FlaskClient, db_session: Session) -> None:
    supervisor = make_staff(db_session, "supervisor")
    sign_in(client, supervisor)
    page = client.get("/console/profile/totp").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)  # type: ignore[union-attr]
    assert "otpauth://totp/" in page
    token = csrf_token_in(page)
    assert client.post("/console/profile/totp", data={"csrf_token": token, "password": STAFF_PASSWORD,
                                                      "code": "000000"}).status_code == 400
    client.post("/console/profile/totp", data={"csrf_token": token, "password": STAFF_PASSWORD,
                                               "code": pyotp.TOTP(secret).now()})
    db_session.refresh(supervisor)
    assert supervisor.totp_secret is not None and secret.encode() not in supervisor.totp_secret

    other = app.test_client()
    response = sign_in(other, supervisor)
    assert response.headers["Location"].endswith("/console/login/code")
    assert other.get("/console/queue").status_code == 302  # not signed in yet
    code_page = other.get("/console/login/code").get_data(as_text=True)
    wrong = other.post("/console/login/code", data={"csrf_token": csrf_token_in(code_page), "code": "000000"})
    assert wrong.status_code == 401
    # The enrolment used the current step's code, and a code is accepted once: the next step's is still valid.
    right = other.post("/console/login/code", data={"csrf_token": csrf_token_in(code_page),
                                                    "code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert right.status_code == 302
    assert other.get("/console/queue").status_code == 200
    assert STAFF_PASSWORD  # the password alone was not enough


def test_roles_that_require_totp_reach_only_the_enrolment_page_until_they_have_it(
        make_app: Callable[..., Flask], tmp_path: Path) -> None:
    from hotline.extensions import db
    from hotline.migrate import upgrade

    app = make_app(database_url=f"sqlite:///{tmp_path / 'totp.sqlite3'}",
                   HOTLINE_TOTP_REQUIRED_ROLES=["supervisor", "admin"])
    upgrade(app.config["HOTLINE"].database_url)
    with app.app_context():
        supervisor, operator = make_staff(db.session, "supervisor"), make_staff(db.session, "operator")
        db.session.commit()
    client = app.test_client()
    sign_in(client, supervisor)
    blocked = client.get("/console/queue")
    assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/console/profile/totp")
    page = client.get("/console/profile/totp").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)  # type: ignore[union-attr]
    client.post("/console/profile/totp", data={"csrf_token": csrf_token_in(page), "password": STAFF_PASSWORD,
                                               "code": pyotp.TOTP(secret).now()})
    assert client.get("/console/queue").status_code == 200

    other = app.test_client()  # an operator's role does not require it
    sign_in(other, operator)
    assert other.get("/console/queue").status_code == 200


def test_the_required_roles_come_from_the_environment() -> None:
    from hotline.settings import load_settings
    from tests.factories import TEST_SECRETS

    environ = {"HOTLINE_MODE": "testing", **TEST_SECRETS}
    # Issue 17: every role that reads caller text by default.
    assert load_settings(environ=environ).totp_required_roles == ("operator", "supervisor", "admin")
    assert load_settings(environ={**environ, "HOTLINE_TOTP_REQUIRED_ROLES": "none"}).totp_required_roles == ()
    assert load_settings(environ={**environ, "HOTLINE_TOTP_REQUIRED_ROLES": "admin, analyst"}).totp_required_roles \
        == ("admin", "analyst")
