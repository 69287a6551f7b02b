"""`hotline sms inbox|file-inbox`: what waits in the SMS inbox, and filing what a lost or failed job left there."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from hotline.db import utcnow
from hotline.jobs import job_session
from hotline.sms.inbox import MAX_ATTEMPTS, SWEEP_AFTER, file_waiting, inbox_state, waiting_ids


@click.group("sms")
def sms_group() -> None:
    """The SMS and WhatsApp channel."""


@sms_group.command("inbox")
@with_appcontext
def inbox_command() -> None:
    """How many inbound messages wait to be filed (counts only, never their contents)."""
    with job_session() as session:
        state = inbox_state(session, utcnow())
    click.echo(f"{state.waiting} waiting, {state.overdue} waiting longer than {int(SWEEP_AFTER.total_seconds())} s,"
               f" {state.stuck} failed {MAX_ATTEMPTS} times")
    if state.stuck:
        raise click.ClickException("some messages cannot be filed: see the error log (it names each inbox row)")


@sms_group.command("file-inbox")
@click.option("--all", "everything", is_flag=True, help="Also file messages that arrived in the last minute.")
@with_appcontext
def file_inbox_command(everything: bool) -> None:
    """File the messages whose job was lost or failed, oldest first."""
    older_than = timedelta(0) if everything else SWEEP_AFTER
    with job_session() as session:
        count = len(waiting_ids(session, utcnow(), older_than))
    with click.progressbar(length=count, label=f"filing {count} message(s)") as bar:
        file_waiting(older_than, progress=bar.update)
    with job_session() as session:
        state = inbox_state(session, utcnow())
    click.echo(f"{count} filed or retried; {state.waiting} still waiting, {state.stuck} failed {MAX_ATTEMPTS} times")
