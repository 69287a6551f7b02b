# ruff: noqa: RUF001 - Dari and Pashto text in Arabic script is meant to be there
"""GET /api/v1/region/feed: peer tokens only, signed, suppressed, closed weeks frozen once, nothing about callers."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text
from sqlalchemy.orm import Session

from hotline.auth.service import create_api_token
from hotline.cli import cli
from hotline.files import write_private
from hotline.region.document import Expectation, check_document, load_public_key, open_envelope
from hotline.region.keys import key_path
from hotline.region.publish import last_closed_week
from hotline.rumours.models import ApprovalStatus, CounterMessage, RumourStatus
from tests.factories import make_staff
from tests.trends_helpers import add_report, add_rumour


def token(session: Session, role: str = "analyst", scope: str | None = "peer") -> str:
    user = make_staff(session, role)
    return create_api_token(session, user.email, "peer", scope=scope).token


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


@pytest.fixture()
def public_key(app: Flask, runner: FlaskCliRunner) -> str:
    result = runner.invoke(cli, ["region", "key"])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def closed_monday(weeks_back: int = 0) -> date:
    return last_closed_week(datetime.now(UTC).date()) - timedelta(weeks=weeks_back)


def at(monday: date, day: int = 1) -> datetime:
    return datetime.combine(monday + timedelta(days=day), time(9), tzinfo=UTC)


def seed(session: Session) -> Any:
    operator = make_staff(session)
    rumour = add_rumour(session)
    rumour.statement_translations = {"prs": "قایق ها امن هستند", "ps": "کښتۍ خوندي دي"}
    add_rumour(session, RumourStatus.CANDIDATE).canonical_statement = "a caller's redacted words"
    monday = closed_monday(1)
    for _ in range(9):
        add_report(session, at(monday), coded_by=operator, rumour_id=rumour.id)
    add_report(session, at(monday), coded_by=operator, language="prs", category="journey_risk")
    for _ in range(6):
        add_report(session, at(monday), coded_by=operator, language="ps", category="legal_pathways")
    for language, shareable in (("prs", True), ("ps", False)):
        session.add(CounterMessage(rumour_id=rumour.id, category="smuggler_claims", language=language,
                                   title="Boats", body="The sea in monsoon", source="IOM",
                                   status=ApprovalStatus.APPROVED, shareable=shareable))
    session.add(CounterMessage(category="journey_risk", language="prs", title="Draft", body="not yet",
                               status=ApprovalStatus.DRAFT, shareable=True))
    session.flush()
    return rumour


def pull(client: FlaskClient, value: str, since: str | None = None) -> tuple[Any, str]:
    nonce = secrets.token_urlsafe(24)
    query = {"nonce": nonce, **({"since": since} if since else {})}
    answer = client.get("/api/v1/region/feed", query_string=query, headers=bearer(value))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer, nonce


def test_the_feed_is_signed_suppressed_and_carries_no_caller_data(client: FlaskClient, db_session: Session,
                                                                  public_key: str) -> None:
    rumour = seed(db_session)
    answer, nonce = pull(client, token(db_session))
    text = answer.get_data(as_text=True)
    document = open_envelope(answer.get_data(), load_public_key(public_key))
    mondays = check_document(document, Expectation(nonce, None, None))
    assert closed_monday(1) in mondays and mondays[-1] == closed_monday()
    rows = [row for week in document["weeks"] for row in week["rows"]]
    counts = [row[7] for row in rows]
    assert 9 in counts
    assert all(count is None or count >= 5 for count in counts)
    assert "caller words" not in text and "+93" not in text and "redacted words" not in text
    assert [r["id"] for r in document["rumours"]] == [rumour.id]
    assert document["rumours"][0]["translations"]["prs"] == "قایق ها امن هستند"
    assert "report_count" not in document["rumours"][0]
    assert [(m["language"], m["source"]) for m in document["messages"]] == [("prs", "IOM")]
    assert document["columns"][1] == {"name": "week_start", "hxl": "#date+week_start"}


def test_a_published_week_never_changes_so_successive_feeds_give_no_hidden_cell_back(
        client: FlaskClient, db_session: Session, public_key: str) -> None:
    seed(db_session)
    peer = token(db_session)
    first, _ = pull(client, peer)
    before = {w["week_start"]: w["rows"] for w in json.loads(first.get_data())["document"]["weeks"]}
    # Late coding in a published week: a recount would show journey_risk going from hidden to 5, and the
    # difference between the two feeds' totals would give back the hidden cells of the first one.
    operator = make_staff(db_session)
    for _ in range(4):
        add_report(db_session, at(closed_monday(1), 2), coded_by=operator, language="prs", category="journey_risk")
    second, _ = pull(client, peer)
    after = {w["week_start"]: w["rows"] for w in json.loads(second.get_data())["document"]["weeks"]}
    assert after == before


def test_since_returns_only_later_weeks(client: FlaskClient, db_session: Session, public_key: str) -> None:
    seed(db_session)
    answer, _ = pull(client, token(db_session), since=closed_monday(1).isoformat())
    weeks = json.loads(answer.get_data())["document"]["weeks"]
    assert [w["week_start"] for w in weeks] == [closed_monday().isoformat()]


def test_who_may_read_the_feed(client: FlaskClient, db_session: Session, public_key: str) -> None:
    query = {"nonce": "x" * 24}
    assert client.get("/api/v1/region/feed", query_string=query).status_code == 401
    analyst, peer = token(db_session, scope=None), token(db_session)
    db_session.commit()  # a refused request rolls its session back: the tokens must outlive it
    refused = client.get("/api/v1/region/feed", query_string=query, headers=bearer(analyst))
    assert refused.status_code == 403 and "scope 'peer'" in refused.get_json()["error"]["detail"]
    elsewhere = client.get("/api/v1/trends", query_string={"from": "2026-11-02", "to": "2026-11-08"},
                           headers=bearer(peer))
    assert elsewhere.status_code == 403
    assert client.get("/api/v1/region/feed", headers=bearer(peer)).status_code == 400  # no nonce
    bad_since = client.get("/api/v1/region/feed", query_string={**query, "since": "2026-W99"}, headers=bearer(peer))
    assert bad_since.status_code == 400


@pytest.fixture()
def no_key(app: Flask) -> Iterator[None]:
    path = key_path(Path(app.config["HOTLINE"].instance_path))
    kept = path.read_bytes() if path.exists() else None
    path.unlink(missing_ok=True)
    yield
    if kept is not None:
        write_private(path, kept)


def test_without_a_signing_key_the_feed_says_how_to_make_one(client: FlaskClient, db_session: Session,
                                                             no_key: None) -> None:
    answer = client.get("/api/v1/region/feed", query_string={"nonce": "x" * 24}, headers=bearer(token(db_session)))
    assert answer.status_code == 503 and "hotline region key" in answer.get_json()["error"]["detail"]


def test_the_key_is_private_and_stable(app: Flask, runner: FlaskCliRunner, public_key: str) -> None:
    path = key_path(Path(app.config["HOTLINE"].instance_path))
    assert path.stat().st_mode & 0o777 == 0o600
    again = runner.invoke(cli, ["region", "key"])
    assert again.stdout.strip() == public_key and "created" not in again.stderr


def test_peers_add_checks_its_arguments_and_seals_the_token(runner: FlaskCliRunner, db_session: Session,
                                                            public_key: str) -> None:
    url = "https://hotline.example.org/api/v1/region/feed"
    bad_url = runner.invoke(cli, ["region", "peers", "add", "bd", "http://example.org/api/v1/region/feed",
                                  public_key, "--token", "htl_0123456789"])
    assert bad_url.exit_code == 2 and "https" in bad_url.output
    bad_key = runner.invoke(cli, ["region", "peers", "add", "bd", url, "not-a-key", "--token", "htl_0123456789"])
    assert bad_key.exit_code == 2 and "Ed25519" in bad_key.output
    added = runner.invoke(cli, ["region", "peers", "add", "bd", url, public_key, "--token", "htl_0123456789"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["region", "peers", "list"])
    assert "bd\t" + url in listed.stdout and "htl_0123456789" not in listed.stdout
    stored = db_session.execute(text("SELECT token_sealed FROM region_peers WHERE name = 'bd'")).scalar_one()
    assert b"htl_0123456789" not in bytes(stored)
    unknown = runner.invoke(cli, ["region", "pull", "--peer", "nobody"])
    assert unknown.exit_code == 1 and "no peer named nobody" in unknown.output


def test_api_token_create_with_the_peer_scope(runner: FlaskCliRunner, db_session: Session) -> None:
    user = make_staff(db_session, "analyst")
    issued = runner.invoke(cli, ["api-token", "create", user.email, "--scope", "peer"])
    assert issued.exit_code == 0, issued.output
    wrong = runner.invoke(cli, ["api-token", "create", user.email, "--scope", "everything"])
    assert wrong.exit_code == 2
