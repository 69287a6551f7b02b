"""Import a paper-form spreadsheet: each valid row becomes a field report through intake, once (flush only).

A row's source id is derived from its content, so importing the same file again (or a file repeating rows) creates
nothing twice. Rows are imported only when the whole file is free of errors, so a fixed file can simply be re-sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from hotline.field.models import FocalPoint
from hotline.field.paper import ParsedFile, RowError, parse_file
from hotline.field.registry import by_number
from hotline.field.reports import FieldReport
from hotline.field.service import record_field_report
from hotline.intake.service import IntakeContext

SOURCE_PREFIX = "PF-"


@dataclass
class ImportSummary:
    """What an import did: created, found already imported, repeated within the file, and errors."""

    file: str
    created: int = 0
    already_imported: int = 0
    duplicates: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file had no errors (and so was imported)."""
        return not self.errors


def import_paper_file(session: Session, data: bytes, filename: str, ctx: IntakeContext, now: datetime,
                      known_languages: Iterable[str], *, encoding: str | None = None,
                      progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """Parse ``data`` and, when every row is valid, record each row; ImportFileError for an unreadable file."""
    parsed = parse_file(data, filename, encoding, known_languages)
    summary = ImportSummary(filename, duplicates=parsed.duplicates, errors=list(parsed.errors))
    points = _focal_points(session, parsed, summary)
    if summary.errors:
        return summary
    total = len(parsed.rows)
    for done, row in enumerate(parsed.rows, start=1):
        values = row.data
        report = FieldReport(source_id=SOURCE_PREFIX + row.key, text=values["text"], people=values["people"],
                             source=values["source"], place=values.get("place"), heard_on=values["date_heard"],
                             language=values["language"], country=values["country"], admin1=values.get("admin1"))
        result = record_field_report(session, report, points.get(values.get("focal_point") or 0), ctx, now)
        if result.created:
            summary.created += 1
        else:
            summary.already_imported += 1
        if progress is not None:
            progress(done, total)
    return summary


def _focal_points(session: Session, parsed: ParsedFile, summary: ImportSummary) -> dict[int, FocalPoint]:
    """The focal points the rows name; an unknown or revoked one is an error on that row."""
    points: dict[int, FocalPoint] = {}
    for row in parsed.rows:
        number = row.data.get("focal_point")
        if not number:
            continue
        # The number written on the form is the focal point's public number, never the row id.
        point = points.get(number) or by_number(session, str(number))
        if point is None or point.revoked_at is not None:
            summary.errors.append(RowError(parsed.file, row.row, "focal_point", f"No active focal point {number}."))
            continue
        points[number] = point
    return points
