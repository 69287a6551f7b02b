"""Change an app's settings for one test: the validated Settings object lives in the app's config and its runtime."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from flask import Flask


def override_settings(monkeypatch: pytest.MonkeyPatch, app: Flask, **changes: Any) -> None:
    """Replace ``app``'s settings by a copy with ``changes`` until the test ends."""
    settings = dataclasses.replace(app.config["HOTLINE"], **changes)
    monkeypatch.setitem(app.config, "HOTLINE", settings)
    runtime = app.extensions.get("hotline")
    if runtime is not None:
        monkeypatch.setitem(app.extensions, "hotline", dataclasses.replace(runtime, settings=settings))
