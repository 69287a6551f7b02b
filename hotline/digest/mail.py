"""Connecting to the digest's SMTP server: TLS with the certificate and host name verified, or nothing is sent.

``smtps://host:port`` speaks TLS from the start; ``smtp://host:port`` must offer STARTTLS. Both verify the server's
certificate against the system's trust store (``ssl.create_default_context()``; ``SSL_CERT_FILE`` adds a private CA)
and its host name. Plain text is only for a relay on this machine, and only when asked for:
``smtp://127.0.0.1:25?tls=none``. A digest is aggregates, but the SMTP password is not.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

TIMEOUT_SECONDS = 30


class MailRefused(Exception):
    """The server cannot be reached safely; nothing was sent. The message says why and what to change."""


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to send: parsed from HOTLINE_SMTP_URL."""

    host: str
    port: int
    implicit_tls: bool
    plain: bool  # a loopback relay without TLS, asked for with ?tls=none
    username: str | None
    password: str | None


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_smtp_url(url: str) -> SmtpTarget:
    """An SmtpTarget from ``smtp://[user:password@]host[:port][?tls=none]`` or ``smtps://…``; ValueError if unusable."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("HOTLINE_SMTP_URL must look like smtp://host:port or smtps://host:port")
    tls = parse_qs(parts.query).get("tls", ["required"])[-1]
    if tls not in ("required", "none"):
        raise ValueError("HOTLINE_SMTP_URL: tls= may only be none (a loopback relay) or left out")
    plain = tls == "none"
    if plain and (parts.scheme == "smtps" or not is_loopback(parts.hostname)):
        raise ValueError("HOTLINE_SMTP_URL: tls=none is only for a relay on this machine (smtp://127.0.0.1)")
    return SmtpTarget(host=parts.hostname, port=parts.port or (465 if parts.scheme == "smtps" else 25),
                      implicit_tls=parts.scheme == "smtps", plain=plain,
                      username=unquote(parts.username) if parts.username else None,
                      password=unquote(parts.password or "") if parts.username else None)


def connect(target: SmtpTarget, context: ssl.SSLContext | None = None) -> smtplib.SMTP:
    """An SMTP client ready to send (TLS verified and logged in), or MailRefused / ssl.SSLError / OSError."""
    context = context or ssl.create_default_context()
    if target.implicit_tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=TIMEOUT_SECONDS)
    try:
        if not target.implicit_tls and not target.plain:
            client.ehlo()
            if not client.has_extn("starttls"):
                raise MailRefused(f"{target.host}:{target.port} offers no STARTTLS: refusing to send in plain text "
                                  "(use smtps://, a server with STARTTLS, or ?tls=none for a relay on this machine)")
            client.starttls(context=context)
            client.ehlo()
        if target.username is not None:
            client.login(target.username, target.password or "")
    except BaseException:
        client.close()
        raise
    return client
