"""Fetch a call recording's audio from Twilio into local storage, so operators never need a Twilio URL.

The recording status callback queues ``fetch_recording_job`` once its request has committed; what a job could not
fetch (Twilio unreachable, say) is picked up by `hotline ivr fetch-recordings`, safe to run on a schedule.
"""

from __future__ import annotations

import base64
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.files import private_dir, write_private
from hotline.intake.models import Recording
from hotline.jobs import job_session

log = logging.getLogger("hotline.ivr.recordings")
FETCH_JOB = "hotline.ivr.recordings.fetch_recording_job"

TWILIO_API_HOST = "api.twilio.com"
_RECORDING_PATH = re.compile(r"^(/2010-04-01/Accounts/AC[0-9a-f]{32}/Recordings/RE[0-9a-f]{32})(\.(mp3|wav|json))?$")
MAX_BYTES = 64 * 2**20  # a three-minute recording is a few MB; anything this large is not one
_TIMEOUT = 30


class RecordingFetchError(RuntimeError):
    """The recording could not be fetched (refused URL, HTTP error, too large)."""


@dataclass(frozen=True)
class TwilioAccount:
    """Where Twilio's REST API is (tests: a local fake) and the credentials to use it."""

    api_base: str
    account_sid: str
    auth_token: str


def audio_url(media_url: str, api_base: str) -> str:
    """The MP3 URL of a recording on the configured API base; refuses anything but a Twilio recording path."""
    parts = urlsplit(media_url)
    base = urlsplit(api_base)
    match = _RECORDING_PATH.fullmatch(parts.path)
    if parts.hostname not in (TWILIO_API_HOST, base.hostname) or match is None:
        raise RecordingFetchError("not a Twilio recording URL")  # never fetch an arbitrary URL (SSRF)
    return urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + match.group(1) + ".mp3", "", ""))


def fetch_recording(session: Session, recording: Recording, account: TwilioAccount, storage: Path) -> Path | None:
    """Download one recording's audio once; returns where it was stored, or None if there was nothing to do."""
    if recording.storage_path or not recording.media_url or not recording.provider_sid:
        return None
    url = audio_url(recording.media_url, account.api_base)
    data = _download(url, account)
    day = recording.created_at.strftime("%Y/%m/%d")
    target = storage / day / f"{recording.provider_sid}.mp3"
    private_dir(target.parent)
    partial = write_private(target.with_suffix(".part"), data)
    partial.replace(target)  # atomic: a crash never leaves half a file under the final name
    recording.storage_path = f"{day}/{target.name}"
    recording.content_type = "audio/mpeg"
    session.flush()
    return target


def recordings_dir(app: Flask) -> Path:
    """Where recordings are stored: HOTLINE_RECORDINGS_DIR in the app config, else <instance>/recordings."""
    configured = app.config.get("HOTLINE_RECORDINGS_DIR")
    return Path(configured) if configured else Path(app.instance_path) / "recordings"


def account_of(app: Flask) -> TwilioAccount:
    """The app's Twilio REST API base and credentials."""
    settings = runtime(app).settings
    return TwilioAccount(settings.twilio_api_base, settings.twilio_account_sid, settings.twilio_auth_token)


def fetch_recording_job(recording_id: int) -> None:
    """Job: fetch one recording's audio. A failure is logged, not raised: the scheduled sweep retries it."""
    with job_session() as session:
        recording = session.get(Recording, recording_id)
        if recording is None:
            return
        try:
            fetch_recording(session, recording, account_of(current_app), recordings_dir(current_app))
        except RecordingFetchError as exc:
            log.warning("recording not fetched; `hotline ivr fetch-recordings` will retry",
                        extra={"recording_id": recording_id, "reason": str(exc)})


def pending_recordings(session: Session, limit: int = 100) -> Iterator[Recording]:
    """Recordings that have a Twilio URL but no local copy yet, oldest first."""
    query = (select(Recording).where(Recording.storage_path.is_(None), Recording.media_url.is_not(None),
                                     Recording.purged_at.is_(None))
             .order_by(Recording.id).limit(limit))
    yield from session.scalars(query)


def _download(url: str, account: TwilioAccount) -> bytes:
    credentials = base64.b64encode(f"{account.account_sid}:{account.auth_token}".encode()).decode()
    request = urllib.request.Request(url, headers={"Authorization": f"Basic {credentials}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:  # noqa: S310 - URL checked above
            data: bytes = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise RecordingFetchError(f"Twilio answered HTTP {exc.code}") from None
    except OSError as exc:
        raise RecordingFetchError(f"Twilio unreachable: {exc}") from None
    if len(data) > MAX_BYTES:
        raise RecordingFetchError("recording larger than the limit")
    if not data:
        raise RecordingFetchError("empty recording")
    return data
