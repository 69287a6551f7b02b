"""Streamed exports close their own database session: one export must not hold a connection or SQLite's write lock.

These tests run against a database of their own (not the shared rolled-back test transaction), through the real
HTTP API with a bearer token, because what they check is what a real request leaves behind once it has answered.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url

from hotline.auth.service import create_api_token
from hotline.extensions import db
from hotline.migrate import upgrade
from tests.databases import scratch_postgres_database
from tests.factories import make_staff
from tests.trends_helpers import add_report

RANGE = {"from": "2026-11-23", "to": "2026-11-29"}


@pytest.fixture()
def own_app(database_url: str, make_app: Callable[..., Flask], tmp_path: Path) -> Iterator[Flask]:
    if database_url.startswith("postgresql"):
        with scratch_postgres_database(database_url, "exports") as own:
            yield make_app(database_url=own)
    else:
        own = f"sqlite:///{tmp_path / 'exports.sqlite3'}"
        upgrade(own)
        yield make_app(database_url=own)


def _analyst_token(app: Flask) -> str:
    with app.app_context():
        operator = make_staff(db.session)
        for _ in range(6):
            add_report(db.session, "2026-11-24T08:00:00", coded_by=operator)
        analyst = make_staff(db.session, "analyst")
        token = create_api_token(db.session, analyst.email, "exports").token
        db.session.commit()
    return token


def _export(app: Flask, token: str, fmt: str) -> bytes:
    response = app.test_client().get("/api/v1/exports/trends", query_string={**RANGE, "format": fmt},
                                     headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.is_streamed
    body = response.get_data()
    response.close()
    return body


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_after_an_export_sqlite_is_ready_and_writable_at_once(own_app: Flask, fmt: str) -> None:
    url = make_url(own_app.config["HOTLINE"].database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock: run with HOTLINE_TEST_DATABASE=sqlite")
    token = _analyst_token(own_app)
    assert _export(own_app, token, fmt)
    client = own_app.test_client()
    assert client.get("/readyz").status_code == 200
    # Another process writing: it must get the write lock at once, not wait for (or time out behind) the export.
    other = sqlite3.connect(str(url.database), timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE reports SET admin1 = admin1")
        other.execute("COMMIT")
    finally:
        other.close()
    assert _export(own_app, token, fmt)  # and the next export works as well


def test_after_many_exports_no_connection_stays_checked_out(own_app: Flask) -> None:
    token = _analyst_token(own_app)
    engine = own_app.extensions["hotline_db"].engine
    for fmt in ("csv", "json", "xlsx") * 5:
        assert _export(own_app, token, fmt)
    assert engine.pool.checkedout() == 0


def test_an_abandoned_export_gives_its_connection_back(own_app: Flask) -> None:
    token = _analyst_token(own_app)
    engine = own_app.extensions["hotline_db"].engine
    response = own_app.test_client().get("/api/v1/exports/trends", query_string={**RANGE, "format": "csv"},
                                         headers={"Authorization": f"Bearer {token}"})
    assert next(iter(response.response))  # the client read the first chunk, then hung up
    response.close()
    assert engine.pool.checkedout() == 0


def test_a_get_on_sqlite_takes_no_write_lock(own_app: Flask) -> None:
    engine = own_app.extensions["hotline_db"].engine
    if engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's")
    token = _analyst_token(own_app)
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement.strip())

    client = own_app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/api/v1/trends", query_string=RANGE, headers=headers).status_code == 200
        first = list(seen)
        seen.clear()
        assert client.get("/api/v1/trends", query_string=RANGE, headers=headers).status_code == 200
        assert _export(own_app, token, "csv")
        assert client.get("/readyz").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert "BEGIN" in seen and "BEGIN IMMEDIATE" not in seen
    assert not any(s.upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in seen)
    # The token's first use is still recorded, by a short writing transaction of its own (writers stay serialised).
    assert "BEGIN IMMEDIATE" in first and any(s.upper().startswith("UPDATE API_TOKENS") for s in first)
