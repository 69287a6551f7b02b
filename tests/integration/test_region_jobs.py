"""The scheduled pull (`hotline.region.jobs.pull_all`, run as the job queue runs it): every peer pulled in its own
transaction, a refused one logged and counted without stopping the others, then links suggested.

The peer is a second app with its own SQLite database, reached through its test client (a pull through this app's
own client would interleave the job's transaction with the request's on the test's one connection)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.extensions import db
from hotline.jobs import run_job
from hotline.migrate import upgrade
from hotline.region import jobs
from hotline.region.document import public_key_text
from hotline.region.keys import load_or_create_key
from hotline.region.link_models import LinkStatus, RegionRumourLink
from hotline.region.models import RegionPeer, RegionPeerRumour, RegionPeerWeek
from hotline.region.subscribe import add_peer, pull_peer
from tests.functional.test_region_feed import seed, token
from tests.integration.test_region_pull import URL, count, fetch_from
from tests.trends_helpers import add_rumour


@pytest.fixture()
def publisher(make_app: Callable[..., Flask], tmp_path: Path) -> tuple[Flask, str, str]:
    """A peer deployment: its app, the `peer` token it issued us, its public key."""
    url = f"sqlite:///{tmp_path / 'peer.sqlite3'}"
    upgrade(url)
    peer_app = make_app(database_url=url)
    with peer_app.app_context():
        session = db.session()
        seed(session)
        issued = token(session)
        session.commit()
        key, _ = load_or_create_key(Path(peer_app.config["HOTLINE"].instance_path))
        db.session.remove()
    return peer_app, issued, public_key_text(key)


def test_the_scheduled_pull_stores_every_peer_refuses_an_impostor_and_suggests_links(
        app: Flask, db_session: Session, publisher: tuple[Flask, str, str], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    peer_app, issued, public_key = publisher
    rumour = add_rumour(db_session)  # the same statement as the peer's (tests.trends_helpers)
    keys = app.extensions["hotline"].keys
    other_key = public_key_text(Ed25519PrivateKey.generate())
    add_peer(db_session, keys, "af", URL, public_key, issued)
    add_peer(db_session, keys, "impostor", URL, other_key, issued)  # the same feed, signed by another key
    db_session.flush()
    # The job fetches over HTTP; here through the peer app's test client.
    monkeypatch.setattr(jobs, "pull_peer", partial(_pull_through, peer_app))
    with caplog.at_level(logging.INFO, logger="hotline.region.jobs"):
        refused = run_job("hotline.region.jobs.pull_all")
    assert refused == 1
    assert any(r.getMessage() == "region pull refused" and getattr(r, "peer", "") == "impostor"
               for r in caplog.records)
    db_session.expire_all()
    stored = {p.name: count_for(db_session, p) for p in db_session.scalars(select(RegionPeer))}
    assert stored["impostor"] == (0, 0) and stored["af"][0] >= 2 and stored["af"][1] == 1
    assert db_session.scalar(select(RegionPeer.last_pulled_at).where(RegionPeer.name == "af")) is not None
    # The peer's rumour says what ours says: suggested to a supervisor, not linked.
    [link] = db_session.scalars(select(RegionRumourLink)).all()
    assert (link.rumour_id, link.status) == (rumour.id, LinkStatus.SUGGESTED) and link.score > 0.99

    again = run_job("hotline.region.jobs.pull_all")
    assert again == 1
    db_session.expire_all()
    assert count(db_session, RegionRumourLink) == 1  # suggested once


def _pull_through(peer_app: Flask, session: Session, keys: Any, peer: RegionPeer, now: Any) -> Any:
    return pull_peer(session, keys, peer, now, fetch_from(peer_app.test_client()))


def count_for(session: Session, peer: RegionPeer) -> tuple[int, int]:
    weeks = session.scalars(select(RegionPeerWeek).where(RegionPeerWeek.peer_id == peer.id)).all()
    rumours = session.scalars(select(RegionPeerRumour).where(RegionPeerRumour.peer_id == peer.id)).all()
    return len(weeks), len(rumours)
