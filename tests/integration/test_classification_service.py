# ruff: noqa: RUF001 - caller text in Arabic script is meant to be there
"""The classification service on a real database: coding, urgency, protection, rumour linking and candidates."""

from __future__ import annotations

import dataclasses

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.classify.runtime import classify_runtime
from hotline.classify.service import MatchStatus, classify_report, instant_answer_match, rumour_index
from hotline.context import runtime
from hotline.intake.inbound import InboundReport
from hotline.intake.models import Report
from hotline.intake.service import record
from hotline.rumours.models import Rumour, RumourStatus
from tests.factories import make_sms_intake, sid


def _report(app: Flask, session: Session, text: str, language: str = "en") -> Report:
    source = sid()
    event = make_sms_intake(body=text, message_sid=source,
                            report=InboundReport(source_id=source, text=text, language=language))
    report = record(session, event, runtime(app).intake_context()).report
    assert report is not None
    return report


def _rumour(session: Session, statement: str, translations: dict[str, str] | None = None,
            status: str = RumourStatus.REVIEWED) -> Rumour:
    rumour = Rumour(canonical_statement=statement, statement_translations=translations or {},
                    category="destination_policy", status=status, report_count=0)
    session.add(rumour)
    session.flush()
    return rumour


def test_an_uncoded_report_is_classified_with_confidences_and_version(app: Flask, db_session: Session) -> None:
    report = _report(app, db_session, "is it true the boat sank near the island? many people drowned")
    outcome = classify_report(db_session, report, classify_runtime(app))
    assert report.type == "question" and report.category == "journey_risk"
    assert 0 < (report.type_confidence or 0) <= 1 and 0 < (report.category_confidence or 0) <= 1
    assert report.classifier_version == classify_runtime(app).classifier.version == outcome.classification.version


def test_an_operators_coding_is_never_overwritten(app: Flask, db_session: Session) -> None:
    operator = User(email="op@example.org", role="operator")
    db_session.add(operator)
    db_session.flush()
    report = _report(app, db_session, "the boat leaves tomorrow, the agent says it is big")
    report.type, report.category, report.coded_by_id = "concern_incident", "smuggler_claims", operator.id
    classify_report(db_session, report, classify_runtime(app))
    assert (report.type, report.category, report.classifier_version) == ("concern_incident", "smuggler_claims", None)
    assert report.urgency == "immediate" and report.urgency_rank == 0  # urgency is still raised


def test_protection_cues_flag_the_report_and_block_instant_answers(app: Flask, db_session: Session) -> None:
    _rumour(db_session, "The agent will kill you if you go to the police")
    report = _report(app, db_session, "the agent will kill me if I go to the police")
    classify_report(db_session, report, classify_runtime(app))
    assert report.sensitivity == "protection" and report.urgency == "immediate"
    with app.app_context():
        assert instant_answer_match(db_session, report, classify_runtime(app)) is None
    assert not db_session.scalars(select(Rumour).where(Rumour.status == RumourStatus.CANDIDATE)).all()


def test_a_rumour_in_another_language_is_matched_through_its_translation(app: Flask, db_session: Session) -> None:
    rumour = _rumour(db_session, "Australia has opened its border to boats",
                     {"prs": "استرالیا سرحد خود را برای کشتی ها باز کرده است",
                      "id": "Australia sudah membuka perbatasan untuk kapal"})
    report = _report(app, db_session, "شنیدم استراليا سرحد خود را براي کشتي ها باز کرده", language="prs")
    outcome = classify_report(db_session, report, classify_runtime(app))
    assert report.type in classify_runtime(app).config.match_types
    assert outcome.match_status == MatchStatus.CONFIRMED and report.rumour_id == rumour.id
    assert rumour.report_count == 1 and rumour.last_seen_at == report.received_at
    with app.app_context():
        match = instant_answer_match(db_session, report, classify_runtime(app))
    assert match is not None and match[0] == rumour.id


def test_a_weaker_match_is_only_suggested(app: Flask, db_session: Session) -> None:
    rt = classify_runtime(app)
    strict = dataclasses.replace(rt, config=dataclasses.replace(rt.config, suggested=0.05, confirmed=0.99))
    rumour = _rumour(db_session, "Malaysia gives an amnesty to workers without papers this year")
    report = _report(app, db_session, "I heard malaysia will give amnesty next year")
    outcome = classify_report(db_session, report, strict)
    assert outcome.match_status == MatchStatus.SUGGESTED and report.rumour_id == rumour.id
    assert rumour.report_count == 0


def test_unmatched_rumours_become_redacted_candidates_that_later_reports_join(
        app: Flask, db_session: Session) -> None:
    first = _report(app, db_session,
                    "I heard the agent gives a refund if the navy stops the boat, call him on +93 70 123 4567")
    outcome = classify_report(db_session, first, classify_runtime(app))
    assert outcome.match_status == MatchStatus.CANDIDATE
    candidate = db_session.get(Rumour, first.rumour_id)
    assert candidate is not None and candidate.status == RumourStatus.CANDIDATE
    assert "123 4567" not in candidate.canonical_statement and "refund" in candidate.canonical_statement
    assert candidate.statement_translations == {"en": candidate.canonical_statement}
    second = _report(app, db_session, "i heard the agent gives refund if the navy stops the boat")
    again = classify_report(db_session, second, classify_runtime(app))
    assert again.match_status == MatchStatus.CONFIRMED and second.rumour_id == candidate.id
    assert candidate.report_count == 2


def test_other_types_are_not_matched(app: Flask, db_session: Session) -> None:
    report = _report(app, db_session, "thank you very much for the help")
    outcome = classify_report(db_session, report, classify_runtime(app))
    assert report.type == "praise" and outcome.match_status == MatchStatus.NONE and report.rumour_id is None


def test_the_index_follows_new_and_archived_rumours(app: Flask, db_session: Session) -> None:
    rumour = _rumour(db_session, "Boats are allowed to land in New Zealand now")
    assert rumour_index(db_session).search("boats allowed to land in new zealand")[0].rumour_id == rumour.id
    rumour.status = RumourStatus.ARCHIVED
    db_session.flush()
    matches = rumour_index(db_session).search("boats allowed to land in new zealand")
    assert all(m.rumour_id != rumour.id for m in matches)


def test_new_rumours_are_found_without_rebuilding_the_big_index(app: Flask, db_session: Session) -> None:
    old = _rumour(db_session, "Italy gives visas to everyone who arrives by sea")
    snapshot = rumour_index(db_session)
    base, before = snapshot.base, len(snapshot.delta)
    new = _rumour(db_session, "The smuggler's boat has a doctor and food for everyone")
    again = rumour_index(db_session)
    assert again.base is base and len(again.delta) == before + 1
    assert again.search("the boat has a doctor and food")[0].rumour_id == new.id
    assert again.search("italy gives visas to everyone arriving by sea")[0].rumour_id == old.id


def test_candidate_statements_hold_no_email_or_id_numbers(app: Flask, db_session: Session) -> None:
    report = _report(app, db_session, "I heard that people say the agent ali.k@example.org can get Qatar visas, "
                                      "they told me send passport P1234567")
    outcome = classify_report(db_session, report, classify_runtime(app))
    assert outcome.match_status == MatchStatus.CANDIDATE
    candidate = db_session.get(Rumour, report.rumour_id)
    assert candidate is not None
    assert "ali.k" not in candidate.canonical_statement and "1234567" not in candidate.canonical_statement
    # (intake already masks "1234567" as an Afghan phone number when it stores the text; either way it is gone)
    assert "[email]" in candidate.canonical_statement


def test_the_rumour_index_asks_the_database_only_when_rumours_may_have_changed(
        app: Flask, db_session: Session) -> None:
    from sqlalchemy import event

    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    db_session.add(Rumour(canonical_statement="The border opens in March", category="smuggler_claims",
                          status=RumourStatus.REVIEWED))
    db_session.flush()
    rumour_index(db_session)  # built (or checked) after the change
    engine = db_session.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            assert rumour_index(db_session).search("border opens March", limit=1)
        assert statements == []  # trusted for a few seconds: no count of the table on every text
        db_session.add(Rumour(canonical_statement="Boats leave from Kupang every week", category="smuggler_claims",
                              status=RumourStatus.REVIEWED))
        db_session.flush()
        statements.clear()
        found = rumour_index(db_session).search("boats leave from Kupang every week", limit=1)
        assert statements, "a rumour flushed in this process must make the index check again"
        assert found and found[0].score > 0.6
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_candidate_keeps_its_source_until_reviewed_and_its_words_never_merge_into_another(
        app: Flask, db_session: Session) -> None:
    from hotline.triage.rumours import merge, review

    staff = User(email="sup@example.org", role="supervisor")
    db_session.add(staff)
    report = _report(app, db_session, "I heard the agent gives a refund if the navy stops the boat")
    classify_report(db_session, report, classify_runtime(app))
    candidate = db_session.get(Rumour, report.rumour_id)
    assert candidate is not None and candidate.source_report_id == report.id  # retention clears it with the text
    target = _rumour(db_session, "Smugglers promise refunds", {"prs": "..."})
    merge(db_session, candidate, target, staff)
    assert target.statement_translations == {"prs": "..."}  # the caller's words stay with the candidate
    other = _report(app, db_session, "I heard that border guards take bribes from every family at the river")
    classify_report(db_session, other, classify_runtime(app))
    second = db_session.get(Rumour, other.rumour_id)
    assert second is not None and second.source_report_id == other.id
    review(db_session, second, staff, statement="Border guards are said to take bribes", status="reviewed",
           verification="unverified", risk="medium", translations={})
    assert second.source_report_id is None  # reviewed: the statement is staff's now
