"""`hotline backup [-o FILE]` and `hotline restore FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from hotline.backup.service import BackupError, backup, default_backup_path, restore
from hotline.db import utcnow
from hotline.extensions import db


@click.command("backup")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the backup (default: HOTLINE_BACKUP_DIR, else <instance>/backups; "
                   "hotline-<time>.sqlite3|.pgdump).")
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Back up the whole database while Hotline keeps running (keep backups encrypted and off this host)."""
    url = current_app.config["HOTLINE"].database_url
    folder = current_app.config["HOTLINE"].backup_dir or Path(current_app.instance_path) / "backups"
    target = output or default_backup_path(Path(folder), url, utcnow())
    click.echo(f"backing up to {target}")
    try:
        backup(url, target, progress=_progress)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written: {target} ({target.stat().st_size} bytes)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database with the backup in SOURCE (stop the app servers and workers first)."""
    url = current_app.config["HOTLINE"].database_url
    if not yes:
        click.confirm("This replaces everything in the database with the backup. Continue?", abort=True)
    db.session.remove()
    db.engine.dispose()  # our own pooled connections must not hold locks while the tables are replaced
    click.echo(f"restoring from {source}")
    try:
        restore(url, source, progress=_progress)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("restore complete; run `hotline db upgrade` if the backup predates the current schema")


def _progress(done: int, total: int) -> None:
    if total and (done == total or done % 2560 == 0):
        click.echo(f"  {done}/{total} pages")
