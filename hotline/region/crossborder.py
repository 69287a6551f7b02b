"""Cross-border rumours from the database: paths of confirmed links and early warnings, from published weeks only.

The local side of a path comes from this deployment's frozen published weeks (what its feed serves), the peers'
side from the weeks they signed; both are suppressed tables, and hotline.region.paths skips every hidden cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.region.link_models import LinkStatus, RegionRumourLink
from hotline.region.models import RegionPeer, RegionPeerRumour, RegionPeerWeek, RegionPublishedWeek
from hotline.region.paths import (
    EarlyWarning,
    PathStep,
    PublishedCount,
    early_warnings,
    merge_sources,
    published_countries,
    published_counts,
    rumour_path,
)
from hotline.region.publish import last_closed_week
from hotline.region.routes import RegionConfig
from hotline.rumours.models import Rumour
from hotline.trends.config import RisingConfig

# Paths cover the last year of published weeks: every view reads (and parses) the rows of every week in the window.
PATH_WEEKS = 52


@dataclass(frozen=True)
class RumourPath:
    """A local rumour confirmed as the same claim as peers' rumours, and the countries it reached by week."""

    rumour_id: int
    statement: str
    translations: dict[str, str]
    steps: list[PathStep]


@dataclass(frozen=True)
class PeerWarning:
    """An early warning with what the page shows about it: the peer's statement, and the local rumour if linked."""

    warning: EarlyWarning
    peer: str
    statement: str
    translations: dict[str, str]
    rumour_id: int | None


@dataclass(frozen=True)
class CrossBorder:
    """Everything the dashboard, the API and the digest show about rumours crossing borders."""

    through: date
    home: tuple[str, ...]
    paths: list[RumourPath] = field(default_factory=list)
    warnings: list[PeerWarning] = field(default_factory=list)


def _local_key(rumour_id: int) -> tuple[str, int]:
    return ("rumour", rumour_id)


def _peer_key(peer_rumour_id: int) -> tuple[str, int]:
    return ("peer", peer_rumour_id)


def cross_border(session: Session, today: date, config: RegionConfig, rising: RisingConfig,
                 k: int) -> CrossBorder:
    """Paths of every local rumour with a confirmed link (over the last ``PATH_WEEKS`` weeks), and warnings of
    rumours rising upstream, as of the last week that may be published on ``today``."""
    through = last_closed_week(today)
    first = through - timedelta(weeks=PATH_WEEKS - 1)
    links = session.execute(select(RegionRumourLink.rumour_id, RegionPeerRumour)
                            .join(RegionPeerRumour, RegionPeerRumour.id == RegionRumourLink.peer_rumour_id)
                            .where(RegionRumourLink.status == LinkStatus.CONFIRMED)
                            .order_by(RegionRumourLink.id)).all()
    linked_local = sorted({rumour_id for rumour_id, _ in links})
    # A peer rumour confirmed against two local rumours counts towards the first confirmed.
    local_of: dict[int, int] = {}
    for rumour_id, peer_rumour in links:
        local_of.setdefault(peer_rumour.id, rumour_id)

    local_rows = [row for week in session.scalars(select(RegionPublishedWeek)
                                                  .where(RegionPublishedWeek.week_start.between(first, through)))
                  for row in week.rows]
    local_counts = published_counts(local_rows, {rid: _local_key(rid) for rid in linked_local})
    home = config.home or published_countries(local_rows)

    peer_rumours = list(session.scalars(select(RegionPeerRumour)))
    by_peer: dict[int, list[RegionPeerRumour]] = {}
    for peer_rumour in peer_rumours:
        by_peer.setdefault(peer_rumour.peer_id, []).append(peer_rumour)
    # One list per peer (its weeks' cells summed), merged so that two feeds of the same country never add up.
    path_sources: dict[int, list[PublishedCount]] = defaultdict(list)
    warning_sources: dict[int, list[PublishedCount]] = defaultdict(list)
    for peer_week in session.scalars(select(RegionPeerWeek).where(RegionPeerWeek.week_start.between(first, through))):
        mine = by_peer.get(peer_week.peer_id, [])
        linked = {p.remote_id: _local_key(local_of[p.id]) for p in mine if p.id in local_of}
        path_sources[peer_week.peer_id].extend(published_counts(peer_week.rows, linked))
        warning_sources[peer_week.peer_id].extend(
            published_counts(peer_week.rows, {p.remote_id: _peer_key(p.id) for p in mine}))
    path_counts = merge_sources(local_counts, *path_sources.values())
    warning_counts = [count for counts in warning_sources.values() for count in counts]  # keys are per peer
    paths = _paths(session, linked_local, path_counts)
    arrived_here = {c.key for c in local_counts if c.country in home}
    arrived = [_peer_key(pid) for pid, rid in local_of.items() if _local_key(rid) in arrived_here]
    rising_cfg = RisingConfig(rising.recent_weeks, max(rising.min_count, k), rising.min_ratio, rising.alpha)
    found = early_warnings(warning_counts, config.routes, home, through, rising_cfg, arrived)
    names = {pid: name for pid, name in session.execute(select(RegionPeer.id, RegionPeer.name))}
    peer_by_id = {p.id: p for p in peer_rumours}
    warnings = []
    for warning in found:
        peer_rumour = peer_by_id[_id(warning.key)]
        warnings.append(PeerWarning(warning, names.get(peer_rumour.peer_id, "?"), peer_rumour.statement,
                                    dict(peer_rumour.translations or {}), local_of.get(peer_rumour.id)))
    return CrossBorder(through, home, paths, warnings)


def _id(key: Hashable) -> int:
    assert isinstance(key, tuple)
    return int(key[1])


def _paths(session: Session, rumour_ids: list[int], counts: list[PublishedCount]) -> list[RumourPath]:
    if not rumour_ids:
        return []
    rumours = {r.id: r for r in session.scalars(select(Rumour).where(Rumour.id.in_(rumour_ids)))}
    paths = []
    for rumour_id in rumour_ids:
        steps = rumour_path(c for c in counts if c.key == _local_key(rumour_id))
        rumour = rumours.get(rumour_id)
        if rumour is not None and steps:
            paths.append(RumourPath(rumour_id, rumour.canonical_statement,
                                    dict(rumour.statement_translations or {}), steps))
    return sorted(paths, key=lambda p: (p.steps[0].first_week, p.rumour_id))
