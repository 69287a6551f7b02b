"""The `hotline` command group: db, demo, serve, and each domain's commands (users and api-token: hotline.auth.cli)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from hotline.app import create_app
from hotline.auth.cli import api_token_group, users_group
from hotline.backup.cli import backup_command, restore_command
from hotline.classify.cli import classify_group
from hotline.content.yamlfile import ContentError
from hotline.digest.cli import digest_group
from hotline.exports.cli import export_group
from hotline.field.cli import field_group
from hotline.ivr.cli import ivr_group
from hotline.ivr.simulate_cli import simulate_call
from hotline.jobs.cli import jobs_group
from hotline.migrate import upgrade
from hotline.ops.deploy_cli import check_command
from hotline.region.cli import region_group
from hotline.retention.cli import erase, retention_group
from hotline.settings import CONFIG_DIR, SettingsError
from hotline.sms.cli import sms_group
from hotline.sms.simulate_cli import simulate_sms
from hotline.spool.cli import spool_group
from hotline.studio.cli import language_pack_group

DEMO_BIND = "127.0.0.1:8000"


def _make_app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_make_app, add_version_option=False, load_dotenv=False)
def cli() -> None:
    """Hotline: a multilingual hotline against people-smuggling disinformation."""


@cli.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or migrate the database to the latest schema."""
    url = current_app.config["HOTLINE"].database_url
    upgrade(url, revision)
    click.echo(f"database at revision {revision}")


@cli.command("serve", with_appcontext=False, context_settings={"ignore_unknown_options": True})
@click.argument("gunicorn_args", nargs=-1, type=click.UNPROCESSED)
def serve(gunicorn_args: tuple[str, ...]) -> None:
    """Serve with gunicorn and config/gunicorn.conf.py (extra arguments go to gunicorn)."""
    create_app()  # fail here, with a clear message, rather than in every worker
    _exec_gunicorn(gunicorn_args)


@cli.command("demo", with_appcontext=False)  # demo mode must be set before the app is built
@click.option("--bind", default=DEMO_BIND, show_default=True)
@click.option("--reports", default=400, show_default=True, help="How many synthetic reports to seed.")
@click.option("--no-serve", is_flag=True, help="Prepare and seed the demo database, then exit.")
def demo(bind: str, reports: int, no_serve: bool) -> None:
    """Demo: SQLite in the instance folder, generated secrets, seeded data, then serve on BIND."""
    from hotline.demo.setup import prepare_demo

    os.environ["HOTLINE_MODE"] = "demo"
    # Demo sign-ins are passwords alone: nobody should need an authenticator app to look around.
    os.environ.setdefault("HOTLINE_TOTP_REQUIRED_ROLES", "none")
    os.environ.pop("HOTLINE_DATABASE_URL", None)
    os.environ.pop("HOTLINE_REDIS_URL", None)
    app = create_app()
    with app.app_context():
        for line in prepare_demo(app, reports=reports, echo=click.echo, url=f"http://{bind}"):
            click.echo(line)
    if not no_serve:
        click.echo(f"Serving Hotline on http://{bind}  (Ctrl+C to stop)")
        _exec_gunicorn(("--bind", bind))


cli.add_command(classify_group)


def _exec_gunicorn(extra: tuple[str, ...]) -> None:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    argv = [str(gunicorn), "-c", str(CONFIG_DIR / "gunicorn.conf.py"), *extra, "hotline.wsgi:app"]
    sys.stdout.flush()
    os.execv(argv[0], argv)  # noqa: S606 - replaces this process with gunicorn; no shell involved


@click.group("simulate")
def simulate_group() -> None:
    """Act as Twilio against a running Hotline server, signing requests as Twilio does."""


simulate_group.add_command(simulate_call)
simulate_group.add_command(simulate_sms)
cli.add_command(users_group)
cli.add_command(api_token_group)
cli.add_command(ivr_group)
cli.add_command(jobs_group)
cli.add_command(region_group)
cli.add_command(simulate_group)
cli.add_command(spool_group)
cli.add_command(sms_group)
cli.add_command(retention_group)
cli.add_command(erase)
cli.add_command(backup_command)
cli.add_command(restore_command)
cli.add_command(field_group)
cli.add_command(export_group)
cli.add_command(digest_group)
cli.add_command(check_command)
cli.add_command(language_pack_group)


def main() -> None:
    """Entry point: configuration errors become one clear line on stderr and exit status 2."""
    try:
        cli.main(prog_name="hotline")
    except (SettingsError, ContentError) as exc:
        click.echo(f"hotline: configuration error: {exc}", err=True)
        sys.exit(2)
