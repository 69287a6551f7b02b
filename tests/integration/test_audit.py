"""The audit trail is append-only."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from hotline.audit.models import AuditTrailIsAppendOnly
from hotline.audit.service import record_event


def test_audit_events_cannot_be_changed_or_deleted(db_session: Session) -> None:
    event = record_event(db_session, "cli", "user.create", "user", 1, after={"role": "admin"})
    db_session.flush()
    event.action = "user.delete"
    with pytest.raises(AuditTrailIsAppendOnly):
        db_session.flush()
    db_session.rollback()
    fresh = record_event(db_session, "cli", "user.create", "user", 2)
    db_session.flush()
    db_session.delete(fresh)
    with pytest.raises(AuditTrailIsAppendOnly):
        db_session.flush()
