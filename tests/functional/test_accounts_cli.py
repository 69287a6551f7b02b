"""`hotline users list|deactivate|activate|reset-password|reset-totp` and `hotline api-token list|revoke|create --days`:
each change is audited and ends the user's console sessions where it touches how they sign in."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.auth.models import ApiToken
from hotline.auth.passwords import verify_password
from hotline.auth.service import create_api_token
from hotline.auth.totp import seal_secret
from hotline.cli import cli
from hotline.context import runtime
from hotline.db import utcnow
from tests.factories import STAFF_PASSWORD, make_staff
from tests.functional.test_accounts import TRENDS, bearer, copy_of_cookie, inside, signed_in

NEW_PASSWORD = "another long passphrase"


def audited(session: Session, action: str) -> AuditEvent | None:
    return session.scalar(select(AuditEvent).where(AuditEvent.action == action))


def test_users_list(runner: FlaskCliRunner, db_session: Session) -> None:
    make_staff(db_session, "admin", email="boss@hotline.test")
    gone = make_staff(db_session, "operator", email="gone@hotline.test")
    gone.active = False
    db_session.flush()
    result = runner.invoke(cli, ["users", "list"])
    assert result.exit_code == 0, result.output
    lines = {line.split("\t")[0]: line.split("\t") for line in result.output.splitlines()}
    assert lines["boss@hotline.test"][1:4] == ["admin", "active", "no-totp"]
    assert lines["gone@hotline.test"][2] == "deactivated"


def test_deactivate_ends_sessions_and_activate_lets_them_sign_in_again(
        app: Flask, runner: FlaskCliRunner, db_session: Session) -> None:
    user = make_staff(db_session, "operator")
    browser = signed_in(app, user)
    stolen = copy_of_cookie(app, browser)  # not used until the account is active again
    result = runner.invoke(cli, ["users", "deactivate", user.email.upper()])
    assert result.exit_code == 0, result.output
    assert "deactivated" in result.output
    assert not inside(browser)
    assert audited(db_session, "user.deactivate") is not None
    again = runner.invoke(cli, ["users", "activate", user.email])
    assert again.exit_code == 0 and "activated" in again.output
    assert not inside(stolen)  # a session from before the deactivation stays ended
    assert inside(signed_in(app, user))
    assert audited(db_session, "user.activate") is not None
    assert runner.invoke(cli, ["users", "deactivate", "nobody@hotline.test"]).exit_code != 0


def test_reset_password_reads_stdin_and_ends_sessions(
        app: Flask, runner: FlaskCliRunner, db_session: Session) -> None:
    user = make_staff(db_session, "operator")
    browser = signed_in(app, user)
    weak = runner.invoke(cli, ["users", "reset-password", user.email], input="short\n")
    assert weak.exit_code != 0 and "password" in weak.output
    assert inside(browser)
    empty = runner.invoke(cli, ["users", "reset-password", user.email], input="\n")
    assert empty.exit_code != 0
    result = runner.invoke(cli, ["users", "reset-password", user.email], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    db_session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert not verify_password(user.password_hash, STAFF_PASSWORD)
    assert not inside(browser)
    assert audited(db_session, "user.password_reset") is not None


def test_reset_totp_removes_the_factor_and_ends_sessions(
        app: Flask, runner: FlaskCliRunner, db_session: Session) -> None:
    user = make_staff(db_session, "supervisor")
    browser = signed_in(app, user)
    user.totp_secret = seal_secret(runtime(app).keys, pyotp.random_base32(), user.id)
    db_session.flush()
    result = runner.invoke(cli, ["users", "reset-totp", user.email])
    assert result.exit_code == 0, result.output
    db_session.refresh(user)
    assert user.totp_secret is None
    assert not inside(browser)
    assert audited(db_session, "user.totp_reset") is not None
    assert "had no second factor" in runner.invoke(cli, ["users", "reset-totp", user.email]).output


def test_api_token_list_never_shows_a_token(runner: FlaskCliRunner, db_session: Session) -> None:
    analyst = make_staff(db_session, "analyst")
    other = make_staff(db_session, "analyst")
    mine = create_api_token(db_session, analyst.email, "HDX")
    theirs = create_api_token(db_session, other.email, "dashboard")
    result = runner.invoke(cli, ["api-token", "list", analyst.email])
    assert result.exit_code == 0, result.output
    assert mine.record.prefix in result.output and "HDX" in result.output
    assert mine.token not in result.output and mine.record.token_hash not in result.output
    assert theirs.record.prefix not in result.output
    everyone = runner.invoke(cli, ["api-token", "list"]).output
    assert mine.record.prefix in everyone and theirs.record.prefix in everyone and theirs.token not in everyone
    header = everyone.splitlines()[0].split("\t")
    assert header == ["id", "prefix", "user", "name", "created", "expires", "last_used", "revoked"]


def test_api_token_revoke_by_prefix_or_id_and_the_api_refuses_it(
        app: Flask, runner: FlaskCliRunner, db_session: Session) -> None:
    analyst = make_staff(db_session, "analyst")
    first, second = create_api_token(db_session, analyst.email), create_api_token(db_session, analyst.email)
    api = app.test_client()
    assert api.get(TRENDS[0], query_string=TRENDS[1], headers=bearer(first.token)).status_code == 200
    by_prefix = runner.invoke(cli, ["api-token", "revoke", first.record.prefix])
    assert by_prefix.exit_code == 0 and "revoked" in by_prefix.output
    by_id = runner.invoke(cli, ["api-token", "revoke", str(second.record.id)])
    assert by_id.exit_code == 0, by_id.output
    for issued in (first, second):
        refused = api.get(TRENDS[0], query_string=TRENDS[1], headers=bearer(issued.token))
        assert refused.status_code == 401 and "revoked" in refused.get_json()["error"]["detail"]
    assert "already revoked" in runner.invoke(cli, ["api-token", "revoke", first.record.prefix]).output
    assert runner.invoke(cli, ["api-token", "revoke", "htl_nothere"]).exit_code != 0
    assert audited(db_session, "api_token.revoke") is not None


def test_api_token_create_days(app: Flask, runner: FlaskCliRunner, db_session: Session) -> None:
    analyst = make_staff(db_session, "analyst")
    result = runner.invoke(cli, ["api-token", "create", analyst.email, "--days", "7"])
    assert result.exit_code == 0, result.output
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == analyst.id))
    assert token is not None and token.expires_at is not None
    assert abs(token.expires_at - (utcnow() + timedelta(days=7))) < timedelta(minutes=1)
    too_long = runner.invoke(cli, ["api-token", "create", analyst.email, "--days", "400"])
    assert too_long.exit_code != 0


def test_api_token_create_defaults_to_the_configured_days(
        app: Flask, runner: FlaskCliRunner, db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "HOTLINE", replace(app.config["HOTLINE"], api_token_days=30))
    analyst = make_staff(db_session, "analyst")
    assert runner.invoke(cli, ["api-token", "create", analyst.email]).exit_code == 0
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == analyst.id))
    assert token is not None and token.expires_at is not None
    assert abs(token.expires_at - (utcnow() + timedelta(days=30))) < timedelta(minutes=1)


def test_the_token_lifetime_setting_comes_from_the_environment() -> None:
    from hotline.settings import SettingsError, load_settings
    from tests.factories import TEST_SECRETS

    environ = {"HOTLINE_MODE": "testing", **TEST_SECRETS}
    assert load_settings(environ=environ).api_token_days == 90
    assert load_settings(environ={**environ, "HOTLINE_API_TOKEN_DAYS": "30"}).api_token_days == 30
    with pytest.raises(SettingsError, match="HOTLINE_API_TOKEN_DAYS"):
        load_settings(environ={**environ, "HOTLINE_API_TOKEN_DAYS": "400"})
