"""Operators' presence: set by themselves in the console, read by the IVR before it puts a caller in a queue.

A presence counts only while the operator's console shows signs of life (the softphone renews its token every few
minutes): an operator who closed the browser without saying "away" is not offered callers for long.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import Role, User
from hotline.operators.models import OperatorPresence, Presence

PRESENCE_TTL = timedelta(minutes=10)
# Who takes calls: operators and supervisors (admins pass every role check in the console, so they may too).
PHONE_ROLES = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)


def presence_of(session: Session, user: User, now: datetime) -> OperatorPresence:
    """The user's presence row, made (away, with a fresh random softphone identity) on first use."""
    row = session.get(OperatorPresence, user.id)
    if row is None:
        row = OperatorPresence(user_id=user.id, status=Presence.AWAY, client_identity=new_client_identity(),
                               changed_at=now, seen_at=now)
        session.add(row)
        session.flush()
    return row


def presence_status(session: Session, user: User) -> Presence:
    """What the user last said (away until they first say otherwise); reads only."""
    row = session.get(OperatorPresence, user.id)
    return Presence(row.status) if row is not None else Presence.AWAY


def new_client_identity() -> str:
    """An opaque softphone identity: Twilio's client names allow letters, digits and underscores."""
    return "op_" + secrets.token_hex(12)


def set_presence(session: Session, user: User, status: Presence, now: datetime) -> OperatorPresence:
    """The operator says they are available, busy or away."""
    row = presence_of(session, user, now)
    if row.status != status:
        row.status = status
        row.changed_at = now
    row.seen_at = now
    session.flush()
    return row


def seen(session: Session, user: User, now: datetime) -> OperatorPresence:
    """A sign of life from the operator's console (a token renewed)."""
    row = presence_of(session, user, now)
    row.seen_at = max(row.seen_at, now)
    session.flush()
    return row


def available_operators(session: Session, now: datetime, ttl: timedelta = PRESENCE_TTL) -> list[User]:
    """Active phone staff who said they are available and whose console was seen within ``ttl``."""
    query = (select(User).join(OperatorPresence, OperatorPresence.user_id == User.id)
             .where(OperatorPresence.status == Presence.AVAILABLE, OperatorPresence.seen_at >= now - ttl,
                    User.active.is_(True), User.role.in_([str(role) for role in PHONE_ROLES])))
    return list(session.scalars(query))


def staffed_languages(session: Session, now: datetime, ttl: timedelta = PRESENCE_TTL) -> frozenset[str]:
    """The languages for which an operator is available now."""
    return frozenset(code for user in available_operators(session, now, ttl) for code in (user.languages or []))


def staffing(session: Session, now: datetime) -> Callable[[str], bool]:
    """``staffed(language)``, asking the database once and only if called (most steps never reach an operator)."""
    found: list[frozenset[str]] = []

    def staffed(language: str) -> bool:
        if not found:
            found.append(staffed_languages(session, now))
        return language in found[0]

    return staffed


def operator_by_identity(session: Session, identity: str) -> User | None:
    """The phone staff member behind a softphone identity, if still active."""
    query = (select(User).join(OperatorPresence, OperatorPresence.user_id == User.id)
             .where(OperatorPresence.client_identity == identity, User.active.is_(True),
                    User.role.in_([str(role) for role in PHONE_ROLES])))
    return session.scalar(query)
