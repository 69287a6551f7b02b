"""Prepare the demo database: migrate, seed once, and say how to sign in."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.db import utcnow
from hotline.demo.credentials import CREDENTIALS_FILE, load_or_create
from hotline.demo.seed import DEFAULT_SEED, is_seeded, reset_passwords, seed_demo
from hotline.extensions import db
from hotline.field.models import FocalPoint
from hotline.field.registry import issue_credentials
from hotline.migrate import upgrade

DEMO_URL = "http://127.0.0.1:8000"


def prepare_demo(
    app: Flask, reports: int, echo: Callable[[str], None], url: str = DEMO_URL, seed: int = DEFAULT_SEED
) -> Iterator[str]:
    """Migrate the demo database, seed it the first time (showing progress), then yield how to use it."""
    settings = app.config["HOTLINE"]
    upgrade(settings.database_url)
    credentials_path = Path(app.instance_path) / CREDENTIALS_FILE
    credentials, fresh = load_or_create(credentials_path)
    session = db.session()
    if is_seeded(session):
        echo("Demo data already seeded: reusing it.")
        if fresh:  # the credentials file was deleted: give the accounts the new passwords
            reset_passwords(session, credentials)
            session.commit()
    else:
        echo(f"Seeding demo data ({reports} reports)...")
        started = time.perf_counter()
        seed_demo(session, runtime(app), credentials, reports, seed=seed, echo=echo,
                  recordings=settings.recordings_folder)
        session.commit()
        echo(f"Seeded in {time.perf_counter() - started:.1f} s.")
    yield f"Hotline demo: {url}"
    for cred in credentials.values():
        yield f"  {cred.role:<10} {cred.email:<40} password: {cred.password}"
    yield f"  (sign-ins kept in {credentials_path}, readable only by you)"
    pin_line = _focal_point_pin(session, url)
    if pin_line:
        yield pin_line
    yield f"Database: {_describe(settings.database_url)}"
    if settings.generated_secrets:
        yield (f"Demo mode: generated secrets for {', '.join(settings.generated_secrets)} "
               f"(kept in {app.instance_path}/demo-secrets.json). Never use them in production.")


def _focal_point_pin(session: Session, url: str) -> str | None:
    """A fresh PIN for the first demo focal point at every start, so /field can be tried (the last stops working)."""
    point = session.scalar(select(FocalPoint).order_by(FocalPoint.id).limit(1))
    if point is None:
        return None
    issued = issue_credentials(session, point, None, utcnow(), link=False, pin=True)
    session.commit()
    return (f"  focal point {point.display_name}: number {point.id}, PIN {issued.pin} "
            f"(sign in at {url}/field/sign-in; a new PIN at every start)")


def _describe(database_url: str) -> str:
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {parsed.database}"
    return parsed.render_as_string(hide_password=True)
