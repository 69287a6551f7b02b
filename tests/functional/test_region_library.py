
"""The regional library end to end: sharing a message (supervisors, CSRF, audited), pulling a peer's signed feed
(and an older peer's without the later fields), searching the regional library, adopting a message as drafts that
another supervisor approves, the next own feed listing the adoption; campaign evaluations and regional exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import hxl
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.campaigns.models import Campaign
from hotline.cli import cli
from hotline.db import utcnow
from hotline.region.document import FORMAT, load_public_key, open_envelope, public_key_text, sign
from hotline.region.library_models import RegionAdoption, RegionPeerAdoption, RegionPeerEvaluation
from hotline.region.models import RegionPeer, RegionPeerMessage
from hotline.region.subscribe import add_peer, pull_peer
from hotline.rumours.models import ApprovalStatus, CounterMessage
from tests.factories import csrf_token_in, make_staff, sign_in
from tests.functional.test_region_feed import closed_monday, pull, token
from tests.trends_helpers import add_report

PEER_KEY = Ed25519PrivateKey.generate()
THIRD_KEY = public_key_text(Ed25519PrivateKey.generate())  # a deployment we do not subscribe to
URL = "https://bd.example.org/api/v1/region/feed"
AUDIO = "https://bd.example.org/audio/12.wav"


def signed_in(app: Flask, session: Session, role: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    sign_in(client, make_staff(session, role))
    return client, csrf_token_in(client.get("/console/profile").get_data(as_text=True))


def peer_document(nonce: str, since: str | None, later_fields: bool = True) -> dict[str, Any]:
    messages = [
        {"id": 12, "rumour_id": 3, "category": "smuggler_claims", "language": "bn", "title": "নৌকা নিরাপদ নয়",
         "body": "বর্ষায় সমুদ্র বিপজ্জনক।", "source": "IOM", "audio_url": AUDIO},
        {"id": 13, "rumour_id": 3, "category": "smuggler_claims", "language": "en", "title": "Boats are not safe",
         "body": "The sea is dangerous in the monsoon.", "source": "IOM"},
        *[{"id": 100 + n, "rumour_id": None, "category": "journey_risk", "language": "en", "title": f"Risk {n}",
           "body": "Routes change.", "source": None} for n in range(25)],
    ]
    document: dict[str, Any] = {
        "format": FORMAT, "nonce": nonce, "issued_at": datetime.now(UTC).isoformat(), "since": since,
        "through": None, "more": False, "min_cell_count": 5,
        "columns": [{"name": n, "hxl": ""} for n in ("iso_week", "week_start", "row", "country", "language",
                                                     "category", "rumour_id", "count", "suppressed")],
        "weeks": [],
        "rumours": [{"id": 3, "category": "smuggler_claims", "code": None,
                     "statement": "Boats to Malaysia are safe", "translations": {"bn": "মালয়েশিয়ার নৌকা নিরাপদ"},
                     "verification": "false"}],
        "messages": messages,
    }
    if later_fields:
        document["adoptions"] = [{"source_key": THIRD_KEY, "message_id": 4}]
        document["evaluations"] = [{
            "id": 2, "stage": "complete", "name": "Monsoon seas", "target_categories": ["journey_risk"],
            "languages": ["bn"], "countries": ["BD"],
            "before": {"first": "2026-08-24", "last": "2026-09-06", "reports": 40, "per_week": 20.0},
            "during": {"first": "2026-09-07", "last": "2026-09-20", "reports": 12, "per_week": 6.0},
            "after": {"first": "2026-09-21", "last": "2026-10-04", "reports": None, "per_week": None},
            "change_percent": -70, "p_value": 0.0002, "min_cell_count": 5}]
    return document


def peer_fetch(later_fields: bool = True) -> Callable[[str, str], bytes]:
    def fetch(url: str, _token: str) -> bytes:
        query = parse_qs(urlsplit(url).query)
        document = peer_document(query["nonce"][0], query.get("since", [None])[0], later_fields)
        return json.dumps(sign(document, PEER_KEY)).encode()
    return fetch


def pulled_peer(app: Flask, session: Session, later_fields: bool = True) -> RegionPeer:
    keys = app.extensions["hotline"].keys
    peer = add_peer(session, keys, "bd", URL, public_key_text(PEER_KEY), "htl_peer_token")
    pull_peer(session, keys, peer, utcnow(), peer_fetch(later_fields))
    session.flush()
    return peer


def approved(session: Session, **fields: Any) -> CounterMessage:
    message = CounterMessage(category="journey_risk", language="en", title="Seas", body="High waves",
                             status=ApprovalStatus.APPROVED, **fields)
    session.add(message)
    session.flush()
    return message


def test_a_supervisor_shares_an_approved_message_and_nobody_else_can(app: Flask, db_session: Session) -> None:
    message = approved(db_session)
    draft = CounterMessage(category="journey_risk", language="en", title="Draft", body="b",
                           status=ApprovalStatus.DRAFT)
    db_session.add(draft)
    db_session.flush()
    operator, operator_csrf = signed_in(app, db_session, "operator")
    assert operator.post(f"/console/library/{message.id}/shareable",
                         data={"csrf_token": operator_csrf, "shareable": "1"}).status_code == 403
    supervisor, csrf = signed_in(app, db_session, "supervisor")
    assert supervisor.post(f"/console/library/{message.id}/shareable", data={"shareable": "1"}).status_code == 400
    db_session.refresh(message)
    assert message.shareable is False
    page = supervisor.get("/console/library").get_data(as_text=True)
    assert "Share with the region" in page
    supervisor.post(f"/console/library/{message.id}/shareable", data={"csrf_token": csrf, "shareable": "1"})
    db_session.refresh(message)
    assert message.shareable is True
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "counter_message.shareable"))
    assert event is not None and event.entity_id == message.id
    refused = supervisor.post(f"/console/library/{draft.id}/shareable", data={"csrf_token": csrf, "shareable": "1"},
                              follow_redirects=True).get_data(as_text=True)
    assert "Only an approved message can be shared" in refused
    db_session.refresh(draft)
    assert draft.shareable is False
    supervisor.post(f"/console/library/{message.id}/shareable", data={"csrf_token": csrf, "shareable": "0"})
    db_session.refresh(message)
    assert message.shareable is False


def test_an_older_peers_feed_without_adoptions_or_evaluations_verifies_and_is_stored(
        app: Flask, db_session: Session) -> None:
    peer = pulled_peer(app, db_session, later_fields=False)
    stored = db_session.scalars(select(RegionPeerMessage).where(RegionPeerMessage.peer_id == peer.id)).all()
    assert len(stored) == 27
    assert db_session.scalars(select(RegionPeerAdoption)).all() == []
    assert db_session.scalars(select(RegionPeerEvaluation)).all() == []


def test_the_regional_library_searches_on_the_server_a_page_at_a_time(app: Flask, db_session: Session) -> None:
    pulled_peer(app, db_session)
    operator, _ = signed_in(app, db_session, "operator")
    first = operator.get("/console/region/library").get_data(as_text=True)
    assert "27 messages" in first and "Page 1 of 2" in first and 'rel="next"' in first
    second = operator.get("/console/region/library?page=2").get_data(as_text=True)
    assert "Risk 24" in second and "Risk 0" not in second
    by_translation = operator.get("/console/region/library?rumour=মালয়েশিয়া").get_data(as_text=True)
    assert "2 messages" in by_translation and "Boats are not safe" in by_translation
    by_language = operator.get("/console/region/library?rumour=malaysia&lang=bn").get_data(as_text=True)
    assert "One message" in by_language and "নৌকা নিরাপদ নয়" in by_language
    by_category = operator.get("/console/region/library?category=journey_risk").get_data(as_text=True)
    assert "25 messages" in by_category
    assert operator.get("/console/region/library?lang=<x>").status_code == 400
    assert "Adopt as a draft" not in first  # operators read; supervisors adopt


def test_adoption_end_to_end(app: Flask, client: FlaskClient, runner: FlaskCliRunner, db_session: Session) -> None:
    own_key = runner.invoke(cli, ["region", "key"]).stdout.strip()
    peer = pulled_peer(app, db_session)
    chosen = db_session.scalar(select(RegionPeerMessage).where(RegionPeerMessage.remote_id == 12))
    assert chosen is not None and chosen.audio_url == AUDIO
    operator, operator_csrf = signed_in(app, db_session, "operator")
    assert operator.post(f"/console/region/library/{chosen.id}/adopt",
                         data={"csrf_token": operator_csrf}).status_code == 403
    adopter, csrf = signed_in(app, db_session, "supervisor")
    assert adopter.post(f"/console/region/library/{chosen.id}/adopt").status_code == 400
    assert db_session.scalars(select(RegionAdoption)).all() == []
    adopter.post(f"/console/region/library/{chosen.id}/adopt", data={"csrf_token": csrf})
    drafts = db_session.scalars(select(CounterMessage).order_by(CounterMessage.language)).all()
    assert [(m.language, m.status, m.source) for m in drafts] == [("bn", "draft", "bd: IOM"),
                                                                  ("en", "draft", "bd: IOM")]
    bengali = drafts[0]
    assert bengali.audio_path == AUDIO and bengali.category == "smuggler_claims"
    again = adopter.post(f"/console/region/library/{chosen.id}/adopt", data={"csrf_token": csrf},
                         follow_redirects=True).get_data(as_text=True)
    assert "already been adopted" in again
    assert len(db_session.scalars(select(CounterMessage)).all()) == 2
    # Not in the feed while a draft; the adopter cannot approve what they adopted.
    peer_token = token(db_session)
    assert _own_adoptions(client, peer_token, own_key) == []
    own = adopter.post(f"/console/library/{bengali.id}/status", data={"csrf_token": csrf, "status": "approved"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Another supervisor must approve" in own
    approver, approver_csrf = signed_in(app, db_session, "supervisor")
    approver.post(f"/console/library/{bengali.id}/status", data={"csrf_token": approver_csrf, "status": "approved"})
    db_session.refresh(bengali)
    assert bengali.status == ApprovalStatus.APPROVED
    assert _own_adoptions(client, peer_token, own_key) == [{"source_key": public_key_text(PEER_KEY),
                                                            "message_id": 12}]
    library = approver.get("/console/library").get_data(as_text=True)
    assert "Adopted from bd" in library
    regional = approver.get("/console/region/library?lang=bn").get_data(as_text=True)
    assert "Used in this hotline" in regional and "Adopted here." in regional
    # A peer that adopted one of our shared messages: its feed says so, and our library shows it.
    ours = approved(db_session, shareable=True)
    db_session.add(RegionPeerAdoption(peer_id=peer.id, source_key=own_key, remote_message_id=ours.id))
    db_session.flush()
    assert "Used in bd" in approver.get("/console/library").get_data(as_text=True)


def _own_adoptions(client: FlaskClient, peer_token: str, own_key: str) -> list[Any]:
    answer, _ = pull(client, peer_token)
    document = open_envelope(answer.get_data(), load_public_key(own_key))
    adoptions: list[Any] = document["adoptions"]
    return adoptions


def test_regional_evaluations_page_and_exports(app: Flask, client: FlaskClient, runner: FlaskCliRunner,
                                               db_session: Session) -> None:
    own_key = runner.invoke(cli, ["region", "key"]).stdout.strip()
    pulled_peer(app, db_session)
    # Our own campaign, over and closed: the feed publishes its evaluation (frozen once).
    operator = make_staff(db_session)
    last = closed_monday(3)
    starts = last - timedelta(weeks=1)
    db_session.add(Campaign(name="Sea safety", regions=[{"country": "AF"}], target_categories=["journey_risk"],
                            starts_on=starts, ends_on=last + timedelta(days=6)))
    for weeks_back in (2, 1):
        for _ in range(6):
            add_report(db_session, datetime.combine(starts - timedelta(weeks=weeks_back) + timedelta(days=1),
                                                    datetime.min.time(), tzinfo=UTC),
                       coded_by=operator, category="journey_risk", country="AF")
    db_session.flush()
    answer, _ = pull(client, token(db_session))
    document = open_envelope(answer.get_data(), load_public_key(own_key))
    [published] = document["evaluations"]
    assert published["name"] == "Sea safety" and published["before"]["reports"] == 12
    assert published["during"]["reports"] == 0 and published["countries"] == ["AF"]
    assert "report_count" not in json.dumps(published)
    # Late coding in the weeks before: a recount would show 13, and 13 - 12 is one report. Published once, so not.
    add_report(db_session, datetime.combine(starts - timedelta(days=3), datetime.min.time(), tzinfo=UTC),
               coded_by=operator, category="journey_risk", country="AF")
    db_session.flush()
    again, _ = pull(client, token(db_session))
    assert open_envelope(again.get_data(), load_public_key(own_key))["evaluations"] == [published]

    viewer, _ = signed_in(app, db_session, "operator")
    assert viewer.get("/console/region/evaluations").status_code == 403
    assert viewer.get("/console/region/export/weeks.csv").status_code == 403
    analyst, _ = signed_in(app, db_session, "analyst")
    page = analyst.get("/console/region/evaluations").get_data(as_text=True)
    assert "Monsoon seas" in page and "Sea safety" in page and "-70%" in page
    download = analyst.get("/console/region/export/evaluations.csv")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert hxl.validate(rows)["is_valid"]
    assert {row[0] for row in rows[2:]} == {"here", "bd"}
    assert analyst.get("/console/region/export/weeks.json").status_code == 200
    assert analyst.get("/console/region/export/weeks.xlsx").status_code == 200
    assert analyst.get("/console/region/export/people.csv").status_code == 404

    result = runner.invoke(cli, ["region", "export", "--table", "weeks", "--format", "csv"])
    assert result.exit_code == 0, result.output
    weeks = list(csv.reader(io.StringIO(result.stdout)))
    assert weeks[1][:3] == ["#meta+source", "#meta+week", "#date+week_start"]
    assert hxl.validate(weeks)["is_valid"]
    assert date.fromisoformat(weeks[2][2]) <= closed_monday()


def test_each_role_sees_only_the_regional_pages_it_may_open(app: Flask, db_session: Session) -> None:
    for role, expected in (("operator", {"/console/region/library"}),
                           ("analyst", {"/console/region/library", "/console/region/evaluations"}),
                           ("supervisor", {"/console/region/library", "/console/region/evaluations"}),
                           ("translator", set())):
        client, _ = signed_in(app, db_session, role)
        html = client.get("/console/profile").get_data(as_text=True)
        links = {link for link in ("/console/region/library", "/console/region/evaluations") if link in html}
        assert links == expected, role
        for link in ("/console/region/library", "/console/region/evaluations"):
            assert client.get(link).status_code == (200 if link in expected else 403), (role, link)
