"""Paper forms typed into a spreadsheet: the template's columns, and reading a CSV or XLSX file into checked rows.

Pure: bytes in, rows and errors out. Every error names the file, the row (as the spreadsheet numbers it, header = 1)
and the field. Cells are data, never formulas: a cell that looks like ``=SUM(A1)`` is read as that text.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from hotline.field.models import SOURCES
from hotline.field.reports import MAX_PEOPLE, MAX_TEXT

COLUMNS = ("focal_point", "date_heard", "country", "admin1", "language", "source", "people", "place", "text")
REQUIRED_COLUMNS = ("date_heard", "country", "language", "source", "people", "text")
MAX_ROWS = 20_000
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%m/%d/%Y",
                 "%Y-%m-%d %H:%M:%S", "%d/%m/%y")
_EXCEL_SERIALS = (20_000, 80_000)  # 1954..2119: a plain number in the date column within this range is a serial
_SOURCE_ALIASES = {"agent": "agent_smuggler", "smuggler": "agent_smuggler", "agent_or_smuggler": "agent_smuggler",
                   "relative": "relative_abroad", "social": "social_media", "neighbor": "neighbour"}


class ImportFileError(ValueError):
    """The whole file cannot be read (encoding, format, missing columns); the message names the file."""


@dataclass(frozen=True)
class RowError:
    """One problem in one cell."""

    file: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}: {self.field}: {self.message}"


@dataclass(frozen=True)
class PaperRow:
    """A valid row and its content-derived key (the same row imported twice has the same key)."""

    row: int
    data: dict[str, Any]
    key: str


@dataclass
class ParsedFile:
    """Everything read from one file."""

    file: str
    rows: list[PaperRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)  # rows repeating an earlier row of the same file


class PaperRowSchema(Schema):
    """One row of the paper-form spreadsheet, after cells are turned into text."""

    focal_point = fields.Integer(load_default=None, allow_none=True, strict=False,
                                 validate=validate.Range(min=1))
    date_heard = fields.Date(required=True)
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="Two capital letters."))
    admin1 = fields.String(load_default=None, allow_none=True,
                           validate=validate.Regexp(r"^[A-Z]{2}-[A-Z0-9]{1,6}$", error="Like AF-KAB."))
    language = fields.String(required=True, validate=validate.Regexp(r"^[a-z]{2,3}$", error="A language code."))
    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    people = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=MAX_PEOPLE))
    place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))


def decode_csv(data: bytes, filename: str, encoding: str | None = None) -> str:
    """The text of a CSV file: a BOM decides (UTF-8, UTF-16 from Excel), else UTF-8; anything else is an error."""
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ImportFileError(f"{filename}: cannot be read as {encoding}: {exc}") from None
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name)
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0] != 0:  # UTF-16 LE without a BOM
        return data.decode("utf-16-le")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"{filename}: line {line}: not UTF-8 (byte 0x{data[exc.start]:02x}). It looks like a Windows code page "
            f"(e.g. cp1252): save it from Excel as 'CSV UTF-8', or import with --encoding cp1252"
        ) from None


def read_table(data: bytes, filename: str, encoding: str | None = None) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and the rows of a .csv or .xlsx file."""
    if filename.lower().endswith(".xlsx"):
        return _read_xlsx(data, filename)
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(f"{filename}: this is an Excel workbook: name it .xlsx")
    text = decode_csv(data, filename, encoding)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next(reader, None)
    if header is None:
        raise ImportFileError(f"{filename}: the file is empty")
    return header, (list(row) for row in reader)


def _read_xlsx(data: bytes, filename: str) -> tuple[list[str], Iterator[list[Any]]]:
    import openpyxl  # only needed for workbooks

    try:
        # data_only=False: a formula cell is read as its formula text, never as a computed value.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"{filename}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ImportFileError(f"{filename}: the first sheet is empty")
    return ["" if cell is None else str(cell) for cell in header], (list(row) for row in rows)


def header_map(header: Sequence[str], filename: str) -> dict[str, int]:
    """Column name -> index; missing required columns are an error that lists them."""
    names = [str(name).strip().lstrip("\ufeff").lower().replace(" ", "_") for name in header]
    found = {name: index for index, name in enumerate(names) if name in COLUMNS}
    missing = [name for name in REQUIRED_COLUMNS if name not in found]
    if missing:
        raise ImportFileError(f"{filename}: row 1: missing columns: {', '.join(missing)} "
                              f"(the template has: {', '.join(COLUMNS)})")
    return found


def cell_text(value: Any) -> str | None:
    """A cell as text; numbers without a needless '.0'; formulas and everything else kept verbatim."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def parse_date(value: Any) -> str | None:
    """A date cell as ISO text: real dates, Excel serial numbers and the common written forms."""
    if isinstance(value, datetime | date):
        return cell_text(value)
    text = cell_text(value)
    if text is None:
        return None
    try:
        serial = float(text)
    except ValueError:
        serial = None
    if serial is not None and _EXCEL_SERIALS[0] <= serial <= _EXCEL_SERIALS[1]:
        from openpyxl.utils.datetime import from_excel

        return str(from_excel(serial).date().isoformat())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text  # the schema reports it as not a date


def normalise_source(value: str | None) -> str | None:
    """'Agent or smuggler', 'agent_smuggler', 'Neighbor' -> the stored code."""
    if value is None:
        return None
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    return _SOURCE_ALIASES.get(key, key)


def row_key(data: dict[str, Any]) -> str:
    """A key derived from the row's content: re-importing the same row finds the same report."""
    canonical = json.dumps({k: (v.isoformat() if isinstance(v, date) else v) for k, v in sorted(data.items())},
                           ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:40]


def parse_file(data: bytes, filename: str, encoding: str | None = None,
               known_languages: Iterable[str] = ()) -> ParsedFile:
    """Read and check every row; rows with errors are reported, never half-imported."""
    header, rows = read_table(data, filename, encoding)
    columns = header_map(header, filename)
    languages = set(known_languages)
    parsed = ParsedFile(filename)
    seen: dict[str, int] = {}
    schema = PaperRowSchema()
    for number, cells in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise ImportFileError(f"{filename}: more than {MAX_ROWS} rows: split the file")
        raw = {name: (cells[index] if index < len(cells) else None) for name, index in columns.items()}
        if all(cell_text(value) is None for value in raw.values()):
            continue  # a blank line
        values = {name: cell_text(value) for name, value in raw.items()}
        values["date_heard"] = parse_date(raw.get("date_heard"))
        values["source"] = normalise_source(values.get("source"))
        if values.get("country"):
            values["country"] = str(values["country"]).upper()
        if values.get("admin1"):
            values["admin1"] = str(values["admin1"]).upper()
        try:
            loaded: dict[str, Any] = schema.load({k: v for k, v in values.items() if v is not None})
        except ValidationError as exc:
            for name, problems in sorted(exc.messages_dict.items()):
                for problem in problems if isinstance(problems, list) else [problems]:
                    parsed.errors.append(RowError(filename, number, str(name), str(problem)))
            continue
        if languages and loaded["language"] not in languages:
            parsed.errors.append(RowError(filename, number, "language", f"Unknown language: {loaded['language']}"))
            continue
        key = row_key(loaded)
        if key in seen:
            parsed.duplicates.append(number)
            continue
        seen[key] = number
        parsed.rows.append(PaperRow(number, loaded, key))
    return parsed
