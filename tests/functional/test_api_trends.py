"""/api/v1: bearer tokens scoped by role, clear JSON errors, trends, rumours, streamed exports, OpenAPI."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
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
    assert rows[1][0] == "#meta+week"
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
    assert rows[1][0] == "#meta+week" and rows[-1][2] == "week_total" and rows[-1][10] == 8
    answer = client.get("/api/v1/exports/trends", query_string={**RANGE, "format": "json"}, headers=bearer(token))
    document = json.loads(answer.get_data(as_text=True))
    assert document["rows"][-1]["count"] == 8


def _campaign(session: Session, starts_on: str, ends_on: str) -> Any:
    from datetime import date

    from hotline.campaigns.models import Campaign

    campaign = Campaign(name="Sea season", regions=[{"country": "AF", "admin1": "AF-NAN"}], languages=["ps"],
                        channels=[], target_categories=["journey_risk"], starts_on=date.fromisoformat(starts_on),
                        ends_on=date.fromisoformat(ends_on))
    session.add(campaign)
    session.flush()
    return campaign


def test_campaign_evaluation_with_summary(client: FlaskClient, db_session: Session) -> None:
    # The campaign runs over whole ISO weeks (Monday 2 March to Sunday 29 March 2026); so do its periods.
    operator = make_staff(db_session)
    for day in range(28):  # 28 reports in the four weeks before, one a day
        received = (datetime(2026, 2, 2, 10) + timedelta(days=day)).isoformat()
        add_report(db_session, received, coded_by=operator, category="journey_risk")
    for day in (3, 4, 10, 17, 18, 24):  # 6 during the campaign
        add_report(db_session, f"2026-03-{day:02d}T10:00:00", coded_by=operator, category="journey_risk")
    add_report(db_session, "2026-03-05T10:00:00", coded_by=operator, category="journey_risk", language="bn")
    add_report(db_session, "2026-03-06T10:00:00", category="journey_risk")  # not confirmed: not counted
    campaign = _campaign(db_session, "2026-03-02", "2026-03-29")
    token, _ = token_for(db_session, "analyst")
    body = client.get("/api/v1/campaigns", headers=bearer(token)).get_json()
    found = next(c for c in body["campaigns"] if c["id"] == campaign.id)
    assert (found["before"]["first"], found["before"]["last"]) == ("2026-02-02", "2026-03-01")
    assert (found["before"]["reports"], found["during"]["reports"]) == (28, 6)
    assert found["change_percent"] == -79 and found["p_value"] < 0.001
    assert "fell by 79%" in found["summary"] and "unlikely to be chance" in found["summary"]


def test_campaign_counts_under_k_are_hidden_and_periods_are_whole_weeks(client: FlaskClient,
                                                                      db_session: Session) -> None:
    operator = make_staff(db_session)
    for day in range(1, 29):  # 28 reports in February, one a day
        add_report(db_session, f"2026-02-{day:02d}T10:00:00", coded_by=operator, category="journey_risk")
    for day in (10, 17):  # 2 during the campaign: under k
        add_report(db_session, f"2026-03-{day:02d}T10:00:00", coded_by=operator, category="journey_risk")
    campaign = _campaign(db_session, "2026-03-04", "2026-03-28")  # a Wednesday to a Saturday
    token, _ = token_for(db_session, "analyst")
    body = client.get("/api/v1/campaigns", headers=bearer(token)).get_json()
    assert body["min_cell_count"] == 5
    found = next(c for c in body["campaigns"] if c["id"] == campaign.id)
    assert (found["during"]["first"], found["during"]["last"]) == ("2026-03-02", "2026-03-29")
    assert found["during"]["reports"] is None and found["during"]["per_week"] is None
    assert found["before"]["reports"] == 27  # 2 February (a Monday) to 1 March: not the 1st
    # The change and the p-value would give the hidden count back from the one shown: hidden as well.
    assert found["change_percent"] is None and found["p_value"] is None
    assert "counts under 5 are not published" in found["summary"]
    page = _dashboard_campaigns(client, db_session)
    assert "Too few reports to compare" in page and "whole ISO weeks" in page


def _dashboard_campaigns(client: FlaskClient, db_session: Session) -> str:
    from tests.factories import sign_in

    sign_in(client, make_staff(db_session, "analyst"))
    answer = client.get("/console/trends", query_string=RANGE)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


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


def _export(client: FlaskClient, token: str, query: dict[str, str]) -> str:
    answer = client.get("/api/v1/exports/trends", query_string=query, headers=bearer(token))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_data(as_text=True)


def test_two_ranges_a_day_apart_give_identical_output(client: FlaskClient, db_session: Session) -> None:
    seed(db_session)
    add_report(db_session, "2026-11-23T08:00:00", coded_by=make_staff(db_session))  # the Monday: one report
    token, _ = token_for(db_session, "analyst")
    monday, tuesday = {"from": "2026-11-23", "to": "2026-11-29"}, {"from": "2026-11-24", "to": "2026-11-28"}
    for fmt in ("csv", "json"):
        assert _export(client, token, {**monday, "format": fmt}) == _export(client, token, {**tuesday, "format": fmt})
    trends = [client.get("/api/v1/trends", query_string=q, headers=bearer(token)).get_json() for q in (monday, tuesday)]
    assert trends[0] == trends[1]
    assert (trends[1]["from"], trends[1]["to"]) == ("2026-11-23", "2026-11-29")  # the response says what it counted
    assert trends[1]["totals"][0]["total"] == 9
    attribution = [client.get("/api/v1/attribution", query_string=q, headers=bearer(token)).get_json()
                   for q in (monday, tuesday)]
    assert attribution[0] == attribution[1]
    document = json.loads(_export(client, token, {**tuesday, "format": "json"}))
    assert (document["meta"]["from"], document["meta"]["to"]) == ("2026-11-23", "2026-11-29")


@pytest.mark.parametrize("path", ["/api/v1/trends", "/api/v1/exports/trends", "/api/v1/attribution"])
def test_a_range_over_the_cap_is_refused(client: FlaskClient, db_session: Session, path: str) -> None:
    token, _ = token_for(db_session, "analyst")
    # 156 whole weeks (about three years) is allowed; one day earlier adds a 157th week and is refused.
    allowed = client.get(path, query_string={"from": "2023-12-04", "to": "2026-11-29"}, headers=bearer(token))
    assert allowed.status_code == 200
    answer = client.get(path, query_string={"from": "2023-12-03", "to": "2026-11-29"}, headers=bearer(token))
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert "to" in error["fields"] and "covers 157 weeks" in error["detail"]
    assert "at most 156 whole weeks" in error["detail"]
