"""`hotline retention purge` (schedulable, idempotent) and `hotline erase PHONE` (one caller, on request)."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from hotline.channels.twilio.remote import remote_deleter
from hotline.channels.twilio.rest import twilio_client
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.intake.recording_files import RecordingFolders
from hotline.ivr.recordings import release_remote, remote_leftovers
from hotline.retention.service import CallerNotFound, RetentionPolicy, erase_caller, find_caller, purge
from hotline.sms.inbox import discard_waiting_from, file_waiting
from hotline.sms.media import media_leftovers, release_remote_media
from hotline.spool.runtime import app_spool


@click.group("retention")
def retention_group() -> None:
    """Retention periods (HOTLINE_RETENTION_*_DAYS, HOTLINE_REPLY_ADDRESS_TTL_DAYS)."""


@retention_group.command("purge")
@with_appcontext
def retention_purge() -> None:
    """Delete or redact what is past its retention period (safe to run again; schedule it daily)."""
    settings = runtime().settings
    policy = RetentionPolicy(settings.retention_recording_days, settings.retention_text_days,
                             settings.retention_attachment_days)
    click.echo(f"purging: recordings older than {policy.recording_days} days, free text older than "
               f"{policy.text_days} days, attachments older than {policy.attachment_days} days, expired reply "
               "addresses")
    now = utcnow()
    counts = purge(db.session(), policy, now, _folders(), progress=lambda kind, n: click.echo(f"  {kind}: {n}"),
                   media=current_app.config["HOTLINE"].media_folder)
    db.session.commit()
    dead = app_spool().purge_dead(now - timedelta(days=policy.text_days))  # sealed webhooks set aside on this host
    click.echo(f"  set-aside webhooks (this host's spool): {dead}")
    _delete_at_twilio()
    click.echo(f"done: {sum(counts.as_dict().values()) + dead} change(s), recorded in the audit trail")


@click.command("erase")
@click.argument("phone")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase(phone: str, yes: bool) -> None:
    """Erase the personal data of the caller with number PHONE ("-" reads it from standard input).

    Reply address, texts, translations, recordings (files included) and attachments go; their reports stay,
    coded, for the trends. The audit record holds counts, never the number.
    """
    if phone == "-":
        phone = sys.stdin.readline().strip()
    file_waiting(timedelta(0))  # texts still waiting in the SMS inbox are filed first, then erased with the rest
    session = db.session()
    try:
        caller = find_caller(session, runtime().keys, phone)
    except CallerNotFound as exc:
        raise click.ClickException(str(exc)) from None
    reports = len([r for c in caller.contacts for r in c.reports])
    if not yes:
        click.confirm(f"Erase caller #{caller.id}: {len(caller.contacts)} contact(s), {reports} report(s)?",
                      abort=True)
    counts = erase_caller(session, caller, utcnow(), _folders(), current_app.config["HOTLINE"].media_folder)
    counts.extra["inbox_messages"] = discard_waiting_from(session, runtime().keys, phone)  # ones that failed to file
    session.commit()
    _delete_at_twilio()
    summary = ", ".join(f"{kind} {n}" for kind, n in counts.as_dict().items() if n)
    click.echo(f"caller #{caller.id} erased ({summary or 'nothing personal was left'})")


def _folders() -> RecordingFolders:
    settings = current_app.config["HOTLINE"]
    return RecordingFolders(settings.recordings_folder, settings.voice_notes_folder)


def _delete_at_twilio() -> None:
    """After the commit: delete at Twilio the recordings and media we purged or hold a copy of; what fails keeps
    its URL and is tried again by the next run (or `hotline ivr fetch-recordings`, `hotline sms fetch-media`)."""
    session = db.session()
    delete = remote_deleter(twilio_client(runtime().settings))
    left = 0
    for recording in list(remote_leftovers(session)):
        left += not release_remote(session, recording, delete)
        session.commit()
    for message in list(media_leftovers(session)):
        left += release_remote_media(session, message, delete)
        session.commit()
    if left:
        click.echo(f"{left} recording(s) or media item(s) could not be deleted at Twilio yet; the next run retries",
                   err=True)
