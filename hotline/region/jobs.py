"""The scheduled pull, as a job (`hotline region pull` from cron does the same): every peer, then this deployment's
closed weeks frozen and links between peers' rumours and ours suggested to supervisors."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.jobs import job_session
from hotline.region.document import FeedRefused
from hotline.region.links import after_pull
from hotline.region.routes import region_config
from hotline.region.subscribe import PeerError, peers, pull_peer
from hotline.trends.config import confirmed_match_score, trends_config

log = logging.getLogger(__name__)


def pull_all() -> int:
    """Pull every peer, each in its own transaction; returns how many were refused (each logged)."""
    keys = current_app.extensions["hotline"].keys
    with job_session() as session:
        names = [peer.name for peer in peers(session)]
    refused = 0
    for name in names:
        try:
            with job_session() as session:
                result = pull_peer(session, keys, peers(session, name)[0], utcnow())
        except (FeedRefused, PeerError) as exc:
            refused += 1
            log.warning("region pull refused", extra={"peer": name, "reason": str(exc)})
            continue
        log.info("region pull", extra={"peer": name, "weeks": result.weeks, "rumours": result.rumours,
                                       "messages": result.messages})
    with job_session() as session:
        suggested = suggest_after_pull(session)
    log.info("region links suggested", extra={"links": suggested})
    return refused


def suggest_after_pull(session: Session) -> int:
    """Freeze this deployment's closed weeks and suggest links for what the peers sent (flushed, not committed)."""
    return after_pull(session, utcnow().date(), trends_config().min_cell_count, confirmed_match_score(),
                      region_config().suggest_links_from)
