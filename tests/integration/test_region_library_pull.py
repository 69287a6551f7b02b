"""The later feed fields round trip: this deployment's own feed (an approved adoption, a closed campaign's
evaluation, a shared message's https audio), pulled through the subscriber, is checked and stored as a peer's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.campaigns.models import Campaign
from hotline.cli import cli
from hotline.db import utcnow
from hotline.region.evaluations import freeze_evaluations, published_evaluations
from hotline.region.library_models import RegionAdoption, RegionPeerAdoption, RegionPeerEvaluation
from hotline.region.models import RegionPeerMessage, RegionPublishedWeek
from hotline.region.subscribe import add_peer, pull_peer
from hotline.region.tables import week_rows
from hotline.rumours.models import ApprovalStatus, CounterMessage
from hotline.trends.cells import Cell
from tests.factories import make_staff
from tests.functional.test_region_feed import closed_monday, token
from tests.integration.test_region_pull import URL, fetch_from
from tests.trends_helpers import add_report

SOURCE_KEY = "C" * 43 + "="


def test_own_feed_with_adoptions_evaluations_and_audio_is_stored_by_a_subscriber(
        app: Flask, client: FlaskClient, runner: FlaskCliRunner, db_session: Session) -> None:
    public_key = runner.invoke(cli, ["region", "key"]).stdout.strip()
    operator = make_staff(db_session)
    shared = CounterMessage(category="journey_risk", language="bn", title="Seas", body="High waves",
                            audio_path="https://cdn.example.org/seas.wav", status=ApprovalStatus.APPROVED,
                            shareable=True)
    adopted = CounterMessage(category="journey_risk", language="en", title="Boats", body="Not safe",
                             status=ApprovalStatus.APPROVED)
    db_session.add_all([shared, adopted])
    db_session.flush()
    db_session.add(RegionAdoption(message_id=adopted.id, source_key=SOURCE_KEY, remote_message_id=41))
    starts = closed_monday(3)
    db_session.add(Campaign(name="Seas", regions=[{"country": "BD"}], target_categories=["journey_risk"],
                            starts_on=starts, ends_on=starts + timedelta(days=6)))
    for _ in range(7):
        add_report(db_session, datetime.combine(starts - timedelta(days=5), datetime.min.time(), tzinfo=UTC),
                   coded_by=operator, category="journey_risk", country="BD")
    db_session.flush()
    keys = app.extensions["hotline"].keys
    peer = add_peer(db_session, keys, "self", URL, public_key, token(db_session))
    pull_peer(db_session, keys, peer, utcnow(), fetch_from(client))
    [message] = db_session.scalars(select(RegionPeerMessage)).all()
    assert message.audio_url == "https://cdn.example.org/seas.wav"
    [adoption] = db_session.scalars(select(RegionPeerAdoption)).all()
    assert (adoption.source_key, adoption.remote_message_id) == (SOURCE_KEY, 41)
    [evaluation] = db_session.scalars(select(RegionPeerEvaluation)).all()
    assert evaluation.stage == "complete" and evaluation.item["before"]["reports"] == 7
    assert evaluation.item["during"]["reports"] == 0 and evaluation.item["countries"] == ["BD"]


def test_an_evaluation_is_stored_once_per_stage_and_the_complete_stage_keeps_the_first_figures(
        db_session: Session) -> None:
    starts = date(2026, 9, 7)
    db_session.add(Campaign(name="Seas", regions=[{"country": "BD"}], target_categories=["journey_risk"],
                            starts_on=starts, ends_on=starts + timedelta(days=13)))
    for n in range(-2, 4):
        monday = starts + timedelta(weeks=n)
        cells = [Cell(monday, "BD", None, "bn", None, None, "journey_risk", None, 10 + n)]
        db_session.add(RegionPublishedWeek(week_start=monday, rows=week_rows(monday, cells, 5), digest="x", k=5))
    db_session.flush()
    assert freeze_evaluations(db_session, starts + timedelta(days=6), 5) == 0  # still running
    assert freeze_evaluations(db_session, starts + timedelta(days=13), 5) == 1
    [ended] = published_evaluations(db_session)
    assert ended["stage"] == "ended" and ended["after"] is None
    assert (ended["before"]["reports"], ended["during"]["reports"]) == (8 + 9, 10 + 11)
    assert freeze_evaluations(db_session, starts + timedelta(days=20), 5) == 0  # the weeks after still open
    assert freeze_evaluations(db_session, starts + timedelta(days=27), 5) == 1
    assert freeze_evaluations(db_session, starts + timedelta(days=27), 5) == 0  # stored once
    [complete] = published_evaluations(db_session)
    assert complete["stage"] == "complete" and complete["after"]["reports"] == 12 + 13
    assert {key: complete[key] for key in ("before", "during", "p_value")} == \
        {key: ended[key] for key in ("before", "during", "p_value")}
