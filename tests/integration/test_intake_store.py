"""The store, intake's one write path: one statement per row, returning loaded objects, and what Core writes
expire."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.db import ReadOnlySessionError
from hotline.extensions import db
from hotline.intake import store
from hotline.intake.models import Caller, Contact, Message, Report
from hotline.intake.service import Learnt, record
from tests.factories import make_sms_intake


def test_an_updated_row_refreshes_the_object_the_session_holds(app: Flask, db_session: Session) -> None:
    caller = record(db_session, make_sms_intake(), runtime(app).intake_context()).caller
    assert caller is not None and caller.language != "fa"
    returned = store.update_row(db_session, Caller, caller.id, {"language": "fa"})
    assert returned is caller and caller.language == "fa"  # the same object, refreshed: not the value loaded before


def test_a_caller_and_their_contact_are_updated_together_or_not_at_all(app: Flask, db_session: Session) -> None:
    result = record(db_session, make_sms_intake(), runtime(app).intake_context())
    caller, contact = result.caller, result.contact
    assert caller is not None
    latest = contact.last_activity_at
    both = store.update_caller_and_contact(db_session, caller.id, {"language": "fa"}, contact.id,
                                           {"heard_via": "radio", "last_activity_at": latest - timedelta(hours=1)})
    # The objects the session holds, refreshed; an activity time still only moves forward.
    assert both == (caller, contact) and caller.language == "fa" and contact.heard_via == "radio"
    assert contact.last_activity_at == latest
    with pytest.raises(IntegrityError):  # the caller is gone: neither row is written
        store.update_caller_and_contact(db_session, caller.id + 1000, {"language": "ps"}, contact.id,
                                        {"heard_via": "poster"})
    db_session.expire_all()
    assert (caller.language, contact.heard_via) == ("fa", "radio")


def test_a_message_and_its_report_are_inserted_together_with_every_default(app: Flask, db_session: Session) -> None:
    contact = record(db_session, make_sms_intake(), runtime(app).intake_context()).contact
    now = contact.last_activity_at
    message, report = store.insert_message_and_report(
        db_session, {"contact_id": contact.id, "direction": "in", "provider_sid": "SM-pair", "body": "hello"},
        {"contact_id": contact.id, "channel": "sms", "source_id": "SM-pair", "received_at": now, "week": now.date(),
         "type": "question", "category": "other", "text": "hello"})
    # Loaded objects in the session, linked, and the columns the ORM's own INSERT would have filled are filled.
    assert report.message_id == message.id and db_session.get(Report, report.id) is report
    assert (message.num_media, message.media, message.status) == (0, [], "received")
    assert message.created_at is not None and report.updated_at is not None
    assert (report.status, report.urgency, report.urgency_rank, report.auto_answered) == \
        ("new", "normal", 2, False)
    db_session.flush()
    db_session.expire_all()
    stored = db_session.get(Message, message.id)
    assert stored is not None and stored.body == "hello"
    assert db_session.scalar(select(Report.message_id).where(Report.id == report.id)) == message.id


def test_an_inserted_object_holds_what_reading_the_row_back_gives(app: Flask, db_session: Session) -> None:
    contact = record(db_session, make_sms_intake(), runtime(app).intake_context()).contact
    kabul = timezone(timedelta(hours=4, minutes=30))
    at = contact.last_activity_at.astimezone(kabul)
    media = ({"url": "https://api.twilio.com/m/1", "content_type": "image/jpeg"},)  # a tuple: JSON reads a list
    message, report = store.insert_message_and_report(
        db_session, {"contact_id": contact.id, "direction": "in", "provider_sid": "SM-read-back", "body": "سلام",
                     "media": media, "created_at": at},
        {"contact_id": contact.id, "channel": "sms", "source_id": "SM-read-back", "received_at": at,
         "week": at.date(), "type": "question", "category": "other", "text": "سلام", "language": "prs"})
    reply = store.insert_row(db_session, Message, {"contact_id": contact.id, "direction": "out", "body": "ok"})
    built = {row: {column.key: getattr(row, column.key) for column in inspect(type(row)).column_attrs}
             for row in (message, report, reply)}
    assert message.media == [dict(item) for item in media] and message.media is not media
    db_session.flush()
    db_session.expire_all()  # read every column back from the database
    for row, values in built.items():
        assert {key: getattr(row, key) for key in values} == values, type(row).__name__
        assert not inspect(row).modified


def test_activity_times_only_move_forward(app: Flask, db_session: Session) -> None:
    result = record(db_session, make_sms_intake(), runtime(app).intake_context())
    latest = result.contact.last_activity_at
    store.update_row(db_session, Contact, result.contact.id, {"last_activity_at": latest - timedelta(hours=1)})
    assert result.contact.last_activity_at == latest  # an event filed late never moves the activity back
    store.update_row(db_session, Contact, result.contact.id, {"last_activity_at": latest + timedelta(hours=1)})
    assert result.contact.last_activity_at == latest + timedelta(hours=1)


def test_an_insert_once_returns_none_when_the_key_is_taken(app: Flask, db_session: Session) -> None:
    contact = record(db_session, make_sms_intake(), runtime(app).intake_context()).contact
    again = store.insert_row(db_session, Contact, {"channel": "sms", "provider_id": contact.provider_id}, once=True)
    assert again is None
    fresh = store.insert_row(db_session, Contact, {"channel": "sms", "provider_id": "SM-new-key"}, once=True)
    assert fresh is not None and fresh.id != contact.id and fresh.state == {} and fresh.ivr_path == []  # defaults


def test_one_lookup_answers_a_new_events_questions(app: Flask, db_session: Session) -> None:
    event = make_sms_intake()
    ctx = runtime(app).intake_context()
    result = record(db_session, event, ctx)
    assert result.caller is not None and result.message is not None
    statement = store.look_up(message=True, caller=True, conversation=True)
    assert statement is store.look_up(message=True, caller=True, conversation=True)  # built once per shape
    row = store.execute(db_session, statement, {
        "message_sid": event.message.sid if event.message else None, "pseudonym": result.caller.pseudonym,
        "channel": "sms", "since": event.received_at - timedelta(hours=1)}).one()
    assert (row.message_id, row.caller_id, row.conversation_id) == (result.message.id, result.caller.id,
                                                                     result.contact.id)
    nobody = store.execute(db_session, statement, {"message_sid": "SM-none", "pseudonym": "nobody", "channel": "sms",
                                                   "since": event.received_at}).one()
    assert (nobody.message_id, nobody.caller_id, nobody.conversation_id) == (None, None, None)


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
        assert store.execute(reader, store.look_up(contact=True), {"contact_key": "nothing"}).one().contact_id is None
        with pytest.raises(ReadOnlySessionError):
            store.update_row(reader, Contact, contact_id, {"status": "x"})
        with pytest.raises(ReadOnlySessionError):
            store.execute(reader, update(store.CONTACTS).where(store.CONTACTS.c.id == contact_id).values(status="x"))
    finally:
        reader.close()


def test_what_a_channel_learns_is_written_with_the_rows(app: Flask, db_session: Session) -> None:
    ctx = runtime(app).intake_context()
    asked: list[str | None] = []

    def learn(known: str | None) -> Learnt:
        asked.append(known)
        return Learnt("ur", 0.75, caller_adopts=True)

    first = record(db_session, make_sms_intake(sender="+923001234567"), ctx, learn)
    assert asked == [None]  # a new caller: no language known yet
    assert first.report is not None and (first.report.language, first.report.language_confidence) == ("ur", 0.75)
    assert (first.contact.language, first.contact.language_confidence) == ("ur", 0.75)
    assert first.caller is not None and first.caller.language == "ur"  # they had none: they adopt it

    second = record(db_session, make_sms_intake(sender="+923001234567"), ctx,
                    lambda known: asked.append(known) or Learnt("prs", 0.9, caller_adopts=True))
    assert asked == [None, "ur"]  # the caller's language, as stored before this event
    assert second.caller is not None and second.caller.language == "ur"  # a known language is not replaced
    assert second.report is not None and second.report.language == "prs"  # the text's own language is

    replayed = make_sms_intake(sender="+923001234567")
    record(db_session, replayed, ctx)
    again = record(db_session, replayed, ctx, lambda known: asked.append(known) or Learnt("bn"))
    assert not again.created and asked == [None, "ur"]  # a replay learns nothing


def test_the_id_only_writes_build_no_object_and_leave_none_stale(app: Flask, db_session: Session) -> None:
    caller = record(db_session, make_sms_intake(), runtime(app).intake_context()).caller
    assert caller is not None
    assert store.update_id(db_session, Caller, caller.id, {"language": "ps"}) == caller.id
    assert caller.language == "ps"  # the loaded object reloads what was written
    new_id = store.insert_id(db_session, Contact, {"channel": "voice", "provider_id": "CA-id-only"}, once=True)
    assert new_id is not None and db_session.identity_map.get(db_session.identity_key(Contact, new_id)) is None
    assert store.insert_id(db_session, Contact, {"channel": "voice", "provider_id": "CA-id-only"}, once=True) is None
