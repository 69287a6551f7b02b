"""The studio's work in force: the IVR content with approved recordings and reviewed texts on top, rebuilt when
(and only when) the database says they changed, so the next call hears a new approval on every host and worker."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from hotline.db import is_outage
from hotline.extensions import db
from hotline.ivr.content import IvrContent, ivr_content
from hotline.studio.service import EntryKey, fingerprint, overlay

_EXTENSION_KEY = "hotline_studio_live"


class LiveContent:
    """The shipped IVR content plus the studio overlay, cached per database fingerprint."""

    def __init__(self, app: Flask):
        self._app = app
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._content: IvrContent | None = None
        self._texts: Mapping[EntryKey, str] = {}

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

    def _refresh(self, session: Session) -> IvrContent:
        base = self.base
        key = (id(base), *fingerprint(session))
        content = self._content
        if key == self._key and content is not None:
            return content
        found = overlay(session)
        reviewed = {(lang, ctx): text for (domain, lang, ctx, _), text in found.texts.items() if domain == "ivr"}
        content = base.with_studio(found.recordings, reviewed)
        with self._lock:
            self._content, self._texts, self._key = content, found.texts, key
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
