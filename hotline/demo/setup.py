"""Prepare the demo database: migrate, seed once, and say how to sign in."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import Flask

from hotline.context import runtime
from hotline.demo.content import load_demo_content
from hotline.demo.seed import is_seeded, seed
from hotline.extensions import db
from hotline.migrate import upgrade

CREDENTIALS_FILE = "demo-credentials.json"


def prepare_demo(app: Flask, reports: int, echo: Callable[[str], None]) -> Iterator[str]:
    """Migrate the demo database, seed it on first start (one commit), and yield the lines to print."""
    settings = app.config["HOTLINE"]
    upgrade(settings.database_url)
    store = Path(app.instance_path) / CREDENTIALS_FILE
    session = db.session()
    if not is_seeded(session):
        echo(f"Seeding the demo database with {reports} synthetic reports…")
        result = seed(session, runtime(app), load_demo_content(), reports=reports, progress=echo)
        session.commit()
        _save_credentials(store, result.credentials)
    yield ""
    yield "Hotline demo (demo mode: secrets are generated and kept in the instance folder; never use in production)"
    yield f"  database: {settings.database_url}"
    yield "  sign in with (role, e-mail, password):"
    for role, email, password in _load_credentials(store):
        yield f"    {role:<11} {email:<34} {password}"


def _save_credentials(store: Path, credentials: list[tuple[str, str, str]]) -> None:
    store.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(store, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        json.dump([list(row) for row in credentials], handle, indent=2)


def _load_credentials(store: Path) -> list[tuple[str, str, str]]:
    if not store.exists():
        return []
    return [(row[0], row[1], row[2]) for row in json.loads(store.read_text())]
