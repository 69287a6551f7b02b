"""The regional library: peers' shareable counter-messages, searched by rumour, category and language on the
server, a page at a time, each with where it is used (peers' published adoptions, and here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_load, validate
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hotline.region.adoption import used_in
from hotline.region.library_models import RegionAdoption
from hotline.region.models import RegionPeer, RegionPeerMessage, RegionPeerRumour

PAGE_SIZE = 20


@dataclass(frozen=True)
class LibraryQuery:
    """What the regional library page asks for: text in the rumour (or message), category, language, peer."""

    rumour: str | None = None
    category: str | None = None
    language: str | None = None
    peer: str | None = None
    page: int = 1


class LibraryQuerySchema(Schema):
    """``?rumour=boats&category=smuggler_claims&lang=bn&peer=bd&page=2`` (every field optional)."""

    class Meta:
        unknown = EXCLUDE

    rumour = fields.String(load_default=None, validate=validate.Length(max=200))
    category = fields.String(load_default=None, validate=validate.Length(max=32))
    lang = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z]{2,3}$"))
    peer = fields.String(load_default=None, validate=validate.Length(max=64))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> LibraryQuery:
        return LibraryQuery(data["rumour"] or None, data["category"] or None, data["lang"], data["peer"] or None,
                            data["page"])


def clean_args(args: dict[str, str]) -> dict[str, str]:
    """The query string without empty fields (a form's unselected "All")."""
    return {key: value.strip() for key, value in args.items() if value and value.strip()}


@dataclass(frozen=True)
class Entry:
    """One peer message on the page, with its rumour's statement and where it is used."""

    message: RegionPeerMessage
    peer: str
    rumour: str | None
    used_in: list[str]
    adopted_here: bool


@dataclass(frozen=True)
class Page:
    """One page of results and how many there are in all."""

    entries: list[Entry]
    total: int
    page: int
    pages: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rumours_translated(session: Session, text: str) -> list[int]:
    # Translations are JSON (stored with escaped non-ASCII letters), so they are searched here, not in SQL: a
    # peer's reviewed rumours are a few hundred at most.
    needle = text.casefold()
    return [rumour_id for rumour_id, translations in session.execute(
        select(RegionPeerRumour.id, RegionPeerRumour.translations))
        if any(needle in str(value).casefold() for value in (translations or {}).values())]


def search(session: Session, query: LibraryQuery, here: str) -> Page:
    """Peers' shareable messages matching ``query``, newest peer first, ``PAGE_SIZE`` a page."""
    stmt = (select(RegionPeerMessage, RegionPeer.name, RegionPeer.public_key, RegionPeerRumour.statement)
            .join(RegionPeer, RegionPeer.id == RegionPeerMessage.peer_id)
            .outerjoin(RegionPeerRumour, (RegionPeerRumour.peer_id == RegionPeerMessage.peer_id)
                       & (RegionPeerRumour.remote_id == RegionPeerMessage.remote_rumour_id)))
    if query.language:
        stmt = stmt.where(RegionPeerMessage.language == query.language)
    if query.category:
        stmt = stmt.where(or_(RegionPeerMessage.category == query.category,
                              RegionPeerRumour.category == query.category))
    if query.peer:
        stmt = stmt.where(RegionPeer.name == query.peer)
    if query.rumour:
        # The rumour's statement or one of its translations, or the message itself.
        pattern = f"%{_escape_like(query.rumour.lower())}%"
        stmt = stmt.where(or_(RegionPeerRumour.id.in_(_rumours_translated(session, query.rumour)),
                              *(func.lower(column).like(pattern, escape="\\") for column in (
                                  RegionPeerRumour.statement, RegionPeerMessage.title, RegionPeerMessage.body))))
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(query.page, pages)
    rows = session.execute(stmt.order_by(RegionPeer.name, RegionPeerMessage.remote_id)
                           .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    adopted = {(key, remote_id) for key, remote_id in session.execute(
        select(RegionAdoption.source_key, RegionAdoption.remote_message_id))}
    users: dict[str, dict[int, list[str]]] = {}
    for _, _, key, _ in rows:
        if key not in users:
            ids = [m.remote_id for m, _, k, _ in rows if k == key]
            users[key] = used_in(session, key, ids)
    entries = []
    for message, name, key, statement in rows:
        here_too = (key, message.remote_id) in adopted
        places = [*users[key].get(message.remote_id, []), *([here] if here_too else [])]
        entries.append(Entry(message, name, statement, places, here_too))
    return Page(entries, total, page, pages)
