"""The audit trail for supervisors: filtered by date range, person and record, paginated, each entry linked to its
record, changes readable ("Status: New → Closed"), hostile values escaped, caller-identifying fields never shown."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.audit.service import record_event
from hotline.auth.audit_views import AuditArgsSchema
from tests.console_helpers import make_report
from tests.factories import make_staff, sign_in


def _event(session: Session, action: str, entity_type: str, entity_id: int | None, at: datetime,
           user_id: int | None = None, **sides: dict[str, object]) -> AuditEvent:
    event = record_event(session, f"user:{user_id}" if user_id else "cli", action, entity_type, entity_id,
                         before=sides.get("before"), after=sides.get("after"), actor_user_id=user_id)
    event.at = at
    session.flush()
    return event


def _supervisor(client: FlaskClient, session: Session) -> int:
    supervisor = make_staff(session, "supervisor")
    sign_in(client, supervisor)
    return int(supervisor.id)


def test_filters_by_date_range_person_and_record(client: FlaskClient, db_session: Session) -> None:
    me = _supervisor(client, db_session)
    other = make_staff(db_session, "operator", email="night@hotline.test")
    report = make_report(db_session)
    old = _event(db_session, "report.close", "report", report.id, datetime(2025, 1, 5, 12, tzinfo=UTC), other.id,
                 before={"status": "new"}, after={"status": "closed"})
    mid = _event(db_session, "report.answer", "report", report.id, datetime(2025, 2, 10, 23, 59, tzinfo=UTC),
                 me, before={"status": "new"}, after={"status": "answered"})
    late = _event(db_session, "rumour.review", "rumour", 77, datetime(2025, 3, 1, tzinfo=UTC), other.id,
                  before={"risk": "low"}, after={"risk": "high"})

    def shown(query: str) -> set[int]:
        html = client.get(f"/console/audit?{query}").get_data(as_text=True)
        return {e.id for e in (old, mid, late) if f'data-event="{e.id}"' in html}

    assert shown("since=2025-02-01&until=2025-02-10") == {mid.id}  # the last day counts whole
    assert shown("until=2025-01-31") == {old.id}
    assert shown(f"user={other.id}&since=2025-01-01") == {old.id, late.id}
    assert shown(f"entity_type=report&entity_id={report.id}") == {old.id, mid.id}
    assert shown("entity_type=rumour&entity_id=77") == {late.id}
    page = client.get("/console/audit?since=not-a-date&entity_type=rumour").get_data(as_text=True)
    assert "Some filters were not valid" in page and f'data-event="{late.id}"' in page  # the valid one applies


def test_entries_link_to_their_record_and_read_as_changes(client: FlaskClient, db_session: Session) -> None:
    me = _supervisor(client, db_session)
    holder = make_staff(db_session, "operator", email="holder@hotline.test")
    report = make_report(db_session)
    now = datetime.now(UTC)
    _event(db_session, "report.code", "report", report.id, now, me,
           before={"type": None, "category": None, "urgency": "normal", "coded_by_id": None},
           after={"type": "rumour_belief", "category": "destination_policy", "urgency": "high", "coded_by_id": me})
    _event(db_session, "report.reassign", "report", report.id, now, me, before={"assignee_id": None},
           after={"assignee_id": holder.id})
    _event(db_session, "referral.status", "protection_referral", 5, now, me, before={"status": "sent"},
           after={"status": "accepted", "report_id": report.id})
    _event(db_session, "rumour.review", "rumour", 9, now, me, before={"status": "candidate"},
           after={"status": "reviewed"})
    html = client.get("/console/audit").get_data(as_text=True)
    assert f'href="/console/reports/{report.id}"' in html
    assert f'href="/console/reports/{report.id}#referral-5"' in html
    assert 'href="/console/rumours/9"' in html
    assert "Type</span>:" in html and ">Rumour or belief<" in html
    assert "Category</span>:" in html and ">Destination policy<" in html
    assert "Urgency</span>:" in html and ">Normal</span> → <span class=\"change-new\" dir=\"auto\">High<" in html
    assert "Holder</span>:" in html and "holder@hotline.test" in html
    assert "Accepted by the partner" in html and "Candidate" in html and "Reviewed" in html


def test_hostile_values_are_escaped_and_caller_fields_never_shown(client: FlaskClient, db_session: Session) -> None:
    _supervisor(client, db_session)
    _event(db_session, "report.code", "report", 1, datetime.now(UTC), None,
           before={"code": "<script>alert(1)</script>"},
           after={"code": "<img src=x onerror=alert(1)>", "pseudonym": "f00dfeedpseudonym",
                  "from": "+93701234567", "phone_masked": "+93 70• ••• ••67", "note": "call me on +93701234567"})
    html = client.get("/console/audit").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "f00dfeedpseudonym" not in html and "93701234567" not in html and "••67" not in html


def test_pages_carry_the_filters(app: Flask, client: FlaskClient, db_session: Session) -> None:
    me = _supervisor(client, db_session)
    for n in range(55):
        _event(db_session, "rumour.review", "rumour", 3, datetime(2025, 6, 1, tzinfo=UTC), me,
               before={"risk": "low"}, after={"risk": "high" if n % 2 else "medium"})
    first = client.get(f"/console/audit?entity_type=rumour&entity_id=3&user={me}").get_data(as_text=True)
    assert first.count('class="audit-entry"') == 50
    assert "page=2" in first and "entity_id=3" in first.split('rel="next"')[1].split(">")[0]
    second = client.get(f"/console/audit?entity_type=rumour&entity_id=3&user={me}&page=2").get_data(as_text=True)
    assert second.count('class="audit-entry"') == 5 and 'rel="next"' not in second and 'rel="prev"' in second


def test_only_supervisors_read_the_trail(app: Flask, client: FlaskClient, db_session: Session) -> None:
    for role in ("operator", "analyst"):
        other = app.test_client()
        sign_in(other, make_staff(db_session, role, languages=["en"] if role == "operator" else []))
        assert other.get("/console/audit").status_code == 403
        assert other.get("/console/audit?entity_type=report&entity_id=1").status_code == 403
    assert app.test_client().get("/console/audit").status_code in (302, 303, 401)


def test_the_query_schema_refuses_unknown_record_types() -> None:
    errors = AuditArgsSchema().validate({"entity_type": "callers; drop", "page": "0"})
    assert set(errors) == {"entity_type", "page"}
