"""`hotline users ...` and `hotline api-token ...`: staff accounts and API tokens from the command line."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from hotline.auth.accounts import (
    CLI,
    find_token,
    find_user,
    list_tokens,
    list_users,
    reset_password,
    reset_totp,
    revoke_token,
    set_active,
)
from hotline.auth.models import TokenScope
from hotline.auth.phone_pin import PhonePinRefused, issue_pin, revoke_pin
from hotline.auth.service import MAX_TOKEN_DAYS, AccountError, create_api_token, create_user, roles
from hotline.db import utcnow
from hotline.extensions import db


def _read_password() -> str:
    """A password from standard input, or prompted for (twice, hidden) on a terminal: never an argument."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


@click.group("users")
def users_group() -> None:
    """Staff accounts."""


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(roles()), required=True)
@click.option("--language", "languages", multiple=True, help="A language the user works in (repeatable).")
@click.option("--name", "display_name", default=None)
@with_appcontext
def users_create(email: str, role: str, languages: tuple[str, ...], display_name: str | None) -> None:
    """Create a user; the password is read from standard input, or prompted for on a terminal."""
    password = _read_password()
    try:
        user = create_user(db.session(), {"email": email, "role": role, "password": password,
                                        "languages": list(languages), "display_name": display_name})
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


@users_group.command("list")
@with_appcontext
def users_list() -> None:
    """Every user: e-mail, role, active or not, second factor, lock-out, last sign-in."""
    now = utcnow()
    for user in list_users(db.session()):
        locked = "locked" if user.locked_until is not None and user.locked_until > now else "-"
        click.echo("\t".join([user.email, user.role, "active" if user.active else "deactivated",
                              "totp" if user.totp_secret is not None else "no-totp", locked,
                              _when(user.last_login_at)]))


def _change(email: str, change: str) -> None:
    session = db.session()
    try:
        user = find_user(session, email)
        if change == "deactivate":
            done = set_active(session, user, False, CLI)
        elif change == "activate":
            done = set_active(session, user, True, CLI)
        else:
            done = reset_totp(session, user, CLI)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    messages = {"deactivate": ("deactivated {} and ended their sessions", "{} was already deactivated"),
                "activate": ("activated {}", "{} was already active"),
                "reset-totp": ("removed the second factor of {} and ended their sessions", "{} had no second factor")}
    click.echo(messages[change][0 if done else 1].format(user.email))


@users_group.command("deactivate")
@click.argument("email")
@with_appcontext
def users_deactivate(email: str) -> None:
    """Deactivate a user: they cannot sign in or use their API tokens, and their sessions end now."""
    _change(email, "deactivate")


@users_group.command("activate")
@click.argument("email")
@with_appcontext
def users_activate(email: str) -> None:
    """Reactivate a deactivated user."""
    _change(email, "activate")


@users_group.command("reset-totp")
@click.argument("email")
@with_appcontext
def users_reset_totp(email: str) -> None:
    """Remove a user's second factor (a lost phone) and end their sessions; they set up a new one."""
    _change(email, "reset-totp")


@users_group.command("reset-password")
@click.argument("email")
@with_appcontext
def users_reset_password(email: str) -> None:
    """Set a new password (from standard input, or prompted for on a terminal); ends the user's sessions and
    lifts a lock-out."""
    session = db.session()
    try:
        user = find_user(session, email)
        password = _read_password()
        if not password:  # the console can generate one to show; a command's output may end up in a log
            raise AccountError("password: none was given")
        reset_password(session, user, CLI, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"set a new password for {user.email} and ended their sessions")


@users_group.command("phone-pin")
@click.argument("email")
@click.option("--revoke", is_flag=True, help="Remove the user's phone PIN instead.")
@with_appcontext
def users_phone_pin(email: str, revoke: bool) -> None:
    """Give a translator or supervisor a new staff number and PIN for recording prompts by phone (printed once;
    only the PIN's hash is stored; any earlier PIN stops working)."""
    session = db.session()
    try:
        user = find_user(session, email)
        if revoke:
            removed = revoke_pin(session, user, CLI)
            db.session.commit()
            click.echo(f"removed the phone PIN of {user.email}" if removed else f"{user.email} had no phone PIN")
            return
        issued = issue_pin(session, user, utcnow(), CLI)
    except (AccountError, PhonePinRefused) as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"staff number {issued.number}  PIN {issued.pin}")


@click.group("api-token")
def api_token_group() -> None:
    """Bearer tokens for /api/v1."""


@api_token_group.command("create")
@click.argument("email")
@click.option("--name", default=None, help="What the token is for.")
@click.option("--days", type=click.IntRange(1, MAX_TOKEN_DAYS), default=None,
              help=f"How long the token is valid (default HOTLINE_API_TOKEN_DAYS, at most {MAX_TOKEN_DAYS}).")
@click.option("--scope", type=click.Choice([str(s) for s in TokenScope]), default=None,
              help="peer: a token for a peer deployment, valid for the regional feed only.")
@with_appcontext
def api_token_create(email: str, name: str | None, days: int | None, scope: str | None) -> None:
    """Issue a token for EMAIL, valid for --days; it is printed once and stored only as a hash."""
    if days is None:
        days = current_app.config["HOTLINE"].api_token_days
    try:
        issued = create_api_token(db.session(), email, name, days=days, scope=scope)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(issued.token)  # alone on its line, so a script can capture it; `api-token list` shows the expiry


@api_token_group.command("list")
@click.argument("email", required=False)
@with_appcontext
def api_token_list(email: str | None) -> None:
    """Tokens (of EMAIL, or everyone's): id, prefix, user, name, created, expires, last used, revoked.
    A token itself is never shown: only its hash is stored."""
    session = db.session()
    try:
        tokens = list_tokens(session, find_user(session, email) if email else None)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("\t".join(["id", "prefix", "user", "name", "created", "expires", "last_used", "revoked"]))
    for token in tokens:
        click.echo("\t".join([str(token.id), token.prefix, token.user.email, token.name or "-",
                              _when(token.created_at), _when(token.expires_at), _when(token.last_used_at),
                              _when(token.revoked_at)]))


@api_token_group.command("revoke")
@click.argument("prefix_or_id")
@with_appcontext
def api_token_revoke(prefix_or_id: str) -> None:
    """Revoke a token, by the prefix `api-token list` shows (htl_...) or by its id; it is refused from now on."""
    session = db.session()
    try:
        token = find_token(session, prefix_or_id)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    done = revoke_token(session, token, CLI)
    db.session.commit()
    click.echo(f"{'revoked' if done else 'already revoked:'} {token.prefix} ({token.user.email})")
