"""`hotline retention purge` and `hotline erase`: personal data goes, coding and aggregate counts stay."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.cli import cli
from hotline.context import runtime
from hotline.intake.constants import Channel
from hotline.intake.inbound import InboundMessage, InboundRecording, InboundReport, Intake
from hotline.intake.models import Caller, Message, Recording, Report
from hotline.intake.service import record
from hotline.ivr.recordings import recordings_dir
from tests.factories import make_sms_intake, sid

NOW = datetime.now(UTC)
OLD_TEXTER, NEW_TEXTER, OLD_CALLER = "+93701111111", "+923002222222", "+8801733333333"


def _aggregates(session: Session) -> list[tuple[Any, ...]]:
    query = (select(Report.week, Report.country, Report.language, Report.channel, Report.type, Report.category,
                    func.count()).group_by(Report.week, Report.country, Report.language, Report.channel, Report.type,
                                           Report.category).order_by(Report.week, Report.channel))
    return [tuple(row) for row in session.execute(query)]


def _seed(app: Flask, session: Session) -> dict[str, Any]:
    ctx = runtime(app).intake_context()
    message_sid = sid("SM")
    media = ({"url": "https://api.twilio.com/m/1", "content_type": "image/jpeg"},)
    body = "They said the boat is safe, call me on +93709999999"
    old = make_sms_intake(OLD_TEXTER, body, received_at=NOW - timedelta(days=400), message_sid=message_sid)
    old = dataclasses.replace(old, message=InboundMessage(message_sid, body, media))
    old_report = record(session, old, ctx).report
    assert old_report is not None
    record(session, make_sms_intake(NEW_TEXTER, "Is the border open?", received_at=NOW - timedelta(days=10)), ctx)
    rec_sid = sid("RE")
    call = Intake(channel=Channel.VOICE, received_at=NOW - timedelta(days=400), sender=OLD_CALLER,
                  contact_key=sid("CA"), recording=InboundRecording(rec_sid, "question", "https://api.twilio.com/r"),
                  report=InboundReport(source_id=rec_sid, type="question"))
    record(session, call, ctx)
    session.commit()  # as in production, intake's classification jobs have run long before any purge
    old_report.type, old_report.category, old_report.translation = "rumour_belief", "smuggler_claims", "boat is safe"
    recording = session.scalar(select(Recording).where(Recording.provider_sid == rec_sid))
    assert recording is not None
    audio = recordings_dir(app) / "2025" / f"{rec_sid}.mp3"
    audio.parent.mkdir(parents=True, exist_ok=True)
    audio.write_bytes(b"ID3 fake audio")
    recording.storage_path = f"2025/{rec_sid}.mp3"
    session.flush()
    return {"audio": audio, "old_message": message_sid}


def test_purge_removes_what_is_due_keeps_the_trends_and_is_idempotent(
    app: Flask, db_session: Session, runner: FlaskCliRunner
) -> None:
    seeded = _seed(app, db_session)
    before = _aggregates(db_session)
    result = runner.invoke(cli, ["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "report texts: 1" in result.output and "recordings: 1" in result.output
    assert "reply addresses: 2" in result.output and "attachments: 1" in result.output
    db_session.expire_all()
    assert _aggregates(db_session) == before
    assert not Path(seeded["audio"]).exists()
    old = db_session.scalar(select(Message).where(Message.provider_sid == seeded["old_message"]))
    assert old is not None and old.body is None and old.media == [] and old.num_media == 1
    texts = dict(db_session.execute(select(Report.channel, Report.text).where(Report.text.is_not(None))).all())
    assert list(texts.values()) == ["Is the border open?"]
    coded = db_session.scalar(select(Report).where(Report.category == "smuggler_claims"))
    assert coded is not None and coded.text is None and coded.translation is None and coded.text_redacted_at
    recording = db_session.scalar(select(Recording))
    assert recording is not None and recording.purged_at and recording.storage_path is None
    kept = db_session.scalar(select(Caller.reply_address).join(Report, Report.caller_id == Caller.id)
                             .where(Report.text.is_not(None)))
    assert kept is not None  # the recent texter can still be answered

    again = runner.invoke(cli, ["retention", "purge"])
    assert again.exit_code == 0 and "done: 0 change(s)" in again.output
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purge")))
    assert len(events) == 2 and events[0].after is not None and events[0].after["report_texts"] == 1
    assert "9370" not in json.dumps([e.after for e in events])


def test_erase_finds_the_caller_by_number_and_erases_them_everywhere(
    app: Flask, db_session: Session, runner: FlaskCliRunner
) -> None:
    seeded = _seed(app, db_session)
    before = _aggregates(db_session)
    declined = runner.invoke(cli, ["erase", OLD_CALLER], input="n\n")
    assert declined.exit_code != 0 and Path(seeded["audio"]).exists()

    result = runner.invoke(cli, ["erase", "-", "--yes"], input=OLD_CALLER + "\n")
    assert result.exit_code == 0, result.output
    assert OLD_CALLER not in result.output and "recordings 1" in result.output
    db_session.expire_all()
    assert not Path(seeded["audio"]).exists() and _aggregates(db_session) == before
    assert runner.invoke(cli, ["erase", OLD_CALLER, "--yes"]).exit_code != 0  # no longer linkable to the number

    texter = runner.invoke(cli, ["erase", OLD_TEXTER, "--yes"])
    assert texter.exit_code == 0, texter.output
    db_session.expire_all()
    old = db_session.scalar(select(Message).where(Message.provider_sid == seeded["old_message"]))
    assert old is not None and old.body is None and old.media == []
    assert db_session.scalar(select(func.count()).select_from(Report).where(Report.text.is_not(None))) == 1
    erased = list(db_session.scalars(select(Caller).where(Caller.pseudonym.like("erased-%"))))
    assert len(erased) == 2 and all(c.reply_address is None and c.phone_masked is None and c.opted_out for c in erased)
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == "caller.erase")))
    assert len(events) == 2 and "+" not in json.dumps([e.after for e in events])
    assert runner.invoke(cli, ["erase", "not-a-number", "--yes"]).exit_code != 0
