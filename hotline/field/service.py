"""Recording field reports: one service for the web form, the SMS format and paper imports (flush only)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from hotline.field.models import FocalPoint
from hotline.field.reports import FieldReport, field_intake, visit_details
from hotline.files import private_dir
from hotline.intake import store
from hotline.intake.inbound import InboundMessage, InboundRecording
from hotline.intake.service import IntakeContext, IntakeResult, record

VOICE_NOTE_TYPES = {
    "audio/ogg": ".ogg", "audio/mpeg": ".mp3", "audio/mp4": ".m4a", "audio/aac": ".aac", "audio/amr": ".amr",
    "audio/webm": ".webm", "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/3gpp": ".3gp",
}
VOICE_NOTES_DIR = "field-voice-notes"
MAX_VOICE_NOTE_BYTES = 900 * 1024  # under the app's 1 MiB request limit, with room for the form


class VoiceNoteRefused(ValueError):
    """The uploaded file is not an accepted audio type or is too large."""


@dataclass(frozen=True)
class VoiceNote:
    """An uploaded voice note, read into memory (it is small by construction)."""

    content_type: str
    data: bytes


def check_voice_note(content_type: str | None, data: bytes) -> VoiceNote:
    """Accept only the listed audio types, non-empty and under the size limit."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in VOICE_NOTE_TYPES:
        raise VoiceNoteRefused("type")
    if not data or len(data) > MAX_VOICE_NOTE_BYTES:
        raise VoiceNoteRefused("size")
    if not looks_like_audio(data):
        raise VoiceNoteRefused("content")  # e.g. a web page sent as audio/ogg, which an operator would later open
    return VoiceNote(kind, data)


def looks_like_audio(data: bytes) -> bool:
    """True when the bytes start like one of the accepted audio containers, whatever the browser claimed."""
    head = data[:12]
    return (head.startswith((b"OggS", b"ID3", b"#!AMR", b"\x1aE\xdf\xa3", b"fLaC"))
            or (head[:4] == b"RIFF" and head[8:12] == b"WAVE")
            or head[4:8] == b"ftyp"  # MP4 audio (m4a) and 3GPP
            or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0))  # MPEG audio / ADTS AAC frames


def record_field_report(session: Session, report: FieldReport, point: FocalPoint | None, ctx: IntakeContext,
                        now: datetime, *, sender: str | None = None, message: InboundMessage | None = None,
                        hotline_number: str | None = None) -> IntakeResult:
    """Store one field report through intake (a replayed source id creates nothing).

    Like every channel's report, it is classified by the job intake queues once the report is committed
    (``IntakeContext.classify_later``): the request answers at once and a classifier failure never loses it.
    """
    if point is not None:
        report = _with_defaults(report, point)
    event = field_intake(report, point.id if point else None, now, sender, message, hotline_number)
    result = record(session, event, ctx)
    if not result.created:
        return result
    store.update_state(result.contact, visit_details(report))
    if point is not None and result.contact.caller_id is None:
        result.contact.caller_id = point.caller_id
        if result.report is not None:
            result.report.caller_id = point.caller_id
    session.flush()
    return result


def submit_web_report(session: Session, data: dict[str, Any], note: VoiceNote | None, point: FocalPoint,
                      ctx: IntakeContext, now: datetime, voice_notes: Path) -> IntakeResult:
    """A validated /field form (``load_submission``) and its voice note, recorded once per submission id."""
    source_id = f"FS-{data['submission_id']}"
    recording = path = None
    if note is not None:
        path = store_voice_note(voice_notes, source_id, note)
        recording = InboundRecording(sid=source_id, purpose="report", content_type=note.content_type)
    report = FieldReport(source_id=source_id, text=data["text"].strip() or None, people=data["people"],
                         source=data["source"], place=data["place"].strip() or None, heard_on=data["heard_on"],
                         language=data["language"], voice_note=recording)
    result = record_field_report(session, report, point, ctx, now)
    if path is not None and result.created and result.report is not None and result.report.recording:
        # Relative to the voice-notes folder, like recordings and media: read back only through hotline.files.inside.
        result.report.recording.storage_path = path.relative_to(voice_notes).as_posix()
    return result


def _with_defaults(report: FieldReport, point: FocalPoint) -> FieldReport:
    """A report without place or language takes its focal point's area and first language."""
    return replace(report, country=report.country or point.country, admin1=report.admin1 or point.admin1,
                   language=report.language or (point.languages[0] if point.languages else None))


def store_voice_note(folder: Path, name: str, note: VoiceNote) -> Path:
    """Write a voice note atomically under ``folder`` (created if needed); the name is the submission id."""
    private_dir(folder)
    target = folder / f"{name}{VOICE_NOTE_TYPES[note.content_type]}"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(note.data)
    os.replace(tmp, target)
    return target
