"""A call's first webhook on an app with a database of its own, as in production (a session bound to the engine, each
request committing for real). Its lookup reads outside a write transaction: on PostgreSQL a new caller's call is the
lookup and one INSERT, each committing on its own (no BEGIN or COMMIT round trips); on SQLite the lookup takes no
write lock. Everything else the request writes is in a write transaction, and the pooled connection goes back to
the pool as it came, whatever happened to the request."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from hotline.db import READ_ALONE, READ_ONLY
from hotline.extensions import db
from hotline.intake import service as intake_service
from hotline.intake.models import Caller, Contact
from hotline.ivr import service as ivr_service
from hotline.ivr.runtime import content_in_force
from hotline.migrate import upgrade
from hotline.studio import runtime as studio_runtime
from tests.databases import scratch_postgres_database
from tests.factories import signed_post

AFGHAN = "+93790000000"


def call_form(sid: str, sender: str = "+93701234567") -> dict[str, str]:
    return {"CallSid": sid, "From": sender, "To": AFGHAN, "AccountSid": "AC" + "0" * 32, "CallStatus": "ringing"}


@pytest.fixture()
def own_app(database_url: str, make_app: Callable[..., Flask], tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    # The IVR content in force is checked against the studio's rows at most every 2 s, in the request's session:
    # checked here once for the whole test, so that no request's first statement is that check.
    monkeypatch.setattr(studio_runtime, "MAX_AGE_SECONDS", 3600.0)
    if database_url.startswith("postgresql"):
        with scratch_postgres_database(database_url, "first_webhook") as own:
            yield checked(make_app(database_url=own))
    else:
        own = f"sqlite:///{tmp_path / 'first_webhook.sqlite3'}"
        upgrade(own)
        yield checked(make_app(database_url=own))


def checked(app: Flask) -> Flask:
    with app.app_context():
        content_in_force(db.session())
        db.session.remove()
    return app


def postgresql(app: Flask) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


@contextmanager
def call_statements(app: Flask, begins: bool = False) -> Iterator[list[tuple[str, str]]]:
    """The statements on contacts and callers inside the block (with ``begins``, the BEGINs and COMMITs SQLAlchemy
    sees too): (first word, how), where how is "alone" (committed on its own), "read" (without the write lock,
    SQLite) or "write" (in a write transaction)."""
    seen: list[tuple[str, str]] = []

    def before(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        options = conn.get_execution_options()
        if options.get(READ_ONLY):
            return  # another session's reads (the inbox sweep's check, at most once a minute)
        if re.search(r"\b(contacts|callers)\b", statement) or (begins and statement.startswith(("BEGIN", "COMMIT"))):
            how = ("alone" if options.get("isolation_level") == "AUTOCOMMIT"
                   else "read" if options.get(READ_ALONE) else "write")
            seen.append((statement.split()[0], how))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def pooled_connections_are_transactional(app: Flask) -> bool:
    """Every connection the pool holds begins transactions again (none kept psycopg's autocommit)."""
    with app.app_context():
        engine = db.engine
    held = [engine.raw_connection() for _ in range(max(1, engine.pool.checkedin()))]
    try:
        return all(not getattr(raw.driver_connection, "autocommit", False) for raw in held)
    finally:
        for raw in held:
            raw.close()


def stored(app: Flask, sid: str) -> tuple[Contact | None, int]:
    with app.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.provider_id == sid))
        callers = db.session.scalar(select(func.count()).select_from(Caller))
        db.session.remove()
        return contact, int(callers or 0)


def test_a_new_callers_call_is_a_lookup_and_one_insert_each_committing_alone(own_app: Flask) -> None:
    with call_statements(own_app, begins=True) as seen:
        answer = signed_post(own_app.test_client(), "/twilio/voice", call_form("CA" + "1" * 32))
    assert answer.status_code == 200 and b"<Gather" in answer.data
    if postgresql(own_app):  # (psycopg's own BEGIN would not show here: the isolation level says there is none)
        assert seen == [("SELECT", "alone"), ("WITH", "alone")]
    else:  # the lookup began nothing; the two INSERTs hold the write lock together
        assert seen == [("SELECT", "read"), ("BEGIN", "write"), ("INSERT", "write"), ("INSERT", "write")]
    contact, callers = stored(own_app, "CA" + "1" * 32)
    assert contact is not None and contact.caller_id is not None and callers == 1
    assert contact.state["twiml"] == answer.data.decode()
    assert pooled_connections_are_transactional(own_app)
    replay = signed_post(own_app.test_client(), "/twilio/voice", call_form("CA" + "1" * 32))
    assert replay.data == answer.data and stored(own_app, "CA" + "1" * 32)[1] == 1


def test_a_returning_callers_refresh_and_new_contact_are_one_transaction(own_app: Flask) -> None:
    client = own_app.test_client()
    signed_post(client, "/twilio/voice", call_form("CA" + "2" * 32))
    with call_statements(own_app) as seen:
        answer = signed_post(client, "/twilio/voice", call_form("CA" + "3" * 32))
    assert answer.status_code == 200
    assert [word for word, _ in seen] == ["SELECT", "UPDATE", "INSERT"]
    # Only the lookup may commit alone: the caller's UPDATE and the contact's INSERT go in together or not at all.
    assert [how for _, how in seen] == ["alone" if postgresql(own_app) else "read", "write", "write"]
    contact, callers = stored(own_app, "CA" + "3" * 32)
    assert contact is not None and callers == 1
    assert pooled_connections_are_transactional(own_app)


def test_an_anonymous_call_is_one_insert(own_app: Flask) -> None:
    with call_statements(own_app) as seen:
        answer = signed_post(own_app.test_client(), "/twilio/voice", {**call_form("CA" + "4" * 32), "From": ""})
    assert answer.status_code == 200
    if postgresql(own_app):
        assert seen == [("SELECT", "alone"), ("INSERT", "alone")]
    else:
        assert seen == [("SELECT", "read"), ("INSERT", "write")]
    contact, callers = stored(own_app, "CA" + "4" * 32)
    assert contact is not None and contact.caller_id is None and callers == 0


def test_a_caller_inserted_meanwhile_is_refreshed_in_a_transaction(own_app: Flask,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    client = own_app.test_client()
    signed_post(client, "/twilio/voice", call_form("CA" + "5" * 32))
    look_up = intake_service._look_up

    def missed_the_caller(*args: Any) -> Any:  # as if their first call was inserted after this call's lookup
        return dataclasses.replace(look_up(*args), stored=None)

    monkeypatch.setattr(intake_service, "_look_up", missed_the_caller)
    with call_statements(own_app) as seen:
        answer = signed_post(client, "/twilio/voice", call_form("CA" + "6" * 32))
    assert answer.status_code == 200
    contact, callers = stored(own_app, "CA" + "6" * 32)
    assert contact is not None and callers == 1
    if postgresql(own_app):  # the pair INSERT found the caller there; what follows refreshes them in a transaction
        assert seen[:2] == [("SELECT", "alone"), ("WITH", "alone")]
    else:
        assert seen[:2] == [("SELECT", "read"), ("INSERT", "write")]
    assert len(seen) > 2 and {how for _, how in seen[2:]} == {"write"}
    assert pooled_connections_are_transactional(own_app)


def test_a_call_that_fails_after_its_lookup_leaves_the_pool_as_it_was(own_app: Flask,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    render = ivr_service._render_step

    def broken(*_args: Any) -> str:
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(ivr_service, "_render_step", broken)
    own_app.config["PROPAGATE_EXCEPTIONS"] = False
    answer = signed_post(own_app.test_client(), "/twilio/voice", call_form("CA" + "7" * 32))
    assert answer.status_code == 500
    assert stored(own_app, "CA" + "7" * 32) == (None, 0)  # nothing was written before the failure
    assert pooled_connections_are_transactional(own_app)
    monkeypatch.setattr(ivr_service, "_render_step", render)
    assert signed_post(own_app.test_client(), "/twilio/voice", call_form("CA" + "7" * 32)).status_code == 200
    contact, callers = stored(own_app, "CA" + "7" * 32)
    assert contact is not None and callers == 1
