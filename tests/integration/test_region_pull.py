"""Pulling a feed into the database (here this deployment's own, through the test client): stored once, idempotent,
a changed week refused; the same code the two-deployment test runs over loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.cli import cli
from hotline.db import utcnow
from hotline.region.document import FeedRefused, sign
from hotline.region.keys import load_or_create_key
from hotline.region.models import RegionPeerMessage, RegionPeerRumour, RegionPeerWeek
from hotline.region.subscribe import PeerError, add_peer, pull_peer
from tests.functional.test_region_feed import seed, token

URL = "http://127.0.0.1/api/v1/region/feed"


def fetch_from(client: FlaskClient):  # type: ignore[no-untyped-def]
    def fetch(url: str, bearer: str) -> bytes:
        parts = urlsplit(url)
        answer = client.get(f"{parts.path}?{parts.query}", headers={"Authorization": f"Bearer {bearer}"})
        if answer.status_code != 200:
            raise FeedRefused(f"the peer answered HTTP {answer.status_code}")
        return answer.get_data()
    return fetch


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_pull_stores_once_and_is_idempotent(app: Flask, client: FlaskClient, runner: FlaskCliRunner,
                                            db_session: Session) -> None:
    public_key = runner.invoke(cli, ["region", "key"]).stdout.strip()
    seed(db_session)
    keys = app.extensions["hotline"].keys
    peer = add_peer(db_session, keys, "self", URL, public_key, token(db_session))
    first = pull_peer(db_session, keys, peer, utcnow(), fetch_from(client))
    assert first.weeks >= 2 and first.rumours == 1 and first.messages == 1
    weeks = count(db_session, RegionPeerWeek)
    second = pull_peer(db_session, keys, peer, utcnow(), fetch_from(client))
    assert second.weeks == 0
    assert count(db_session, RegionPeerWeek) == weeks
    assert count(db_session, RegionPeerRumour) == 1 and count(db_session, RegionPeerMessage) == 1
    with pytest.raises(PeerError, match="already exists"):
        add_peer(db_session, keys, "self", URL, public_key, "htl_other")


def test_a_week_sent_again_with_other_figures_is_refused(app: Flask, client: FlaskClient, runner: FlaskCliRunner,
                                                         db_session: Session) -> None:
    public_key = runner.invoke(cli, ["region", "key"]).stdout.strip()
    seed(db_session)
    keys = app.extensions["hotline"].keys
    peer = add_peer(db_session, keys, "self", URL, public_key, token(db_session))
    pull_peer(db_session, keys, peer, utcnow(), fetch_from(client))
    stored = db_session.scalars(select(RegionPeerWeek).order_by(RegionPeerWeek.week_start)).first()
    assert stored is not None
    stored.digest = "0" * 64  # as if the peer had published other figures for this week before
    peer.last_week = None  # and asked again from the start
    with pytest.raises(FeedRefused, match="a published week never changes"):
        pull_peer(db_session, keys, peer, utcnow(), fetch_from(client))


def test_a_signed_feed_with_a_small_cell_is_refused(app: Flask, client: FlaskClient, runner: FlaskCliRunner,
                                                    db_session: Session) -> None:
    """A peer whose own suppression is broken (or lowered under 3) is refused, whoever signed it."""
    public_key = runner.invoke(cli, ["region", "key"]).stdout.strip()
    seed(db_session)
    keys = app.extensions["hotline"].keys
    key, _ = load_or_create_key(Path(app.config["HOTLINE"].instance_path))
    honest = fetch_from(client)

    def leaky(url: str, bearer: str) -> bytes:
        document = json.loads(honest(url, bearer))["document"]
        week = next(w for w in document["weeks"] if w["rows"])
        week["rows"][0][7] = 2
        return json.dumps(sign(document, key)).encode()

    peer = add_peer(db_session, keys, "leaky", URL, public_key, token(db_session))
    with pytest.raises(FeedRefused, match="count under its threshold"):
        pull_peer(db_session, keys, peer, utcnow(), leaky)
    assert count(db_session, RegionPeerWeek) == 0
