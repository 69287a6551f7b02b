"""Classification is part of intake: every new report with text is classified once its commit succeeds."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.db import after_commit
from hotline.intake.service import record
from tests.factories import make_sms_intake


def test_a_new_text_report_is_classified_after_its_commit(app: Flask, db_session: Session) -> None:
    result = record(db_session, make_sms_intake(body="The agent says a boat leaves for Italy next week, 3000 dollars"),
                    runtime(app).intake_context())
    report = result.report
    assert report is not None and report.classifier_version is None  # not before the commit
    db_session.commit()
    db_session.refresh(report)
    assert report.classifier_version is not None
    assert report.type is not None and report.category is not None


def test_side_effects_wait_for_the_outer_commit_not_a_savepoint(app: Flask, db_session: Session) -> None:
    ran: list[str] = []
    after_commit(db_session, lambda: ran.append("side effect"))
    with db_session.begin_nested():
        pass
    assert ran == []
    db_session.commit()
    assert ran == ["side effect"]
