"""Linking peers' rumours to local ones: suggested by the multilingual matcher, decided by a supervisor.

The matcher is the classifier's (hotline.classify.matching): character n-gram TF-IDF cosine over every statement a
rumour is known by. Local reviewed rumours are indexed with their canonical statements and translations; each of a
peer rumour's statements (its canonical one and its translations) is searched, and the best score per local rumour
is kept. A pair is suggested once: a rejected pair stays rejected, whatever later pulls bring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from hotline.audit.service import record_event
from hotline.auth.models import User
from hotline.classify.matching import RumourIndex, RumourText
from hotline.region.link_models import LinkStatus, RegionRumourLink
from hotline.region.models import RegionPeerRumour
from hotline.region.publish import freeze_weeks
from hotline.rumours.models import Rumour, RumourStatus

CANDIDATES_PER_RUMOUR = 3  # a peer rumour is offered at most this many local rumours to choose from


class LinkRefused(ValueError):
    """A decision that cannot be taken (unknown link, already decided, not a decision)."""


def _local_index(session: Session) -> RumourIndex:
    rows = session.execute(select(Rumour.id, Rumour.canonical_statement, Rumour.statement_translations)
                           .where(Rumour.status == RumourStatus.REVIEWED, Rumour.merged_into_id.is_(None)))
    return RumourIndex(RumourText(rid, RumourStatus.REVIEWED, [statement, *(translations or {}).values()])
                       for rid, statement, translations in rows)


def best_matches(index: RumourIndex, statements: list[str], threshold: float) -> dict[int, float]:
    """Local rumour id -> best score over ``statements``, for scores at or above ``threshold`` (best few only)."""
    best: dict[int, float] = {}
    for text in statements:
        for match in index.search(text, limit=CANDIDATES_PER_RUMOUR):
            if match.score >= threshold and match.score > best.get(match.rumour_id, 0.0):
                best[match.rumour_id] = match.score
    top = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:CANDIDATES_PER_RUMOUR]
    return dict(top)


def suggest_links(session: Session, threshold: float) -> int:
    """Suggest a link for every (peer rumour, local reviewed rumour) pair that matches and was never suggested;
    returns how many were added (flushed, not committed)."""
    index = _local_index(session)
    if not len(index):
        return 0
    known = {(peer_rumour_id, rumour_id) for peer_rumour_id, rumour_id in
             session.execute(select(RegionRumourLink.peer_rumour_id, RegionRumourLink.rumour_id))}
    added = 0
    for peer_rumour in session.scalars(select(RegionPeerRumour).order_by(RegionPeerRumour.id)):
        statements = [peer_rumour.statement, *(peer_rumour.translations or {}).values()]
        for rumour_id, score in best_matches(index, statements, threshold).items():
            if (peer_rumour.id, rumour_id) in known:
                continue
            session.add(RegionRumourLink(peer_rumour_id=peer_rumour.id, rumour_id=rumour_id, score=score,
                                         status=LinkStatus.SUGGESTED))
            added += 1
    session.flush()
    return added


def after_pull(session: Session, today: date, k: int, confirmed_score: float, threshold: float) -> int:
    """What a pull is followed by: this deployment's closed weeks frozen (the local side of every path comes from
    published weeks only) and new links suggested; returns how many links were suggested."""
    freeze_weeks(session, today, k, confirmed_score)
    return suggest_links(session, threshold)


def suggested_links(session: Session) -> list[RegionRumourLink]:
    """Links waiting for a supervisor, best match first."""
    stmt = (select(RegionRumourLink).where(RegionRumourLink.status == LinkStatus.SUGGESTED)
            .options(joinedload(RegionRumourLink.peer_rumour), joinedload(RegionRumourLink.rumour))
            .order_by(RegionRumourLink.score.desc(), RegionRumourLink.id))
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Decision:
    """A supervisor's answer to one suggested link."""

    link_id: int
    confirm: bool


def decide(session: Session, decision: Decision, user: User, now: datetime) -> RegionRumourLink:
    """Confirm or reject a suggested link, audited; LinkRefused for an unknown or already decided link."""
    link = session.get(RegionRumourLink, decision.link_id)
    if link is None:
        raise LinkRefused("not_found")
    if link.status != LinkStatus.SUGGESTED:
        raise LinkRefused("decided")
    before = {"status": link.status}
    link.status = LinkStatus.CONFIRMED if decision.confirm else LinkStatus.REJECTED
    link.decided_by_id, link.decided_at = user.id, now
    record_event(session, f"user:{user.id}", "region_link.confirm" if decision.confirm else "region_link.reject",
                 "region_rumour_link", link.id, before=before,
                 after={"status": link.status, "rumour_id": link.rumour_id, "peer_rumour_id": link.peer_rumour_id},
                 actor_user_id=user.id)
    session.flush()
    return link
