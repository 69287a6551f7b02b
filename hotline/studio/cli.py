"""`hotline language-pack export|import`: a language's approved recordings and reviewed texts as one zip."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.ivr.runtime import ivr_content
from hotline.settings import LOCALES_DIR
from hotline.studio.pack import PackError, export_pack, import_pack


@click.group("language-pack")
def language_pack_group() -> None:
    """Language packs: recordings and reviewed texts that travel between deployments."""


@language_pack_group.command("export")
@click.argument("language")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export_command(language: str, output: Path) -> None:
    """Write LANGUAGE's approved recordings and reviewed texts to a zip."""
    if language not in runtime().languages:
        raise click.BadParameter(f"{language!r} is not in config/languages.yaml", param_hint="LANGUAGE")
    data = export_pack(db.session(), language, LOCALES_DIR, utcnow())
    partial = output.with_name(output.name + ".part")
    partial.write_bytes(data)
    partial.replace(output)
    click.echo(f"wrote {output} ({len(data)} bytes)", err=True)


@language_pack_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--drafts", is_flag=True, help="Import recordings as drafts for a second person here to approve.")
@with_appcontext
def import_command(file: Path, drafts: bool) -> None:
    """Add a language pack's recordings and reviewed texts (nothing is added twice)."""
    prompts = ivr_content().prompts.sources
    try:
        summary = import_pack(db.session(), file.read_bytes(), runtime().languages.codes, prompts, utcnow(),
                              approve=not drafts)
    except PackError as exc:
        db.session.rollback()
        raise click.ClickException(f"{file}: {exc}") from None
    db.session.commit()
    for line in summary.skipped:
        click.echo(f"skipped {line}", err=True)
    click.echo(f"{summary.language}: {summary.recordings_added} recordings added, {summary.recordings_known} "
               f"already here, {summary.texts_added} reviewed texts added")
