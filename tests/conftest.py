"""Fixtures: one app and schema per test session; every test runs in a transaction that is rolled back.

HOTLINE_TEST_DATABASE=sqlite (default) or postgresql picks the database; with postgresql the suite creates and
migrates its own database from HOTLINE_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/hotline_test).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from hotline.app import create_app
from hotline.classify.service import forget_rumour_indexes
from hotline.extensions import db as _db
from hotline.i18n import compile_catalogues
from hotline.jobs.background import stop_all
from hotline.migrate import upgrade
from hotline.settings import LOCALES_DIR
from hotline.studio.runtime import mark_stale as mark_studio_stale
from tests.databases import recreate_postgres_database
from tests.factories import TEST_SECRETS

# Twilio's REST API is never reached from a test: unless a test starts the local fake, calls go to a closed port.
NO_TWILIO = "http://127.0.0.1:9"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/hotline_test"
compile_catalogues(LOCALES_DIR)  # .mo files are build output, not committed


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A freshly migrated database for this test session (the migrations are what builds it)."""
    kind = os.environ.get("HOTLINE_TEST_DATABASE", "sqlite")
    if kind == "postgresql":
        url = os.environ.get("HOTLINE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        recreate_postgres_database(url)
    elif kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'hotline.sqlite3'}"
    else:
        raise pytest.UsageError(f"HOTLINE_TEST_DATABASE must be sqlite or postgresql, not {kind!r}")
    upgrade(url)
    return url


def app_config(database_url: str, instance: Path, **extra: object) -> dict[str, object]:
    """The configuration every test app uses; ``extra`` overrides (HOTLINE_* names)."""
    return {"HOTLINE_MODE": "testing", "HOTLINE_DATABASE_URL": database_url,
            "HOTLINE_INSTANCE_PATH": str(instance), "HOTLINE_TWILIO_API_BASE": NO_TWILIO,
            # Staff sign in with a password alone in tests; tests/functional/test_console_totp.py turns TOTP on.
            "HOTLINE_TOTP_REQUIRED_ROLES": [],
            # Every test client comes from 127.0.0.1: tests/functional/test_rate_limits.py turns the limits on.
            "HOTLINE_RATELIMIT_ENABLED": False, **TEST_SECRETS, **extra}


@pytest.fixture()
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build extra apps with their own configuration (HOTLINE_* overrides); their engines are disposed after."""
    made: list[Flask] = []

    def make(**overrides: object) -> Flask:
        instance = tmp_path / f"instance-{len(made)}"
        made.append(create_app(app_config(str(overrides.pop("database_url", database_url)), instance, **overrides)))
        return made[-1]

    yield make
    for extra in made:
        stop_all(extra)  # an app outside testing mode files and sweeps in threads: let them return their connections
        extra.extensions["hotline_db"].engine.dispose()


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application under test, built once."""
    application = create_app(app_config(database_url, tmp_path_factory.mktemp("instance")))
    yield application
    stop_all(application)
    application.extensions["hotline_db"].engine.dispose()


@pytest.fixture()
def db_session(app: Flask) -> Iterator[Session]:
    """A session joined to an outer transaction that is rolled back after the test ("create_savepoint" mode)."""
    with app.app_context():
        engine = _db.engine
        connection = engine.connect()
        outer = connection.begin()
        _db.bind(connection)
        yield _db.session()
        _db.session.remove()
        outer.rollback()
        connection.close()
        _db.bind(engine)
        forget_rumour_indexes()  # an index built during the test may hold rumours that were just rolled back
        mark_studio_stale()  # likewise the studio's approved recordings and reviewed texts


@pytest.fixture()
def client(app: Flask, db_session: Session) -> FlaskClient:
    """A test client whose requests commit into the test's rolled-back transaction."""
    return app.test_client()


@pytest.fixture()
def runner(app: Flask, db_session: Session) -> FlaskCliRunner:
    """A CLI runner for `hotline` commands."""
    return app.test_cli_runner()
