"""The demo seed: every role, every language, valid coding, approved counter-messages, seeded once, no numbers."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.context import runtime
from hotline.demo.content import load_demo_content
from hotline.demo.seed import is_seeded, seed
from hotline.intake.models import Caller, Report
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour, RumourStatus
from tests.privacy_scan import assert_no_phone_numbers, find_phone_numbers

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_demo_seed_covers_roles_languages_and_coding(app: Flask, db_session: Session) -> None:
    assert not is_seeded(db_session)
    result = seed(db_session, runtime(app), load_demo_content(), reports=120, now=NOW)
    assert is_seeded(db_session)
    roles = set(db_session.scalars(select(User.role)))
    assert roles == {"operator", "supervisor", "analyst", "admin"}
    assert len(result.credentials) == 5
    languages = set(db_session.scalars(select(Report.language).distinct()))
    assert {"prs", "ps", "ur", "bn", "rhg", "si", "ta", "ms", "id", "en"} <= languages
    assert set(db_session.scalars(select(Report.channel).distinct())) == {"voice", "sms", "whatsapp", "field"}
    taxonomy = runtime(app).taxonomy
    for report in db_session.scalars(select(Report)):
        assert taxonomy.is_valid_coding(report.type, report.category, report.code)
        assert report.received_at <= NOW
        assert (report.text is None) == (report.channel == "voice")
    reviewed = db_session.scalars(select(Rumour).where(Rumour.status == RumourStatus.REVIEWED)).all()
    assert len(reviewed) >= 12
    for rumour in reviewed:
        assert any(m.status == ApprovalStatus.APPROVED and m.source for m in rumour.counter_messages)
        linked = db_session.scalar(select(func.count()).select_from(Report).where(Report.rumour_id == rumour.id))
        assert rumour.report_count == linked
    approved_languages = set(db_session.scalars(
        select(CounterMessage.language).where(CounterMessage.status == ApprovalStatus.APPROVED)))
    assert {"prs", "ps", "ur", "bn", "ms", "id", "th", "ta", "si", "en"} <= approved_languages


def test_demo_database_holds_no_phone_number_in_clear(app: Flask, db_session: Session) -> None:
    result = seed(db_session, runtime(app), load_demo_content(), reports=150, now=NOW)
    assert db_session.scalar(select(func.count()).select_from(Caller))
    assert_no_phone_numbers(db_session, result.numbers)


def test_the_scan_would_notice_a_number(app: Flask, db_session: Session) -> None:
    db_session.add(Rumour(canonical_statement="call the agent on +93 70 123 4567", category="other"))
    db_session.flush()
    assert find_phone_numbers(db_session)
    assert find_phone_numbers(db_session, ["+93 70 123 4567"])
