"""Media sent with a text (MMS pictures, WhatsApp voice notes and images): fetched from Twilio into local storage
and served by the app to case workers, so a Twilio URL never reaches a browser.

Filing a text with media queues ``fetch_media_job`` once the filing commits; what it could not fetch (Twilio
unreachable) is fetched by `hotline sms fetch-media`, safe to run on a schedule. Each item of ``Message.media`` gains
``stored`` (a path under the media folder), ``content_type`` and ``bytes``; once that is committed the item is
deleted at Twilio and its ``url`` dropped (a failed delete keeps the ``url`` and is tried again by
`hotline sms fetch-media` and by retention). Retention deletes the files with the links.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from hotline.channels.twilio.account import TWILIO_API_HOST, TwilioAccount, account_of
from hotline.channels.twilio.download import DownloadError, download
from hotline.channels.twilio.remote import RemoteDeleter, remote_deleter
from hotline.channels.twilio.rest import twilio_client
from hotline.context import runtime
from hotline.files import inside, private_dir, write_private
from hotline.intake.constants import Direction
from hotline.intake.models import Message
from hotline.jobs import job_session

log = logging.getLogger("hotline.sms")
MAX_BYTES = 16 * 2**20  # WhatsApp caps media at 16 MB
_MEDIA_PATH = re.compile(r"^/2010-04-01/Accounts/AC[0-9a-f]{32}/Messages/(MM|SM)[0-9a-f]{32}/Media/ME[0-9a-f]{32}$")
# What is kept under its own type; anything else is stored and offered only as a download (application/octet-stream).
SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
            "audio/ogg": ".ogg", "audio/mpeg": ".mp3", "audio/amr": ".amr", "audio/mp4": ".m4a", "audio/aac": ".aac",
            "video/mp4": ".mp4", "video/3gpp": ".3gp", "application/pdf": ".pdf", "text/vcard": ".vcf"}
INLINE_KINDS = ("image", "audio", "video")  # shown in the page; other types are offered as a download


class MediaFetchError(RuntimeError):
    """A media item could not be fetched (refused URL, HTTP error, too large)."""


@dataclass(frozen=True)
class StoredMedia:
    """A stored media item, ready to serve."""

    path: Path
    content_type: str

    @property
    def inline(self) -> bool:
        """True for pictures, sound and video, which the page shows; other files are downloaded."""
        return self.content_type.partition("/")[0] in INLINE_KINDS


def media_url(url: str, api_base: str) -> str:
    """The media item's URL on the configured API base; refuses anything but a Twilio message media path (SSRF)."""
    parts = urlsplit(url)
    base = urlsplit(api_base)
    if parts.hostname not in (TWILIO_API_HOST, base.hostname) or not _MEDIA_PATH.fullmatch(parts.path):
        raise MediaFetchError("not a Twilio media URL")
    return urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + parts.path, "", ""))


def fetch_media(session: Session, message: Message, account: TwilioAccount, storage: Path) -> int:
    """Download the message's media items not stored yet; how many were stored. Stops at the first failure."""
    items: list[dict[str, Any]] = [dict(item) for item in (message.media or [])]
    stored = 0
    try:
        for index, item in enumerate(items):
            if item.get("stored") or not item.get("url"):
                continue
            url = media_url(str(item["url"]), account.api_base)
            try:
                fetched = download(url, account.account_sid, account.auth_token, MAX_BYTES)
            except DownloadError as exc:
                raise MediaFetchError(str(exc)) from None
            content_type = fetched.content_type if fetched.content_type in SUFFIXES else "application/octet-stream"
            day = message.created_at.strftime("%Y/%m/%d")
            target = storage / day / f"{message.provider_sid}-{index}{SUFFIXES.get(content_type, '.bin')}"
            private_dir(target.parent)
            partial = write_private(target.with_suffix(".part"), fetched.data)
            partial.replace(target)  # atomic: a crash never leaves half a file under the final name
            items[index] = {**item, "stored": f"{day}/{target.name}", "content_type": content_type,
                            "bytes": len(fetched.data)}
            stored += 1
    finally:
        if stored:
            message.media = items  # a new list, so the JSON column is written
            session.flush()
    return stored


def fetch_media_job(message_id: int) -> None:
    """Job: fetch one message's media. A failure is logged, not raised: `hotline sms fetch-media` retries it."""
    settings = runtime().settings
    with job_session() as session:
        message = session.get(Message, message_id)
        if message is None:
            return
        try:
            fetch_media(session, message, account_of(settings), settings.media_folder)
        except MediaFetchError as exc:
            log.warning("media not fetched; `hotline sms fetch-media` will retry",
                        extra={"message_id": message_id, "reason": str(exc)})
        session.commit()  # the local copies are safe before Twilio's are deleted
        release_remote_media(session, message, remote_deleter(twilio_client(settings)))


def release_remote_media(session: Session, message: Message, delete: RemoteDeleter) -> int:
    """Delete at Twilio the message's media items we hold a copy of and drop their URLs; how many are still there
    (their delete failed: the URL stays for the next try). Never touches the local copies."""
    items: list[dict[str, Any]] = [dict(item) for item in (message.media or [])]
    changed = left = 0
    for item in items:
        if item.get("url") and (item.get("stored") or item.get("purged")):
            if delete(str(item["url"])):
                del item["url"]
                changed += 1
            else:
                left += 1
    if changed:
        message.media = [item for item in items if not (item.get("purged") and not item.get("url"))]
        session.flush()
    return left


def media_leftovers(session: Session, batch: int = 200) -> Iterator[Message]:
    """Messages with a media item still at Twilio although we hold a copy (or purged it): its delete failed."""
    last_id = 0
    while True:
        messages = list(session.scalars(  # the JSON text is searched first: few messages have a URL left
            select(Message).where(Message.num_media > 0, Message.id > last_id,
                                  cast(Message.media, Text).contains('"url"'))
            .order_by(Message.id).limit(batch)))
        if not messages:
            return
        for message in messages:
            if any(item.get("url") and (item.get("stored") or item.get("purged")) for item in message.media or []):
                yield message
        last_id = messages[-1].id


def pending_media(session: Session, batch: int = 200) -> Iterator[Message]:
    """Inbound messages with a media item that has a link but no stored file, oldest first."""
    last_id = 0
    while True:
        messages = list(session.scalars(
            select(Message).where(Message.direction == Direction.INBOUND, Message.num_media > 0, Message.id > last_id)
            .order_by(Message.id).limit(batch)))
        if not messages:
            return
        for message in messages:
            if any(item.get("url") and not item.get("stored") and not item.get("purged")
                   for item in message.media or []):
                yield message
        last_id = messages[-1].id


def media_file(message: Message | None, index: int, storage: Path) -> StoredMedia | None:
    """A stored media item (only inside ``storage``: a stored path cannot point elsewhere), or None."""
    if message is None or not 0 <= index < len(message.media or []):
        return None
    item = message.media[index]
    path = inside(storage, str(item["stored"])) if item.get("stored") else None
    if path is None or not path.is_file():
        return None
    content_type = str(item.get("content_type") or "application/octet-stream")
    return StoredMedia(path, content_type if content_type in SUFFIXES else "application/octet-stream")
