"""Reading paper-form spreadsheets: encodings, missing columns, Excel dates, formulas, duplicates (pure)."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from hotline.field.paper import ImportFileError, parse_date, parse_file
from hotline.field.template import csv_template, xlsx_template

HEADER = "date_heard,country,admin1,language,source,people,place,text\n"
LANGS = ("en", "prs", "bn", "id")


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode("utf-8")


def test_the_templates_example_row_is_valid() -> None:
    for data, name in ((csv_template(), "t.csv"), (xlsx_template(), "t.xlsx")):
        parsed = parse_file(data, name, known_languages=LANGS)
        assert parsed.errors == [] and len(parsed.rows) == 1, name
        assert parsed.rows[0].data["date_heard"] == date(2026, 3, 1)


def test_utf8_with_any_script() -> None:
    parsed = parse_file(_csv("2026-03-01,AF,AF-KAB,prs,neighbour,7,کابل,مرز باز است"), "f.csv", known_languages=LANGS)
    assert parsed.rows[0].data["text"] == "مرز باز است"


def test_utf16_from_excel_with_and_without_a_bom() -> None:
    text = HEADER.replace(",", "\t") + "2026-03-01\tBD\t\tbn\tneighbour\t3\t\tসীমান্ত খোলা\n"
    for data in (text.encode("utf-16"), text.encode("utf-16-le")):
        parsed = parse_file(data, "unicode.txt.csv", known_languages=LANGS)
        assert parsed.errors == [] and parsed.rows[0].data["text"] == "সীমান্ত খোলা"


def test_cp1252_is_a_clear_error_unless_named() -> None:
    data = _csv("2026-03-01,ID,,id,neighbour,3,Café,Kapal berangkat — Jumat").decode().encode("cp1252")
    with pytest.raises(ImportFileError, match=r"cp1252\.csv: line 2: not UTF-8.*CSV UTF-8"):
        parse_file(data, "cp1252.csv")
    parsed = parse_file(data, "cp1252.csv", encoding="cp1252", known_languages=LANGS)
    assert parsed.rows[0].data["place"] == "Café"


def test_missing_columns_are_named() -> None:
    with pytest.raises(ImportFileError, match=r"m\.csv: row 1: missing columns: people, text"):
        parse_file(b"date_heard,country,language,source\n2026-03-01,AF,prs,other\n", "m.csv")


def test_errors_name_file_row_and_field() -> None:
    parsed = parse_file(_csv("2026-03-01,AF,,prs,neighbour,3,,ok", "yesterday,AFG,,xx,aliens,-1,,"), "e.csv",
                        known_languages=LANGS)
    assert len(parsed.rows) == 1
    fields = {(e.row, e.field) for e in parsed.errors}
    assert {(3, "date_heard"), (3, "country"), (3, "source"), (3, "people"), (3, "text")} <= fields
    assert str(parsed.errors[0]).startswith("e.csv: row 3: ")


def test_dates_in_many_forms() -> None:
    assert parse_date("01/03/2026") == "2026-03-01"
    assert parse_date("1.3.2026") == "2026-03-01"
    assert parse_date("2026/03/01") == "2026-03-01"
    assert parse_date("1 Mar 2026") == "2026-03-01"
    assert parse_date("46082") == "2026-03-01"  # an Excel serial number typed into a CSV
    assert parse_date(46082.0) == "2026-03-01"
    assert parse_date(datetime(2026, 3, 1, 12, 0)) == "2026-03-01"


def test_duplicate_rows_are_skipped_and_keys_are_stable() -> None:
    row = "2026-03-01,AF,,prs,neighbour,3,,same words"
    parsed = parse_file(_csv(row, row, row.replace("3", "4", 1)), "d.csv", known_languages=LANGS)
    assert parsed.duplicates == [3] and len(parsed.rows) == 2
    again = parse_file(_csv(row), "other-name.csv", known_languages=LANGS)
    assert again.rows[0].key == parsed.rows[0].key


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["date_heard", "country", "language", "source", "people", "text"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_dates_serials_and_formulas_are_never_evaluated() -> None:
    data = _xlsx([[datetime(2026, 3, 1), "AF", "prs", "neighbour", 5, "=HYPERLINK(\"http://evil\",\"x\")"],
                  [46082, "AF", "prs", "other", 2, "+cmd|' /C calc'!A0"],
                  ["2026-03-02", "AF", "prs", "other", "=1+1", "text"]])
    parsed = parse_file(data, "book.xlsx", known_languages=LANGS)
    assert [r.data["date_heard"] for r in parsed.rows] == [date(2026, 3, 1), date(2026, 3, 1)]
    assert parsed.rows[0].data["text"] == '=HYPERLINK("http://evil","x")'
    assert parsed.rows[1].data["text"] == "+cmd|' /C calc'!A0"
    assert [(e.row, e.field) for e in parsed.errors] == [(4, "people")]  # a formula is not a number


def test_a_broken_workbook_is_a_clear_error() -> None:
    with pytest.raises(ImportFileError, match=r"broken\.xlsx: not a readable \.xlsx"):
        parse_file(b"PK\x03\x04 not really a zip", "broken.xlsx")
    with pytest.raises(ImportFileError, match=r"name it \.xlsx"):
        parse_file(_xlsx([]), "renamed.csv")
