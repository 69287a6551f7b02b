"""`hotline check --deploy` end to end: the environment and the disk in, one line per problem out, exit status."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotline.cli import cli
from hotline.ops import deploy_cli
from hotline.ops.deploy_checks import DeployFacts
from hotline.ops.deploy_facts import catalogues, newest_backup_age

SECRETS = {"HOTLINE_SECRET_KEY": "s" * 48, "HOTLINE_PSEUDONYM_KEY": "p" * 48,
           "HOTLINE_TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "HOTLINE_TWILIO_AUTH_TOKEN": "t" * 32}
UNSET = {name: None for name in ("HOTLINE_DATABASE_URL", "HOTLINE_REDIS_URL", "HOTLINE_PUBLIC_URL",
                                 "HOTLINE_BACKUP_DIR", "HOTLINE_TOTP_REQUIRED_ROLES", "HOTLINE_SPOOL_PATH")}


def run(env: dict[str, str | None], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "--deploy", *args], env={**UNSET, **env})
    return result.exit_code, result.output


def test_demo_settings_fail_with_one_line_per_problem(tmp_path: Path) -> None:
    code, output = run({"HOTLINE_MODE": "demo", "HOTLINE_INSTANCE_PATH": str(tmp_path / "instance"),
                        "HOTLINE_TOTP_REQUIRED_ROLES": "supervisor,admin"})  # operators read caller text too
    assert code == 1
    for problem in ("[mode]", "[secret-demo] HOTLINE_SECRET_KEY", "[public-url]", "[totp]", "[backup]", "[sqlite]"):
        assert problem in output, problem
    assert all(" Fix: " in line for line in output.splitlines() if line.startswith(("error:", "warning:")))


def test_the_default_two_step_roles_pass_the_totp_check(tmp_path: Path) -> None:
    _code, output = run({"HOTLINE_MODE": "demo", "HOTLINE_INSTANCE_PATH": str(tmp_path / "instance")})
    assert "[mode]" in output and "[totp]" not in output


def test_production_without_secrets_names_them(tmp_path: Path) -> None:
    code, output = run({"HOTLINE_MODE": "production", "HOTLINE_INSTANCE_PATH": str(tmp_path),
                        **{name: None for name in SECRETS}})
    assert code == 1 and "[settings]" in output and "[secret-missing] HOTLINE_PSEUDONYM_KEY is not set" in output


def test_open_file_modes_unreachable_redis_and_http_url(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    os.chmod(instance, 0o755)  # noqa: S103 - the loose mode the check must find
    database = instance / "hotline.sqlite3"
    database.touch()
    os.chmod(database, 0o644)
    code, output = run({"HOTLINE_MODE": "production", "HOTLINE_INSTANCE_PATH": str(instance), **SECRETS,
                        "HOTLINE_PUBLIC_URL": "http://hotline.example.org",
                        "HOTLINE_REDIS_URL": "redis://127.0.0.1:1/0"})
    assert code == 1
    assert f"[file-mode] instance folder {instance} has mode 0755" in output
    assert f"[file-mode] SQLite file {database} has mode 0644" in output
    assert "[public-url-https]" in output and "[redis]" in output and "[mode]" not in output


def test_a_recent_backup_satisfies_the_backup_check(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir(mode=0o700)
    (backups / "hotline-20261202T010000Z.sqlite3").write_bytes(b"SQLite format 3\x00")
    code, output = run({"HOTLINE_MODE": "production", "HOTLINE_INSTANCE_PATH": str(tmp_path / "i"), **SECRETS,
                        "HOTLINE_BACKUP_DIR": str(backups)})
    assert "[backup]" not in output and code == 1  # other problems remain (TOTP, public URL)
    assert newest_backup_age(str(backups), time.time() + 3 * 24 * 3600) == pytest.approx(72, abs=0.1)


def test_clean_facts_exit_zero_and_warnings_fail_only_when_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    clean = DeployFacts(secret_lengths={"HOTLINE_SECRET_KEY": 48}, public_url="https://hotline.example.org",
                        totp_required_roles=("operator", "supervisor", "admin"), backup_dir="/srv/b",
                        newest_backup_age_hours=1.0)
    monkeypatch.setattr(deploy_cli, "gather_facts", lambda: clean)
    assert run({}) == (0, "deploy check: no problems found\n")
    monkeypatch.setattr(deploy_cli, "gather_facts", lambda: replace(clean, database_backend="sqlite"))
    code, output = run({})
    assert code == 0 and "warning: [sqlite]" in output
    assert run({}, "--strict")[0] == 1


def test_stale_and_missing_catalogues_are_found(tmp_path: Path) -> None:
    folder = tmp_path / "locales" / "prs" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    for domain in ("messages", "ivr", "sms"):
        (folder / f"{domain}.po").write_text("")
    (folder / "messages.mo").write_bytes(b"")
    os.utime(folder / "messages.mo", (1, 1))  # compiled long before the .po changed
    (folder / "ivr.mo").write_bytes(b"")
    found = {c.po.split("/")[-1]: (c.mo_present, c.mo_current) for c in catalogues(tmp_path / "locales")}
    assert found == {"messages.po": (True, False), "ivr.po": (True, True), "sms.po": (False, False)}


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng (make system-deps)")
def test_stand_ins_built_in_the_instance_folder_count_as_audio(tmp_path: Path) -> None:
    env = {"HOTLINE_MODE": "demo", "HOTLINE_INSTANCE_PATH": str(tmp_path / "instance")}
    built = CliRunner().invoke(cli, ["ivr", "audio"], env={**UNSET, **env})
    assert built.exit_code == 0, built.output
    _code, output = run(env)
    unvoiced = [line for line in output.splitlines() if "[audio]" in line]
    assert not any("language prs " in line for line in unvoiced), unvoiced  # as the served app plays them
    assert any("language ps " in line for line in unvoiced)  # no espeak-ng voice for Pashto: still missing
