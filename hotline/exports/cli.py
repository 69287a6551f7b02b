"""`hotline export trends`: aggregates to CSV, XLSX or JSON, on standard output or to a file; progress on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any, cast

import click
from flask import current_app
from flask.cli import with_appcontext
from marshmallow import ValidationError

from hotline.exports.columns import TREND_COLUMNS, table_columns
from hotline.exports.writers import FORMATS, csv_chunks, json_chunks, write_xlsx
from hotline.extensions import db
from hotline.trends.cells import DIMENSIONS
from hotline.trends.labels import dimension_labels
from hotline.trends.linked import MAX_DIMENSIONS, canonical
from hotline.trends.params import parse_filters
from hotline.trends.service import export_records, table_records


@click.group("export")
def export_group() -> None:
    """Exports for campaign teams (aggregates only, small cells suppressed)."""


class _Progress:
    """Rows written so far, echoed on stderr (standard output may be the export itself)."""

    def __init__(self) -> None:
        self.rows = 0

    def __call__(self, rows: int) -> None:
        self.rows = rows
        click.echo(f"\r{rows} rows written", err=True, nl=False)


@export_group.command("trends")
@click.option("--from", "date_from", required=True,
              help="First day, YYYY-MM-DD (widened to its ISO week's Monday).")
@click.option("--to", "date_to", required=True,
              help="Last day (inclusive), YYYY-MM-DD (widened to its ISO week's Sunday).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
@click.option("--country", default=None)
@click.option("--language", default=None)
@click.option("--channel", default=None)
@click.option("--category", default=None)
@click.option("--dims", "dims", multiple=True, type=click.Choice(DIMENSIONS),
              help=f"Count by these dimensions only (repeat, at most {MAX_DIMENSIONS}), with names beside codes, "
                   "suppressed consistently with every coarser choice (as the trends page's export).")
@with_appcontext
def export_trends(date_from: str, date_to: str, fmt: str, output: Path | None, dims: tuple[str, ...],
                  **filters: str | None) -> None:
    """Counts by ISO week x country x admin1 x language x channel x type x category (x reviewed rumour), or by the
    dimensions given with --dims."""
    if len(dims) > MAX_DIMENSIONS:
        raise click.UsageError(f"--dims: at most {MAX_DIMENSIONS} dimensions (fewer publish more)")
    try:
        query = parse_filters({"from": date_from, "to": date_to, **filters})
    except ValidationError as exc:
        problems = "; ".join(f"--{key}: {' '.join(map(str, msgs))}" for key, msgs in _flat(exc.messages))
        raise click.UsageError(problems) from None
    if (query.date_from.isoformat(), query.date_to.isoformat()) != (date_from, date_to):
        click.echo(f"counting whole ISO weeks: {query.date_from.isoformat()} (Monday) to "
                   f"{query.date_to.isoformat()} (Sunday)", err=True)
    if fmt == "xlsx" and output is None and sys.stdout.isatty():
        raise click.UsageError("XLSX is binary: give -o FILE or redirect standard output")
    progress = _Progress()
    # A read-only session of the export's own (closed at the end): on SQLite a long export takes no write lock.
    with closing(db.new_session(read_only=True)) as session:
        columns, records = TREND_COLUMNS, cast(Iterator[Any], export_records(session, query))
        if dims:
            chosen = canonical(dims)
            with current_app.test_request_context("/"):  # names in the configured default language
                label = dimension_labels(session)
            columns = table_columns(chosen)
            records = table_records(session, query, chosen, label, date.today())
        if fmt == "xlsx":
            write_xlsx(str(output) if output else sys.stdout.buffer, records, columns, progress=progress)
        else:
            meta = {"from": query.date_from.isoformat(), "to": query.date_to.isoformat(),
                    "generated": date.today().isoformat(), **({"dimensions": list(dims)} if dims else {})}
            chunks = (csv_chunks(records, columns, progress=progress) if fmt == "csv"
                      else json_chunks(records, meta, columns, progress=progress))
            _write_text(chunks, output)
    click.echo(f"\rexported {progress.rows} rows as {fmt}" + (f" to {output}" if output else ""), err=True)


def _write_text(chunks: Iterator[str], output: Path | None) -> None:
    handle = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        for chunk in chunks:
            handle.write(chunk)
    finally:
        if output:
            handle.close()
        else:
            handle.flush()


def _flat(messages: object) -> list[tuple[str, list[str]]]:
    if isinstance(messages, dict):
        return [(str(key), value if isinstance(value, list) else [str(value)]) for key, value in messages.items()]
    return [("input", [str(messages)])]
