"""`hotline region key | peers add | peers list | pull`: the regional feed from the command line."""

from __future__ import annotations

import sys
from contextlib import closing
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from marshmallow import ValidationError

from hotline.db import utcnow
from hotline.exports.writers import FORMATS, csv_chunks, json_chunks, write_xlsx
from hotline.extensions import db
from hotline.privacy.keys import PrivacyKeys
from hotline.region.document import FeedRefused, public_key_text
from hotline.region.evaluations import regional_evaluations
from hotline.region.jobs import suggest_after_pull
from hotline.region.keys import key_path, load_or_create_key
from hotline.region.regional_export import TABLES, columns_of, evaluation_record, regional_week_records
from hotline.region.schemas import PeerSchema
from hotline.region.subscribe import PeerError, add_peer, peers, pull_peer


@click.group("region")
def region_group() -> None:
    """The regional feed: this deployment's signing key, the peers it pulls from."""


def _keys() -> PrivacyKeys:
    keys: PrivacyKeys = current_app.extensions["hotline"].keys
    return keys


@region_group.command("key")
@with_appcontext
def region_key() -> None:
    """Create this deployment's Ed25519 signing key if there is none; print its public key for peers."""
    instance = Path(current_app.config["HOTLINE"].instance_path)
    key, created = load_or_create_key(instance)
    if created:
        click.echo(f"created a signing key in {key_path(instance)} (mode 0600; back it up)", err=True)
    click.echo(public_key_text(key))


@region_group.group("peers")
def peers_group() -> None:
    """Deployments whose feeds this one pulls."""


@peers_group.command("add")
@click.argument("name")
@click.argument("url")
@click.argument("public_key")
@click.option("--token", envvar="HOTLINE_REGION_PEER_TOKEN", prompt=True, hide_input=True,
              help="The `peer` API token the peer issued to this deployment (or HOTLINE_REGION_PEER_TOKEN).")
@with_appcontext
def peers_add(name: str, url: str, public_key: str, token: str) -> None:
    """Subscribe to NAME's feed at URL (…/api/v1/region/feed), signed by PUBLIC_KEY (`hotline region key` there)."""
    try:
        data = PeerSchema().load({"name": name, "url": url, "public_key": public_key, "token": token})
        add_peer(db.session(), _keys(), **data)
    except ValidationError as exc:
        raise click.UsageError("; ".join(f"{field}: {' '.join(map(str, msgs))}"
                                         for field, msgs in exc.messages_dict.items())) from None
    except PeerError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"peer {name} added: pull with `hotline region pull --peer {name}`")


@peers_group.command("list")
@with_appcontext
def peers_list() -> None:
    """Peers: name, URL, last week stored, last pull."""
    click.echo("\t".join(["name", "url", "last_week", "last_pulled"]))
    for peer in peers(db.session()):
        click.echo("\t".join([peer.name, peer.url, str(peer.last_week or "-"),
                              peer.last_pulled_at.isoformat() if peer.last_pulled_at else "-"]))


@region_group.command("pull")
@click.option("--peer", "name", default=None, help="Only this peer (default: every peer).")
@with_appcontext
def region_pull(name: str | None) -> None:
    """Fetch, verify and store peers' feeds (safe to run again; schedule it daily). Exits 1 if any was refused."""
    try:
        targets = [peer.name for peer in peers(db.session(), name)]
    except PeerError as exc:
        raise click.ClickException(str(exc)) from None
    failed = 0
    for target in targets:
        session = db.session()
        peer = peers(session, target)[0]
        try:
            result = pull_peer(session, _keys(), peer, utcnow())
        except (FeedRefused, PeerError) as exc:
            session.rollback()
            failed += 1
            click.echo(f"{target}: refused, nothing stored: {exc}", err=True)
            continue
        session.commit()
        click.echo(f"{target}: {result.weeks} new weeks, {result.rumours} rumours, {result.messages} messages")
    if len(targets) > failed:
        suggested = suggest_after_pull(db.session())
        db.session.commit()
        click.echo(f"{suggested} links to rumours here suggested: a supervisor decides at /console/region/links")
    if failed:
        sys.exit(1)


@region_group.command("export")
@click.option("--table", type=click.Choice(TABLES), default="weeks", show_default=True,
              help="weeks: every deployment's published weekly tables; evaluations: campaign evaluations.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
@click.option("--name", default="here", show_default=True, help="How this deployment is named beside its peers.")
@with_appcontext
def region_export(table: str, fmt: str, output: Path | None, name: str) -> None:
    """The regional tables (ours and every peer's, as published) with an HXL hashtag row."""
    if fmt == "xlsx" and output is None and sys.stdout.isatty():
        raise click.UsageError("XLSX is binary: give -o FILE or redirect standard output")
    with closing(db.new_session(read_only=True)) as session:
        records = (list(regional_week_records(session, name)) if table == "weeks" else
                   [evaluation_record(row) for row in regional_evaluations(session, name)])
    columns = columns_of(table)
    if fmt == "xlsx":
        write_xlsx(str(output) if output else sys.stdout.buffer, records, columns, sheet=table)
    else:
        text = "".join(csv_chunks(records, columns) if fmt == "csv" else
                       json_chunks(records, {"table": table, "generated": date.today().isoformat()}, columns))
        if output:
            output.write_text(text, encoding="utf-8", newline="")
        else:
            click.echo(text, nl=False)
    click.echo(f"exported {len(records)} rows of {table} as {fmt}" + (f" to {output}" if output else ""), err=True)
