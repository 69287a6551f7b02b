"""Export writers: HXL rows that libhxl reads and validates, formula injection neutralised, streaming."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import hxl
import openpyxl

from hotline.exports.guard import neutralise
from hotline.exports.writers import csv_chunks, json_chunks, write_xlsx
from hotline.trends.service import ROW_CELL, ROW_TOTAL, ExportRecord

HXL_SCHEMA = [
    ["#valid_tag", "#valid_datatype", "#valid_required", "#valid_value+list"],
    ["#meta+week", "", "true", ""],
    ["#date+week_start", "date", "true", ""],
    ["#meta+row", "", "true", f"{ROW_CELL}|{ROW_TOTAL}"],
    ["#indicator+reports+num", "number", "", ""],
    ["#country+code", "", "", ""],
]


def records() -> list[ExportRecord]:
    monday = date(2026, 12, 28)
    return [
        ExportRecord("2026-W53", monday, ROW_CELL, "AF", "AF-NAN", "ps", "sms", "rumour_belief",
                     "smuggler_claims", 12, 41, None),
        ExportRecord("2026-W53", monday, ROW_CELL, "BD", "=cmd|' /C calc'!A0", "bn", "+voice", "@SUM(A1)",
                     "-1", None, None, "primary"),
        ExportRecord("2026-W53", monday, ROW_TOTAL, None, None, None, None, None, None, None, 50, None),
    ]


def test_neutralise() -> None:
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(bad) == "'" + bad
    assert neutralise("AF-NAN") == "AF-NAN"
    assert neutralise(-1) == -1  # numbers are numbers, not formulas


def test_csv_has_an_hxl_row_that_libhxl_validates_and_no_formula() -> None:
    text = "".join(csv_chunks(records()))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][:4] == ["#meta+week", "#date+week_start", "#meta+row", "#country+code"]
    for row in rows[2:]:
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row)
    assert rows[3][4] == "'=cmd|' /C calc'!A0" and rows[3][10] == "" and rows[3][11] == "primary"
    source = hxl.data(rows)
    assert "#indicator+reports+num" in [column.display_tag for column in source.columns]
    assert hxl.schema(HXL_SCHEMA).validate(hxl.data(rows))
    for column, wrong in ((10, "many"), (2, "bogus")):
        bad_row = list(rows[2])
        bad_row[column] = wrong
        assert not hxl.schema(HXL_SCHEMA).validate(hxl.data([*rows, bad_row])), wrong


def test_xlsx_in_constant_memory_mode_reads_back_with_hxl_row(tmp_path: Path) -> None:
    path = tmp_path / "trends.xlsx"
    assert write_xlsx(str(path), records()) == 3
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [["" if v is None else v for v in row] for row in workbook["trends"].iter_rows(values_only=True)]
    finally:
        workbook.close()
    assert rows[1][0] == "#meta+week"
    assert rows[2][10] == 41 and isinstance(rows[2][10], int)
    assert rows[3][4] == "'=cmd|' /C calc'!A0" and rows[3][7] == "'@SUM(A1)"
    assert hxl.schema(HXL_SCHEMA).validate(hxl.data([[str(v) for v in row] for row in rows]))


def test_json_export_streams_a_whole_document() -> None:
    chunks = list(json_chunks(iter(records()), {"from": "2026-12-28", "to": "2027-01-03"}))
    document = json.loads("".join(chunks))
    assert document["meta"]["from"] == "2026-12-28"
    assert document["columns"][0] == {"name": "iso_week", "hxl": "#meta+week"}
    assert [row["count"] for row in document["rows"]] == [41, None, 50]
    assert document["rows"][1]["channel"] == "'+voice"
    assert json.loads("".join(json_chunks(iter([]), {})))["rows"] == []


def _default_errors(rows: list[list[str]]) -> list[str]:
    """What libhxl's built-in schema (the one `hxlvalidate` uses when given none) reports as errors."""
    errors: list[str] = []

    def collect(issue: hxl.validation.HXLValidationException) -> None:
        if issue.rule.severity == "error":
            errors.append(f"{issue.value!r}: {issue.message}")

    hxl.schema(None, callback=collect).validate(hxl.data(rows))
    return errors


def test_every_format_passes_libhxls_default_validation(tmp_path: Path) -> None:
    csv_rows = list(csv.reader(io.StringIO("".join(csv_chunks(records())))))
    path = tmp_path / "trends.xlsx"
    write_xlsx(str(path), records())
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        xlsx_rows = [["" if v is None else str(v) for v in row]
                     for row in workbook["trends"].iter_rows(values_only=True)]
    finally:
        workbook.close()
    document = json.loads("".join(json_chunks(iter(records()), {})))
    json_rows = [[c["name"] for c in document["columns"]], [c["hxl"] for c in document["columns"]],
                 *[["" if row[c["name"]] is None else str(row[c["name"]]) for c in document["columns"]]
                   for row in document["rows"]]]
    for name, rows in (("csv", csv_rows), ("xlsx", xlsx_rows), ("json", json_rows)):
        assert _default_errors(rows) == [], name
        assert hxl.validate(rows)["is_valid"], name


def test_the_weeks_first_day_is_an_iso_date_tagged_date_beside_the_week() -> None:
    rows = list(csv.reader(io.StringIO("".join(csv_chunks(records())))))
    source = hxl.data(rows)
    tags = [column.display_tag for column in source.columns]
    assert tags[:2] == ["#meta+week", "#date+week_start"]
    assert [row.get("#date") for row in hxl.data(rows)] == ["2026-12-28"] * 3
    assert [row[0] for row in rows[2:]] == ["2026-W53"] * 3


def test_a_week_label_under_date_fails_the_default_validation() -> None:
    """The check can fail: the week label where HXL expects a date is an error."""
    rows = list(csv.reader(io.StringIO("".join(csv_chunks(records())))))
    rows[1][0] = "#date+week"
    assert _default_errors(rows)


def table_records() -> list[object]:
    from types import SimpleNamespace

    monday = date(2026, 11, 30)
    common = {"iso_week": "2026-W49", "week_start": monday, "partial": "partial"}
    return [
        SimpleNamespace(**common, row=ROW_CELL, category="smuggler_claims", category_name="Smuggler claims",
                        language="prs", language_name="دری", count=12, suppressed=None),
        SimpleNamespace(**common, row=ROW_CELL, category=None, category_name="unconfirmed",
                        language="ps", language_name="=HYPERLINK(\"x\")", count=None, suppressed="primary"),
        SimpleNamespace(**common, row=ROW_TOTAL, category=None, category_name=None, language=None,
                        language_name=None, count=15, suppressed=None),
    ]


def test_table_xlsx_has_date_cells_a_frozen_header_an_autofilter_and_an_explanation(tmp_path: Path) -> None:
    from hotline.exports.columns import table_columns

    columns = table_columns(("language", "category"))
    assert [c.name for c in columns] == ["iso_week", "week_start", "partial", "row", "language", "language_name",
                                         "category", "category_name", "count", "suppressed"]
    path = tmp_path / "table.xlsx"
    about = [("primary", "Fewer than 5 reports"), ("secondary", "Hidden as well")]
    assert write_xlsx(str(path), table_records(), columns, about=about) == 3
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["trends"]
    assert sheet.freeze_panes == "A3"  # the header and HXL rows stay in view
    assert sheet.auto_filter.ref == "A2:J5"  # on the HXL row: sorting never moves the hashtags
    week_start = sheet["B3"]
    assert week_start.is_date and week_start.value.date() == date(2026, 11, 30)
    assert week_start.number_format == "yyyy-mm-dd"
    assert sheet["F3"].value == "دری" and sheet["F4"].value == "'=HYPERLINK(\"x\")"
    assert sheet["I3"].value == 12 and sheet["I4"].value is None and sheet["J4"].value == "primary"
    assert [[c.value for c in row] for row in workbook["about"].iter_rows()] == [list(line) for line in about]
    rows = [["" if v is None else (v.date().isoformat() if hasattr(v, "date") else str(v)) for v in row]
            for row in sheet.iter_rows(values_only=True)]
    assert hxl.schema(HXL_SCHEMA).validate(hxl.data(rows))
    assert hxl.validate(rows)["is_valid"]


def test_table_csv_has_iso_dates_names_beside_codes_and_passes_hxl() -> None:
    from hotline.exports.columns import table_columns

    text = "".join(csv_chunks(table_records(), table_columns(("language", "category"))))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][4:8] == ["#language+code", "#language+name", "#x_feedback+category", "#x_feedback+category+name"]
    assert rows[2][1] == "2026-11-30" and rows[2][2] == "partial" and rows[2][5] == "دری"
    assert hxl.schema(HXL_SCHEMA).validate(hxl.data(rows))
    assert hxl.validate(rows)["is_valid"]  # libhxl's default validation
