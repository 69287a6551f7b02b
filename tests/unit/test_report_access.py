"""The report access rule as a pure function (hotline.triage.access.may_open)."""

from __future__ import annotations

import pytest

from hotline.auth.models import User
from hotline.triage.access import may_open


def user(role: str, languages: list[str] | None = None, user_id: int = 7) -> User:
    return User(id=user_id, email=f"{role}@hotline.test", role=role, languages=languages or [])


@pytest.mark.parametrize(("who", "language", "sensitivity", "assignee", "expected"), [
    (user("operator", ["prs"]), "prs", "normal", None, True),
    (user("operator", ["prs"]), "th", "normal", None, False),
    (user("operator", ["prs"]), "th", "protection", 7, True),  # the holder
    (user("operator", ["prs"]), "th", "normal", 8, False),  # someone else's
    (user("operator", ["prs"]), "prs", "protection", None, True),
    (user("operator", ["prs"]), None, "normal", None, True),  # unknown language: someone must listen
    (user("operator", ["prs"]), None, "sensitive", None, False),
    (user("operator", ["prs"]), None, "protection", None, False),
    (user("operator", []), "en", "normal", None, False),  # no languages: nothing but unknown-language reports
    (user("supervisor"), "th", "protection", None, True),
    (user("admin"), None, "protection", None, True),
    (user("analyst", ["prs"]), "prs", "normal", None, False),
])
def test_may_open(who: User, language: str | None, sensitivity: str, assignee: int | None, expected: bool) -> None:
    assert may_open(who, language, sensitivity, assignee) is expected
