"""Retention periods and the spool path: defaults from config/defaults.yaml, HOTLINE_* overrides, validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.settings import SettingsError, load_settings
from tests.factories import TEST_SECRETS


def test_defaults_and_overrides(tmp_path: Path) -> None:
    defaults = load_settings(environ=TEST_SECRETS, instance_path=tmp_path)
    assert (defaults.retention_recording_days, defaults.retention_text_days, defaults.retention_attachment_days) \
        == (365, 365, 90)
    assert defaults.spool_path is None
    env = {**TEST_SECRETS, "HOTLINE_RETENTION_TEXT_DAYS": "30", "HOTLINE_SPOOL_PATH": str(tmp_path / "spool")}
    overridden = load_settings(environ=env, instance_path=tmp_path)
    assert overridden.retention_text_days == 30 and overridden.spool_path == str(tmp_path / "spool")


@pytest.mark.parametrize("value", ["0", "-1", "ninety", "99999"])
def test_a_bad_retention_period_names_the_variable(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match="HOTLINE_RETENTION_RECORDING_DAYS"):
        load_settings(environ={**TEST_SECRETS, "HOTLINE_RETENTION_RECORDING_DAYS": value}, instance_path=tmp_path)
