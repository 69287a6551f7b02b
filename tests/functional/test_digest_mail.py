"""The digest's SMTP: verified TLS (certificate and host name) or nothing sent; plain text only to a loopback relay."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from hotline.cli import cli
from hotline.digest.mail import MailRefused, parse_smtp_url
from hotline.digest.pdf import NOTO_DIR
from hotline.digest.render import send_digest
from tests.factories import make_staff
from tests.trends_helpers import add_report, add_rumour

aiosmtpd = pytest.importorskip("aiosmtpd.controller")


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificates(folder: Path, names: list[x509.GeneralName]) -> tuple[Path, Path, Path]:
    """A private CA (ca.pem) and a server certificate it signed for ``names`` (cert.pem, key.pem)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Test CA")).issuer_name(_name("Test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("mail")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


class Keep:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(handler: Keep, tls: ssl.SSLContext | None) -> Any:
    port = _port()
    extra = {"tls_context": tls, "require_starttls": False} if tls is not None else {}
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=port, **extra)
    controller.start()
    return controller, port


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture()
def starttls_server(tmp_path: Path) -> Iterator[tuple[int, Keep, Path]]:
    """An SMTP server offering STARTTLS with a certificate for 127.0.0.1 from a private CA (not trusted by default)."""
    ca, cert, key = _certificates(tmp_path, [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    handler = Keep()
    controller, port = _serve(handler, _server_context(cert, key))
    try:
        yield port, handler, ca
    finally:
        controller.stop()


@pytest.fixture()
def plain_server() -> Iterator[tuple[int, Keep]]:
    handler = Keep()
    controller, port = _serve(handler, None)
    try:
        yield port, handler
    finally:
        controller.stop()


def _send(app: Flask, url: str) -> None:
    with app.test_request_context("/"):
        send_digest(url, "hotline@hotline.test", ["campaigns@hotline.test"], "2026-W48", [])


def test_an_untrusted_certificate_is_refused_and_nothing_sent(app: Flask, starttls_server: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    port, handler, _ca = starttls_server
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with pytest.raises(ssl.SSLCertVerificationError):
        _send(app, f"smtp://127.0.0.1:{port}")
    assert handler.messages == []


def test_a_trusted_certificate_carries_the_digest(app: Flask, starttls_server: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    port, handler, ca = starttls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # the system trust store plus our private CA
    _send(app, f"smtp://127.0.0.1:{port}")
    assert len(handler.messages) == 1


def test_a_certificate_for_another_host_is_refused(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ca, cert, key = _certificates(tmp_path, [x509.DNSName("mail.example.org")])
    handler = Keep()
    controller, port = _serve(handler, _server_context(cert, key))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    try:
        with pytest.raises(ssl.SSLCertVerificationError, match=r"(?i)mismatch|match"):
            _send(app, f"smtp://127.0.0.1:{port}")
    finally:
        controller.stop()
    assert handler.messages == []


def test_a_server_without_starttls_gets_nothing(app: Flask, plain_server: Any) -> None:
    port, handler = plain_server
    with pytest.raises(MailRefused, match="STARTTLS"):
        _send(app, f"smtp://mailer:secret@127.0.0.1:{port}")
    assert handler.messages == []


def test_plain_text_only_to_a_loopback_relay_when_asked(app: Flask, plain_server: Any) -> None:
    port, handler = plain_server
    _send(app, f"smtp://127.0.0.1:{port}?tls=none")
    assert len(handler.messages) == 1
    with pytest.raises(ValueError, match="relay on this machine"):
        parse_smtp_url("smtp://mail.example.org:25?tls=none")
    with pytest.raises(ValueError, match="relay on this machine"):
        parse_smtp_url("smtps://127.0.0.1?tls=none")


@pytest.mark.skipif(not NOTO_DIR.exists(), reason="needs Debian's fonts-noto-core (make system-deps)")
def test_the_cli_says_why_it_did_not_mail(runner: FlaskCliRunner, db_session: Session, tmp_path: Path,
                                          plain_server: Any) -> None:
    port, handler = plain_server
    operator = make_staff(db_session)
    for _ in range(6):
        add_report(db_session, "2026-11-24T10:00:00", coded_by=operator, country="ID", admin1=None, language="id",
                   rumour_id=add_rumour(db_session).id)
    db_session.flush()
    result = runner.invoke(cli, ["digest", "weekly", "--week", "2026-W48", "--out", str(tmp_path),
                                 "--smtp-url", f"smtp://127.0.0.1:{port}", "--mail-to", "campaigns@hotline.test"])
    assert result.exit_code == 1 and "not mailed" in result.output and "STARTTLS" in result.output
    assert handler.messages == []
