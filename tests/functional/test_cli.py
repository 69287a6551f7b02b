"""The `hotline` command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.auth.models import ApiToken, User
from hotline.auth.passwords import token_digest, verify_password
from hotline.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def _create_user(runner: FlaskCliRunner, email: str, role: str, password: str):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, args=["users", "create", email, "--role", role], input=password + "\n")


def _run_hotline(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    return subprocess.run(
        [sys.executable, "-c", "from hotline.cli import main; main()", *args],
        env={**clean, **env}, cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
    )


def test_users_create_reads_the_password_from_stdin(runner: FlaskCliRunner, db_session: Session) -> None:
    result = runner.invoke(cli, args=["users", "create", "Amina@Example.org", "--role", "operator", "--language", "prs",
                                 "--language", "ps"], input="correct horse battery staple\n")
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "amina@example.org"))
    assert user is not None and user.role == "operator" and user.languages == ["prs", "ps"]
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, "correct horse battery staple")
    assert "correct horse" not in result.output
    audit = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert audit is not None and audit.entity_id == user.id


def test_users_create_refuses_weak_passwords_and_duplicates(runner: FlaskCliRunner, db_session: Session) -> None:
    weak = _create_user(runner, "a@example.org", "admin", "short")
    assert weak.exit_code != 0 and "password" in weak.output
    _create_user(runner, "a@example.org", "admin", "a long enough password")
    again = _create_user(runner, "a@example.org", "analyst", "another long one!")
    assert again.exit_code != 0 and "already exists" in again.output
    bad_role = _create_user(runner, "b@example.org", "king", "a long enough pw")
    assert bad_role.exit_code != 0


def test_api_token_is_printed_once_and_stored_hashed(runner: FlaskCliRunner, db_session: Session) -> None:
    _create_user(runner, "analyst@example.org", "analyst", "analyst password 1")
    result = runner.invoke(cli, args=["api-token", "create", "analyst@example.org", "--name", "HDX export"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    stored = db_session.scalar(select(ApiToken))
    assert stored is not None and stored.token_hash == token_digest(token) and token not in stored.token_hash
    assert stored.prefix == token[:12] and stored.name == "HDX export"
    missing = runner.invoke(cli, args=["api-token", "create", "nobody@example.org"])
    assert missing.exit_code != 0 and "no active user" in missing.output


def test_production_without_secret_key_exits_naming_it(tmp_path: Path) -> None:
    result = _run_hotline("db", "upgrade", env={"HOTLINE_MODE": "production"}, cwd=tmp_path)
    assert result.returncode != 0
    assert "HOTLINE_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


def test_db_upgrade_builds_an_empty_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    env = {"HOTLINE_MODE": "demo", "HOTLINE_DATABASE_URL": url, "HOTLINE_INSTANCE_PATH": str(tmp_path)}
    result = _run_hotline("db", "upgrade", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "database at revision head" in result.stdout
    assert (tmp_path / "fresh.sqlite3").stat().st_size > 0
