"""Ending sessions on the server (issue 17, finding 6): sign-out, deactivation, password and second-factor changes
end every session of the user, a copied cookie included; admins manage accounts and API tokens in the console."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.auth.passwords import verify_password
from hotline.auth.service import create_api_token
from hotline.auth.totp import seal_secret
from hotline.context import runtime
from hotline.db import utcnow
from tests.factories import STAFF_PASSWORD, csrf_token_in, make_staff, sign_in

NEW_PASSWORD = "a brand new passphrase for me"


def signed_in(app: Flask, user: Any, password: str = STAFF_PASSWORD) -> FlaskClient:
    """A fresh client (its own cookie jar: another browser) signed in as ``user`` through the login form."""
    client = app.test_client()
    assert sign_in(client, user, password).status_code == 302
    assert inside(client)
    return client


def inside(client: FlaskClient) -> bool:
    """True when the client's session still opens the console (a page for every role answers, not the login)."""
    response = client.get("/console/profile")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def copy_of_cookie(app: Flask, client: FlaskClient) -> FlaskClient:
    """A new client holding a copy of ``client``'s session cookie, as a thief would."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(name, cookie.value)
    return thief


def post_form(client: FlaskClient, page: str, action: str, data: dict[str, str] | None = None) -> Any:
    """POST to ``action`` with the CSRF token of ``page``, as the browser's form would."""
    token = csrf_token_in(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **(data or {})})


def sign_out(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    token = csrf_token_in(page[page.index('class="signout"'):])
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302


def actions(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- sessions end on the server ---------------------------------------------------------------------------------


def test_a_cookie_copied_before_logout_is_refused_after_logout(app: Flask, db_session: Session) -> None:
    user = make_staff(db_session, "operator")
    browser = signed_in(app, user)
    thief = copy_of_cookie(app, browser)
    assert inside(thief)  # the copy works while the session lives
    sign_out(browser)
    assert not inside(thief)
    assert not inside(browser)
    assert inside(signed_in(app, user))  # signing in again works


def test_logout_ends_the_users_sessions_in_other_browsers_too(app: Flask, db_session: Session) -> None:
    user = make_staff(db_session, "operator")
    office, laptop = signed_in(app, user), signed_in(app, user)
    sign_out(office)
    assert not inside(laptop)


def test_password_change_ends_the_other_sessions_but_not_the_current_one(app: Flask, db_session: Session) -> None:
    user = make_staff(db_session, "operator")
    current, other = signed_in(app, user), signed_in(app, user)
    stolen = copy_of_cookie(app, current)  # a copy of the cookie from before the change
    answer = post_form(current, "/console/profile", "/console/profile/password",
                       {"current_password": STAFF_PASSWORD, "new_password": NEW_PASSWORD,
                        "new_password_again": NEW_PASSWORD})
    assert answer.status_code == 303
    assert inside(current)
    assert not inside(other)
    assert not inside(stolen)
    db_session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert sign_in(app.test_client(), user, STAFF_PASSWORD).status_code == 401
    assert inside(signed_in(app, user, NEW_PASSWORD))
    assert actions(db_session, "user.password_change")[0].entity_id == user.id


@pytest.mark.parametrize(("current", "new", "again", "message"), [
    ("not my password at all", NEW_PASSWORD, NEW_PASSWORD, "not your current password"),
    (STAFF_PASSWORD, "short", "short", "at least 12 characters"),
    (STAFF_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "not the same"),
    (STAFF_PASSWORD, STAFF_PASSWORD, STAFF_PASSWORD, "other than the current one"),
])
def test_password_change_needs_the_current_password_and_a_good_new_one(
        app: Flask, db_session: Session, current: str, new: str, again: str, message: str) -> None:
    user = make_staff(db_session, "operator")
    client, other = signed_in(app, user), signed_in(app, user)
    answer = post_form(client, "/console/profile", "/console/profile/password",
                       {"current_password": current, "new_password": new, "new_password_again": again})
    assert answer.status_code == 303
    assert message in client.get("/console/profile").get_data(as_text=True)
    db_session.refresh(user)
    assert verify_password(user.password_hash, STAFF_PASSWORD)
    assert inside(other)  # nothing changed, nobody signed out


def test_guessing_the_current_password_locks_the_account_and_ends_its_sessions(
        app: Flask, db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    user = make_staff(db_session, "operator")
    stolen, owner = signed_in(app, user), signed_in(app, user)
    for attempt in range(5):  # HOTLINE_LOGIN_MAX_FAILURES
        assert inside(stolen), attempt
        post_form(stolen, "/console/profile", "/console/profile/password",
                  {"current_password": f"guess number {attempt}", "new_password": NEW_PASSWORD,
                   "new_password_again": NEW_PASSWORD})
    assert not inside(stolen) and not inside(owner)
    db_session.refresh(user)
    assert user.locked_until is not None and verify_password(user.password_hash, STAFF_PASSWORD)
    # The first wait is a second long: sign in within it however slowly this machine ran the guesses.
    locked_until = user.locked_until
    monkeypatch.setattr("hotline.auth.views.utcnow", lambda: locked_until - timedelta(milliseconds=500))
    assert sign_in(app.test_client(), user).status_code == 401  # locked for a while
    assert actions(db_session, "user.locked")


def test_the_profile_form_without_its_csrf_token_is_rejected(app: Flask, db_session: Session) -> None:
    user = make_staff(db_session, "operator")
    client = signed_in(app, user)
    answer = client.post("/console/profile/password", data={
        "current_password": STAFF_PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert answer.status_code == 400
    db_session.refresh(user)
    assert verify_password(user.password_hash, STAFF_PASSWORD)
    with_token = post_form(client, "/console/profile", "/console/profile/password", {
        "current_password": STAFF_PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert with_token.status_code == 303
    db_session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_setting_up_a_second_factor_ends_the_other_sessions_but_not_this_one(
        app: Flask, db_session: Session) -> None:
    user = make_staff(db_session, "supervisor")
    current, other = signed_in(app, user), signed_in(app, user)
    page = current.get("/console/profile/totp").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)  # type: ignore[union-attr]
    current.post("/console/profile/totp", data={"csrf_token": csrf_token_in(page), "password": STAFF_PASSWORD,
                                                "code": pyotp.TOTP(secret).now()})  # re-authenticated
    db_session.refresh(user)
    assert user.totp_secret is not None
    assert inside(current)
    assert not inside(other)


# --- admin pages -------------------------------------------------------------------------------------------------


def test_deactivation_ends_a_live_session_and_reactivation_does_not_revive_it(
        app: Flask, db_session: Session) -> None:
    admin, user = make_staff(db_session, "admin"), make_staff(db_session, "operator")
    console, victim = signed_in(app, admin), signed_in(app, user)
    stolen = copy_of_cookie(app, victim)  # not used until the account is active again
    answer = post_form(console, "/console/accounts", f"/console/accounts/{user.id}/active", {"active": "0"})
    assert answer.status_code == 303
    assert not inside(victim)
    db_session.refresh(user)
    assert not user.active
    assert sign_in(app.test_client(), user).status_code == 401
    post_form(console, "/console/accounts", f"/console/accounts/{user.id}/active", {"active": "1"})
    db_session.refresh(user)
    assert user.active
    assert not inside(stolen)  # a cookie from before the deactivation stays dead
    assert inside(signed_in(app, user))
    assert [e.after for e in actions(db_session, "user.deactivate")] == [{"active": False}]
    assert actions(db_session, "user.deactivate")[0].actor_user_id == admin.id
    assert actions(db_session, "user.activate")


def test_an_admin_cannot_deactivate_themselves(app: Flask, db_session: Session) -> None:
    admin = make_staff(db_session, "admin")
    console = signed_in(app, admin)
    answer = post_form(console, "/console/accounts", f"/console/accounts/{admin.id}/active", {"active": "0"})
    assert answer.status_code == 303
    assert "You cannot deactivate your own account." in console.get("/console/accounts").get_data(as_text=True)
    db_session.refresh(admin)
    assert admin.active and inside(console)


def test_admin_resets_a_password_to_a_generated_one_shown_once(app: Flask, db_session: Session) -> None:
    admin, user = make_staff(db_session, "admin"), make_staff(db_session, "operator")
    console, victim = signed_in(app, admin), signed_in(app, user)
    answer = post_form(console, "/console/accounts", f"/console/accounts/{user.id}/password", {"password": ""})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    generated = re.search(r'<code class="secret"><bdi class="ltr" dir="ltr">([^<]+)</bdi></code>', html)
    assert generated is not None and len(generated.group(1)) >= 12
    assert answer.headers["Cache-Control"] == "no-store"
    assert not inside(victim)
    assert inside(signed_in(app, user, generated.group(1)))
    assert generated.group(1) not in console.get("/console/accounts").get_data(as_text=True)  # once only
    event = actions(db_session, "user.password_reset")[0]
    assert event.entity_id == user.id and generated.group(1) not in str(event.after)


def test_admin_sets_a_chosen_password_and_the_policy_applies(app: Flask, db_session: Session) -> None:
    admin, user = make_staff(db_session, "admin"), make_staff(db_session, "operator")
    console = signed_in(app, admin)
    post_form(console, "/console/accounts", f"/console/accounts/{user.id}/password", {"password": "too short"})
    db_session.refresh(user)
    assert verify_password(user.password_hash, STAFF_PASSWORD)
    answer = post_form(console, "/console/accounts", f"/console/accounts/{user.id}/password",
                       {"password": NEW_PASSWORD})
    assert answer.status_code == 303
    db_session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_resetting_the_second_factor_ends_the_users_sessions(app: Flask, db_session: Session) -> None:
    admin, user = make_staff(db_session, "admin"), make_staff(db_session, "supervisor")
    console, victim = signed_in(app, admin), signed_in(app, user)
    user.totp_secret = seal_secret(runtime(app).keys, pyotp.random_base32(), user.id)
    db_session.flush()
    assert inside(victim)
    answer = post_form(console, "/console/accounts", f"/console/accounts/{user.id}/totp")
    assert answer.status_code == 303
    db_session.refresh(user)
    assert user.totp_secret is None
    assert not inside(victim)
    assert actions(db_session, "user.totp_reset")[0].entity_id == user.id


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


TRENDS = ("/api/v1/trends", {"from": "2026-11-23", "to": "2026-11-29"})


def test_admin_lists_and_revokes_api_tokens_and_the_api_refuses_them(app: Flask, db_session: Session) -> None:
    admin, analyst = make_staff(db_session, "admin"), make_staff(db_session, "analyst")
    issued = create_api_token(db_session, analyst.email, "HDX <export>")
    api = app.test_client()
    assert api.get(TRENDS[0], query_string=TRENDS[1], headers=bearer(issued.token)).status_code == 200
    console = signed_in(app, admin)
    page = console.get(f"/console/accounts/{analyst.id}/tokens").get_data(as_text=True)
    assert issued.record.prefix in page and issued.token not in page
    assert "HDX &lt;export&gt;" in page
    answer = post_form(console, f"/console/accounts/{analyst.id}/tokens",
                       f"/console/accounts/tokens/{issued.record.id}/revoke")
    assert answer.status_code == 303
    refused = api.get(TRENDS[0], query_string=TRENDS[1], headers=bearer(issued.token))
    assert refused.status_code == 401 and "revoked" in refused.get_json()["error"]["detail"]
    assert actions(db_session, "api_token.revoke")[0].entity_id == issued.record.id


def test_tokens_expire_by_default(app: Flask, db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    analyst = make_staff(db_session, "analyst")
    issued = create_api_token(db_session, analyst.email, "no expiry asked for")
    assert issued.record.expires_at is not None
    assert abs(issued.record.expires_at - (utcnow() + timedelta(days=90))) < timedelta(minutes=1)
    api = app.test_client()
    assert api.get(TRENDS[0], query_string=TRENDS[1], headers=bearer(issued.token)).status_code == 200
    later = utcnow() + timedelta(days=91)
    monkeypatch.setattr("hotline.api.auth.utcnow", lambda: later)
    refused = api.get(TRENDS[0], query_string=TRENDS[1], headers=bearer(issued.token))
    assert refused.status_code == 401 and "expired" in refused.get_json()["error"]["detail"]


ADMIN_PAGES = [("get", "/console/accounts"), ("get", "/console/accounts/{uid}/tokens"),
               ("post", "/console/accounts/{uid}/active"), ("post", "/console/accounts/{uid}/password"),
               ("post", "/console/accounts/{uid}/totp"), ("post", "/console/accounts/tokens/{tid}/revoke")]


@pytest.mark.parametrize("role", ["operator", "supervisor", "analyst"])
def test_only_admins_reach_the_account_pages(app: Flask, db_session: Session, role: str) -> None:
    target = make_staff(db_session, "analyst")
    token = create_api_token(db_session, target.email).record
    client = signed_in(app, make_staff(db_session, role))
    csrf = csrf_token_in(client.get("/console/profile").get_data(as_text=True))
    assert "/console/accounts" not in client.get("/console/profile").get_data(as_text=True)
    for method, path in ADMIN_PAGES:
        url = path.format(uid=target.id, tid=token.id)
        answer = client.get(url) if method == "get" else client.post(url, data={"csrf_token": csrf, "active": "0"})
        assert answer.status_code == 403, (method, url)
    db_session.refresh(target)
    db_session.refresh(token)
    assert target.active and token.revoked_at is None
    anonymous = app.test_client().get("/console/accounts")
    assert anonymous.status_code == 302 and "/console/login" in anonymous.headers["Location"]


def test_admin_forms_need_their_csrf_token(app: Flask, db_session: Session) -> None:
    admin, user = make_staff(db_session, "admin"), make_staff(db_session, "operator")
    console = signed_in(app, admin)
    assert console.post(f"/console/accounts/{user.id}/active", data={"active": "0"}).status_code == 400
    db_session.refresh(user)
    assert user.active
    assert post_form(console, "/console/accounts", f"/console/accounts/{user.id}/active",
                     {"active": "0"}).status_code == 303
    db_session.refresh(user)
    assert not user.active


def test_the_account_list_shows_every_user(app: Flask, db_session: Session) -> None:
    admin = make_staff(db_session, "admin")
    other = make_staff(db_session, "operator", display_name="<script>x</script>")
    page = signed_in(app, admin).get("/console/accounts").get_data(as_text=True)
    assert admin.email in page and other.email in page
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
