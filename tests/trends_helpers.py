"""Helpers for trends tests: reports inserted directly (aggregates only care about coded fields)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from hotline.intake.inbound import iso_week_start
from hotline.intake.models import Contact, Report
from hotline.rumours.models import Rumour, RumourStatus

_ids = itertools.count(1)


def add_report(session: Any, received: datetime | str, *, coded_by: Any = None, **fields: Any) -> Report:
    """A report received at ``received`` (UTC); ``coded_by`` a User confirms its coding."""
    if isinstance(received, str):
        received = datetime.fromisoformat(received).replace(tzinfo=UTC)
    channel = fields.pop("channel", "sms")
    contact = Contact(channel=channel, provider_id=f"TR{next(_ids):010d}", started_at=received,
                      last_activity_at=received)
    session.add(contact)
    session.flush()
    values: dict[str, Any] = {"country": "AF", "admin1": "AF-NAN", "language": "ps", "type": "rumour_belief",
                              "category": "smuggler_claims", **fields}
    report = Report(contact_id=contact.id, channel=channel, received_at=received, week=iso_week_start(received),
                    coded_by_id=coded_by.id if coded_by is not None else None, text="caller words +93 700 000 000",
                    **values)
    session.add(report)
    session.flush()
    return report


def add_rumour(session: Any, status: str = RumourStatus.REVIEWED, category: str = "smuggler_claims") -> Rumour:
    """A rumour with a staff-written statement."""
    rumour = Rumour(canonical_statement="Boats to Australia are safe in the monsoon", category=category,
                    status=status)
    session.add(rumour)
    session.flush()
    return rumour
