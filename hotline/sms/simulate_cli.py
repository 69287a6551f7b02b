"""`hotline simulate sms`: act as Twilio against a running server, signing the message as Twilio does."""

from __future__ import annotations

import secrets

import click
import requests
from flask import current_app
from flask.cli import with_appcontext
from twilio.request_validator import RequestValidator

SMS_PATH = "/twilio/sms"


def inbound_form(body: str, sender: str, to: str, *, whatsapp: bool = False, media: tuple[str, ...] = (),
                 message_sid: str | None = None) -> dict[str, str]:
    """The form Twilio posts for an inbound SMS or WhatsApp message."""
    prefix = "whatsapp:" if whatsapp else ""
    form = {"MessageSid": message_sid or f"SM{secrets.token_hex(16)}", "AccountSid": "AC" + "0" * 32,
            "From": prefix + sender, "To": prefix + to, "Body": body, "NumMedia": str(len(media))}
    if whatsapp:
        form["WaId"] = sender.lstrip("+")
    for index, url in enumerate(media):
        form[f"MediaUrl{index}"] = url
        form[f"MediaContentType{index}"] = "audio/ogg" if url.endswith(".ogg") else "image/jpeg"
    return form


def signed_headers(url: str, form: dict[str, str], auth_token: str) -> dict[str, str]:
    """The X-Twilio-Signature header Twilio would send with ``form`` to ``url``."""
    return {"X-Twilio-Signature": RequestValidator(auth_token).compute_signature(url, form)}


@click.group("simulate")
def simulate_group() -> None:
    """Act as Twilio against a running Hotline server."""


@simulate_group.command("sms")
@click.argument("body")
@click.option("--url", "base_url", default="http://127.0.0.1:8000", show_default=True,
              help="The server's base URL (as Twilio would see it).")
@click.option("--from", "sender", default="+923001234567", show_default=True)
@click.option("--to", "to", default="+93790000000", show_default=True)
@click.option("--whatsapp", is_flag=True, help="Send as a WhatsApp message.")
@click.option("--media", multiple=True, help="A media URL (repeatable).")
@click.option("--sid", "message_sid", default=None, help="Reuse a MessageSid (to try a replay).")
@with_appcontext
def simulate_sms(body: str, base_url: str, sender: str, to: str, whatsapp: bool, media: tuple[str, ...],
                 message_sid: str | None) -> None:
    """Send BODY to the server's /twilio/sms as Twilio would, signed with this app's auth token."""
    url = base_url.rstrip("/") + SMS_PATH
    form = inbound_form(body, sender, to, whatsapp=whatsapp, media=media, message_sid=message_sid)
    token = current_app.config["HOTLINE"].twilio_auth_token
    response = requests.post(url, data=form, headers=signed_headers(url, form, token), timeout=15)
    click.echo(f"{form['MessageSid']} -> HTTP {response.status_code}")
    click.echo(response.text)
    if response.status_code >= 400:
        raise SystemExit(1)
