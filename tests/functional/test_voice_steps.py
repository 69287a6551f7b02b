"""A step inside a call (POST /twilio/voice/step): one read and one write through Core statements, what it teaches
the caller, replays that change nothing, and a retried step that waits for the first delivery's row lock."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.extensions import db
from hotline.intake.models import Caller, Contact
from hotline.ivr import service
from hotline.migrate import upgrade
from tests.databases import scratch_postgres_database, statements
from tests.factories import signed_post
from tests.functional import test_voice_calls as calls

ivr, clock, twiml_schema = calls.ivr, calls.clock, calls.twiml_schema
CALL = {"CallSid": "CA" + "d" * 32, "From": "+93701234567", "To": calls.AFGHAN, "AccountSid": "AC" + "0" * 32}
CHOOSE, HEARD_VIA, MAIN_MENU = ("/twilio/voice/step?node=choose_language&n=1", "/twilio/voice/step?node=heard_via&n=2",
                                "/twilio/voice/step?node=main_menu&n=3")


def call_statements(seen: list[str]) -> list[str]:
    """The statements on the call's tables (other hooks of a request are not the step's)."""
    return [s for s in seen if re.search(r"\b(contacts|callers)\b", s)]


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@pytest.fixture()
def at_heard_via(client, db_session: Session, ivr: Path, clock: list[Any]) -> Contact:
    """A call that chose English and now waits at the heard_via question; the clock a minute on."""
    signed_post(client, "/twilio/voice", CALL)
    assert signed_post(client, CHOOSE, {**CALL, "Digits": "2"}).status_code == 200
    clock[0] += timedelta(minutes=1)
    contact = calls.contact_of(db_session, CALL["CallSid"])
    assert contact.state["node"] == "heard_via" and contact.state["seq"] == 2
    return contact


def test_a_step_that_teaches_the_caller_is_one_read_and_one_write_on_postgresql(
        client, db_session: Session, at_heard_via: Contact, clock: list[Any]) -> None:
    with statements(db_session) as seen:
        response = signed_post(client, HEARD_VIA, {**CALL, "Digits": "1"})
    assert response.status_code == 200
    ours = call_statements(seen)
    if is_postgresql(db_session):  # the row is locked until commit; both UPDATEs go in one statement
        assert [s.split()[0] for s in ours] == ["SELECT", "WITH"] and "FOR UPDATE" in ours[0]
    else:  # SQLite has no data-modifying WITH: the caller's UPDATE is a statement of its own
        assert [s.split()[0] for s in ours] == ["SELECT", "UPDATE", "UPDATE"]
    contact = at_heard_via
    db_session.refresh(contact)
    assert contact.state["node"] == "main_menu" and contact.state["seq"] == 3
    assert contact.state["twiml"] == response.data.decode()
    assert contact.ivr_path[-2:] == ["heard_via", "main_menu"] and contact.last_activity_at == clock[0]
    assert contact.heard_via == "radio" and contact.language == "en"
    caller = db_session.get(Caller, contact.caller_id)
    assert caller is not None
    db_session.refresh(caller)
    assert caller.heard_via == "radio" and caller.language == "en"


def test_a_step_that_learns_nothing_writes_only_the_contact(client, db_session: Session,
                                                           at_heard_via: Contact) -> None:
    signed_post(client, HEARD_VIA, {**CALL, "Digits": "1"})
    with statements(db_session) as seen:
        again = signed_post(client, MAIN_MENU, {**CALL, "Digits": "0"})  # "hear this again"
    assert again.status_code == 200
    assert [s.split()[0] for s in call_statements(seen)] == ["SELECT", "UPDATE"]
    contact = at_heard_via
    db_session.refresh(contact)
    assert contact.state["seq"] == 4 and contact.ivr_path[-1] == "main_menu"


def test_a_replayed_or_stale_step_reads_once_and_writes_nothing(client, db_session: Session,
                                                               at_heard_via: Contact) -> None:
    first = signed_post(client, HEARD_VIA, {**CALL, "Digits": "1"})
    contact = at_heard_via
    db_session.refresh(contact)
    path, state = list(contact.ivr_path), dict(contact.state)
    with statements(db_session) as seen:
        replay = signed_post(client, HEARD_VIA, {**CALL, "Digits": "3"})
        stale = signed_post(client, CHOOSE, {**CALL, "Digits": "1"})
    assert replay.data == stale.data == first.data
    assert [s.split()[0] for s in call_statements(seen)] == ["SELECT", "SELECT"]
    db_session.refresh(contact)
    assert contact.ivr_path == path and contact.state == state and contact.heard_via == "radio"


def test_a_heard_via_the_caller_told_before_is_kept(client, db_session: Session, at_heard_via: Contact) -> None:
    caller = db_session.get(Caller, at_heard_via.caller_id)
    assert caller is not None
    caller.heard_via = "poster"  # e.g. told in a call that ended while this one was in the language menu
    db_session.flush()
    signed_post(client, HEARD_VIA, {**CALL, "Digits": "1"})
    db_session.refresh(caller)
    contact = at_heard_via
    db_session.refresh(contact)
    assert caller.heard_via == "poster" and contact.heard_via == "radio"


def test_a_callback_request_on_a_step_is_filed_for_the_caller(client, db_session: Session,
                                                             at_heard_via: Contact) -> None:
    signed_post(client, HEARD_VIA, {**CALL, "Digits": "1"})
    asked = signed_post(client, MAIN_MENU, {**CALL, "Digits": "4"})  # consent first: nothing is filed yet
    contact = at_heard_via
    db_session.refresh(contact)
    assert "call you back on this number" in asked.data.decode() and not contact.reports
    response = signed_post(client, "/twilio/voice/step?node=callback_consent&n=4", {**CALL, "Digits": "1"})
    assert response.status_code == 200
    db_session.refresh(contact)
    assert [(r.type, r.caller_id) for r in contact.reports] == [("request", contact.caller_id)]
    assert contact.state["twiml"] == response.data.decode() and "callback" in contact.ivr_path


# A retried step and its first delivery at the same time, each in its own transaction: a database of the test's
# own, since the shared test transaction would serialise them.
@pytest.fixture()
def own_app(database_url: str, make_app: Callable[..., Flask], tmp_path: Path) -> Iterator[Flask]:
    if database_url.startswith("postgresql"):
        with scratch_postgres_database(database_url, "steps") as own:
            yield make_app(database_url=own)
    else:
        own = f"sqlite:///{tmp_path / 'steps.sqlite3'}"
        upgrade(own)
        yield make_app(database_url=own)


def test_a_retried_step_waits_for_the_first_and_changes_nothing(own_app: Flask,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    incoming = signed_post(own_app.test_client(), "/twilio/voice", CALL)
    gather = re.search(r'<Gather action="([^"]+)"', incoming.data.decode())
    assert gather is not None
    step = html.unescape(gather.group(1))
    rendering, release = threading.Event(), threading.Event()
    render = service._render_step

    def paused_render(*args: Any) -> str:
        if not rendering.is_set():  # the first delivery holds the call's row from here until it commits
            rendering.set()
            assert release.wait(10)
        return render(*args)

    monkeypatch.setattr(service, "_render_step", paused_render)
    answers: dict[str, bytes] = {}

    def deliver(name: str) -> None:
        answers[name] = signed_post(own_app.test_client(), step, {**CALL, "Digits": "1"}).data

    first = threading.Thread(target=deliver, args=("first",))
    first.start()
    assert rendering.wait(10)
    retry = threading.Thread(target=deliver, args=("retry",))
    try:
        retry.start()
        retry.join(0.5)
        assert retry.is_alive()  # waiting for the first delivery's lock, not stepping the same state again
    finally:
        release.set()
    first.join(10)
    retry.join(10)
    assert answers["retry"] == answers["first"] != incoming.data
    with own_app.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.provider_id == CALL["CallSid"]))
        assert contact is not None and contact.state["seq"] == 2  # stepped once
        assert contact.state["twiml"] == answers["first"].decode()


def test_a_status_callback_locks_the_call_it_rewrites(client, db_session: Session, at_heard_via: Contact) -> None:
    status = {**CALL, "CallStatus": "completed", "CallDuration": "42"}
    with statements(db_session) as seen:
        assert signed_post(client, "/twilio/voice/status", status).status_code == 204
    ours = call_statements(seen)
    if is_postgresql(db_session):  # a step arriving now waits, then reads the state this callback wrote
        assert "FOR UPDATE" in ours[0]
    db_session.refresh(at_heard_via)
    assert at_heard_via.status == "completed" and at_heard_via.state["call"]["duration"] == 42
    assert at_heard_via.state["node"] == "heard_via"  # the flow's state is kept, only the call's info added
