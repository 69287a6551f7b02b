"""Seed the demo database once: staff, library, focal points, a campaign and synthetic traffic (flush only).

The caller commits once. The "demo.seed" audit event is written in the same transaction as everything else,
so a crash mid-seed leaves nothing behind, and a database that has the marker has all of it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.audit.service import record_event
from hotline.auth.models import Role, User
from hotline.auth.passwords import hash_password
from hotline.auth.service import create_user
from hotline.context import Runtime
from hotline.demo.content import load_library, load_samples
from hotline.demo.credentials import Credential
from hotline.demo.library import add_campaign, add_focal_points, add_rumours, refresh_rumour_counts
from hotline.demo.plan import plan_reports
from hotline.demo.traffic import send_traffic

SEED_ACTION = "demo.seed"
DEFAULT_SEED = 2009  # the year of the Bali Process workshop the design starts from
_ACTOR = "demo"


@dataclass(frozen=True)
class SeedSummary:
    """What seeding added, and the synthetic sender numbers it used (for privacy checks)."""

    reports: int
    rumours: int
    counter_messages: int
    senders: tuple[str, ...]


def is_seeded(session: Session) -> bool:
    """Whether the demo data is already there (its marker is committed together with it)."""
    found = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == SEED_ACTION))
    return bool(found)


def seed_demo(
    session: Session,
    rt: Runtime,
    credentials: Mapping[str, Credential],
    reports: int,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    echo: Callable[[str], None] = lambda _line: None,
    recordings: Path | None = None,
) -> SeedSummary | None:
    """Add the demo data unless it is there already (then None); flushes, never commits.

    ``recordings`` is the recordings folder: the sample audio of a few calls is written there (hotline.demo.audio).
    """
    if is_seeded(session):
        return None
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    samples, library = load_samples(), load_library()
    echo("seeding staff, rumours and counter-messages")
    staff = _add_staff(session, credentials, sorted(samples.languages))
    rumours = add_rumours(session, library, staff, now)
    focal_points = add_focal_points(session, library, now)
    add_campaign(session, library, staff, now)
    plans = plan_reports(rng, samples, reports, now)
    senders = send_traffic(session, rt.intake_context(), rng, plans, staff, focal_points, rumours, echo, recordings)
    refresh_rumour_counts(session, rumours)
    messages = sum(len(spec.messages) for spec in library.rumours)
    record_event(session, _ACTOR, SEED_ACTION, "demo", None,
                 after={"seed": seed, "reports": reports, "rumours": len(rumours), "counter_messages": messages})
    session.flush()
    return SeedSummary(reports, len(rumours), messages, tuple(dict.fromkeys(senders)))


def _add_staff(session: Session, credentials: Mapping[str, Credential], languages: list[str]) -> dict[str, User]:
    staff: dict[str, User] = {}
    for role in Role:
        cred = credentials[role.value]
        staff[role.value] = create_user(session, {
            "email": cred.email, "role": role.value, "password": cred.password,
            "display_name": f"Demo {role.value}",
            # The demo operator (and translator) work in every demo language: the whole queue, every prompt.
            "languages": languages if role in (Role.OPERATOR, Role.TRANSLATOR) else [],
        }, actor=_ACTOR)
    return staff


def reset_passwords(session: Session, credentials: Mapping[str, Credential]) -> None:
    """Give the demo accounts the passwords in ``credentials`` (after the credentials file was lost)."""
    for cred in credentials.values():
        user = session.scalar(select(User).where(User.email == cred.email))
        if user is not None:
            user.password_hash = hash_password(cred.password)
            record_event(session, _ACTOR, "user.password_reset", "user", user.id)
    session.flush()
