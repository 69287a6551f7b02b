"""`hotline field template` and `hotline field import FILE`: the paper-form spreadsheet from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.field.importing import import_paper_file
from hotline.field.paper import ImportFileError
from hotline.field.template import csv_template, xlsx_template


@click.group("field")
def field_group() -> None:
    """Field reports from community focal points."""


@field_group.command("template")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
def template(fmt: str, output: Path | None) -> None:
    """The paper-form template (header and one example row)."""
    data = csv_template() if fmt == "csv" else xlsx_template()
    if output is None:
        if fmt == "xlsx" and sys.stdout.isatty():
            raise click.ClickException("an .xlsx file is binary: use --output FILE")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        click.echo(f"wrote {output}", err=True)


@field_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--encoding", default=None, help="A CSV file's encoding when it is not UTF-8 (e.g. cp1252).")
@with_appcontext
def import_command(file: Path, encoding: str | None) -> None:
    """Import a filled-in template (.csv or .xlsx); importing the same rows again creates nothing."""
    rt = runtime()
    with click.progressbar(length=1, label=f"importing {file.name}", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            summary = import_paper_file(db.session(), file.read_bytes(), file.name, rt.intake_context(), utcnow(),
                                        rt.languages.codes, encoding=encoding, progress=progress)
        except ImportFileError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
    if not summary.ok:
        db.session.rollback()
        for error in summary.errors:
            click.echo(str(error), err=True)
        raise click.ClickException(f"{len(summary.errors)} errors: nothing imported")
    db.session.commit()
    click.echo(f"{summary.created} created, {summary.already_imported} already imported, "
               f"{len(summary.duplicates)} repeated rows skipped")
