"""/api/v1: bearer tokens scoped by role, clear JSON errors, trends, rumours, streamed exports, OpenAPI."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hotline.auth.service import create_api_token
from hotline.db import utcnow
from hotline.rumours.models import RumourStatus
from tests.factories import make_staff
from tests.trends_helpers import add_report, add_rumour

RANGE = {"from": "2026-11-23", "to": "2026-11-29"}


def token_for(session: Session, role: str, **token_fields: Any) -> tuple[str, Any]:
    user = make_staff(session, role)
    issued = create_api_token(session, user.email, "test", **token_fields)
    return issued.token, issued.record


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def seed(session: Session) -> Any:
    operator = make_staff(session)
    rumour = add_rumour(session)
    for _ in range(7):
        add_report(session, "2026-11-24T08:00:00", coded_by=operator, rumour_id=rumour.id)
    add_report(session, "2026-11-25T08:00:00", coded_by=operator, language="=SUM(1)")
    candidate = add_rumour(session, RumourStatus.CANDIDATE)
    candidate.canonical_statement = "made from a caller's redacted words"
    return rumour


def test_openapi_document_describes_the_api(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/trends", "/rumours", "/exports/trends"} <= set(document["paths"])
    parameters = {p["name"] for p in document["paths"]["/exports/trends"]["get"]["parameters"]}
    assert {"from", "to", "format", "country", "language", "channel", "category"} <= parameters
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


@pytest.mark.parametrize("path", ["/api/v1/trends", "/api/v1/rumours", "/api/v1/exports/trends"])
def test_no_token_is_401_with_a_clear_message(client: FlaskClient, path: str) -> None:
    response = client.get(path, query_string=RANGE)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.get_json()["error"]["detail"]
    assert client.get(path, query_string=RANGE, headers=bearer("htl_unknown")).status_code == 401


@pytest.mark.parametrize("state", ["revoked", "expired", "deactivated"])
def test_revoked_and_expired_tokens_are_refused(client: FlaskClient, db_session: Session, state: str) -> None:
    token, record = token_for(db_session, "analyst")
    if state == "revoked":
        record.revoked_at = utcnow()
    elif state == "expired":
        record.expires_at = utcnow() - timedelta(minutes=1)
    else:
        record.user.active = False
    db_session.flush()
    answer = client.get("/api/v1/trends", query_string=RANGE, headers=bearer(token))
    assert answer.status_code == 401 and state in answer.get_json()["error"]["detail"]


def test_operators_may_not_read_trends(client: FlaskClient, db_session: Session) -> None:
    token, _ = token_for(db_session, "operator")
    answer = client.get("/api/v1/trends", query_string=RANGE, headers=bearer(token))
    assert answer.status_code == 403
    assert "operator" in answer.get_json()["error"]["detail"]


@pytest.mark.parametrize("role", ["analyst", "supervisor", "admin"])
def test_readers_get_trends_and_the_token_is_marked_used(client: FlaskClient, db_session: Session,
                                                         role: str) -> None:
    seed(db_session)
    token, record = token_for(db_session, role)
    answer = client.get("/api/v1/trends", query_string={**RANGE, "group_by": "language"}, headers=bearer(token))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["group_by"] == "language" and body["min_cell_count"] == 5
    points = {p["value"]: p["count"] for p in body["points"]}
    assert points["ps"] is None and points["=SUM(1)"] is None  # 7 would give the 1 back: both hidden
    assert body["totals"] == [{"week": "2026-W48", "week_start": "2026-11-23", "total": 8}]
    db_session.refresh(record)
    assert record.last_used_at is not None


@pytest.mark.parametrize(("path", "query", "named"), [
    ("/api/v1/trends", {"from": "2026-13-01", "to": "2026-11-29"}, "from"),
    ("/api/v1/trends", {"to": "2026-11-29"}, "from"),
    ("/api/v1/trends", {**RANGE, "group_by": "text"}, "group_by"),
    ("/api/v1/exports/trends", {"from": "2026-11-29", "to": "2026-11-01"}, "to"),
    ("/api/v1/exports/trends", {**RANGE, "format": "pdf"}, "format"),
    ("/api/v1/attribution", {"from": "2026-11-29", "to": "2026-11-01"}, "to"),
    ("/api/v1/rumours", {"limit": "0"}, "limit"),
])
def test_bad_parameters_are_400_naming_the_parameter(client: FlaskClient, db_session: Session, path: str,
                                                     query: dict[str, str], named: str) -> None:
    token, _ = token_for(db_session, "analyst")
    answer = client.get(path, query_string=query, headers=bearer(token))
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert named in error["fields"] and f"{named}:" in error["detail"]


def test_rumours_lists_reviewed_statements_only(client: FlaskClient, db_session: Session) -> None:
    rumour = seed(db_session)
    token, _ = token_for(db_session, "analyst")
    body = client.get("/api/v1/rumours", headers=bearer(token)).get_json()
    assert [r["id"] for r in body["rumours"]] == [rumour.id]
    assert "caller" not in json.dumps(body)


def test_csv_export_streams_with_hxl_and_no_caller_data(client: FlaskClient, db_session: Session) -> None:
    seed(db_session)
    token, _ = token_for(db_session, "analyst")
    answer = client.get("/api/v1/exports/trends", query_string={**RANGE, "format": "csv"}, headers=bearer(token))
    assert answer.status_code == 200 and answer.is_streamed
    assert answer.headers["Content-Type"].startswith("text/csv")
    text = answer.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "#date+week"
    assert "caller words" not in text and "+93" not in text
    assert any(row[5] == "'=SUM(1)" for row in rows[2:])


def test_xlsx_and_json_exports(client: FlaskClient, db_session: Session) -> None:
    seed(db_session)
    token, _ = token_for(db_session, "supervisor")
    answer = client.get("/api/v1/exports/trends", query_string={**RANGE, "format": "xlsx"}, headers=bearer(token))
    assert answer.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(answer.get_data()), read_only=True)
    try:
        rows = list(workbook.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    finally:
        workbook.close()
    assert rows[1][0] == "#date+week" and rows[-1][2] == "week_total" and rows[-1][10] == 8
    answer = client.get("/api/v1/exports/trends", query_string={**RANGE, "format": "json"}, headers=bearer(token))
    document = json.loads(answer.get_data(as_text=True))
    assert document["rows"][-1]["count"] == 8


def test_campaign_evaluation_with_summary(client: FlaskClient, db_session: Session) -> None:
    from datetime import date

    from hotline.campaigns.models import Campaign

    operator = make_staff(db_session)
    for day in range(1, 29):  # 28 reports in February, one a day
        add_report(db_session, f"2026-02-{day:02d}T10:00:00", coded_by=operator, category="journey_risk")
    for day in (3, 17):  # 2 in March, during the campaign
        add_report(db_session, f"2026-03-{day:02d}T10:00:00", coded_by=operator, category="journey_risk")
    add_report(db_session, "2026-03-05T10:00:00", coded_by=operator, category="journey_risk", language="bn")
    add_report(db_session, "2026-03-06T10:00:00", category="journey_risk")  # not confirmed: not counted
    campaign = Campaign(name="Sea season", regions=[{"country": "AF", "admin1": "AF-NAN"}], languages=["ps"],
                        channels=[], target_categories=["journey_risk"], starts_on=date(2026, 3, 1),
                        ends_on=date(2026, 3, 28))
    db_session.add(campaign)
    db_session.flush()
    token, _ = token_for(db_session, "analyst")
    body = client.get("/api/v1/campaigns", headers=bearer(token)).get_json()
    found = next(c for c in body["campaigns"] if c["id"] == campaign.id)
    assert (found["before"]["reports"], found["during"]["reports"]) == (28, 2)
    assert found["change_percent"] == -93 and found["p_value"] < 0.001
    assert "fell by 93%" in found["summary"] and "unlikely to be chance" in found["summary"]


def test_attribution_by_week_and_country(client: FlaskClient, db_session: Session) -> None:
    from hotline.intake.models import Caller

    for i in range(7):
        caller = Caller(pseudonym=f"p{i:063d}", country="AF", heard_via="radio" if i < 6 else "poster")
        db_session.add(caller)
        db_session.flush()
        report = add_report(db_session, "2026-11-24T10:00:00")
        report.contact.caller_id = caller.id
    db_session.flush()
    token, _ = token_for(db_session, "analyst")
    body = client.get("/api/v1/attribution", query_string=RANGE, headers=bearer(token)).get_json()
    rows = {(r["week"], r["country"], r["heard_via"]): r["count"] for r in body["rows"]}
    assert rows == {("2026-W48", "AF", "radio"): None, ("2026-W48", "AF", "poster"): None}
    assert "p000" not in json.dumps(body)
