"""The report page: history without numbers, coding, translation, rumour link, SMS reply, answer, escalate, close."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.extensions import db
from hotline.intake.constants import Direction, ReportStatus
from hotline.intake.models import Message, Recording
from hotline.privacy.phone import mask
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour, RumourStatus
from hotline.triage.models import ProtectionReferral
from tests.console_helpers import make_report
from tests.factories import csrf_token_in, make_staff, sign_in
from tests.fakes.twilio_api import FakeTwilioApi, twilio_api_for

SENDER = "+93701112233"


@pytest.fixture()
def twilio_api(app: Flask) -> Iterator[FakeTwilioApi]:
    with twilio_api_for(app) as fake:
        yield fake


def _claimed(client: FlaskClient, session: Session, **report_fields: object) -> tuple[object, str]:
    report = make_report(session, sender=SENDER, **report_fields)  # type: ignore[arg-type]
    operator = make_staff(session, "operator", languages=["en"])
    sign_in(client, operator)
    token = csrf_token_in(client.get("/console/queue?lang=all").get_data(as_text=True))
    assert client.post(f"/console/reports/{report.id}/claim", data={"csrf_token": token}).status_code == 303
    return report, token


def _actions(session: Session, report_id: int) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "report", AuditEvent.entity_id == report_id).order_by(AuditEvent.id)))


def test_report_shows_earlier_contacts_but_never_the_number(client: FlaskClient, db_session: Session) -> None:
    earlier = make_report(db_session, "first question", sender=SENDER, minutes_ago=60 * 48)
    report, _ = _claimed(client, db_session, body="second question")
    html = client.get(f"/console/reports/{report.id}").get_data(as_text=True)  # type: ignore[attr-defined]
    assert f"/console/reports/{earlier.id}" in html
    for fragment in (SENDER, SENDER[1:], "701112233", "1112233"):
        assert fragment not in html
    assert "C-" in html
    assert mask(SENDER) in html  # "+93 70• ••• ••33": enough to recognise a caller


def test_triage_end_to_end_with_audit(client: FlaskClient, db_session: Session, twilio_api: FakeTwilioApi) -> None:
    report, token = _claimed(client, db_session, body="Is the border to Australia open now?")
    rid = report.id  # type: ignore[attr-defined]
    rumour = Rumour(canonical_statement="The border is open", category="destination_policy",
                    status=RumourStatus.REVIEWED)
    db_session.add(rumour)
    db_session.flush()
    answer = CounterMessage(language="en", title="Border facts", body="The border is not open. Ask us anything.",
                            category="destination_policy", status=ApprovalStatus.APPROVED)
    db_session.add(answer)
    db_session.flush()
    page = client.get(f"/console/reports/{rid}?use={answer.id}").get_data(as_text=True)
    assert "Border facts" in page and "GSM-7" in page  # picked into the textarea, cost computed server-side

    assert client.post(f"/console/reports/{rid}/code", data={
        "csrf_token": token, "type": "question", "category": "destination_policy", "code": "",
        "urgency": "high"}).status_code == 303
    assert client.post(f"/console/reports/{rid}/code", data={
        "csrf_token": token, "type": "question", "category": "nonsense"}, follow_redirects=True
    ).get_data(as_text=True).count("not in the codebook") == 1
    client.post(f"/console/reports/{rid}/translation", data={"csrf_token": token, "translation": "Is it open?"})
    client.post(f"/console/reports/{rid}/rumour", data={"csrf_token": token, "rumour_id": str(rumour.id)})
    client.post(f"/console/reports/{rid}/reply", data={"csrf_token": token, "body": answer.body,
                                                       "counter_message_id": str(answer.id)})
    client.post(f"/console/reports/{rid}/answered", data={"csrf_token": token})

    db_session.expire_all()
    stored = db_session.get(type(report), rid)
    assert stored is not None
    assert (stored.type, stored.category, stored.urgency, stored.coded_by_id is not None) == \
        ("question", "destination_policy", "high", True)
    assert stored.translation == "Is it open?" and stored.rumour_id == rumour.id
    assert stored.status == ReportStatus.ANSWERED and stored.answered_at is not None
    assert db_session.get(Rumour, rumour.id).report_count == 1  # type: ignore[union-attr]
    [sent] = db_session.scalars(select(Message).where(Message.direction == Direction.OUTBOUND)).all()
    assert sent.body == answer.body and sent.encoding == "GSM-7" and sent.segments == 1
    assert len(twilio_api.messages) == 1  # sent by the job after the request's commit
    assert _actions(db_session, rid) == ["report.claim", "report.code", "report.translate", "report.link_rumour",
                                         "report.reply", "report.answer"]
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.entity_id == rid)).all()
    assert all("Is it open" not in str(e.before) + str(e.after) for e in events)  # lengths, never words


def test_escalate_records_a_referral_and_close(app: Flask, client: FlaskClient, db_session: Session) -> None:
    report, token = _claimed(client, db_session, body="They threatened my family")
    rid = report.id  # type: ignore[attr-defined]
    assert client.post(f"/console/reports/{rid}/escalate", data={"csrf_token": token, "referred_to": ""},
                       follow_redirects=True).get_data(as_text=True).count("Say who the report is referred to") == 1
    client.post(f"/console/reports/{rid}/escalate", data={"csrf_token": token, "referred_to": "UNHCR Kabul",
                                                          "note": "protection need"})
    [referral] = db_session.scalars(select(ProtectionReferral).where(ProtectionReferral.report_id == rid)).all()
    assert referral.referred_to == "UNHCR Kabul"
    supervisor, other = make_staff(db_session, "supervisor"), app.test_client()
    sign_in(other, supervisor)
    assert "UNHCR Kabul" in other.get("/console/supervision").get_data(as_text=True)  # an open escalation
    client.post(f"/console/reports/{rid}/close", data={"csrf_token": token})  # not confirmed: refused
    db_session.expire_all()
    assert db_session.get(type(report), rid).status == ReportStatus.ESCALATED  # type: ignore[union-attr]
    client.post(f"/console/reports/{rid}/close", data={"csrf_token": token, "confirm": "1"})
    db_session.expire_all()
    assert db_session.get(type(report), rid).status == ReportStatus.CLOSED  # type: ignore[union-attr]
    # A closed report is no open escalation any more; its referral stays on the report page.
    assert "UNHCR Kabul" not in other.get("/console/supervision").get_data(as_text=True)
    assert "UNHCR Kabul" in client.get(f"/console/reports/{rid}").get_data(as_text=True)


def test_an_operator_who_does_not_hold_the_report_cannot_act(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session)
    report.assignee_id = make_staff(db_session, "operator", languages=["en"]).id
    db_session.flush()
    sign_in(client, make_staff(db_session, "operator", languages=["en"]))
    token = csrf_token_in(client.get(f"/console/reports/{report.id}").get_data(as_text=True))
    html = client.post(f"/console/reports/{report.id}/answered", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "Claim this report before working on it" in html
    db_session.refresh(report)
    assert report.status == ReportStatus.NEW


def test_recording_audio_is_served_with_checks_or_said_missing(app: Flask, client: FlaskClient,
                                                              db_session: Session) -> None:
    report = make_report(db_session, body="")
    recording = Recording(contact_id=report.contact_id, purpose="report", storage_path="2026/11/29/REx.mp3",
                          content_type="audio/mpeg")
    db_session.add(recording)
    db_session.flush()
    report.recording_id = recording.id
    db_session.flush()
    sign_in(client, make_staff(db_session, "operator", languages=["en"]))
    html = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    assert "not stored on this server" in html
    assert client.get(f"/console/recordings/{recording.id}/audio").status_code == 404
    storage = Path(app.instance_path) / "recordings" / "2026/11/29"
    storage.mkdir(parents=True, exist_ok=True)
    (storage / "REx.mp3").write_bytes(b"ID3fake")
    try:
        html = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
        assert f'src="/console/recordings/{recording.id}/audio"' in html
        with client.get(f"/console/recordings/{recording.id}/audio") as audio:
            assert audio.status_code == 200 and audio.data == b"ID3fake"
        recording.storage_path = "../../../etc/passwd"
        db_session.flush()
        assert client.get(f"/console/recordings/{recording.id}/audio").status_code == 404
    finally:
        (storage / "REx.mp3").unlink()


def _count_statements(app: Flask, client: FlaskClient, url: str) -> int:
    count = 0

    def on_execute(*_args: object) -> None:
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return count


def test_query_count_does_not_grow_with_the_page(app: Flask, client: FlaskClient, db_session: Session) -> None:
    operator = make_staff(db_session, "operator", languages=["en"])
    for n in range(30):
        make_report(db_session, f"question {n}", sender=SENDER if n % 3 else None)
    holder = make_staff(db_session, "operator")
    for report in db_session.scalars(select(type(make_report(db_session))).limit(20)):
        report.assignee_id = holder.id
    db_session.commit()  # intake's classification jobs run now, not inside a counted request
    sign_in(client, operator)
    client.get("/console/queue")  # warm up caches (rumour index, catalogues)
    small = _count_statements(app, client, "/console/queue?per_page=10")
    large = _count_statements(app, client, "/console/queue?per_page=25")
    assert small == large
    reports = list(db_session.scalars(select(type(make_report(db_session))).where(
        type(make_report(db_session)).caller_id.is_not(None)).limit(2)))
    for report in reports:
        client.get(f"/console/reports/{report.id}")
    first = _count_statements(app, client, f"/console/reports/{reports[0].id}")
    second = _count_statements(app, client, f"/console/reports/{reports[1].id}")
    assert first == second


def test_the_conversation_runs_in_time_order_across_the_callers_contacts(client: FlaskClient,
                                                                          db_session: Session) -> None:
    """A reply goes out on the earlier contact, the caller answers in a new one: one conversation, by time."""
    earlier = make_report(db_session, "first question", sender=SENDER, minutes_ago=60 * 48)
    report, _ = _claimed(client, db_session, body="second question")
    assert earlier.contact_id != report.contact_id  # beyond the SMS conversation window: a new contact
    now = report.received_at
    db_session.add_all([
        Message(contact_id=earlier.contact_id, direction=Direction.OUTBOUND, body="our answer",
                status="delivered", created_at=now - timedelta(hours=24)),
        Recording(contact_id=earlier.contact_id, purpose="report", storage_path="2026/11/29/RE-gone.mp3",
                  created_at=now - timedelta(hours=12)),
        # Stored after the "second question" (a higher id) but sent before it: a spooled webhook filed late.
        Message(contact_id=report.contact_id, direction=Direction.INBOUND, body="filed late",
                created_at=now - timedelta(minutes=5)),
    ])
    db_session.flush()
    html = client.get(f"/console/reports/{report.id}").get_data(as_text=True)  # type: ignore[attr-defined]
    thread = html.split('<ol class="thread">', 1)[1].split("</ol>", 1)[0]
    order = [thread.find(text) for text in ("first question", "our answer", "Recording", "filed late",
                                            "second question")]
    assert -1 not in order, order
    assert order == sorted(order)
    assert f'href="/console/reports/{earlier.id}"' in thread  # entries of the other contact link to its report
    assert "not stored on this server" in thread  # the earlier call's recording, not fetched


def test_the_conversation_leaves_out_contacts_the_operator_may_not_open(client: FlaskClient,
                                                                        db_session: Session) -> None:
    """Another contact's words show only to who may open its report (its own page would answer 404)."""
    make_report(db_session, "پرسش به دری", language="prs", sender=SENDER, minutes_ago=60 * 48)
    report, _ = _claimed(client, db_session, body="second question")  # the operator speaks English only
    html = client.get(f"/console/reports/{report.id}").get_data(as_text=True)  # type: ignore[attr-defined]
    assert "second question" in html
    assert "پرسش به دری" not in html
