
"""Seed a live server's database for the regional library's browser test (run in the server's child process)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from hotline.extensions import db
from hotline.region.library_models import RegionPeerAdoption, RegionPeerEvaluation
from hotline.region.models import RegionPeer, RegionPeerMessage, RegionPeerRumour
from tests.factories import STAFF_PASSWORD, make_staff

HOSTILE = "<script>window.pwned=1</script><img src=x onerror=window.pwned=1>"


def seed(app: Flask, out: Path) -> None:
    """Staff, a peer with shareable messages (one hostile), a peer's adoption and a peer's evaluation."""
    with app.app_context():
        session = db.session()
        supervisor = make_staff(session, "supervisor", email="sup@hotline.test")
        analyst = make_staff(session, "analyst", email="analyst@hotline.test")
        peer = RegionPeer(name="bd", url="https://bd.example.org/api/v1/region/feed", public_key="A" * 43 + "=",
                          token_sealed=b"sealed")
        other = RegionPeer(name="my", url="https://my.example.org/api/v1/region/feed", public_key="B" * 43 + "=",
                           token_sealed=b"sealed")
        session.add_all([peer, other])
        session.flush()
        session.add(RegionPeerRumour(peer_id=peer.id, remote_id=3, category="smuggler_claims",
                                     statement="Boats to Malaysia are safe in the monsoon",
                                     translations={"bn": "বর্ষায় মালয়েশিয়ার নৌকা নিরাপদ"}))
        session.add_all([
            RegionPeerMessage(peer_id=peer.id, remote_id=12, remote_rumour_id=3, category="smuggler_claims",
                              language="bn", title="নৌকা নিরাপদ নয়", body="বর্ষায় সমুদ্র সবচেয়ে বিপজ্জনক।",
                              source="IOM", audio_url="https://bd.example.org/audio/12.wav"),
            RegionPeerMessage(peer_id=peer.id, remote_id=13, remote_rumour_id=3, category="smuggler_claims",
                              language="en", title="Boats are not safe", body="The sea is most dangerous in the "
                              "monsoon; smugglers do not say so.", source="IOM"),
            RegionPeerMessage(peer_id=peer.id, remote_id=14, category="journey_risk", language="prs",
                              title="مسیرها تغییر می‌کنند", body="قاچاقبران مسیر را عوض می‌کنند.", source=None),
            RegionPeerMessage(peer_id=peer.id, remote_id=15, category="journey_risk", language="en",
                              title=HOSTILE, body=HOSTILE, source=HOSTILE),
        ])
        session.add(RegionPeerAdoption(peer_id=other.id, source_key=peer.public_key, remote_message_id=13))
        session.add(RegionPeerEvaluation(peer_id=peer.id, remote_id=2, stage="complete", item={
            "id": 2, "stage": "complete", "name": "Monsoon seas, Cox's Bazar and Bhasan Char",
            "target_categories": ["journey_risk"], "languages": ["bn", "rhg"], "countries": ["BD"],
            "before": {"first": "2026-08-24", "last": "2026-09-06", "reports": 40, "per_week": 20.0},
            "during": {"first": "2026-09-07", "last": "2026-09-20", "reports": 12, "per_week": 6.0},
            "after": {"first": "2026-09-21", "last": "2026-10-04", "reports": None, "per_week": None},
            "change_percent": -70, "p_value": 0.0002, "min_cell_count": 5}))
        session.commit()
        out.write_text(json.dumps({"password": STAFF_PASSWORD, "supervisor": supervisor.email,
                                   "analyst": analyst.email}))
