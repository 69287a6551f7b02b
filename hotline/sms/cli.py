"""`hotline sms inbox|file-inbox|fetch-media`: the SMS inbox, and catching up on what a lost or failed job left."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from hotline.channels.twilio.account import account_of
from hotline.channels.twilio.remote import remote_deleter
from hotline.channels.twilio.rest import twilio_client
from hotline.context import runtime
from hotline.db import utcnow
from hotline.jobs import job_session
from hotline.sms.inbox import MAX_ATTEMPTS, SWEEP_AFTER, file_waiting, inbox_state, waiting_ids
from hotline.sms.media import (
    MediaFetchError,
    fetch_media,
    media_leftovers,
    pending_media,
    release_remote_media,
)


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


@sms_group.command("fetch-media")
@with_appcontext
def fetch_media_command() -> None:
    """Fetch the media (pictures, voice notes) of texts whose job could not fetch them; safe on a schedule."""
    fetched = failed = 0
    with job_session() as session, click.progressbar(pending_media(session), label="fetching media") as pending:
        account, storage = account_of(current_app.config["HOTLINE"]), current_app.config["HOTLINE"].media_folder
        for message in pending:
            try:
                fetched += fetch_media(session, message, account, storage)
            except MediaFetchError as exc:
                failed += 1
                click.echo(f"message #{message.id}: {exc}", err=True)
            session.commit()
    click.echo(f"{fetched} media item(s) fetched, {failed} message(s) failed")
    left = 0
    with job_session() as session:  # local copies are committed above: now Twilio's go
        delete = remote_deleter(twilio_client(runtime().settings))
        for message in list(media_leftovers(session)):
            left += release_remote_media(session, message, delete)
            session.commit()
    click.echo("media deleted at Twilio" + (f", {left} item(s) left for the next run" if left else ""))
    if failed:
        raise SystemExit(1)
