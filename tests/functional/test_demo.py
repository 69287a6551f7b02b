"""`hotline demo` preparation: migrate, seed once, print the credentials again on every start."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from hotline.demo.setup import prepare_demo
from hotline.extensions import db
from hotline.intake.models import Report


def test_prepare_demo_seeds_once_and_reprints_credentials(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    app = make_app(database_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    progress: list[str] = []
    with app.app_context():
        first = list(prepare_demo(app, reports=40, echo=progress.append))
        count = db.session.scalar(select(func.count()).select_from(Report))
    with app.app_context():
        second = list(prepare_demo(app, reports=40, echo=progress.append))
        again = db.session.scalar(select(func.count()).select_from(Report))
    assert count == again == 40
    assert "seeding reports 40/40" in progress and sum("Seeding" in line for line in progress) == 1
    credentials = [line for line in first if "@demo.example.org" in line]
    assert len(credentials) == 5 and credentials == [line for line in second if "@demo.example.org" in line]
    assert (Path(app.instance_path) / "demo-credentials.json").stat().st_mode & 0o777 == 0o600
