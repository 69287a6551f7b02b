"""The live queue: updates carry only what is new under the page's filters; waiting times; overdue marks."""

from __future__ import annotations

import dataclasses
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hotline.auth.session import _KEY
from hotline.intake.constants import Sensitivity, Urgency
from hotline.triage.queue import is_overdue, waited_minutes
from tests.console_helpers import make_report
from tests.factories import make_staff, sign_in


def _ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-report="(\d+)"', html)]


def _operator(session: Session) -> Any:
    return make_staff(session, "operator", languages=["en", "prs"])


def test_updates_carry_only_reports_newer_than_the_page(client: FlaskClient, db_session: Session) -> None:
    seen = make_report(db_session, "already on the page", minutes_ago=10)
    sign_in(client, _operator(db_session))
    page = client.get("/console/queue?lang=all").get_data(as_text=True)
    after = int(re.search(r'data-after="(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert after == seen.id
    assert client.get(f"/console/queue/updates?lang=all&after={after}").get_json()["new"] == 0
    fresh = make_report(db_session, "<b>just in</b>", minutes_ago=0)
    data = client.get(f"/console/queue/updates?lang=all&after={after}&pending=2").get_json()
    assert data["new"] == 1
    assert _ids(data["rows"]) == [fresh.id]
    assert data["after"] == fresh.id
    assert "&lt;b&gt;just in&lt;/b&gt;" in data["rows"]
    assert "<b>just in" not in data["rows"]
    assert data["banner"] == "3 new reports: show"  # two held back by the page, one more now


def test_updates_follow_the_filter_and_the_counts_too(client: FlaskClient, db_session: Session) -> None:
    make_report(db_session, "english", language="en")
    dari = make_report(db_session, "دری", language="prs")
    sign_in(client, _operator(db_session))
    data = client.get("/console/queue/updates?lang=prs&after=0").get_json()
    assert _ids(data["rows"]) == [dari.id]
    assert "1 matching" in data["counts"]


def test_updates_never_hold_reports_the_operator_may_not_open(client: FlaskClient, db_session: Session) -> None:
    make_report(db_session, "Tamil", language="ta")
    sign_in(client, _operator(db_session))
    data = client.get("/console/queue/updates?lang=all&after=0").get_json()
    assert data["new"] >= 0
    assert "Tamil" not in data["rows"]


def test_analysts_and_strangers_get_no_updates(app: Flask, client: FlaskClient, db_session: Session) -> None:
    make_report(db_session, "secret question")
    assert client.get("/console/queue/updates?after=0").status_code == 302
    sign_in(client, make_staff(db_session, "analyst"))
    refused = client.get("/console/queue/updates?after=0")
    assert refused.status_code == 403
    assert "secret question" not in refused.get_data(as_text=True)


def test_a_bad_filter_is_refused(client: FlaskClient, db_session: Session) -> None:
    sign_in(client, _operator(db_session))
    assert client.get("/console/queue/updates?channel=pigeon&after=0").status_code == 400


def test_polling_does_not_keep_an_idle_console_signed_in(client: FlaskClient, db_session: Session) -> None:
    sign_in(client, _operator(db_session))
    ten_minutes_ago = int(time.time()) - 600
    with client.session_transaction() as state:
        state[_KEY] = {**state[_KEY], "seen": ten_minutes_ago}
    assert client.get("/console/queue/updates?after=0").status_code == 200
    with client.session_transaction() as state:
        assert state[_KEY]["seen"] == ten_minutes_ago  # a poll is not activity
    assert client.get("/console/queue").status_code == 200
    with client.session_transaction() as state:
        assert state[_KEY]["seen"] > ten_minutes_ago  # a page the operator opened is


def test_rows_say_how_long_they_waited_and_overdue_ones_are_red(
        app: Flask, client: FlaskClient, db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "HOTLINE", dataclasses.replace(app.config["HOTLINE"], queue_overdue_minutes=20))
    late = make_report(db_session, "help now", minutes_ago=25, urgency=Urgency.IMMEDIATE, urgency_rank=0)
    early = make_report(db_session, "danger", minutes_ago=5, sensitivity=Sensitivity.PROTECTION)
    calm = make_report(db_session, "question", minutes_ago=90)
    sign_in(client, _operator(db_session))
    html = client.get("/console/queue?lang=all").get_data(as_text=True)
    rows = {int(m.group(2)): m.group(1) for m in re.finditer(r'<li class="queue-row([^"]*)" data-report="(\d+)"', html)}
    assert "overdue" in rows[late.id]
    assert "overdue" not in rows[early.id]
    assert "overdue" not in rows[calm.id]
    assert "1 h 30 min" in html or "1 h 29 min" in html
    assert 'data-overdue-minutes="20"' in html


def test_overdue_is_for_unclaimed_pressing_reports_only() -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    then = datetime(2026, 12, 3, 11, 0)  # naive: stored UTC
    limit = timedelta(minutes=15)
    assert waited_minutes(then, now) == 60
    assert is_overdue(None, "immediate", "normal", then, now, limit)
    assert is_overdue(None, "normal", "protection", then, now, limit)
    assert not is_overdue(7, "immediate", "normal", then, now, limit)
    assert not is_overdue(None, "high", "sensitive", then, now, limit)
    assert not is_overdue(None, "immediate", "normal", now - timedelta(minutes=14), now, limit)
