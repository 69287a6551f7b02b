"""`hotline spool status|replay`: what waits in this host's spool, and putting it into the database."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from hotline.spool.replay import replay
from hotline.spool.runtime import app_spool


@click.group("spool")
def spool_group() -> None:
    """The local spool of webhooks received while the database was unreachable."""


@spool_group.command("status")
@with_appcontext
def spool_status() -> None:
    """How many records wait to be replayed, and how many were set aside."""
    spool = app_spool()
    click.echo(f"spool {spool.directory}: {spool.backlog()} waiting, {spool.dead_letters()} set aside")


@spool_group.command("replay")
@with_appcontext
def spool_replay() -> None:
    """Replay the spool into the database, oldest first, each record exactly once."""
    spool = app_spool()
    waiting = spool.backlog()
    with click.progressbar(length=waiting, label=f"replaying {waiting} record(s)") as bar:
        result = replay(spool, progress=bar.update)
    if result.busy:
        raise click.ClickException("another process on this host is replaying the spool; try again shortly")
    click.echo(f"{result.applied} applied, {result.set_aside} set aside, {result.remaining} waiting")
    if result.outage:
        raise click.ClickException("the database is still unreachable; the rest stays in the spool")
