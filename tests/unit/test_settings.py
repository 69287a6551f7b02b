"""Settings: defaults, environment overrides, demo secrets, and refusing to start without secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotline.settings import SettingsError, load_settings
from tests.factories import TEST_SECRETS


def test_production_without_secrets_names_every_missing_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={}, instance_path=tmp_path)
    message = str(caught.value)
    for name in ("HOTLINE_SECRET_KEY", "HOTLINE_PSEUDONYM_KEY", "HOTLINE_TWILIO_AUTH_TOKEN"):
        assert name in message


def test_production_missing_only_the_secret_key(tmp_path: Path) -> None:
    environ = {k: v for k, v in TEST_SECRETS.items() if k != "HOTLINE_SECRET_KEY"}
    with pytest.raises(SettingsError, match=r"^HOTLINE_SECRET_KEY is not set"):
        load_settings(environ=environ, instance_path=tmp_path)


def test_production_with_secrets_and_environment_overrides(tmp_path: Path) -> None:
    environ = {**TEST_SECRETS, "HOTLINE_DATABASE_URL": "postgresql://db/hotline", "HOTLINE_MAX_CONTENT_LENGTH": "4096",
               "HOTLINE_UI_LOCALES": "en,prs"}
    settings = load_settings(environ=environ, instance_path=tmp_path)
    assert settings.production and settings.database_url == "postgresql://db/hotline"
    assert settings.max_content_length == 4096 and settings.ui_locales == ("en", "prs")
    assert settings.generated_secrets == ()


def test_short_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="HOTLINE_PSEUDONYM_KEY must be at least 32"):
        load_settings(environ={**TEST_SECRETS, "HOTLINE_PSEUDONYM_KEY": "short"}, instance_path=tmp_path)


def test_invalid_values_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="HOTLINE_MAX_CONTENT_LENGTH"):
        load_settings(environ={**TEST_SECRETS, "HOTLINE_MAX_CONTENT_LENGTH": "lots"}, instance_path=tmp_path)
    with pytest.raises(SettingsError, match="HOTLINE_MODE"):
        load_settings(environ={"HOTLINE_MODE": "chaos"}, instance_path=tmp_path)


def test_demo_generates_secrets_once_and_keeps_them(tmp_path: Path) -> None:
    first = load_settings(environ={"HOTLINE_MODE": "demo"}, instance_path=tmp_path)
    second = load_settings(environ={"HOTLINE_MODE": "demo"}, instance_path=tmp_path)
    assert "HOTLINE_PSEUDONYM_KEY" in first.generated_secrets
    assert first.pseudonym_key == second.pseudonym_key and len(first.pseudonym_key) >= 32
    assert first.database_url == f"sqlite:///{tmp_path / 'hotline.sqlite3'}"
    store = tmp_path / "demo-secrets.json"
    assert store.stat().st_mode & 0o777 == 0o600
    assert set(json.loads(store.read_text())) >= {"secret_key", "pseudonym_key"}


def test_explicit_overrides_win(tmp_path: Path) -> None:
    settings = load_settings({"HOTLINE_MODE": "testing", "log_level": "DEBUG"}, environ={}, instance_path=tmp_path)
    assert settings.mode == "testing" and settings.log_level == "DEBUG"


def test_storage_folders_queue_and_replay_are_settings(tmp_path: Path) -> None:
    settings = load_settings(environ=dict(TEST_SECRETS), instance_path=tmp_path)
    assert settings.media_folder == tmp_path / "media" and settings.recordings_folder == tmp_path / "recordings"
    assert settings.voice_notes_folder == tmp_path / "field-voice-notes"
    assert settings.rq_queue == "hotline" and settings.spool_auto_replay is None and settings.sms_filing is None
    environ = {**TEST_SECRETS, "HOTLINE_MEDIA_DIR": "/srv/media", "HOTLINE_RQ_QUEUE": "hotline-af",
               "HOTLINE_SMS_RETRY_BASE_DELAY": "2", "HOTLINE_SPOOL_AUTO_REPLAY": "off",
               "HOTLINE_SMS_FILING": "request"}
    settings = load_settings(environ=environ, instance_path=tmp_path)
    assert settings.media_folder == Path("/srv/media") and settings.rq_queue == "hotline-af"
    assert settings.sms_retry_base_delay == 2.0 and settings.spool_auto_replay == "off"
    assert settings.sms_filing == "request"


@pytest.mark.parametrize(("name", "value"), [("HOTLINE_SPOOL_AUTO_REPLAY", "sometimes"),
                                             ("HOTLINE_RQ_QUEUE", "a queue"), ("HOTLINE_SMS_RETRY_BASE_DELAY", "-1"),
                                             ("HOTLINE_SMS_FILING", "later")])
def test_bad_storage_and_job_settings_name_the_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings(environ={**TEST_SECRETS, name: value}, instance_path=tmp_path)
