"""Adopting a peer's shareable counter-message into the local library, and sharing which messages were adopted.

An adoption makes local drafts (the message and its translations: the same peer's shareable messages for the same
rumour and category in the other languages this hotline uses), crediting the source peer; the drafts go through
the usual approval (hotline.triage.library.set_status: the adopter, their author, cannot approve them). Once
approved, the feed publishes the adoption as (source deployment's public key, its message id): no person, no count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.models import Role, User
from hotline.region.document import FeedRefused
from hotline.region.library_models import RegionAdoption, RegionPeerAdoption
from hotline.region.models import RegionPeer, RegionPeerMessage, RegionPeerRumour
from hotline.rumours.models import ApprovalStatus, CounterMessage
from hotline.triage.actions import ActionRefused

SOURCE_MAX = 200


def credit(peer_name: str, source: str | None) -> str:
    """The local message's source line: the peer it was adopted from, and the source it named."""
    text = f"{peer_name}: {source}" if source else peer_name
    return text[:SOURCE_MAX]


def translations(chosen: RegionPeerMessage, siblings: Sequence[RegionPeerMessage],
                 languages: Sequence[str]) -> list[RegionPeerMessage]:
    """The chosen message, then one message per other local language among its peer's shareable messages for the
    same rumour and category (the lowest id when there are several), pure."""
    picked = {chosen.language: chosen}
    for sibling in sorted(siblings, key=lambda m: m.remote_id):
        if (sibling.peer_id, sibling.remote_rumour_id, sibling.category) != \
                (chosen.peer_id, chosen.remote_rumour_id, chosen.category):
            continue
        if sibling.language in languages and sibling.language not in picked:
            picked[sibling.language] = sibling
    return list(picked.values())


def adopt(session: Session, peer_message: RegionPeerMessage, user: User, categories: Sequence[str],
          languages: Sequence[str]) -> list[CounterMessage]:
    """Local drafts of ``peer_message`` and its translations, credited to its peer; ActionRefused when it was
    adopted already, or its language or category is not used here."""
    if user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise ActionRefused("forbidden")
    peer = session.get(RegionPeer, peer_message.peer_id)
    if peer is None:
        raise ActionRefused("not_found")
    category = peer_message.category or _rumour_category(session, peer_message)
    if peer_message.language not in languages or category not in categories:
        raise ActionRefused("not_adoptable")
    siblings = session.scalars(select(RegionPeerMessage).where(
        RegionPeerMessage.peer_id == peer.id, RegionPeerMessage.id != peer_message.id)).all()
    chosen = translations(peer_message, siblings, languages)
    taken = set(session.scalars(select(RegionAdoption.remote_message_id).where(
        RegionAdoption.source_key == peer.public_key,
        RegionAdoption.remote_message_id.in_([m.remote_id for m in chosen]))))
    if peer_message.remote_id in taken:
        raise ActionRefused("already_adopted")
    drafts = []
    for item in chosen:
        if item.remote_id in taken:
            continue
        message = CounterMessage(category=category, language=item.language, title=item.title, body=item.body,
                                 source=credit(peer.name, item.source), audio_path=item.audio_url,
                                 status=ApprovalStatus.DRAFT, created_by_id=user.id)
        session.add(message)
        session.flush()
        session.add(RegionAdoption(message_id=message.id, peer_id=peer.id, source_key=peer.public_key,
                                   remote_message_id=item.remote_id, adopted_by_id=user.id))
        record_event(session, f"user:{user.id}", "counter_message.adopt", "counter_message", message.id,
                     after={"peer": peer.name, "remote_message_id": item.remote_id, "language": item.language,
                            "status": message.status}, actor_user_id=user.id)
        drafts.append(message)
    session.flush()
    return drafts


def _rumour_category(session: Session, message: RegionPeerMessage) -> str | None:
    if message.remote_rumour_id is None:
        return None
    return session.scalar(select(RegionPeerRumour.category).where(
        RegionPeerRumour.peer_id == message.peer_id, RegionPeerRumour.remote_id == message.remote_rumour_id))


def published_adoptions(session: Session) -> list[dict[str, Any]]:
    """This deployment's adoptions in use (approved here), for the feed: source key and message id only."""
    stmt = (select(RegionAdoption.source_key, RegionAdoption.remote_message_id)
            .join(CounterMessage, CounterMessage.id == RegionAdoption.message_id)
            .where(CounterMessage.status == ApprovalStatus.APPROVED)
            .distinct().order_by(RegionAdoption.source_key, RegionAdoption.remote_message_id))
    return [{"source_key": key, "message_id": remote_id} for key, remote_id in session.execute(stmt)]


class PeerAdoptionSchema(Schema):
    """An adoption as a peer's feed carries it."""

    class Meta:
        unknown = EXCLUDE

    source_key = fields.String(required=True, validate=validate.Length(min=40, max=64))
    message_id = fields.Integer(required=True, strict=True)


def check_adoptions(raw: Any) -> list[dict[str, Any]]:
    """A feed's adoptions, checked; none when the field is absent (a peer from before adoptions were shared)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise FeedRefused("the feed's adoptions are not a list")
    try:
        loaded: list[dict[str, Any]] = PeerAdoptionSchema().load(raw, many=True)
    except ValidationError as exc:
        raise FeedRefused(f"the feed's adoptions are malformed: {exc.messages}") from None
    return loaded


def store_peer_adoptions(session: Session, peer: RegionPeer, items: list[dict[str, Any]]) -> int:
    """Replace ``peer``'s adoptions with those of its latest feed."""
    wanted = {(item["source_key"], item["message_id"]) for item in items}
    existing = {(a.source_key, a.remote_message_id): a for a in session.scalars(
        select(RegionPeerAdoption).where(RegionPeerAdoption.peer_id == peer.id))}
    for key, row in existing.items():
        if key not in wanted:
            session.delete(row)
    for source_key, message_id in sorted(wanted - set(existing)):
        session.add(RegionPeerAdoption(peer_id=peer.id, source_key=source_key, remote_message_id=message_id))
    return len(wanted)


def used_in(session: Session, source_key: str, message_ids: Sequence[int]) -> dict[int, list[str]]:
    """For messages of the deployment whose key is ``source_key``: the peers whose feeds say they use them."""
    found: dict[int, list[str]] = defaultdict(list)
    if not message_ids:
        return found
    stmt = (select(RegionPeerAdoption.remote_message_id, RegionPeer.name)
            .join(RegionPeer, RegionPeer.id == RegionPeerAdoption.peer_id)
            .where(RegionPeerAdoption.source_key == source_key,
                   RegionPeerAdoption.remote_message_id.in_(list(message_ids)))
            .order_by(RegionPeer.name))
    for message_id, name in session.execute(stmt):
        found[message_id].append(name)
    return found


def local_annotations(session: Session, own_key: str | None,
                      message_ids: Sequence[int]) -> tuple[dict[int, str], dict[int, list[str]]]:
    """For local messages: the peer each was adopted from, and the peers using each (our own shared ones)."""
    if not message_ids:
        return {}, {}
    stmt = (select(RegionAdoption.message_id, RegionPeer.name)
            .join(RegionPeer, RegionPeer.id == RegionAdoption.peer_id)
            .where(RegionAdoption.message_id.in_(list(message_ids))))
    adopted = {message_id: name for message_id, name in session.execute(stmt)}
    return adopted, (dict(used_in(session, own_key, message_ids)) if own_key else {})
