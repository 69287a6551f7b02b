"""Language packs: a zip of a language's approved recordings and reviewed texts (.po) with a manifest, so a
language recorded at one deployment serves another (Rohingya recorded in Cox's Bazar, played in Malaysia).

Layout: ``manifest.json``, ``audio/<prompt>.wav`` (8 kHz mono 16-bit, as the studio stores them) and
``locales/<lang>/LC_MESSAGES/<domain>.po`` (reviewed entries only). Everything read from a pack is checked: the
manifest against its schema, each file against its digest, each recording against the phone-line format.
"""

from __future__ import annotations

import hashlib
import io
import json
import wave
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.studio.audio import MAX_SECONDS, RATE, PhoneAudio
from hotline.studio.catalogues import export_po, read_catalogue, read_po_bytes
from hotline.studio.models import PromptRecording, RecordingStatus
from hotline.studio.service import DOMAINS, add_recording, make_current, reviewed_texts, store_review

FORMAT = "hotline-language-pack"
MANIFEST = "manifest.json"
MAX_PACK_BYTES = 256 * 2**20
MAX_FILE_BYTES = 8 * 2**20
_PROMPT = r"^[a-z0-9_]{1,64}$"


class PackError(ValueError):
    """A pack that cannot be imported; the message names the file and field at fault."""


class _RecordingSchema(Schema):
    prompt = fields.String(required=True, validate=validate.Regexp(_PROMPT))
    file = fields.String(required=True)
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    duration_ms = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_SECONDS * 1000))


class _CatalogueSchema(Schema):
    domain = fields.String(required=True, validate=validate.OneOf(DOMAINS))
    file = fields.String(required=True)
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


class ManifestSchema(Schema):
    """Schema of a language pack's manifest.json."""

    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    version = fields.Integer(required=True, validate=validate.Equal(1))
    language = fields.String(required=True, validate=validate.Regexp(r"^[a-z]{2,3}$"))
    created_at = fields.DateTime(required=True)
    recordings = fields.List(fields.Nested(_RecordingSchema), load_default=list)
    catalogues = fields.List(fields.Nested(_CatalogueSchema), load_default=list)


@dataclass
class ImportSummary:
    """What an import did."""

    language: str
    recordings_added: int = 0
    recordings_known: int = 0
    texts_added: int = 0
    skipped: list[str] = field(default_factory=list)


def export_pack(session: Session, language: str, locales: Path, now: datetime) -> bytes:
    """The language's approved recordings and reviewed texts as a zip."""
    recordings = session.scalars(select(PromptRecording).where(
        PromptRecording.language == language, PromptRecording.status == RecordingStatus.APPROVED)
        .order_by(PromptRecording.prompt)).all()
    buffer = io.BytesIO()
    manifest: dict[str, Any] = {"format": FORMAT, "version": 1, "language": language,
                                "created_at": now.isoformat(), "recordings": [], "catalogues": []}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as pack:
        for rec in recordings:
            name = f"audio/{rec.prompt}.wav"
            pack.writestr(name, rec.audio)
            manifest["recordings"].append({"prompt": rec.prompt, "file": name, "sha256": rec.sha256,
                                           "duration_ms": rec.duration_ms})
        for domain in DOMAINS:
            reviewed = {(ctx, msgid): text for (_, _, ctx, msgid), text
                        in reviewed_texts(session, domain, language).items()}
            if not reviewed:
                continue
            name = f"locales/{language}/LC_MESSAGES/{domain}.po"
            body = export_po(read_catalogue(locales, language, domain), reviewed, only_reviewed=True)
            pack.writestr(name, body)
            manifest["catalogues"].append({"domain": domain, "file": name, "sha256": _sha(body)})
        pack.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    return buffer.getvalue()


def import_pack(session: Session, data: bytes, languages: Collection[str], prompts: Collection[str],
                now: datetime, approve: bool = True) -> ImportSummary:
    """Add a pack's recordings (approved, as they were where they were recorded, unless ``approve`` is False)
    and reviewed texts; what is already here is not added twice."""
    if len(data) > MAX_PACK_BYTES:
        raise PackError(f"the pack is larger than {MAX_PACK_BYTES // 2**20} MiB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise PackError("not a zip file") from exc
    with archive:
        manifest = _manifest(archive)
        language = manifest["language"]
        if language not in languages:
            raise PackError(f"{MANIFEST}: language: {language!r} is not in config/languages.yaml")
        summary = ImportSummary(language)
        for index, item in enumerate(manifest["recordings"]):
            _import_recording(session, archive, language, index, item, prompts, now, approve, summary)
        for index, item in enumerate(manifest["catalogues"]):
            body = _member(archive, f"catalogues.{index}", item)
            for entry in read_po_bytes(body, item["domain"]):
                if entry.draft and _import_text(session, (item["domain"], language, entry.context, entry.msgid),
                                                entry.draft, now):
                    summary.texts_added += 1
    return summary


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        raw = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except KeyError as exc:
        raise PackError(f"{MANIFEST} is missing") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackError(f"{MANIFEST}: not valid JSON ({exc})") from exc
    try:
        loaded: dict[str, Any] = ManifestSchema().load(raw)
    except ValidationError as exc:
        raise PackError(f"{MANIFEST}: {_describe(exc.messages)}") from exc
    return loaded


def _member(archive: zipfile.ZipFile, where: str, item: dict[str, Any]) -> bytes:
    name = item["file"]
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise PackError(f"{MANIFEST}: {where}.file: {name!r} is not in the pack") from exc
    if info.file_size > MAX_FILE_BYTES:
        raise PackError(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    body = archive.read(info)
    if _sha(body) != item["sha256"]:
        raise PackError(f"{name}: its content does not match {MANIFEST}'s {where}.sha256")
    return body


def _import_recording(session: Session, archive: zipfile.ZipFile, language: str, index: int, item: dict[str, Any],
                      prompts: Collection[str], now: datetime, approve: bool, summary: ImportSummary) -> None:
    prompt = item["prompt"]
    if prompt not in prompts:
        summary.skipped.append(f"{prompt}: not a prompt of this deployment's call flow")
        return
    body = _member(archive, f"recordings.{index}", item)
    duration = _phone_wav_ms(body, item["file"])
    known = session.scalar(select(PromptRecording).where(
        PromptRecording.language == language, PromptRecording.prompt == prompt,
        PromptRecording.sha256 == item["sha256"]))
    if known is not None:
        summary.recordings_known += 1
        return
    recording = add_recording(session, None, language, prompt, b"", "pack", now,
                              audio=PhoneAudio(body, duration, item["sha256"]))
    if approve:
        make_current(session, None, recording, now, "prompt_recording.import")
    summary.recordings_added += 1


def _import_text(session: Session, key: tuple[str, str, str, str], text: str, now: datetime) -> bool:
    domain, language = key[0], key[1]
    if reviewed_texts(session, domain, language).get(key) == text:
        return False
    store_review(session, None, key, text, now)
    return True


def _phone_wav_ms(body: bytes, name: str) -> int:
    try:
        with wave.open(io.BytesIO(body)) as source:
            shape = (source.getnchannels(), source.getsampwidth(), source.getframerate())
            frames = source.getnframes()
    except (wave.Error, EOFError) as exc:
        raise PackError(f"{name}: not a WAV file") from exc
    if shape != (1, 2, RATE) or not 0 < frames <= MAX_SECONDS * RATE:
        raise PackError(f"{name}: not 8 kHz mono 16-bit audio of at most {MAX_SECONDS} seconds")
    return int(frames) * 1000 // RATE


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _describe(messages: Any, prefix: str = "") -> str:
    if isinstance(messages, dict):
        return "; ".join(_describe(value, f"{prefix}{key}.") for key, value in messages.items())
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return f"{prefix.rstrip('.')}: {' '.join(messages)}"
    return f"{prefix.rstrip('.')}: {messages}"
