"""GET/HEAD requests run on read-only sessions; a view marked with hotline.db.writes may still write."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import insert

from hotline.audit.models import AuditEvent
from hotline.audit.service import record_event
from hotline.db import READ_ONLY, ReadOnlySessionError, writes
from hotline.extensions import db


def _flush_an_event() -> tuple[str, int]:
    record_event(db.session(), "test", "test.write", "test", None)
    db.session.flush()
    return "flushed", 409  # a 4xx rolls the request back: nothing stays in the shared test database


@pytest.fixture()
def app_with_views(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()
    app.add_url_rule("/_test/read-only", "read_only", _flush_an_event)
    app.add_url_rule("/_test/writes", "writes", writes(lambda: _flush_an_event()))
    app.add_url_rule("/_test/core-insert", "core_insert", lambda: (str(db.session.execute(
        insert(AuditEvent).values(actor="test", action="test.write", entity_type="test"))), 409))
    return app


def test_a_get_cannot_write_unless_its_view_says_so(app_with_views: Flask, caplog: pytest.LogCaptureFixture) -> None:
    client = app_with_views.test_client()
    assert client.get("/_test/read-only").status_code == 500
    assert client.get("/_test/core-insert").status_code == 500
    assert caplog.text.count(f"{ReadOnlySessionError.__name__}: a flush in a read-only session") == 1
    assert caplog.text.count(f"{ReadOnlySessionError.__name__}: an INSERT, UPDATE or DELETE") == 1
    assert client.get("/_test/writes").status_code == 409  # flushed: the marked view wrote


def test_sessions_outside_requests_write(app_with_views: Flask) -> None:
    with app_with_views.app_context():
        assert not db.session().info.get(READ_ONLY)  # CLI commands and jobs
        own = db.new_session(read_only=True)
        try:
            assert own.info[READ_ONLY]
        finally:
            own.close()
