"""Streaming writers: CSV and JSON as text chunks, XLSX to a file in XlsxWriter's constant_memory mode."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time
from typing import IO, Any

import xlsxwriter

from hotline.exports.columns import TREND_COLUMNS, Column, cell_value, record_rows

FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
_CHUNK_ROWS = 500
Progress = Callable[[int], None]


def _noop(_rows: int) -> None:
    return None


def csv_chunks(records: Iterable[Any], columns: tuple[Column, ...] = TREND_COLUMNS,
               progress: Progress = _noop) -> Iterator[str]:
    """CSV text in chunks: a header row, the HXL hashtag row, then the records."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    writer.writerow([column.hxl for column in columns])
    count = 0
    for count, row in enumerate(record_rows(records, columns), start=1):
        writer.writerow(row)
        if count % _CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            progress(count)
    yield buffer.getvalue()
    progress(count)


def json_chunks(records: Iterable[Any], meta: dict[str, Any], columns: tuple[Column, ...] = TREND_COLUMNS,
                progress: Progress = _noop) -> Iterator[str]:
    """A JSON document in chunks: {"meta": ..., "columns": [...], "rows": [{...}, ...]}."""
    head = {"meta": meta, "columns": [{"name": c.name, "hxl": c.hxl} for c in columns]}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
    parts: list[str] = []
    count = 0
    for count, record in enumerate(records, start=1):
        item = {c.name: _json_value(getattr(record, c.name)) for c in columns}
        parts.append(("," if count > 1 else "") + json.dumps(item, ensure_ascii=False))
        if count % _CHUNK_ROWS == 0:
            yield "".join(parts)
            parts.clear()
            progress(count)
    yield "".join(parts) + "]}"
    progress(count)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, int | float):
        return value
    return str(cell_value(value))  # JSON readers do not evaluate formulas, but exports get pasted around


def write_xlsx(target: str | IO[bytes], records: Iterable[Any], columns: tuple[Column, ...] = TREND_COLUMNS,
               progress: Progress = _noop, sheet: str = "trends",
               about: Sequence[tuple[str, str]] | None = None, about_sheet: str = "about") -> int:
    """Write an XLSX workbook (header row, HXL row, records) in constant memory; returns the number of records.

    Dates are real date cells; the header and HXL rows are frozen, and the autofilter sits on the HXL row so that
    sorting never moves the hashtags away from the top (HXL tools read the first rows). ``about`` adds a second
    sheet of (term, explanation) lines: what the suppression marks mean, the filters, the threshold.
    """
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    try:
        worksheet = workbook.add_worksheet(sheet)
        bold = workbook.add_format({"bold": True})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        worksheet.freeze_panes(2, 0)
        worksheet.write_row(0, 0, [c.name for c in columns], bold)
        worksheet.write_row(1, 0, [c.hxl for c in columns])
        count = 0
        for count, record in enumerate(records, start=1):
            for col, column in enumerate(columns):
                raw = getattr(record, column.name)
                if column.date and isinstance(raw, date):
                    worksheet.write_datetime(count + 1, col, datetime.combine(raw, time.min), day)
                    continue
                value = cell_value(raw)
                if column.numeric and isinstance(value, int):
                    worksheet.write_number(count + 1, col, value)
                elif value != "":
                    worksheet.write_string(count + 1, col, str(value))
            if count % 10_000 == 0:
                progress(count)
        worksheet.autofilter(1, 0, count + 1, len(columns) - 1)
        progress(count)
        if about is not None:
            notes = workbook.add_worksheet(about_sheet)
            notes.set_column(0, 0, 24)
            notes.set_column(1, 1, 100)
            for row, (term, text) in enumerate(about):
                notes.write_string(row, 0, str(cell_value(term)), bold)
                notes.write_string(row, 1, str(cell_value(text)))
    finally:
        workbook.close()
    return count


def xlsx_chunks(records: Iterable[Any], columns: tuple[Column, ...] = TREND_COLUMNS,
                about: Sequence[tuple[str, str]] | None = None) -> Iterator[bytes]:
    """An XLSX workbook as bytes to stream: XLSX is a zip with its directory at the end, so it is written to a
    private temporary file first (constant memory), then read out and removed."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(path, records, columns, about=about)
        with open(path, "rb") as source:
            while chunk := source.read(64 * 1024):
                yield chunk
    finally:
        os.unlink(path)
