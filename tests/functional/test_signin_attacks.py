"""Issue 17, findings 1, 8 and 9: the sign-in steps against someone who knows a password, or nothing at all.

Each test plays the attack through the real forms (Flask test client, a second client where a stolen cookie or a
second browser matters) and fails on the code before the fix.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hotline.auth import login as login_service
from hotline.auth.models import User
from hotline.auth.totp import seal_secret
from hotline.context import runtime
from hotline.db import utcnow
from tests.factories import STAFF_PASSWORD, TEST_SECRETS, csrf_token_in, make_staff, sign_in

CODE_PAGE = "/console/login/code"
WRONG_CODE = "000000"


def _enrolled(app: Flask, db_session: Session, role: str = "supervisor") -> tuple[User, pyotp.TOTP]:
    """A user whose TOTP factor is already set up (sealed as enrolment would)."""
    user = make_staff(db_session, role)
    secret = pyotp.random_base32()
    user.totp_secret = seal_secret(runtime(app).keys, secret, user.id)
    db_session.flush()
    return user, pyotp.TOTP(secret)


def _password_step(client: FlaskClient, user: User) -> str:
    """Pass the password step; returns the code page's CSRF token."""
    response = sign_in(client, user)
    assert response.status_code == 302 and response.headers["Location"].endswith(CODE_PAGE)
    return csrf_token_in(client.get(CODE_PAGE).get_data(as_text=True))


def _send_code(client: FlaskClient, token: str, code: str) -> Any:
    return client.post(CODE_PAGE, data={"csrf_token": token, "code": code})


def _signed_in(client: FlaskClient) -> bool:
    return bool(client.get("/console/queue").status_code == 200)


def _copy_session(app: Flask, source: FlaskClient, target: FlaskClient) -> None:
    """What an attacker who copied the cookie (or kept an old one) holds."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = source.get_cookie(name)
    assert cookie is not None
    target.set_cookie(name, cookie.value)


def _next_step(totp: pyotp.TOTP, steps: int = 1) -> str:
    """A code later than any used so far in the test, still inside the accepted window."""
    return str(totp.at(time.time() + 30 * steps))


# --- finding 1: the second step ---------------------------------------------------------------------------------

def test_a_code_is_accepted_only_once(app: Flask, client: FlaskClient, db_session: Session) -> None:
    user, totp = _enrolled(app, db_session)
    code = totp.now()
    assert _send_code(client, _password_step(client, user), code).status_code == 302
    assert _signed_in(client)

    thief = app.test_client()  # saw the password and the code (over a shoulder, in a proxy log)
    refused = _send_code(thief, _password_step(thief, user), code)
    assert refused.status_code == 401
    assert not _signed_in(thief)


def test_a_pending_cookie_is_dead_once_the_sign_in_completes(app: Flask, client: FlaskClient,
                                                             db_session: Session) -> None:
    user, totp = _enrolled(app, db_session)
    token = _password_step(client, user)
    thief = app.test_client()
    _copy_session(app, client, thief)  # the half-signed-in cookie, copied before the code was typed
    assert _send_code(client, token, totp.now()).status_code == 302

    replayed = _send_code(thief, token, _next_step(totp))  # even with a fresh, valid code
    assert replayed.status_code == 302 and replayed.headers["Location"].endswith("/console/login")
    assert not _signed_in(thief)


def test_a_pending_cookie_from_before_a_delay_is_dead(app: Flask, client: FlaskClient, db_session: Session) -> None:
    user, totp = _enrolled(app, db_session)
    token = _password_step(client, user)
    kept = app.test_client()
    _copy_session(app, client, kept)
    for _ in range(5):
        _send_code(client, token, WRONG_CODE)
    db_session.refresh(user)
    assert user.locked_until is not None
    user.locked_until = utcnow() - timedelta(seconds=1)  # the wait is over; the old cookie must still be dead
    db_session.flush()

    replayed = _send_code(kept, token, totp.now())
    assert replayed.status_code == 302 and replayed.headers["Location"].endswith("/console/login")
    assert not _signed_in(kept)


def test_the_code_step_honours_the_wait(app: Flask, client: FlaskClient, db_session: Session) -> None:
    user, totp = _enrolled(app, db_session)
    token = _password_step(client, user)
    user.locked_until = utcnow() + timedelta(minutes=10)  # failures elsewhere made the account wait
    db_session.flush()

    refused = _send_code(client, token, totp.now())
    assert refused.status_code == 401
    assert not _signed_in(client)
    db_session.refresh(user)
    assert user.code_failures == 0  # refused unchecked, and not counted


def test_the_right_password_again_does_not_reset_the_code_count(app: Flask, client: FlaskClient,
                                                                db_session: Session) -> None:
    user, totp = _enrolled(app, db_session)
    token = _password_step(client, user)
    for _ in range(4):
        assert _send_code(client, token, WRONG_CODE).status_code == 401
    token = _password_step(client, user)  # before the fix this wiped the count: four more guesses, forever
    before = utcnow()
    assert _send_code(client, token, WRONG_CODE).status_code == 401
    db_session.refresh(user)
    assert user.locked_until is not None and user.locked_until >= before + timedelta(seconds=1)
    assert user.code_failures == 5  # counted on the account, in the database

    assert not _signed_in(client)
    _send_code(client, token, totp.now())  # the right code, too late: the pending step died with the delay
    assert not _signed_in(client)
    user.locked_until = utcnow() + timedelta(minutes=10)  # further into the delays (a slow test must not outrun it)
    db_session.flush()
    assert sign_in(client, user).status_code == 401  # the password step waits too

    user.locked_until = utcnow() - timedelta(seconds=1)
    db_session.flush()
    assert _send_code(client, _password_step(client, user), _next_step(totp)).status_code == 302
    assert _signed_in(client)
    db_session.refresh(user)
    assert (user.code_failures, user.failed_logins, user.locked_until) == (0, 0, None)  # a full sign-in resets


# --- finding 9: one answer, and delays instead of a lock-out ------------------------------------------------------

@pytest.fixture()
def hash_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every password-hash verification of the sign-in service (the time an answer costs)."""
    calls: list[str] = []
    real = login_service.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(login_service, "verify_password", counting)
    yield calls


def _error(response: Any) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert found, "no error message on the page"
    return found.group(1)


def test_unknown_inactive_waiting_and_wrong_password_get_one_answer(
        client: FlaskClient, db_session: Session, hash_checks: list[str]) -> None:
    waiting, inactive, known = (make_staff(db_session, "operator") for _ in range(3))
    for _ in range(5):
        sign_in(client, waiting, password="wrong password here")
    assert waiting.locked_until is not None
    waiting.locked_until = utcnow() + timedelta(minutes=10)  # deep in its delays: the first wait is one second
    inactive.active = False
    db_session.flush()
    hash_checks.clear()

    answers = [
        sign_in(client, type("Ghost", (), {"email": "nobody@hotline.test"})()),
        sign_in(client, inactive),
        sign_in(client, waiting),  # the right password, during the wait
        sign_in(client, known, password="wrong password here"),
    ]
    assert {response.status_code for response in answers} == {401}
    assert len({_error(response) for response in answers}) == 1
    assert "lock" not in _error(answers[2]).lower()
    assert len(hash_checks) == len(answers)  # each answer cost one argon2 verification: no timing tell either


def test_failures_slow_an_account_down_rather_than_lock_it(client: FlaskClient, db_session: Session) -> None:
    user = make_staff(db_session, "operator")

    def fail_once(wait: timedelta) -> None:
        """One more wrong password starts a wait of ``wait`` from the moment it was refused."""
        before = utcnow()
        sign_in(client, user, password="wrong password here")
        after = utcnow()
        db_session.refresh(user)
        assert user.locked_until is not None
        assert user.locked_until - after <= wait <= user.locked_until - before

    for _ in range(4):
        sign_in(client, user, password="wrong password here")
    fail_once(timedelta(seconds=1))  # before the fix: locked for 15 minutes

    user.locked_until = utcnow() + timedelta(minutes=10)  # a slow test must not outrun a one-second wait
    db_session.flush()
    assert sign_in(client, user).status_code == 401  # inside the wait even the right password is refused...
    db_session.refresh(user)
    assert user.failed_logins == 5  # ...unchecked and uncounted: hammering does not lengthen the wait

    user.locked_until = utcnow() - timedelta(seconds=1)
    db_session.flush()
    fail_once(timedelta(seconds=2))  # the sixth failure: the wait doubles

    user.locked_until = utcnow() - timedelta(seconds=1)
    db_session.flush()
    assert sign_in(client, user).status_code == 302  # the owner gets in as soon as the wait is over
    db_session.refresh(user)
    assert user.failed_logins == 0


# --- finding 8: the second factor's set-up, its default, and the profile link ------------------------------------

def _enrol_form(client: FlaskClient) -> tuple[str, pyotp.TOTP, str]:
    page = client.get("/console/profile/totp").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)  # type: ignore[union-attr]
    return csrf_token_in(page), pyotp.TOTP(secret), page


def test_setting_up_a_factor_asks_for_the_password(client: FlaskClient, db_session: Session) -> None:
    user = make_staff(db_session, "supervisor")
    sign_in(client, user)  # someone walks up to the unlocked screen, or holds the session cookie
    token, new, page = _enrol_form(client)
    for password in ("", "wrong password here"):
        refused = client.post("/console/profile/totp", data={"csrf_token": token, "password": password,
                                                             "code": new.now()})
        assert refused.status_code == 400
    db_session.refresh(user)
    assert user.totp_secret is None

    accepted = client.post("/console/profile/totp", data={"csrf_token": token, "password": STAFF_PASSWORD,
                                                          "code": new.now()})
    assert accepted.status_code == 302
    db_session.refresh(user)
    assert user.totp_secret is not None
    assert 'name="password"' in page and 'name="current_code"' not in page


def test_replacing_a_factor_asks_for_the_current_code_too(app: Flask, client: FlaskClient,
                                                          db_session: Session) -> None:
    user, current = _enrolled(app, db_session)
    assert _send_code(client, _password_step(client, user), current.now()).status_code == 302
    sealed = user.totp_secret
    token, new, page = _enrol_form(client)
    refused = client.post("/console/profile/totp", data={"csrf_token": token, "password": STAFF_PASSWORD,
                                                         "code": new.now()})
    assert refused.status_code == 400
    db_session.refresh(user)
    assert user.totp_secret == sealed

    replaced = client.post("/console/profile/totp", data={
        "csrf_token": token, "password": STAFF_PASSWORD, "current_code": _next_step(current), "code": new.now()})
    assert replaced.status_code == 302
    db_session.refresh(user)
    assert user.totp_secret != sealed
    assert 'name="current_code"' in page


def test_the_profile_page_links_to_two_step_set_up(client: FlaskClient, db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "supervisor"))
    page = client.get("/console/profile").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)  # type: ignore[union-attr]
    body = page[page.index("<body"):]
    assert "totp" not in title and "<" not in title
    assert 'href="/console/profile/totp"' in body


def test_operators_need_two_step_sign_in_by_default(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    from hotline.extensions import db
    from hotline.migrate import upgrade
    from hotline.settings import load_settings

    default_roles = load_settings(environ={"HOTLINE_MODE": "testing", **TEST_SECRETS},
                                  instance_path=tmp_path).totp_required_roles
    app = make_app(database_url=f"sqlite:///{tmp_path / 'roles.sqlite3'}",
                   HOTLINE_TOTP_REQUIRED_ROLES=list(default_roles))
    upgrade(app.config["HOTLINE"].database_url)
    with app.app_context():
        operator = make_staff(db.session, "operator")
        db.session.commit()
    client = app.test_client()
    sign_in(client, operator)
    blocked = client.get("/console/queue")  # an operator reads caller text: no console without a second factor
    assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/console/profile/totp")
