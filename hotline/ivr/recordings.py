"""Fetch a call recording's audio from Twilio into local storage, so operators never need a Twilio URL.

The recording status callback queues ``fetch_recording_job`` once its request has committed; what a job could not
fetch (Twilio unreachable, say) is picked up by `hotline ivr fetch-recordings`, safe to run on a schedule. Once the
local copy is committed the recording is deleted at Twilio and its URL forgotten; a delete that failed keeps the URL
(``media_url`` with a ``storage_path``, or on a purged row) and is tried again by the same command and by retention.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.channels.twilio.account import TWILIO_API_HOST, TwilioAccount, account_of
from hotline.channels.twilio.download import DownloadError, download
from hotline.channels.twilio.remote import RemoteDeleter, remote_deleter
from hotline.channels.twilio.rest import twilio_client
from hotline.context import runtime
from hotline.files import private_dir, write_private
from hotline.intake.models import Recording
from hotline.jobs import job_session

log = logging.getLogger("hotline.ivr.recordings")

_RECORDING_PATH = re.compile(r"^(/2010-04-01/Accounts/AC[0-9a-f]{32}/Recordings/RE[0-9a-f]{32})(\.(mp3|wav|json))?$")
MAX_BYTES = 64 * 2**20  # a three-minute recording is a few MB; anything this large is not one


class RecordingFetchError(RuntimeError):
    """The recording could not be fetched (refused URL, HTTP error, too large)."""


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
    if recording.storage_path or not recording.media_url or not recording.provider_sid or recording.purged_at:
        return None  # stored already, nothing to fetch, or purged (its URL waits only for the delete at Twilio)
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


def fetch_recording_job(recording_id: int) -> None:
    """Job: fetch one recording's audio. A failure is logged, not raised: the scheduled sweep retries it."""
    settings = runtime().settings
    with job_session() as session:
        recording = session.get(Recording, recording_id)
        if recording is None:
            return
        try:
            fetch_recording(session, recording, account_of(settings), settings.recordings_folder)
        except RecordingFetchError as exc:
            log.warning("recording not fetched; `hotline ivr fetch-recordings` will retry",
                        extra={"recording_id": recording_id, "reason": str(exc)})
            return
        session.commit()  # the local copy is safe before Twilio's is deleted
        release_remote(session, recording, remote_deleter(twilio_client(settings)))


def release_remote(session: Session, recording: Recording, delete: RemoteDeleter) -> bool:
    """Delete at Twilio a recording we hold a copy of (or purged) and forget its URL; False if the delete failed
    (the URL stays, for the next try). Never touches the local copy."""
    if not recording.media_url or not (recording.storage_path or recording.purged_at):
        return True
    if not delete(recording.media_url):
        return False
    recording.media_url = None
    session.flush()
    return True


def remote_leftovers(session: Session, batch: int = 200) -> Iterator[Recording]:
    """Recordings still at Twilio although we hold a copy (or purged them): their delete failed before."""
    last = 0
    while True:
        rows = list(session.scalars(
            select(Recording).where(Recording.media_url.is_not(None), Recording.id > last,
                                    Recording.storage_path.is_not(None) | Recording.purged_at.is_not(None))
            .order_by(Recording.id).limit(batch)))
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def pending_recordings(session: Session, limit: int = 100) -> Iterator[Recording]:
    """Recordings that have a Twilio URL but no local copy yet, oldest first."""
    query = (select(Recording).where(Recording.storage_path.is_(None), Recording.media_url.is_not(None),
                                     Recording.purged_at.is_(None))
             .order_by(Recording.id).limit(limit))
    yield from session.scalars(query)


def _download(url: str, account: TwilioAccount) -> bytes:
    try:
        return download(url, account.account_sid, account.auth_token, MAX_BYTES).data
    except DownloadError as exc:
        raise RecordingFetchError(str(exc)) from None
