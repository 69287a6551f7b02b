"""The store, intake's one write path: Core writes on the session's transaction, and what they expire."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.db import ReadOnlySessionError
from hotline.extensions import db
from hotline.intake import store
from hotline.intake.models import Contact
from hotline.intake.service import record
from tests.factories import make_sms_intake


def test_a_caller_written_behind_the_orm_reads_back_fresh(app: Flask, db_session: Session) -> None:
    caller = record(db_session, make_sms_intake(), runtime(app).intake_context()).caller
    assert caller is not None and caller.language != "fa"
    store.update_caller(db_session, caller.id, {"language": "fa"})
    assert caller.language == "fa"  # expired by the write, so reloaded: not the value loaded before


def test_a_contact_step_written_behind_the_orm_reads_back_fresh(app: Flask, db_session: Session) -> None:
    contact = record(db_session, make_sms_intake(), runtime(app).intake_context()).contact
    contact.status = "in-progress"  # a change pending on the loaded object
    store.execute(db_session, store.SAVE_CALL, {"contact_id": contact.id, "ivr_path": ["welcome"]})
    assert contact.ivr_path == []  # a Core write alone leaves the loaded object stale...
    store.expire_loaded(db_session, Contact, contact.id, ["ivr_path"])
    assert contact.ivr_path == ["welcome"]  # ...until what it wrote is expired
    assert contact.status == "in-progress"  # and only that: the pending change is kept
    db_session.flush()
    assert db_session.scalar(select(Contact.status).where(Contact.id == contact.id)) == "in-progress"


def test_state_changes_are_merged_and_written(app: Flask, db_session: Session) -> None:
    contact = record(db_session, make_sms_intake(), runtime(app).intake_context()).contact
    store.update_state(contact, {"place": "Herat", "heard_from": "a neighbour"})
    store.update_state(contact, {"callback_requested_at": "2026-12-03T10:00:00+00:00"})
    db_session.flush()
    db_session.expire(contact)
    assert contact.state == {"place": "Herat", "heard_from": "a neighbour",
                             "callback_requested_at": "2026-12-03T10:00:00+00:00"}
    assert store.remove_state(contact, ["place", "heard_on"])
    assert not store.remove_state(contact, ["place"])
    db_session.flush()
    db_session.expire(contact)
    assert contact.state == {"heard_from": "a neighbour", "callback_requested_at": "2026-12-03T10:00:00+00:00"}


def test_a_read_only_session_refuses_a_store_write(app: Flask, db_session: Session) -> None:
    contact_id = record(db_session, make_sms_intake(), runtime(app).intake_context()).contact.id
    reader = db.new_session(read_only=True)
    try:
        assert store.execute(reader, store.CONTACT_ID_BY_KEY, {"key": "nothing"}).first() is None  # reads pass
        with pytest.raises(ReadOnlySessionError):
            store.execute(reader, update(store.CONTACTS).where(store.CONTACTS.c.id == contact_id).values(status="x"))
    finally:
        reader.close()
