"""Demo sign-ins: one account per role, random passwords kept (mode 0600) in the instance folder."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from hotline.auth.models import Role

CREDENTIALS_FILE = "demo-credentials.json"
EMAIL_DOMAIN = "hotline-demo.example.org"


@dataclass(frozen=True)
class Credential:
    """One demo account's sign-in."""

    role: str
    email: str
    password: str


def demo_email(role: str) -> str:
    """The demo account's address for ``role``."""
    return f"{role}@{EMAIL_DOMAIN}"


def load_or_create(path: Path) -> tuple[dict[str, Credential], bool]:
    """The stored credentials, or new random ones written to ``path`` (0600); True when they are new."""
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
        if all(role.value in stored for role in Role):
            return {role: Credential(role, item["email"], item["password"]) for role, item in stored.items()}, False
    creds = {role.value: Credential(role.value, demo_email(role.value), secrets.token_urlsafe(12)) for role in Role}
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({r: {"email": c.email, "password": c.password} for r, c in creds.items()}, indent=2)
    # Created 0600 from the start, so the passwords are never readable by others even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(payload)
    path.chmod(0o600)
    return creds, True
