"""The studio's work in force: the IVR content with approved recordings and reviewed texts on top, rebuilt when
(and only when) the database says they changed, so the next call hears a new approval on every host and worker.

Asking the database costs a query on every call and SMS reply, so the answer is trusted for a moment
(``MAX_AGE_SECONDS``): other hosts and workers see an approval within that time, this process at once (a commit
that changed studio rows here marks every cached copy stale).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from time import monotonic
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from hotline.db import is_outage
from hotline.extensions import db
from hotline.ivr.content import IvrContent
from hotline.ivr.runtime import ivr_content
from hotline.studio.models import PromptRecording, ReviewedText
from hotline.studio.service import EntryKey, fingerprint, overlay

_EXTENSION_KEY = "hotline_studio_live"
MAX_AGE_SECONDS = 2.0
_STUDIO_ROWS = (PromptRecording, ReviewedText)
_TOUCHED = "hotline_studio_touched"
_local_changes = [0]  # bumped after each commit in this process that changed studio rows


@event.listens_for(Session, "after_flush")
def _note_studio_rows(session: Session, _context: Any) -> None:
    # Stale at once for this session (it reads its own flushed rows) and again at commit (for everyone else's).
    if any(isinstance(row, _STUDIO_ROWS) for rows in (session.new, session.dirty, session.deleted) for row in rows):
        session.info[_TOUCHED] = True
        _local_changes[0] += 1


@event.listens_for(Session, "after_commit")
def _mark_stale(session: Session) -> None:
    if session.info.pop(_TOUCHED, False):
        _local_changes[0] += 1


def mark_stale() -> None:
    """Make every cached copy ask the database again (for writes this process's sessions did not see commit)."""
    _local_changes[0] += 1


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


class LiveContent:
    """The shipped IVR content plus the studio overlay, cached per database fingerprint."""

    def __init__(self, app: Flask):
        self._app = app
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._content: IvrContent | None = None
        self._texts: Mapping[EntryKey, str] = {}
        self._checked = (-1, 0.0)  # (local change count, monotonic time) of the last look at the database

    @property
    def base(self) -> IvrContent:
        """The shipped content (flow, numbers, catalogues, audio files)."""
        return ivr_content(self._app)

    def content(self, session: Session) -> IvrContent:
        """The IVR content in force now."""
        return self._refresh(session)

    def text(self, session: Session, domain: str, language: str, msgid: str, context: str = "") -> str | None:
        """The reviewed text of one catalogue entry, or None."""
        self._refresh(session)
        return self._texts.get((domain, language, context, msgid))

    def recent_texts(self) -> Mapping[EntryKey, str] | None:
        """The reviewed texts, if the database was asked recently enough; None: ask it (``text``)."""
        return self._texts if self._recent() else None

    def _recent(self) -> bool:
        changes, at = self._checked
        return (self._content is not None and changes == _local_changes[0]
                and monotonic() - at < MAX_AGE_SECONDS)

    def _refresh(self, session: Session) -> IvrContent:
        if self._recent() and self._content is not None:
            return self._content
        checked = (_local_changes[0], monotonic())
        base = self.base
        key = (id(base), *fingerprint(session))
        content = self._content
        if key == self._key and content is not None:
            self._checked = checked
            return content
        found = overlay(session)
        reviewed = {(lang, ctx): text for (domain, lang, ctx, _), text in found.texts.items() if domain == "ivr"}
        content = base.with_studio(found.recordings, reviewed)
        with self._lock:
            self._content, self._texts, self._key, self._checked = content, found.texts, key, checked
        return content


def init_live(app: Flask) -> LiveContent:
    """Attach the live content to ``app`` (after its IVR content is loaded)."""
    live = LiveContent(app)
    app.extensions[_EXTENSION_KEY] = live
    return live


def sms_reviewed(language: str, msgid: str) -> str | None:
    """The reviewed SMS text of ``msgid`` in ``language`` (for hotline.sms.replies; None outside an app)."""
    if not has_app_context() or _EXTENSION_KEY not in current_app.extensions:
        return None
    recent = live_content().recent_texts()
    if recent is not None:  # most replies: no session, no query
        return recent.get(("sms", language, "", msgid))
    # A read-only session of its own: replies are rendered by requests and by jobs alike, and a job's render may
    # come after the request's session has committed (no further SQL may run in it).
    session = db.new_session(read_only=True)
    try:
        return live_content().text(session, "sms", language, msgid)
    except Exception as exc:
        if is_outage(exc):  # the spool answers texts while the database is away: the shipped catalogue will do
            return None
        raise
    finally:
        session.close()


def live_content(app: Flask | None = None) -> LiveContent:
    """The live content of ``app`` (default: the current app)."""
    live: LiveContent = (app or current_app).extensions[_EXTENSION_KEY]
    return live
