"""`hotline check --deploy`'s checks, each a pure function of DeployFacts (no Flask, no disk)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hotline.ops.deploy_checks import (
    CHECKS,
    WARNING,
    Catalogue,
    DeployFacts,
    check_audio,
    check_backups,
    check_catalogues,
    check_database,
    check_file_modes,
    check_mode,
    check_public_url,
    check_redis,
    check_secrets,
    check_settings_load,
    check_totp,
    run_checks,
)

CLEAN = DeployFacts(
    mode="production",
    secret_lengths={"HOTLINE_SECRET_KEY": 48, "HOTLINE_PSEUDONYM_KEY": 48, "HOTLINE_TWILIO_ACCOUNT_SID": 34,
                    "HOTLINE_TWILIO_AUTH_TOKEN": 32},
    public_url="https://hotline.example.org",
    totp_required_roles=("operator", "supervisor", "admin"),
    database_backend="postgresql",
    path_modes={"instance folder /srv/hotline": (0o700, True), "spool /srv/hotline/spool": (0o700, True)},
    catalogues=(Catalogue("locales/prs/LC_MESSAGES/messages.po", True, True),),
    redis_url="redis://127.0.0.1:6379/0",
    backup_dir="/srv/backups",
    newest_backup_age_hours=5.0,
)


def ids(problems: list) -> list[str]:
    return [problem.id for problem in problems]


def test_clean_facts_raise_nothing() -> None:
    assert run_checks(CLEAN) == []


def test_settings_that_do_not_load() -> None:
    assert ids(check_settings_load(replace(CLEAN, settings_error="HOTLINE_SECRET_KEY is not set"))) == ["settings"]


@pytest.mark.parametrize("mode", ["demo", "testing"])
def test_mode_other_than_production(mode: str) -> None:
    problems = check_mode(replace(CLEAN, mode=mode))
    assert ids(problems) == ["mode"] and "HOTLINE_MODE=production" in problems[0].fix


def test_secrets_missing_short_demo_and_reused() -> None:
    facts = replace(CLEAN, secret_lengths={**CLEAN.secret_lengths, "HOTLINE_TWILIO_AUTH_TOKEN": 0,
                                           "HOTLINE_PSEUDONYM_KEY": 12},
                    demo_secrets=("HOTLINE_SECRET_KEY",), same_keys=True)
    problems = check_secrets(facts)
    assert ids(problems) == ["secret-short", "secret-missing", "secret-demo", "secret-reused"]
    assert "HOTLINE_PSEUDONYM_KEY" in problems[0].message and "demo-secrets.json" in problems[2].fix


@pytest.mark.parametrize(("url", "expected"), [(None, ["public-url"]), ("http://hotline.example.org",
                                                                        ["public-url-https"])])
def test_public_url_must_be_https(url: str | None, expected: list[str]) -> None:
    assert ids(check_public_url(replace(CLEAN, public_url=url))) == expected


def test_roles_reading_caller_text_need_totp() -> None:
    problems = check_totp(replace(CLEAN, totp_required_roles=("supervisor", "admin")))
    assert ids(problems) == ["totp"] and "operator" in problems[0].message
    assert problems[0].fix == "set HOTLINE_TOTP_REQUIRED_ROLES=supervisor,admin,operator."


def test_file_modes_open_to_others() -> None:
    problems = check_file_modes(replace(CLEAN, path_modes={"instance folder /srv/h": (0o755, True),
                                                           "SQLite file /srv/h/hotline.sqlite3": (0o644, False),
                                                           "spool /srv/h/spool": (0o700, True)}))
    assert [p.message.split(" has")[0] for p in problems] == ["SQLite file /srv/h/hotline.sqlite3",
                                                              "instance folder /srv/h"]
    assert "chmod 0600" in problems[0].fix and "chmod 0700" in problems[1].fix


def test_catalogues_missing_or_stale() -> None:
    facts = replace(CLEAN, catalogues=(Catalogue("locales/prs/LC_MESSAGES/ivr.po", False, False),
                                       Catalogue("locales/id/LC_MESSAGES/sms.po", True, False),
                                       Catalogue("locales/th/LC_MESSAGES/messages.po", True, True)))
    problems = check_catalogues(facts)
    assert ids(problems) == ["catalogue-missing", "catalogue-stale"]
    assert all("make catalogs" in p.fix for p in problems)


def test_languages_without_audio() -> None:
    problems = check_audio(replace(CLEAN, unvoiced=("ps (24 prompt(s) without audio; numbers: default)",)))
    assert ids(problems) == ["audio"] and "hotline ivr audio" in problems[0].fix


def test_redis_configured_but_unreachable() -> None:
    assert ids(check_redis(replace(CLEAN, redis_error="ConnectionError: refused"))) == ["redis"]
    assert check_redis(replace(CLEAN, redis_url=None, redis_error=None)) == []


@pytest.mark.parametrize(("folder", "age", "says"), [(None, None, "not set"), ("/srv/b", None, "no backup"),
                                                     ("/srv/b", 72.0, "72 hours old")])
def test_backups_configured_and_recent(folder: str | None, age: float | None, says: str) -> None:
    problems = check_backups(replace(CLEAN, backup_dir=folder, newest_backup_age_hours=age))
    assert ids(problems) == ["backup"] and says in problems[0].message


def test_sqlite_is_a_warning() -> None:
    problems = check_database(replace(CLEAN, database_backend="sqlite"))
    assert ids(problems) == ["sqlite"] and problems[0].level == WARNING


def test_every_check_is_run() -> None:
    assert len(CHECKS) == 11
