"""Replay the spool into the database: oldest first, each record in its own transaction, exactly once.

Each record goes through the same services a live webhook uses (intake, the SMS service, the call status
service), so a replayed text is stored, language-detected, flood-checked and answered like any other, and a
record that the database already holds (a webhook that was stored and then also spooled) stores nothing new.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.channels.twilio.voice_forms import CallForm, RecordingForm, StatusForm
from hotline.context import runtime
from hotline.db import is_outage
from hotline.intake import store
from hotline.intake.constants import Channel, MessageStatus
from hotline.intake.inbound import InboundRecording, InboundReport, Intake
from hotline.intake.models import Recording, Report
from hotline.intake.service import record
from hotline.ivr import service as voice
from hotline.ivr.runtime import ivr_content
from hotline.ivr.twiml import CallUrls
from hotline.jobs import job_session
from hotline.privacy.sealed_records import (
    SMS_INBOUND,
    SMS_STATUS,
    VOICE_CALL,
    VOICE_RECORDING,
    VOICE_STATUS,
    SpoolCorrupt,
    SpoolRecord,
    decode,
)
from hotline.sms import replies
from hotline.sms.inbound import StatusCallbackSchema
from hotline.sms.outbound import record_status
from hotline.sms.runtime import sms_context
from hotline.sms.service import handle_inbound
from hotline.spool.store import ReplayBusy, Spool

log = logging.getLogger("hotline.spool")
INCOMPLETE = "incomplete"


@dataclass
class ReplayResult:
    """What one replay did."""

    applied: int = 0
    set_aside: int = 0
    remaining: int = 0
    busy: bool = False
    outage: bool = False


def replay(spool: Spool, progress: Callable[[int], None] | None = None) -> ReplayResult:
    """Apply every spooled record, oldest first; stop (keeping the rest) at the first sign of an outage."""
    result = ReplayResult()
    try:
        with spool.replaying():
            spool.rotate()
            for batch in spool.batches():
                if not _replay_batch(spool, batch, result, progress):
                    result.outage = True
                    break
                batch.remove()
    except ReplayBusy:
        result.busy = True
    result.remaining = spool.backlog()
    if result.applied or result.set_aside:
        log.info("spool replayed", extra={"applied": result.applied, "set_aside": result.set_aside,
                                          "remaining": result.remaining})
    return result


def _replay_batch(spool: Spool, batch: Any, result: ReplayResult, progress: Callable[[int], None] | None) -> bool:
    done = batch.done()
    for index, line in enumerate(batch.lines()):
        if index < done:
            continue
        try:
            apply_line(spool, line)
            result.applied += 1
        except SpoolCorrupt as exc:
            log.error("spool record cannot be opened; set aside", extra={"reason": str(exc)})
            spool.set_aside(line)
            result.set_aside += 1
        except Exception as exc:
            if is_outage(exc):
                return False
            log.exception("spool record could not be applied; set aside")
            spool.set_aside(line)
            result.set_aside += 1
        batch.advance(index + 1)
        if progress is not None:
            progress(1)
    return True


def apply_line(spool: Spool, line: bytes) -> None:
    """Open one spool line and apply it in a transaction of its own (committed, or rolled back and raised)."""
    spooled = decode(spool.keys, line)
    with job_session() as session:  # committed, or rolled back and raised
        apply_record(session, spooled)


def apply_record(session: Session, spooled: SpoolRecord) -> None:
    """Store one spooled webhook through the service its live twin uses (flush only)."""
    _APPLIERS[spooled.kind](session, spooled)


def _sms_inbound(session: Session, spooled: SpoolRecord) -> None:
    ctx = sms_context()
    outcome = handle_inbound(session, spooled.form, ctx, spooled.received_at)
    # The caller already got the acknowledgement in the degraded answer: record it as sent, never send it twice.
    # Whatever script or hours the live service chose, an acknowledgement is one the caller already had.
    number = spooled.form.get("To")
    variants = [(code, variant) for code in (*ctx.languages.codes, "en")
                for variant in (code, replies.reply_variant(code, "Latn", ctx.languages))]
    acks = {replies.render(variant, replies.ACKNOWLEDGEMENT, hours=hours)
            for code, variant in variants
            for hours in (ctx.config.opening_hours, ctx.opening_hours(number, code))}
    for reply in outcome.replies:
        if reply.body in acks and reply.status == MessageStatus.QUEUED:
            reply.status = MessageStatus.SENT
    session.flush()


def _sms_status(session: Session, spooled: SpoolRecord) -> None:
    data = StatusCallbackSchema().load(spooled.form)
    record_status(session, data["MessageSid"], data["MessageStatus"], data["ErrorCode"], spooled.received_at)


def _voice_call(session: Session, spooled: SpoolRecord) -> None:
    form = CallForm().load(spooled.form)
    result = record(session, _call_intake(form, spooled.received_at), runtime().intake_context())
    contact = result.contact
    if not contact.state.get("twiml"):  # the IVR never ran for this call: say the caller had the degraded flow
        store.update_state(contact, {"degraded": True})
        contact.status = contact.status or voice.IN_PROGRESS
    session.flush()


def _voice_recording(session: Session, spooled: SpoolRecord) -> None:
    form = RecordingForm().load(spooled.form)
    node = ivr_content().flow.nodes.get(spooled.args.get("node", ""))
    report_type = (node.report_type if node is not None else None) or spooled.args.get("type") or "question"
    duration = form["RecordingDuration"]
    kept_type = report_type if duration is not None and duration >= 1 else INCOMPLETE
    call = _call_intake(form, spooled.received_at)
    contact = record(session, call, runtime().intake_context()).contact
    event = Intake(
        channel=Channel.VOICE, received_at=spooled.received_at, sender=None, contact_key=form["CallSid"],
        hotline_number=contact.hotline_number, language=contact.language,
        recording=InboundRecording(sid=form["RecordingSid"], purpose=report_type[:16], media_url=form["RecordingUrl"],
                                   duration_seconds=duration),
        report=InboundReport(source_id=form["RecordingSid"], type=kept_type, language=contact.language),
    )
    result = record(session, event, runtime().intake_context())
    _complete_recording(session, result.report, form, kept_type, contact.caller_id)


def _complete_recording(session: Session, report: Report | None, form: dict[str, Any], kept_type: str,
                        caller_id: int | None) -> None:
    """The second of action and callback fills in what the first did not carry (as the live service does)."""
    report = report or session.scalar(select(Report).where(Report.source_id == form["RecordingSid"]))
    stored = session.scalar(select(Recording).where(Recording.provider_sid == form["RecordingSid"]))
    if stored is not None:
        stored.media_url = stored.media_url or form["RecordingUrl"]
        duration = form["RecordingDuration"]
        if duration is not None and (stored.duration_seconds is None or stored.duration_seconds < duration):
            stored.duration_seconds = duration
    if report is not None:
        if report.caller_id is None:
            report.caller_id = caller_id
        if report.type == INCOMPLETE and kept_type != INCOMPLETE and report.coded_by_id is None:
            report.type = kept_type
    session.flush()


def _voice_status(session: Session, spooled: SpoolRecord) -> None:
    form = StatusForm().load(spooled.form)
    call = voice.CallRequest(form["CallSid"], form["From"], form["To"], spooled.received_at)
    ctx = voice.VoiceContext(ivr_content(), runtime().intake_context(), runtime().languages, _no_urls)
    voice.update_call_status(session, ctx, call, form["CallStatus"], form["CallDuration"])


def _no_urls(_seq: int) -> CallUrls:
    raise RuntimeError("a replayed status callback renders no TwiML")


def _call_intake(form: dict[str, Any], received_at: datetime) -> Intake:
    return Intake(channel=Channel.VOICE, received_at=received_at, sender=form["From"], contact_key=form["CallSid"],
                  hotline_number=form["To"])


_APPLIERS: dict[str, Callable[[Session, SpoolRecord], None]] = {
    SMS_INBOUND: _sms_inbound, SMS_STATUS: _sms_status, VOICE_CALL: _voice_call,
    VOICE_RECORDING: _voice_recording, VOICE_STATUS: _voice_status,
}
