"""Staff sign-in: the form, CSRF, lock-out, timeouts, the role guard and safe redirects."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.auth.session import login_required
from tests.factories import STAFF_PASSWORD, csrf_token_in, make_staff, sign_in


def test_sign_in_with_the_right_password_redirects_and_sets_a_session(client: FlaskClient, db_session: Session) -> None:
    user = make_staff(db_session, "operator")
    response = sign_in(client, user)
    assert response.status_code == 302
    with client.session_transaction() as state:
        assert state["staff"]["uid"] == user.id
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user.login")) is not None


def test_an_audit_entry_carries_the_id_of_the_request_that_wrote_it(client: FlaskClient, db_session: Session) -> None:
    user = make_staff(db_session, "operator")
    token = csrf_token_in(client.get("/console/login").get_data(as_text=True))
    response = client.post("/console/login", data={"email": user.email, "password": STAFF_PASSWORD,
                                                   "csrf_token": token},
                           headers={"X-Request-Id": "a1b2c3d4-0000-4000-8000-00000000beef"})
    assert response.headers["X-Request-Id"] == "a1b2c3d4-0000-4000-8000-00000000beef"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user.login"))
    assert event is not None and event.request_id == "a1b2c3d4-0000-4000-8000-00000000beef"


def test_a_wrong_password_is_refused_without_saying_which_field(client: FlaskClient, db_session: Session) -> None:
    user = make_staff(db_session, "operator")
    response = sign_in(client, user, password="not the password at all")
    assert response.status_code == 401
    assert "Wrong e-mail address or password" in response.get_data(as_text=True)
    ghost = sign_in(client, type("Ghost", (), {"email": "nobody@hotline.test"})(), password="whatever it is")
    assert ghost.status_code == 401
    assert "Wrong e-mail address or password" in ghost.get_data(as_text=True)


def test_the_form_without_its_csrf_token_is_rejected(client: FlaskClient, db_session: Session) -> None:
    user = make_staff(db_session, "operator")
    from tests.factories import STAFF_PASSWORD

    response = client.post("/console/login", data={"email": user.email, "password": STAFF_PASSWORD})
    assert response.status_code == 400
    with client.session_transaction() as state:
        assert "staff" not in state


def test_repeated_failures_lock_the_account_even_for_the_right_password(
        client: FlaskClient, db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 17: the account now waits (progressive delay) rather than locking for long, and says nothing about it.
    user = make_staff(db_session, "supervisor")
    for _ in range(5):
        assert sign_in(client, user, password="wrong password here").status_code == 401
    db_session.refresh(user)
    waits_until = user.locked_until
    assert waits_until is not None
    # The first wait is a second long: try within it however slowly this machine ran the guesses.
    monkeypatch.setattr("hotline.auth.views.utcnow", lambda: waits_until - timedelta(milliseconds=500))
    locked = sign_in(client, user)
    assert locked.status_code == 401
    assert "Wrong e-mail address or password" in locked.get_data(as_text=True)
    assert user.locked_until is not None
    with client.session_transaction() as state:
        assert "staff" not in state


def test_login_starts_a_fresh_session(client: FlaskClient, db_session: Session) -> None:
    user = make_staff(db_session, "operator")
    with client.session_transaction() as state:
        state["planted"] = "by an attacker"
    sign_in(client, user)
    with client.session_transaction() as state:
        assert "planted" not in state


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_next_never_leaves_the_site(client: FlaskClient, db_session: Session, target: str) -> None:
    user = make_staff(db_session, "operator")
    token = csrf_token_in(client.get("/console/login").get_data(as_text=True))
    from tests.factories import STAFF_PASSWORD

    response = client.post("/console/login", data={"email": user.email, "password": STAFF_PASSWORD,
                                                   "csrf_token": token, "next": target})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_logout_needs_post_and_ends_the_session(client: FlaskClient, db_session: Session) -> None:
    user = make_staff(db_session, "operator")
    sign_in(client, user)
    assert client.get("/console/logout").status_code == 405
    page = client.get("/").get_data(as_text=True)  # the header's sign-out form carries the token
    signed = csrf_token_in(page[page.index('class="signout"'):])
    assert client.post("/console/logout", data={"csrf_token": signed}).status_code == 302
    with client.session_transaction() as state:
        assert "staff" not in state


def _guarded_app(make_app: Callable[..., Flask], **overrides: object) -> Flask:
    app = make_app(**overrides)

    @app.get("/console/_guarded")
    @login_required("supervisor")
    def guarded() -> str:
        return "inside"

    return app


def _sign_in_directly(client: FlaskClient, user_id: int, since: float, seen: float) -> None:
    with client.session_transaction() as state:
        state["staff"] = {"uid": user_id, "since": int(since), "seen": int(seen), "nonce": "x", "epoch": 0}


@pytest.fixture()
def guarded(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """An app of its own, on its own SQLite file: its users are committed and must not leak into other tests."""
    from hotline.migrate import upgrade

    app = _guarded_app(make_app, database_url=f"sqlite:///{tmp_path / 'guarded.sqlite3'}")
    upgrade(app.config["HOTLINE"].database_url)
    return app


def _user(app: Flask, role: str) -> int:
    from hotline.extensions import db

    with app.app_context():
        user = make_staff(db.session, role)
        db.session.commit()
        return int(user.id)


def test_the_role_guard(guarded: Flask) -> None:
    client = guarded.test_client()
    anonymous = client.get("/console/_guarded")
    assert anonymous.status_code == 302 and "/console/login?next=" in anonymous.headers["Location"]
    now = time.time()
    _sign_in_directly(client, _user(guarded, "operator"), now, now)
    assert client.get("/console/_guarded").status_code == 403
    for role in ("supervisor", "admin"):
        _sign_in_directly(client, _user(guarded, role), now, now)
        assert client.get("/console/_guarded").get_data(as_text=True) == "inside"


def test_idle_and_absolute_timeouts_end_the_session(guarded: Flask) -> None:
    client = guarded.test_client()
    uid = _user(guarded, "supervisor")
    now = time.time()
    _sign_in_directly(client, uid, now - 3600, now - 31 * 60)  # idle for 31 minutes
    assert client.get("/console/_guarded").status_code == 302
    _sign_in_directly(client, uid, now - 13 * 3600, now - 60)  # active, but signed in 13 hours ago
    assert client.get("/console/_guarded").status_code == 302
    _sign_in_directly(client, uid, now - 3600, now - 120)
    assert client.get("/console/_guarded").status_code == 200


def test_pages_follow_the_signed_in_users_language(client: FlaskClient, db_session: Session) -> None:
    user = make_staff(db_session, "operator", ui_locale="prs")
    sign_in(client, user)
    page = client.get("/").get_data(as_text=True)
    assert 'dir="rtl"' in page.split(">", 2)[1]
