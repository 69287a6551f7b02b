"""/console/trends/export.<fmt>: the trends page's export by chosen dimensions: who may, what it holds."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from itertools import combinations

import openpyxl
import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import make_staff, sign_in
from tests.trends_helpers import add_report

RANGE = "from=2026-11-02&to=2026-11-29"


def seed(session: Session) -> None:
    """Three weeks: a busy Pashto/smuggler-claims flow, a few Dari reports, and single reports here and there."""
    operator = make_staff(session)
    for day in ("2026-11-03", "2026-11-10", "2026-11-17"):
        for _ in range(9):
            add_report(session, f"{day}T10:00:00", coded_by=operator)
        for _ in range(6):
            add_report(session, f"{day}T11:00:00", coded_by=operator, language="prs", category="border_status")
        add_report(session, f"{day}T12:00:00", coded_by=operator, language="ur", category="border_status")
        add_report(session, f"{day}T13:00:00", coded_by=operator, language="prs", channel="voice")
        add_report(session, f"{day}T14:00:00", language="bn", country="BD", admin1="BD-13")


def rows(answer_text: str) -> list[dict[str, str]]:
    lines = list(csv.reader(io.StringIO(answer_text)))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[2:]]


def test_anonymous_visitors_and_operators_are_refused(client: FlaskClient, db_session: Session) -> None:
    answer = client.get(f"/console/trends/export.csv?{RANGE}&dims=category")
    assert answer.status_code == 302 and "/console/login" in answer.headers["Location"]
    sign_in(client, make_staff(db_session, "operator"))
    assert client.get(f"/console/trends/export.csv?{RANGE}&dims=category").status_code == 403
    assert client.get(f"/console/trends/export.xlsx?{RANGE}&dims=category").status_code == 403


def test_bad_choices_are_refused_with_reasons(client: FlaskClient, db_session: Session) -> None:
    sign_in(client, make_staff(db_session, "analyst"))
    for query, reason in ((RANGE, "dims"), (f"{RANGE}&dims=text", "dims"),
                          (f"{RANGE}&dims=country&dims=language&dims=channel&dims=category", "dims"),
                          ("from=2026-11-30&to=2026-11-01&dims=category", "to")):
        answer = client.get(f"/console/trends/export.csv?{query}")
        assert answer.status_code == 400 and reason in answer.get_data(as_text=True), query
    assert client.get(f"/console/trends/export.pdf?{RANGE}&dims=category").status_code == 404


@pytest.mark.parametrize("role", ["analyst", "supervisor"])
def test_csv_by_category_has_names_and_no_small_count(client: FlaskClient, db_session: Session, role: str) -> None:
    seed(db_session)
    sign_in(client, make_staff(db_session, role))
    page = client.get(f"/console/trends?{RANGE}").get_data(as_text=True)
    assert "/console/trends/export.csv" in page and 'name="dims"' in page
    answer = client.get(f"/console/trends/export.csv?{RANGE}&dims=category")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"].startswith("attachment")
    text = answer.get_data(as_text=True)
    assert "caller words" not in text and "+93" not in text
    table = rows(text)
    claims = [r for r in table if r["category"] == "smuggler_claims"]
    assert [r["count"] for r in claims] == ["10", "10", "10"] and claims[0]["category_name"] != "smuggler_claims"
    assert claims[0]["week_start"] == "2026-11-02"
    for row in table:
        assert row["count"] == "" or int(row["count"]) >= 5
        assert row["count"] != "" or row["suppressed"] in ("primary", "secondary")


def test_no_choice_of_dimensions_gives_a_hidden_count_back(client: FlaskClient, db_session: Session) -> None:
    """Every table of up to two dimensions, downloaded: a week's total, or a coarser table's cell, minus the
    visible finer cells it is made of never leaves a small count (under k) for the hidden ones."""
    seed(db_session)
    sign_in(client, make_staff(db_session, "analyst"))
    dims = ("language", "channel", "category")
    tables: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for size in (1, 2):
        for chosen in combinations(dims, size):
            query = "&".join(f"dims={d}" for d in chosen)
            tables[chosen] = rows(client.get(f"/console/trends/export.csv?{RANGE}&{query}").get_data(as_text=True))
    totals = {r["week_start"]: r["count"] for r in tables[("category",)] if r["row"] == "week_total"}
    for chosen, table in tables.items():
        cells = [r for r in table if r["row"] == "cell"]
        assert {r["week_start"]: r["count"] for r in table if r["row"] == "week_total"} == totals
        for coarse in [c for c in tables if len(c) < len(chosen) and set(c) < set(chosen)] + [()]:
            for group in _groups(cells, coarse):
                known = _published(tables, coarse, group[0], totals)
                hidden = [r for r in group if r["count"] == ""]
                if known is None or not hidden:
                    continue
                rest = int(known) - sum(int(r["count"]) for r in group if r["count"] != "")
                # what the coarser figure leaves for the hidden cells is never a small count (one hidden cell of 5
                # or more is a complementary one: knowing it gives nothing small away)
                assert rest >= 5, (chosen, coarse, group, known)


def _groups(cells: list[dict[str, str]], coarse: tuple[str, ...]) -> list[list[dict[str, str]]]:
    out: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for row in cells:
        out.setdefault((row["week_start"], *(row[d] for d in coarse)), []).append(row)
    return list(out.values())


def _published(tables: dict[tuple[str, ...], list[dict[str, str]]], coarse: tuple[str, ...], row: dict[str, str],
               totals: dict[str, str]) -> str | None:
    if not coarse:
        return totals[row["week_start"]] or None
    match = [r for r in tables[coarse] if r["row"] == "cell" and r["week_start"] == row["week_start"]
             and all(r[d] == row[d] for d in coarse)]
    return match[0]["count"] or None


def test_xlsx_opens_with_frozen_header_autofilter_dates_and_the_explanation(client: FlaskClient,
                                                                           db_session: Session) -> None:
    seed(db_session)
    sign_in(client, make_staff(db_session, "analyst"))
    answer = client.get(f"/console/trends/export.xlsx?{RANGE}&dims=language&dims=category")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(answer.get_data()))
    sheet = workbook["trends"]
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A2:")
    assert sheet["B3"].is_date and sheet["B3"].value.date() == date(2026, 11, 2)
    header = [c.value for c in sheet[1]]
    assert header[4:8] == ["language", "language_name", "category", "category_name"]
    about = {row[0].value: row[1].value for row in workbook["about"].iter_rows()}
    assert "primary" in about and "secondary" in about and "partial" in about


def test_json_carries_the_notes_and_the_dimensions(client: FlaskClient, db_session: Session) -> None:
    seed(db_session)
    sign_in(client, make_staff(db_session, "analyst"))
    document = json.loads(client.get(f"/console/trends/export.json?{RANGE}&dims=channel").get_data())
    assert document["meta"]["dimensions"] == ["channel"] and "primary" in document["meta"]["notes"]
    assert {row["channel"] for row in document["rows"] if row["row"] == "cell"} == {"sms", "voice"}
