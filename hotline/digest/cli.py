"""`hotline digest weekly`: write the week's digest pages (HTML and PDF) to a folder, and mail them if configured."""

from __future__ import annotations

import smtplib
from datetime import date, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from hotline.digest.content import build_pages, build_regions
from hotline.digest.mail import MailRefused
from hotline.digest.render import send_digest, write_pages, write_regions
from hotline.extensions import db
from hotline.pdf import FontsMissing
from hotline.trends.runtime import regional_news
from hotline.trends.weeks import parse_week, week_label, week_start


@click.group("digest")
def digest_group() -> None:
    """Digests for campaign teams."""


@digest_group.command("weekly")
@click.option("--week", default=None, help="ISO week, e.g. 2026-W48 (default: last week).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write to (default: the instance folder's digests/).")
@click.option("--smtp-url", envvar="HOTLINE_SMTP_URL", default=None,
              help="smtps://host:port or smtp://host:port (STARTTLS); or HOTLINE_SMTP_URL.")
@click.option("--mail-to", envvar="HOTLINE_DIGEST_TO", default=None,
              help="Comma-separated recipients; or HOTLINE_DIGEST_TO.")
@click.option("--mail-from", envvar="HOTLINE_DIGEST_FROM", default="hotline@localhost", show_default=True)
@with_appcontext
def weekly(week: str | None, out: Path | None, smtp_url: str | None, mail_to: str | None, mail_from: str) -> None:
    """One document per region (country), with a chart and a page per language: top and rising rumours,
    campaigns, approved counter-messages; each language's page is also written on its own."""
    try:
        monday = parse_week(week) if week else week_start(date.today()) - timedelta(weeks=1)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    folder = out or Path(current_app.instance_path) / "digests"
    # Cross-border news as of the week's close (published weeks only), worded in a request's locale as the pages are.
    closed = monday + timedelta(weeks=2)
    with current_app.test_request_context("/"):
        pages = build_pages(db.session(), monday,
                            lambda language: regional_news(db.session(), closed, language))
        regions = build_regions(db.session(), monday, pages)
    click.echo(f"{week_label(monday)}: {len(regions)} regions, {len(pages)} pages (region x language)", err=True)
    try:
        with current_app.test_request_context("/"):  # templates and gettext want a request's locale
            for item in write_pages(pages, folder):
                click.echo(f"  wrote {item.html} and {item.pdf.name}", err=True)
            written = write_regions(regions, folder)  # what is mailed: one document per region
    except FontsMissing as exc:
        raise click.ClickException(str(exc)) from None
    for item in written:
        click.echo(f"  wrote {item.html} and {item.pdf.name} (region)", err=True)
    if smtp_url and mail_to and written:
        recipients = [address.strip() for address in mail_to.split(",") if address.strip()]
        try:
            with current_app.test_request_context("/"):
                send_digest(smtp_url, mail_from, recipients, week_label(monday), written)
        except (MailRefused, ValueError, OSError, smtplib.SMTPException) as exc:
            raise click.ClickException(f"not mailed: {exc}") from None
        click.echo(f"  mailed to {', '.join(recipients)}", err=True)
    elif smtp_url or mail_to:
        click.echo("  not mailed: set both HOTLINE_SMTP_URL and HOTLINE_DIGEST_TO", err=True)
