"""This deployment's Ed25519 signing key, kept in the instance folder (0600), created on first use."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key

from hotline.files import private_dir, write_private

KEY_FILE = "region/ed25519.pem"


def key_path(instance_path: Path) -> Path:
    """Where the signing key lives."""
    return instance_path / KEY_FILE


def load_or_create_key(instance_path: Path) -> tuple[Ed25519PrivateKey, bool]:
    """The signing key, and whether it was just created."""
    path = key_path(instance_path)
    if path.exists():
        key = load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return key, False
    private_dir(path.parent)
    key = Ed25519PrivateKey.generate()
    write_private(path, key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return key, True
