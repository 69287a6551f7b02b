"""Seeding the demo into a real database: roles, languages, codings, rumours, idempotency and privacy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.auth.passwords import verify_password
from hotline.context import runtime
from hotline.demo.credentials import Credential, demo_email
from hotline.demo.phones import hotline_number
from hotline.demo.seed import SeedSummary, is_seeded, reset_passwords, seed_demo
from hotline.intake.models import Caller, Contact, Message, Recording, Report
from hotline.models import AuditEvent, Campaign, CounterMessage, FocalPoint, Role, Rumour, User
from hotline.rumours.library import approved_counter_messages
from hotline.trends.cells import TrendFilters
from hotline.trends.config import trends_config
from hotline.trends.service import ROW_CELL, export_records
from tests.privacy_scan import assert_no_phone_numbers, find_phone_numbers

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
REQUIRED_LANGUAGES = {"prs", "ps", "ur", "bn", "rhg", "si", "ta", "ms", "id", "th", "en"}
COUNTER_MESSAGE_LANGUAGES = {"prs", "ps", "ur", "bn", "ms", "id", "th", "ta", "si", "en"}
DEMO_REPORTS = 400  # `hotline demo`'s default
MODELS = (User, Caller, Contact, Message, Recording, Report, Rumour, CounterMessage, Campaign, FocalPoint, AuditEvent)


def _credentials() -> dict[str, Credential]:
    return {r.value: Credential(r.value, demo_email(r.value), f"demo-password-{r.value}") for r in Role}


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture()
def seeded(app: Flask, db_session: Session) -> SeedSummary:
    summary = seed_demo(db_session, runtime(app), _credentials(), reports=60, seed=7, now=NOW)
    assert summary is not None
    return summary


def test_one_user_per_role_and_operators_have_languages(seeded: SeedSummary, db_session: Session) -> None:
    users = db_session.scalars(select(User)).all()
    assert sorted(u.role for u in users) == sorted(r.value for r in Role)
    operator = next(u for u in users if u.role == Role.OPERATOR)
    assert set(operator.languages) >= REQUIRED_LANGUAGES


def test_reports_cover_languages_and_channels_with_valid_codings(
    app: Flask, seeded: SeedSummary, db_session: Session
) -> None:
    taxonomy = runtime(app).taxonomy
    reports = db_session.scalars(select(Report)).all()
    assert len(reports) == 60
    assert {r.language for r in reports} >= REQUIRED_LANGUAGES
    assert {r.channel for r in reports} == {"voice", "sms", "whatsapp", "field"}
    assert all(taxonomy.is_valid_coding(r.type, r.category, r.code) for r in reports)
    assert any(r.category for r in reports) and any(r.status == "new" for r in reports)
    assert any(r.status in ("answered", "closed") for r in reports)
    assert any(r.sensitivity == "protection" for r in reports) or any(r.urgency != "normal" for r in reports)
    assert all(r.source_id and r.contact_id and r.week.weekday() == 0 and r.received_at <= NOW for r in reports)
    assert all(r.country and r.admin1 and r.admin1.startswith(r.country) for r in reports)
    assert any(r.channel == "voice" and r.translation for r in reports)  # operators' renderings of recordings
    for report in reports:
        if report.channel == "voice":
            assert report.recording_id is not None and report.text is None
        elif report.channel in ("sms", "whatsapp"):
            assert report.message_id is not None and report.text


def test_reviewed_rumours_have_approved_counter_messages(seeded: SeedSummary, db_session: Session) -> None:
    rumours = db_session.scalars(select(Rumour)).all()
    assert len(rumours) >= 12 and all(r.status == "reviewed" for r in rumours)
    for rumour in rumours:
        assert rumour.statement_translations and rumour.canonical_statement
        linked = db_session.scalars(select(Report).where(Report.rumour_id == rumour.id)).all()
        assert rumour.report_count == len(linked)
        if linked:
            assert rumour.first_seen_at == min(r.received_at for r in linked)
            assert rumour.last_seen_at == max(r.received_at for r in linked)
        assert approved_counter_messages(db_session, "en", NOW.date(), rumour_id=rumour.id)
    messages = db_session.scalars(select(CounterMessage)).all()
    approved = [m for m in messages if m.status == "approved"]
    assert {m.language for m in approved} >= COUNTER_MESSAGE_LANGUAGES
    assert all(m.source for m in approved) and any(m.status == "draft" for m in messages)
    assert _count(db_session, Campaign) == 1 and _count(db_session, FocalPoint) >= 3


def test_seeding_twice_adds_nothing(app: Flask, seeded: SeedSummary, db_session: Session) -> None:
    counts = [_count(db_session, model) for model in MODELS]
    assert is_seeded(db_session)
    assert seed_demo(db_session, runtime(app), _credentials(), reports=60, seed=8, now=NOW) is None
    assert [_count(db_session, model) for model in MODELS] == counts


def test_no_phone_number_is_stored_in_clear(seeded: SeedSummary, db_session: Session) -> None:
    # The callback samples make callers write their own number in the text: intake must have redacted it.
    assert any("[+" in (r.text or "") for r in db_session.scalars(select(Report)))
    countries = {r.country for r in db_session.scalars(select(Report)) if r.country}
    assert_no_phone_numbers(db_session, seeded.senders, allowed={hotline_number(c) for c in countries})


def test_privacy_scan_finds_a_planted_number(seeded: SeedSummary, db_session: Session) -> None:
    report = db_session.scalars(select(Report).order_by(Report.id)).first()
    assert report is not None
    number = seeded.senders[0]
    report.translation = f"caller said: call me on {number.removeprefix('+')[2:]} please"
    db_session.flush()
    assert find_phone_numbers(db_session, seeded.senders)
    with pytest.raises(AssertionError, match=r"reports\.translation"):
        assert_no_phone_numbers(db_session, seeded.senders)


def test_a_failed_seed_leaves_nothing_behind(app: Flask, db_session: Session) -> None:
    def crash_midway(line: str) -> None:
        if line.startswith("seeding reports 40/"):
            raise RuntimeError("killed mid-seed")

    with pytest.raises(RuntimeError):
        seed_demo(db_session, runtime(app), _credentials(), reports=60, seed=7, now=NOW, echo=crash_midway)
    db_session.rollback()  # what the demo command's failed run amounts to: nothing was committed
    assert not is_seeded(db_session)
    assert [_count(db_session, model) for model in (User, Report, Rumour)] == [0, 0, 0]


def test_lost_credentials_get_new_passwords(seeded: SeedSummary, db_session: Session) -> None:
    fresh = {r: Credential(c.role, c.email, c.password + "-new") for r, c in _credentials().items()}
    reset_passwords(db_session, fresh)
    for cred in fresh.values():
        user = db_session.scalar(select(User).where(User.email == cred.email))
        assert user is not None and verify_password(user.password_hash, cred.password)


def test_the_demo_export_publishes_cells_above_k(app: Flask, db_session: Session) -> None:
    """At `make demo`'s size, an analyst's export has counts to read: a few flows carry most of the calls."""
    seed_demo(db_session, runtime(app), _credentials(), reports=DEMO_REPORTS, now=NOW)
    filters = TrendFilters(NOW.date() - timedelta(weeks=13), NOW.date())
    cells = [r for r in export_records(db_session, filters) if r.row == ROW_CELL]
    published = [r for r in cells if r.count is not None]
    assert len(published) >= 15, f"{len(published)} of {len(cells)} cells published"
    assert sum(r.count or 0 for r in published) >= DEMO_REPORTS // 3  # a third of the reports, at least
    assert all((r.count or 0) >= trends_config().min_cell_count for r in published)


def test_dari_calls_of_the_safe_boat_rumour_have_playable_audio(app: Flask, db_session: Session,
                                                                 tmp_path: Path) -> None:
    seed_demo(db_session, runtime(app), _credentials(), reports=60, seed=7, now=NOW, recordings=tmp_path)
    playable = db_session.scalars(select(Recording).where(Recording.content_type == "audio/wav")).all()
    assert playable
    for recording in playable:
        path = tmp_path / str(recording.storage_path)
        assert path.read_bytes()[:4] == b"RIFF"
        assert recording.duration_seconds == 5
    reports = db_session.scalars(select(Report).where(Report.recording_id.in_([r.id for r in playable]))).all()
    assert {(r.language, r.channel) for r in reports} == {("prs", "voice")}
