"""Streaming writers: CSV and JSON as text chunks, XLSX to a file in XlsxWriter's constant_memory mode."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
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
               progress: Progress = _noop, sheet: str = "trends") -> int:
    """Write an XLSX workbook (header row, HXL row, records) in constant memory; returns the number of records."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    try:
        worksheet = workbook.add_worksheet(sheet)
        bold = workbook.add_format({"bold": True})
        worksheet.write_row(0, 0, [c.name for c in columns], bold)
        worksheet.write_row(1, 0, [c.hxl for c in columns])
        count = 0
        for count, row in enumerate(record_rows(records, columns), start=1):
            for col, (column, value) in enumerate(zip(columns, row, strict=True)):
                if column.numeric and isinstance(value, int):
                    worksheet.write_number(count + 1, col, value)
                elif value != "":
                    worksheet.write_string(count + 1, col, str(value))
            if count % 10_000 == 0:
                progress(count)
        progress(count)
    finally:
        workbook.close()
    return count
