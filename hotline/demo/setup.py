"""Prepare the demo database: migrate, seed once, and say how to sign in."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import Flask

from hotline.migrate import upgrade


def prepare_demo(app: Flask, reports: int, echo: Callable[[str], None]) -> Iterator[str]:
    """Migrate the demo database and report what is there."""
    settings = app.config["HOTLINE"]
    upgrade(settings.database_url)
    yield f"Demo database: {settings.database_url}"
