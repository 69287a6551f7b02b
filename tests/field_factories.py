"""Factories for field tests: a registered focal point with credentials, and a signed-in field client."""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.db import utcnow
from hotline.field.models import FocalPoint
from hotline.field.registry import IssuedCredentials, issue_credentials, register
from tests.factories import csrf_token_in

_numbers = itertools.count(100)


def make_focal_point(app: Flask, session: Session, **fields: Any) -> tuple[FocalPoint, IssuedCredentials]:
    """A registered focal point (flushed) and their first sign-in link and PIN."""
    rt = runtime(app)
    form = {"display_name": "Mullah Example", "kind": "religious_leader", "country": "AF", "admin1": "AF-KAB",
            "languages": ["prs"], "phone": f"+9370{next(_numbers):07d}", **fields}
    point = register(session, form, rt.keys, 90, set(rt.languages.codes), None, utcnow())
    return point, issue_credentials(session, point, None, utcnow())


def field_sign_in(client: Any, token: str) -> Any:
    """Use a one-time link as a focal point's phone would: open it, press the button."""
    page = client.get(f"/field/link/{token}")
    return client.post(f"/field/link/{token}", data={"csrf_token": csrf_token_in(page.get_data(as_text=True))})


def report_form(client: Any, **fields: Any) -> dict[str, Any]:
    """The /field form's fields (CSRF token and submission id from the rendered page), plus ``fields``."""
    html = client.get("/field").get_data(as_text=True)
    import re

    submission = re.search(r'name="submission_id" value="([^"]+)"', html)
    assert submission
    return {"csrf_token": csrf_token_in(html), "submission_id": submission.group(1), "text": "The border opens",
            "source": "agent_smuggler", "people": "12", "place": "", "heard_on": "", **fields}
