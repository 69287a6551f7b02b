"""Recording audit events (flush only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.db import REQUEST_ID


def record_event(
    session: Session,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_user_id: int | None = None,
) -> AuditEvent:
    """Append one audit event. Callers pass changed coded fields only: never numbers or caller text.

    The event carries the id of the request whose session writes it (``hotline.db`` puts it in the session's info),
    so an entry can be traced to the request's log lines.
    """
    event = AuditEvent(
        actor_label=actor, actor_user_id=actor_user_id, action=action, entity_type=entity_type,
        entity_id=entity_id, before=before, after=after,
        request_id=session.info.get(REQUEST_ID),
    )
    session.add(event)
    return event
