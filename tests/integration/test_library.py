"""Only approved, valid counter-messages in the caller's language reach callers, most relevant first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from hotline.rumours.library import approved_counter_messages
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour, RumourStatus


def _rumour(session: Session, **kw: object) -> Rumour:
    rumour = Rumour(canonical_statement="The border is open in spring", category="destination_policy",
                    status=RumourStatus.REVIEWED, **kw)
    session.add(rumour)
    session.flush()
    return rumour


def _message(session: Session, **kw: object) -> CounterMessage:
    values: dict[str, object] = {"language": "prs", "title": "t", "body": "b", "status": ApprovalStatus.APPROVED,
                                 "approved_at": datetime(2026, 1, 1, tzinfo=UTC), **kw}
    message = CounterMessage(**values)
    session.add(message)
    session.flush()
    return message


def test_only_approved_valid_messages_in_the_language(db_session: Session) -> None:
    today = date(2026, 6, 1)
    hot = _rumour(db_session, last_seen_at=datetime(2026, 5, 30, tzinfo=UTC), report_count=40)
    cold = _rumour(db_session, last_seen_at=datetime(2026, 2, 1, tzinfo=UTC), report_count=3)
    candidate = Rumour(canonical_statement="x", category="other", status=RumourStatus.CANDIDATE)
    db_session.add(candidate)
    db_session.flush()
    general = _message(db_session, category="journey_risk")
    cold_msg = _message(db_session, rumour_id=cold.id)
    hot_msg = _message(db_session, rumour_id=hot.id)
    _message(db_session, rumour_id=hot.id, status=ApprovalStatus.DRAFT)
    _message(db_session, rumour_id=hot.id, language="ps")
    _message(db_session, rumour_id=hot.id, valid_until=today - timedelta(days=1))
    _message(db_session, rumour_id=hot.id, valid_from=today + timedelta(days=1))
    _message(db_session, rumour_id=candidate.id)
    found = approved_counter_messages(db_session, "prs", today)
    assert [m.id for m in found] == [hot_msg.id, cold_msg.id, general.id]
    assert [m.id for m in approved_counter_messages(db_session, "prs", today, category="journey_risk")] == [general.id]
    assert [m.id for m in approved_counter_messages(db_session, "prs", today, rumour_id=cold.id)] == [cold_msg.id]
