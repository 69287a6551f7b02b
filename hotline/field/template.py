"""The downloadable paper-form template, as CSV (UTF-8 with a BOM, so Excel reads every script) and XLSX (pure)."""

from __future__ import annotations

import csv
import io
from datetime import date

from hotline.field.paper import COLUMNS

EXAMPLE = ("", "2026-03-01", "AF", "AF-KAB", "prs", "agent_smuggler", "12", "Mosque, district 5",
           "The border opens in March")


def csv_template() -> bytes:
    """The header and one example row."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def xlsx_template() -> bytes:
    """The same as a workbook; the date column is formatted as a date, the text columns as text."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "reports"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([None, date(2026, 3, 1), *EXAMPLE[2:6], 12, *EXAMPLE[7:]])
    for index, name in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 40 if name in ("text", "place") else 14
        for row in range(2, 502):  # text columns stay text: Excel must not turn "=..." or "1-2" into formulas/dates
            cell = sheet.cell(row=row, column=index)
            cell.number_format = "yyyy-mm-dd" if name == "date_heard" else ("0" if name == "people" else "@")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
