"""Send the planned synthetic traffic through the real intake service, then code it as operators would."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.models import User
from hotline.demo.audio import attach_sample_audio
from hotline.demo.phones import hotline_number, national_format, synthetic_number
from hotline.demo.plan import PlannedReport
from hotline.field.models import FocalPoint
from hotline.intake.constants import Channel, HeardVia, ReportStatus
from hotline.intake.inbound import InboundMessage, InboundRecording, InboundReport, Intake
from hotline.intake.models import Report
from hotline.intake.service import IntakeContext, record
from hotline.rumours.models import Rumour

PROGRESS_EVERY = 40
_FOCAL_POINT_NUMBERS = 9000  # focal points' synthetic numbers start here, apart from callers'
_PHONE_PLACEHOLDER = "{phone}"


def sid(rng: random.Random, prefix: str) -> str:
    """A Twilio-shaped id (two letters and 32 hex digits) drawn from ``rng``."""
    return f"{prefix}{rng.getrandbits(128):032x}"


def sender_number(plan: PlannedReport) -> str:
    """The synthetic E.164 number of the caller who sent ``plan``."""
    return synthetic_number(plan.country, plan.caller_index)


def focal_point_number(index: int, point: FocalPoint) -> str:
    """The synthetic E.164 number of the ``index``-th focal point."""
    return synthetic_number(point.country or "AF", _FOCAL_POINT_NUMBERS + index)


def send_traffic(
    session: Session,
    ctx: IntakeContext,
    rng: random.Random,
    plans: Sequence[PlannedReport],
    staff: Mapping[str, User],
    focal_points: Sequence[FocalPoint],
    rumours: Mapping[str, Rumour],
    echo: Callable[[str], None],
    recordings: Path | None = None,
) -> list[str]:
    """Record every planned report through intake; returns the sender numbers used (for privacy checks).

    With ``recordings`` (the recordings folder), calls whose words have a sample recording get it, playable.
    """
    senders: list[str] = []
    for plan in plans:
        point_index = _focal_point_for(plan, focal_points) if plan.channel == Channel.FIELD else None
        if point_index is None:
            sender = sender_number(plan)
            event = _caller_event(rng, plan, sender)
        else:
            point = focal_points[point_index]
            sender = focal_point_number(point_index, point)
            event = _field_event(rng, plan, sender, point)
        senders.append(sender)
        result = record(session, event, ctx)
        if point_index is not None and result.caller is not None:
            focal_points[point_index].caller_id = result.caller.id
        if recordings is not None and result.report is not None and result.report.recording is not None:
            attach_sample_audio(plan, result.report.recording, recordings)
        if result.report is not None and plan.coded:
            _code_as_operator(session, result.report, plan, staff["operator"], rumours)
        if (plan.index + 1) % PROGRESS_EVERY == 0 or plan.index + 1 == len(plans):
            echo(f"seeding reports {plan.index + 1}/{len(plans)}")
    return senders


def _focal_point_for(plan: PlannedReport, points: Sequence[FocalPoint]) -> int | None:
    for index, point in enumerate(points):
        if point.country == plan.country and plan.language in point.languages:
            return index
    return None  # nobody in the field there: treat it as a call instead


def _caller_text(plan: PlannedReport, sender: str) -> str:
    # Callers asking for a call-back write their own number: intake must redact it.
    return plan.text.replace(_PHONE_PLACEHOLDER, national_format(sender))


def _caller_event(rng: random.Random, plan: PlannedReport, sender: str) -> Intake:
    channel = Channel.VOICE if plan.channel == Channel.FIELD else plan.channel
    heard_via = rng.choice(list(HeardVia)) if rng.random() < 0.5 else None
    base = Intake(channel=channel, received_at=plan.received_at, sender=sender, language=plan.language,
                  hotline_number=hotline_number(plan.country), heard_via=heard_via)
    if channel == Channel.VOICE:
        recording = InboundRecording(sid=sid(rng, "RE"), purpose=_recording_purpose(plan),
                                     content_type="audio/mpeg", duration_seconds=rng.randint(8, 110))
        return replace(base, contact_key=sid(rng, "CA"), ivr_step="record", recording=recording,
                       report=_inbound_report(plan, recording.sid, None))
    message = InboundMessage(sid=sid(rng, "SM"), body=_caller_text(plan, sender))
    return replace(base, sender=f"whatsapp:{sender}" if channel == Channel.WHATSAPP else sender, message=message,
                   report=_inbound_report(plan, message.sid, message.body))


def _inbound_report(plan: PlannedReport, source_id: str, text: str | None) -> InboundReport:
    # Calls and messages arrive uncoded; the place comes from the IVR's region menu or the number's country.
    return InboundReport(source_id=source_id, text=text, language=plan.language, country=plan.country,
                         admin1=plan.admin1, urgency=plan.urgency, sensitivity=plan.sensitivity)


def _recording_purpose(plan: PlannedReport) -> str:
    return "question" if plan.sample.type == "question" else "report"


def _field_event(rng: random.Random, plan: PlannedReport, sender: str, point: FocalPoint) -> Intake:
    submission = sid(rng, "FS")
    # Focal points pick the category themselves from the codebook's list when they log what they heard.
    report = InboundReport(
        source_id=submission, text=_caller_text(plan, sender), type=plan.sample.type,
        category=plan.sample.category, code=plan.sample.code, language=plan.language, country=plan.country,
        admin1=plan.admin1, urgency=plan.urgency, sensitivity=plan.sensitivity, people_count=rng.randint(2, 40),
    )
    return Intake(channel=Channel.FIELD, received_at=plan.received_at, sender=sender, contact_key=sid(rng, "FV"),
                  language=plan.language, focal_point_id=point.id, report=report)


def _code_as_operator(
    session: Session, report: Report, plan: PlannedReport, operator: User, rumours: Mapping[str, Rumour]
) -> None:
    sample = plan.sample
    claimed = plan.received_at + min(plan.handled_after / 4, timedelta(hours=2))
    handled = plan.received_at + plan.handled_after
    report.type, report.category, report.code = sample.type, sample.category, sample.code
    report.coded_by_id = report.assignee_id = operator.id
    report.status, report.claimed_at = plan.status, claimed
    if plan.status in (ReportStatus.ANSWERED, ReportStatus.CLOSED):
        report.answered_at = handled
    if plan.status == ReportStatus.CLOSED:
        report.closed_at = handled + timedelta(hours=1)
    english = sample.texts.get("en", ("",))[0]
    if plan.language != "en" and english and _PHONE_PLACEHOLDER not in english:
        report.translation = english  # the operator's English rendering, heard or read
    rumour = rumours.get(sample.rumour) if sample.rumour else None
    report.rumour_id = rumour.id if rumour else None
    session.flush()
    event = record_event(
        session, f"user:{operator.id}", "report.code", "report", report.id, actor_user_id=operator.id,
        after={"type": sample.type, "category": sample.category, "code": sample.code, "status": plan.status,
               "rumour_id": report.rumour_id},
    )
    event.at = claimed
