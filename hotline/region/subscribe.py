"""The subscribing side: add peers, pull their feeds, check each before storing anything, store idempotently."""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from marshmallow import EXCLUDE, Schema, ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.sealing import SealBroken, seal, unseal
from hotline.region.adoption import check_adoptions, store_peer_adoptions
from hotline.region.document import (
    Expectation,
    FeedRefused,
    check_document,
    load_public_key,
    open_envelope,
    week_digest,
)
from hotline.region.evaluations import check_items, store_peer_evaluations
from hotline.region.models import RegionPeer, RegionPeerMessage, RegionPeerRumour, RegionPeerWeek
from hotline.region.schemas import PeerMessageSchema, PeerRumourSchema
from hotline.region.tables import REGION_COLUMNS
from hotline.trends.suppression import MIN_K

MAX_FEED_BYTES = 64 * 1024 * 1024
TIMEOUT_SECONDS = 30
MAX_ROUNDS = 20  # documents per pull (52 weeks each): a peer far ahead is caught up over several pulls
Fetch = Callable[[str, str], bytes]


class PeerError(ValueError):
    """A peer that cannot be added or pulled (unknown name, duplicate, unreadable token)."""


@dataclass(frozen=True)
class PullResult:
    """What one pull of one peer stored."""

    peer: str
    weeks: int
    rumours: int
    messages: int


def _token_context(name: str) -> str:
    return f"region-peer:{name}"  # authenticated data: a sealed token cannot be moved to another peer's row


def add_peer(session: Session, keys: PrivacyKeys, name: str, url: str, public_key: str, token: str) -> RegionPeer:
    """Subscribe to a peer (its token sealed with this deployment's key); PeerError if the name is taken."""
    if session.scalar(select(RegionPeer).where(RegionPeer.name == name)) is not None:
        raise PeerError(f"a peer named {name} already exists")
    load_public_key(public_key)
    peer = RegionPeer(name=name, url=url, public_key=public_key.strip(),
                      token_sealed=seal(keys, token, _token_context(name)))
    session.add(peer)
    session.flush()
    return peer


def peers(session: Session, name: str | None = None) -> list[RegionPeer]:
    """Every peer, or the one named; PeerError for an unknown name."""
    stmt = select(RegionPeer).order_by(RegionPeer.name)
    found = list(session.scalars(stmt.where(RegionPeer.name == name) if name else stmt))
    if name and not found:
        raise PeerError(f"no peer named {name} (see `hotline region peers list`)")
    return found


def http_fetch(url: str, token: str) -> bytes:
    """GET ``url`` with the bearer token; FeedRefused on an HTTP error, a network error or an oversized body."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    req = urllib.request.Request(url, headers=headers)  # noqa: S310 (https, or http on loopback: PeerSchema)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 (URL checked on add)
            body: bytes = answer.read(MAX_FEED_BYTES + 1)
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", "replace")
        raise FeedRefused(f"the peer answered HTTP {exc.code}: {detail.strip()}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FeedRefused(f"the peer could not be reached: {exc}") from None
    if len(body) > MAX_FEED_BYTES:
        raise FeedRefused(f"the feed is larger than {MAX_FEED_BYTES} bytes")
    return body


def pull_peer(session: Session, keys: PrivacyKeys, peer: RegionPeer, now: datetime,
              fetch: Fetch = http_fetch) -> PullResult:
    """Fetch, check and store ``peer``'s feed until it has nothing more; FeedRefused stores nothing of that
    document (the caller rolls back or commits what earlier documents stored)."""
    try:
        token = unseal(keys, peer.token_sealed, _token_context(peer.name))
    except SealBroken:
        raise PeerError(f"the token stored for {peer.name} cannot be opened (was HOTLINE_PSEUDONYM_KEY "
                        "changed?): remove and add the peer again") from None
    public_key = load_public_key(peer.public_key)
    weeks = rumours = messages = 0
    for _ in range(MAX_ROUNDS):
        nonce = secrets.token_urlsafe(24)
        query = {"nonce": nonce, **({"since": peer.last_week.isoformat()} if peer.last_week else {})}
        document = open_envelope(fetch(f"{peer.url}?{urlencode(query)}", token), public_key)
        mondays = check_document(document, Expectation(nonce, peer.last_week, peer.last_issued_at))
        tables = _checked_weeks(document, mondays)
        rumour_items = _checked_items(document, "rumours", PeerRumourSchema())
        message_items = _checked_items(document, "messages", PeerMessageSchema())
        adoptions, evaluations = check_adoptions(document.get("adoptions")), check_items(document.get("evaluations"))
        weeks += _store_weeks(session, peer, tables)
        rumours, messages = _store_rumours(session, peer, rumour_items), _store_messages(session, peer, message_items)
        store_peer_adoptions(session, peer, adoptions)
        store_peer_evaluations(session, peer, evaluations)
        peer.last_issued_at = datetime.fromisoformat(document["issued_at"])
        peer.last_week = mondays[-1] if mondays else peer.last_week
        if not document.get("more"):
            break
    peer.last_pulled_at = now
    session.flush()
    return PullResult(peer.name, weeks, rumours, messages)


def _checked_weeks(document: dict[str, Any], mondays: list[date]) -> list[tuple[date, list[Any]]]:
    columns = [c.get("name") for c in document.get("columns", []) if isinstance(c, dict)]
    if columns != [c.name for c in REGION_COLUMNS]:
        raise FeedRefused(f"the feed's columns {columns} are not the regional table's")
    k = document.get("min_cell_count")
    if not isinstance(k, int) or k < MIN_K:
        raise FeedRefused(f"the feed's suppression threshold {k!r} is under {MIN_K}")
    count_at = columns.index("count")
    tables = []
    for monday, week in zip(mondays, document["weeks"], strict=True):
        rows = week.get("rows")
        if not isinstance(rows, list) or any(not isinstance(r, list) or len(r) != len(columns) for r in rows):
            raise FeedRefused(f"the week of {monday} has malformed rows")
        week_k = week.get("min_cell_count", k)
        if not isinstance(week_k, int) or week_k < MIN_K:
            raise FeedRefused(f"the week of {monday} was suppressed with a threshold {week_k!r} under {MIN_K}")
        if any(r[count_at] is not None and (not isinstance(r[count_at], int) or r[count_at] < week_k)
               for r in rows):
            raise FeedRefused(f"the week of {monday} publishes a count under its threshold {week_k}: refused")
        tables.append((monday, rows))
    return tables


def _store_weeks(session: Session, peer: RegionPeer, tables: list[tuple[date, list[Any]]]) -> int:
    stored = 0
    for monday, rows in tables:
        digest = week_digest({"week_start": monday.isoformat(), "rows": rows})
        existing = session.scalar(select(RegionPeerWeek).where(RegionPeerWeek.peer_id == peer.id,
                                                               RegionPeerWeek.week_start == monday))
        if existing is not None:
            if existing.digest != digest:
                raise FeedRefused(f"{peer.name} sent the week of {monday} again with other figures: a published "
                                  "week never changes; refused")
            continue
        session.add(RegionPeerWeek(peer_id=peer.id, week_start=monday, rows=rows, digest=digest))
        stored += 1
    return stored


def _checked_items(document: dict[str, Any], name: str, schema: Schema) -> dict[int, dict[str, Any]]:
    items = document.get(name)
    if not isinstance(items, list):
        raise FeedRefused(f"the feed has no list of {name}")
    try:
        loaded = schema.load(items, many=True, unknown=EXCLUDE)
    except ValidationError as exc:
        raise FeedRefused(f"the feed's {name} are malformed: {exc.messages}") from None
    return {item["id"]: item for item in loaded}


def _store_rumours(session: Session, peer: RegionPeer, items: dict[int, dict[str, Any]]) -> int:
    existing = {r.remote_id: r for r in session.scalars(select(RegionPeerRumour)
                                                         .where(RegionPeerRumour.peer_id == peer.id))}
    for remote_id, item in items.items():
        row = existing.get(remote_id) or RegionPeerRumour(peer_id=peer.id, remote_id=remote_id)
        row.category, row.statement = item["category"], item["statement"]
        row.translations, row.verification = item["translations"], item["verification"]
        session.add(row)
    session.execute(delete(RegionPeerRumour).where(RegionPeerRumour.peer_id == peer.id,
                                                   RegionPeerRumour.remote_id.not_in(list(items))))
    return len(items)


def _store_messages(session: Session, peer: RegionPeer, items: dict[int, dict[str, Any]]) -> int:
    existing = {m.remote_id: m for m in session.scalars(select(RegionPeerMessage)
                                                         .where(RegionPeerMessage.peer_id == peer.id))}
    for remote_id, item in items.items():
        row = existing.get(remote_id) or RegionPeerMessage(peer_id=peer.id, remote_id=remote_id)
        row.remote_rumour_id, row.category, row.language = item["rumour_id"], item["category"], item["language"]
        row.title, row.body, row.source = item["title"], item["body"], item["source"]
        row.audio_url = item["audio_url"]
        session.add(row)
    session.execute(delete(RegionPeerMessage).where(RegionPeerMessage.peer_id == peer.id,
                                                    RegionPeerMessage.remote_id.not_in(list(items))))
    return len(items)
