"""Factory helpers (`make_thing(**overrides)`) shared by the tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from twilio.request_validator import RequestValidator

from hotline.intake.constants import Channel
from hotline.intake.inbound import InboundMessage, InboundReport, Intake

TEST_AUTH_TOKEN = "test-auth-token-0123456789abcdef"
TEST_SECRETS = {
    "HOTLINE_SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
    "HOTLINE_PSEUDONYM_KEY": "test-pseudonym-key-0123456789abcdef01234567",
    "HOTLINE_TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
    "HOTLINE_TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
}
_ids = itertools.count(1)


def sid(prefix: str = "SM") -> str:
    """A unique, Twilio-shaped id (two letters and 32 hex digits)."""
    return f"{prefix}{next(_ids):032x}"


def make_sms_intake(sender: str = "+93701234567", body: str = "Is the border open?", **overrides: Any) -> Intake:
    """An inbound SMS carrying one uncoded report."""
    message_sid = overrides.pop("message_sid", None) or sid("SM")
    received_at = overrides.pop("received_at", None) or datetime.now(UTC)
    report = overrides.pop("report", None) or InboundReport(source_id=message_sid, text=body)
    return Intake(
        channel=overrides.pop("channel", Channel.SMS), received_at=received_at, sender=sender,
        hotline_number=overrides.pop("hotline_number", "+93790000000"),
        message=InboundMessage(sid=message_sid, body=body), report=report, **overrides,
    )


def sign(url: str, params: dict[str, Any], token: str = TEST_AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for a form POST to ``url``."""
    return str(RequestValidator(token).compute_signature(url, params))


def signed_post(client: Any, path: str, data: dict[str, Any], token: str = TEST_AUTH_TOKEN,
                base: str = "http://localhost", **kwargs: Any) -> Any:
    """POST ``data`` to ``path`` as Twilio would, signed with ``token``."""
    headers = {"X-Twilio-Signature": sign(base + path, data, token), **kwargs.pop("headers", {})}
    return client.post(path, data=data, headers=headers, base_url=base, **kwargs)


STAFF_PASSWORD = "correct horse battery staple"


def make_staff(session: Any, role: str = "operator", email: str | None = None, **fields: Any) -> Any:
    """A staff user (flushed) with STAFF_PASSWORD; ``fields`` go to create_user (languages, ui_locale...)."""
    from hotline.auth.service import create_user

    address = email or f"{role}-{next(_ids)}@hotline.test"
    return create_user(session, {"email": address, "role": role, "password": STAFF_PASSWORD, **fields})


def csrf_token_in(html: str) -> str:
    """The CSRF token of the first form in ``html``."""
    import re

    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no csrf_token field in the page"
    return found.group(1)


def sign_in(client: Any, user: Any, password: str = STAFF_PASSWORD) -> Any:
    """Sign ``user`` in through the real login form (CSRF token included); returns the response."""
    token = csrf_token_in(client.get("/console/login").get_data(as_text=True))
    return client.post("/console/login", data={"email": user.email, "password": password, "csrf_token": token})
