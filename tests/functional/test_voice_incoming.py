"""The incoming-call webhook: a new call stored with its first flow state in one INSERT, and the paths around it."""

from __future__ import annotations

import dataclasses
import re

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.intake.models import Caller, Contact, Report
from hotline.ivr.runtime import ivr_content
from tests.databases import statements
from tests.factories import signed_post
from tests.functional import test_voice_calls as calls

ivr, clock, twiml_schema = calls.ivr, calls.clock, calls.twiml_schema
pytestmark = pytest.mark.usefixtures("ivr", "clock")
CALL = {"CallSid": "CA" + "c" * 32, "From": "+93701234567", "To": calls.AFGHAN, "AccountSid": "AC" + "0" * 32}


def test_a_new_call_is_one_lookup_and_the_two_inserts(client, db_session: Session) -> None:
    with statements(db_session) as seen:
        response = signed_post(client, "/twilio/voice", CALL)
    assert response.status_code == 200
    # Statements on the call's tables only: other hooks of the request (e.g. a periodic sweep) are not the call's.
    ours = [s.split()[0] for s in seen if re.search(r"\b(contacts|callers)\b", s)]
    # One SELECT asks both whether the call is stored already and who its caller is; a new caller and their call
    # are inserted in one statement on PostgreSQL (a data-modifying WITH), in two on SQLite.
    postgresql = db_session.get_bind().dialect.name == "postgresql"
    assert ours == (["SELECT", "WITH"] if postgresql else ["SELECT", "INSERT", "INSERT"])
    contact = calls.contact_of(db_session, CALL["CallSid"])
    # What the first step decided is in the contact as inserted: its TwiML, path, status and node.
    assert contact.state["twiml"] == response.data.decode()
    assert contact.state["node"] == "choose_language" and contact.state["seq"] == 1
    assert contact.ivr_path == ["notice", "choose_language"] and contact.status == "in-progress"
    assert contact.caller is not None and contact.caller.last_seen_at == contact.started_at


def test_a_single_language_number_stores_the_language_with_the_caller(client, db_session: Session,
                                                                       app: Flask) -> None:
    content = ivr_content(app)
    english_only = dataclasses.replace(content.hotlines, numbers={}, default=dataclasses.replace(
        content.hotlines.default, languages=("en",)))
    app.extensions["hotline_ivr"] = dataclasses.replace(content, hotlines=english_only)
    signed_post(client, "/twilio/voice", CALL)
    contact = calls.contact_of(db_session, CALL["CallSid"])
    assert contact.language == "en" and contact.caller is not None and contact.caller.language == "en"
    assert contact.ivr_path == ["notice", "choose_language", "heard_via"]


def test_a_status_callback_before_the_call_still_starts_the_flow(client, db_session: Session) -> None:
    signed_post(client, "/twilio/voice/status", {**CALL, "CallStatus": "ringing"})
    response = signed_post(client, "/twilio/voice", CALL)
    assert response.status_code == 200 and b"<Gather" in response.data
    contact = calls.contact_of(db_session, CALL["CallSid"])
    db_session.refresh(contact)
    assert contact.state["twiml"] == response.data.decode() and contact.state["call"] == {}
    assert len(db_session.scalars(select(Caller)).all()) == 1


def test_a_flow_that_files_a_request_first_files_it_on_the_new_contact(client, db_session: Session,
                                                                        app: Flask) -> None:
    content = ivr_content(app)
    app.extensions["hotline_ivr"] = dataclasses.replace(content, flow=dataclasses.replace(content.flow,
                                                                                          start="callback"))
    response = signed_post(client, "/twilio/voice", CALL)
    assert response.status_code == 200
    contact = calls.contact_of(db_session, CALL["CallSid"])
    report = db_session.scalar(select(Report).where(Report.contact_id == contact.id))
    assert report is not None and report.type == "request" and report.caller_id == contact.caller_id
    assert contact.ivr_path == ["callback", "main_menu"] and contact.state["twiml"] == response.data.decode()
    again = signed_post(client, "/twilio/voice", CALL)
    assert again.data == response.data and len(db_session.scalars(select(Report)).all()) == 1


def test_a_replayed_call_writes_nothing(client, db_session: Session) -> None:
    first = signed_post(client, "/twilio/voice", CALL)
    with statements(db_session) as seen:
        again = signed_post(client, "/twilio/voice", CALL)
    assert again.data == first.data
    assert not [s for s in seen if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert len([s for s in seen if re.search(r"\b(contacts|callers)\b", s)]) == 2  # the key, then the stored answer
    assert db_session.scalar(select(Contact).where(Contact.provider_id == CALL["CallSid"])) is not None
