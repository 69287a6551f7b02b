"""The IVR's part of the app: the content loaded at start-up, the live overlay a package may register, and how a
call's webhook or a command finds them. The one IVR module besides the views and commands that knows Flask."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.orm import Session

from hotline.content.languages import LanguageTable
from hotline.ivr.content import IvrContent, IvrPaths, LiveSources, load_ivr_content

_EXTENSION_KEY = "hotline_ivr"
_SOURCES_KEY = "hotline_ivr_live_sources"


def init_ivr_content(app: Flask, languages: LanguageTable, paths: IvrPaths | None = None) -> IvrContent:
    """Load the IVR content for ``app`` (at start-up, so a broken flow fails fast)."""
    content = load_ivr_content(languages, paths)
    app.extensions[_EXTENSION_KEY] = content
    return content


def ivr_content(app: Flask | None = None) -> IvrContent:
    """The IVR content of ``app`` (default: the current app)."""
    content: IvrContent = (app or current_app).extensions[_EXTENSION_KEY]
    return content


def set_live_sources(app: Flask, sources: LiveSources) -> None:
    """Serve calls from ``sources`` instead of the shipped content alone."""
    app.extensions[_SOURCES_KEY] = sources


def content_in_force(session: Session, app: Flask | None = None) -> IvrContent:
    """The IVR content calls hear now: the shipped content, with any registered overlay on top."""
    target = app or current_app
    sources: LiveSources | None = target.extensions.get(_SOURCES_KEY)
    return sources.content(session) if sources else ivr_content(target)


def overlay_audio(session: Session, language: str, version: int, app: Flask | None = None) -> bytes | None:
    """An approved recording held by the overlay (WAV bytes), or None."""
    sources: LiveSources | None = (app or current_app).extensions.get(_SOURCES_KEY)
    return sources.audio(session, language, version) if sources else None


def staff_entry_twiml(app: Flask | None = None) -> str | None:
    """The staff-only path's first TwiML (``STAFF_KEY`` at a menu leads there), when a package registered one."""
    sources: LiveSources | None = (app or current_app).extensions.get(_SOURCES_KEY)
    return sources.staff_entry() if sources and sources.staff_entry else None
