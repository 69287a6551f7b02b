"""Who the console's pages serve: the role sets its views guard with, and the signed-in user of a guarded view."""

from __future__ import annotations

from flask import abort

from hotline.auth.models import Role, User
from hotline.auth.session import current_user

# Who reads caller text: operators and supervisors (admins pass every check). Analysts see aggregates only.
CASEWORK = (Role.OPERATOR, Role.SUPERVISOR)
SUPERVISORS = (Role.SUPERVISOR,)


def staff() -> User:
    """The signed-in user of a view guarded by login_required."""
    user = current_user()
    if user is None:  # login_required ran first; this tells the type checker
        abort(401)
    return user
