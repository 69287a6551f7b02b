"""The scheduled pull, as a job (`hotline region pull` from cron does the same)."""

from __future__ import annotations

import logging

from flask import current_app

from hotline.db import utcnow
from hotline.jobs import job_session
from hotline.region.document import FeedRefused
from hotline.region.subscribe import PeerError, peers, pull_peer

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
    return refused
