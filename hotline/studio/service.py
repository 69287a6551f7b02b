"""Prompt studio operations: add a recording version, approve it (a second person), roll back, review text.

Operations flush and audit; the request (or the CLI command) commits once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.models import Role, User
from hotline.studio.audio import PhoneAudio, normalise
from hotline.studio.models import PromptRecording, RecordingStatus, ReviewedText

SOURCES = ("browser", "upload", "phone", "pack")
DOMAINS = ("ivr", "sms", "messages")
EntryKey = tuple[str, str, str, str]  # domain, language, context, msgid
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]*\}")


class StudioRefused(Exception):
    """A studio action that is not allowed; ``reason`` is a stable code the views translate."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def may_work_on(user: User, language: str) -> bool:
    """Supervisors and admins work on every language; translators on the languages of their account only."""
    if user.role in (Role.ADMIN, Role.SUPERVISOR):
        return True
    return user.role == Role.TRANSLATOR and language in (user.languages or [])


def studio_languages(user: User, codes: Collection[str]) -> list[str]:
    """The language codes ``user`` may work on, in table order."""
    return [code for code in codes if may_work_on(user, code)]


def add_recording(session: Session, user: User | None, language: str, prompt: str, data: bytes, source: str,
                  now: datetime, audio: PhoneAudio | None = None) -> PromptRecording:
    """Normalise ``data`` for the phone line and store it as the next draft version (AudioRejected if unusable)."""
    if user is not None and not may_work_on(user, language):
        raise StudioRefused("language")
    phone = audio or normalise(data)
    version = (session.scalar(select(func.max(PromptRecording.version)).where(
        PromptRecording.language == language, PromptRecording.prompt == prompt)) or 0) + 1
    recording = PromptRecording(language=language, prompt=prompt, version=version, status=RecordingStatus.DRAFT,
                                source=source, audio=phone.wav, sha256=phone.sha256, duration_ms=phone.duration_ms,
                                author_id=user.id if user else None, created_at=now)
    session.add(recording)
    session.flush()
    _audit(session, user, "prompt_recording.create", recording)
    return recording


def approve(session: Session, user: User, recording: PromptRecording, now: datetime) -> None:
    """A second person approves a draft: it becomes the version callers hear."""
    if not may_work_on(user, recording.language):
        raise StudioRefused("language")
    if recording.status != RecordingStatus.DRAFT:
        raise StudioRefused("not_draft")
    if recording.author_id is not None and recording.author_id == user.id:
        raise StudioRefused("own_recording")
    make_current(session, user, recording, now, "prompt_recording.approve")


def roll_back(session: Session, user: User, recording: PromptRecording, now: datetime) -> None:
    """Put an earlier approved version back in service (it was approved by a second person before)."""
    if not may_work_on(user, recording.language):
        raise StudioRefused("language")
    if recording.status != RecordingStatus.SUPERSEDED:
        raise StudioRefused("not_superseded")
    make_current(session, user, recording, now, "prompt_recording.roll_back")


def reject(session: Session, user: User, recording: PromptRecording) -> None:
    """Set a draft aside (kept, never played)."""
    if not may_work_on(user, recording.language):
        raise StudioRefused("language")
    if recording.status != RecordingStatus.DRAFT:
        raise StudioRefused("not_draft")
    recording.status = RecordingStatus.REJECTED
    session.flush()
    _audit(session, user, "prompt_recording.reject", recording)


def versions(session: Session, language: str, prompt: str) -> list[PromptRecording]:
    """Every version of one prompt in one language, newest first."""
    return list(session.scalars(select(PromptRecording).where(
        PromptRecording.language == language, PromptRecording.prompt == prompt)
        .order_by(PromptRecording.version.desc())))


def approved_recordings(session: Session) -> dict[tuple[str, str], int]:
    """(language, prompt) -> id of the approved recording."""
    rows = session.execute(select(PromptRecording.language, PromptRecording.prompt, PromptRecording.id)
                           .where(PromptRecording.status == RecordingStatus.APPROVED))
    return {(language, prompt): rec_id for language, prompt, rec_id in rows}


def approved_audio(session: Session, language: str, recording_id: int) -> bytes | None:
    """The WAV of an approved recording, or None (drafts, superseded versions and other languages are never served
    to the phone line)."""
    return session.scalar(select(PromptRecording.audio).where(
        PromptRecording.id == recording_id, PromptRecording.language == language,
        PromptRecording.status == RecordingStatus.APPROVED))


def review_text(session: Session, user: User, key: EntryKey, text: str, now: datetime) -> ReviewedText:
    """A native speaker's text for one catalogue entry; it is in force from the next request on."""
    domain, language, msgid = key[0], key[1], key[3]
    if domain not in DOMAINS:
        raise StudioRefused("domain")
    if not may_work_on(user, language):
        raise StudioRefused("language")
    text = text.strip()
    if not text or len(text) > 2000:
        raise StudioRefused("text")
    if sorted(_PLACEHOLDER.findall(text)) != sorted(_PLACEHOLDER.findall(msgid)):
        raise StudioRefused("placeholders")
    return store_review(session, user, key, text, now)


def store_review(session: Session, user: User | None, key: EntryKey, text: str, now: datetime) -> ReviewedText:
    """Store a reviewed text (checked by the caller), audited."""
    domain, language, context, msgid = key
    row = ReviewedText(domain=domain, language=language, context=context, msgid=msgid,
                       msgid_hash=msgid_hash(msgid), text=text, reviewer_id=user.id if user else None,
                       reviewed_at=now)
    session.add(row)
    session.flush()
    record_event(session, f"user:{user.id}" if user else "cli", "reviewed_text.create", "reviewed_text", row.id,
                 after={"domain": domain, "language": language, "context": context},
                 actor_user_id=user.id if user else None)
    return row


def reviewed_texts(session: Session, domain: str | None = None, language: str | None = None) -> dict[EntryKey, str]:
    """The reviewed text in force for each entry (the newest review), optionally of one domain and language."""
    query = select(ReviewedText).order_by(ReviewedText.reviewed_at, ReviewedText.id)
    if domain:
        query = query.where(ReviewedText.domain == domain)
    if language:
        query = query.where(ReviewedText.language == language)
    return {(row.domain, row.language, row.context, row.msgid): row.text for row in session.scalars(query)}


def fingerprint(session: Session) -> tuple[object, ...]:
    """Changes whenever what callers hear or read from the studio changes (cheap: two aggregate queries)."""
    recordings = session.execute(select(func.count(), func.max(PromptRecording.approved_at), func.sum(
        PromptRecording.id)).where(PromptRecording.status == RecordingStatus.APPROVED)).one()
    texts = session.execute(select(func.count(), func.max(ReviewedText.id))).one()
    return (*recordings, *texts)


def msgid_hash(msgid: str) -> str:
    """The index key of a msgid (msgids can be long)."""
    return hashlib.sha256(msgid.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Overlay:
    """What the studio adds to the shipped content: approved recordings and reviewed texts."""

    recordings: Mapping[tuple[str, str], int]
    texts: Mapping[EntryKey, str]


def overlay(session: Session) -> Overlay:
    """The approved recordings and reviewed texts in force now."""
    return Overlay(approved_recordings(session), reviewed_texts(session))


def make_current(session: Session, user: User | None, recording: PromptRecording, now: datetime, action: str) -> None:
    """Make ``recording`` the approved version (the one approved before it is superseded); audited as ``action``."""
    current = session.scalars(select(PromptRecording).where(
        PromptRecording.language == recording.language, PromptRecording.prompt == recording.prompt,
        PromptRecording.status == RecordingStatus.APPROVED)).all()
    for old in current:
        old.status = RecordingStatus.SUPERSEDED
    session.flush()  # at most one approved version per prompt, even on databases that check as they go
    if recording.status == RecordingStatus.DRAFT and user is not None:
        recording.approved_by_id = user.id
    recording.status = RecordingStatus.APPROVED
    recording.approved_at = now
    session.flush()
    _audit(session, user, action, recording)


def _audit(session: Session, user: User | None, action: str, recording: PromptRecording) -> None:
    record_event(session, f"user:{user.id}" if user else "cli", action, "prompt_recording", recording.id,
                 after={"language": recording.language, "prompt": recording.prompt, "version": recording.version,
                        "status": recording.status}, actor_user_id=user.id if user else None)
