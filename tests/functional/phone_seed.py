"""Seed a live server for the softphone browser test: an operator and a Dari caller waiting in the queue."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

from hotline.context import runtime
from hotline.extensions import db
from hotline.intake.constants import Channel
from hotline.intake.models import Contact
from hotline.intake.service import record
from tests.factories import STAFF_PASSWORD, make_sms_intake, make_staff, sid

CALLER_NUMBER = "+93701112233"


def seed_phone(app: Flask, out: Path) -> None:
    """Writes the operator's e-mail, the password and the waiting caller's number to ``out`` (JSON)."""
    with app.app_context():
        session = db.session()
        operator = make_staff(session, "operator", email="phone@hotline.test", languages=["prs"])
        since = datetime.now(UTC) - timedelta(minutes=2)
        caller = record(session, make_sms_intake(sender=CALLER_NUMBER, language="prs"),
                        runtime().intake_context()).caller
        session.add(Contact(channel=Channel.VOICE, provider_id=sid("CA"), caller_id=caller.id if caller else None,
                            language="prs", status="in-progress", started_at=since, last_activity_at=since,
                            state={"node": "operator", "seq": 5,
                                   "call": {"queue": {"sid": "QU" + "7" * 32, "since": since.timestamp()}}}))
        session.flush()
        out.write_text(json.dumps({"password": STAFF_PASSWORD, "operator": operator.email, "number": CALLER_NUMBER}))
        session.commit()
