"""`hotline ivr`: lint the call flow and prompts, build synthesised stand-in audio, fetch recordings."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from hotline.channels.twilio.account import account_of
from hotline.channels.twilio.remote import remote_deleter
from hotline.channels.twilio.rest import twilio_client
from hotline.context import runtime
from hotline.extensions import db
from hotline.ivr.audio import AudioError, build_stand_ins, write_coverage
from hotline.ivr.content import load_ivr_content
from hotline.ivr.lint import coverage_matrix, lint
from hotline.ivr.recordings import (
    RecordingFetchError,
    fetch_recording,
    pending_recordings,
    release_remote,
    remote_leftovers,
)
from hotline.ivr.runtime import ivr_content


@click.group("ivr")
def ivr_group() -> None:
    """The voice IVR: call flows, prompts and audio."""


@ivr_group.command("lint")
@with_appcontext
def ivr_lint() -> None:
    """Check the flow and prompt coverage; print the language x prompt matrix; exit 1 on any error."""
    content = load_ivr_content(runtime().languages, ivr_content().paths)  # re-read files: they may have changed
    report = lint(content)
    click.echo(coverage_matrix(content.prompts.coverage()))
    for warning in report.warnings:
        click.echo(f"warning: {warning}")
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    if not report.ok:
        sys.exit(1)


@ivr_group.command("audio")
@click.option("--force", is_flag=True, help="Re-synthesise stand-ins that already exist.")
@with_appcontext
def ivr_audio(force: bool) -> None:
    """Synthesise stand-in prompts with espeak-ng where no recording or Twilio voice exists."""
    languages = runtime().languages
    paths = ivr_content().paths
    content = load_ivr_content(languages, paths)
    try:
        for line in build_stand_ins(content.prompts, languages, paths.stand_in_root, force=force):
            click.echo(line)
    except AudioError as exc:
        raise click.ClickException(str(exc)) from None
    content = load_ivr_content(languages, paths)
    click.echo(f"coverage written to {write_coverage(content.prompts.coverage(), paths.stand_in_root)}")
    click.echo(coverage_matrix(content.prompts.coverage()))


@ivr_group.command("fetch-recordings")
@click.option("--limit", default=100, show_default=True, help="At most this many recordings per run.")
@with_appcontext
def ivr_fetch_recordings(limit: int) -> None:
    """Download call recordings not yet stored locally (until the job queue does it after each call)."""
    account = account_of(current_app.config["HOTLINE"])
    storage = current_app.config["HOTLINE"].recordings_folder
    session = db.session()
    fetched = failed = 0
    for recording in list(pending_recordings(session, limit)):
        try:
            if fetch_recording(session, recording, account, storage):
                fetched += 1
        except RecordingFetchError as exc:
            failed += 1
            click.echo(f"recording {recording.id}: {exc}", err=True)
    session.commit()  # local copies first: Twilio's are deleted only once ours are committed
    click.echo(f"{fetched} recording(s) fetched into {storage}, {failed} failed")
    delete = remote_deleter(twilio_client(runtime().settings))
    released = kept = 0
    for recording in list(remote_leftovers(session)):
        if release_remote(session, recording, delete):
            released += 1
        else:
            kept += 1
        session.commit()
    click.echo(f"{released} recording(s) deleted at Twilio" + (f", {kept} left for the next run" if kept else ""))
    if failed:
        sys.exit(1)
