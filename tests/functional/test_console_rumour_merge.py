# ruff: noqa: RUF001 - Dari text in Arabic script is meant to be there
"""Merging rumours: targets ranked by multilingual similarity, searchable, and a server-checked confirmation
("Move 14 reports?"); candidate rumours carry a translation for staff who do not read the caller's language."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.classify.service import forget_rumour_indexes
from hotline.rumours.models import Rumour, RumourStatus
from tests.console_helpers import make_report
from tests.factories import csrf_token_in, make_staff, sign_in


def _rumour(session: Session, statement: str, status: str = RumourStatus.REVIEWED,
            translations: dict[str, str] | None = None, **fields: object) -> Rumour:
    rumour = Rumour(canonical_statement=statement, category="destination_policy", status=status,
                    statement_translations=translations or {}, **fields)
    session.add(rumour)
    session.flush()
    return rumour


def _signed_in(client: FlaskClient, session: Session, role: str = "supervisor", **fields: Any) -> str:
    sign_in(client, make_staff(session, role, **fields))
    forget_rumour_indexes()
    return csrf_token_in(client.get("/console/profile").get_data(as_text=True))


def _target_order(html: str, ids: list[int]) -> list[int]:
    positions = {rid: html.find(f'name="target_id" value="{rid}"') for rid in ids}
    return sorted((rid for rid, at in positions.items() if at >= 0), key=positions.__getitem__)


def test_targets_are_ranked_by_similarity_across_languages(client: FlaskClient, db_session: Session) -> None:
    candidate = _rumour(db_session, "مرز استرالیا باز است و قایق ها می رسند", RumourStatus.CANDIDATE)
    unrelated = _rumour(db_session, "Agents promise construction jobs with high wages", report_count=50)
    close = _rumour(db_session, "The border to Australia is open to boats",
                    translations={"prs": "مرز استرالیا باز است و قایق ها اجازه دارند"}, report_count=2)
    _signed_in(client, db_session)
    html = client.get(f"/console/rumours/{candidate.id}").get_data(as_text=True)
    order = _target_order(html, [unrelated.id, close.id])
    assert order[0] == close.id  # the Dari translation matched, though the statement is English
    assert "% similar" in html
    assert f'name="target_id" value="{candidate.id}"' not in html  # never itself


def test_search_finds_targets_by_words_or_id(client: FlaskClient, db_session: Session) -> None:
    source = _rumour(db_session, "Boats land safely in December")
    jobs = _rumour(db_session, "Agents promise construction jobs with high wages")
    visas = _rumour(db_session, "Children get visas on arrival")
    merged = _rumour(db_session, "Children get visas at the border")
    merged.merged_into_id = visas.id
    db_session.flush()
    _signed_in(client, db_session)
    found = client.get(f"/console/rumours/{source.id}?q=construction+jobs").get_data(as_text=True)
    assert _target_order(found, [jobs.id, visas.id])[0] == jobs.id
    by_id = client.get(f"/console/rumours/{source.id}?q=%23{visas.id}").get_data(as_text=True)
    assert _target_order(by_id, [jobs.id, visas.id]) == [visas.id]
    gone = client.get(f"/console/rumours/{source.id}?q=%23{merged.id}").get_data(as_text=True)
    assert f'value="{merged.id}"' not in gone and "No rumour found." in gone


def test_a_merge_is_confirmed_with_the_number_of_reports_it_moves(client: FlaskClient, db_session: Session) -> None:
    source, target = _rumour(db_session, "Boats land safely"), _rumour(db_session, "Boats are safe")
    for _ in range(14):
        make_report(db_session, rumour_id=source.id)
    token = _signed_in(client, db_session)
    form = {"csrf_token": token, "target_id": str(target.id)}
    asked = client.post(f"/console/rumours/{source.id}/merge", data=form)
    assert asked.status_code == 200 and "Move 14 reports?" in asked.get_data(as_text=True)
    assert 'name="expected" value="14"' in asked.get_data(as_text=True)
    db_session.expire_all()
    assert source.merged_into_id is None
    make_report(db_session, rumour_id=source.id)  # one more arrives while the supervisor reads the question
    stale = client.post(f"/console/rumours/{source.id}/merge", data={**form, "confirm": "1", "expected": "14"})
    assert "meanwhile" in stale.get_data(as_text=True) and "Move 15 reports?" in stale.get_data(as_text=True)
    db_session.expire_all()
    assert source.merged_into_id is None
    done = client.post(f"/console/rumours/{source.id}/merge", data={**form, "confirm": "1", "expected": "15"})
    assert done.status_code == 303
    db_session.expire_all()
    assert source.merged_into_id == target.id and target.report_count == 15
    merged = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "rumour.merge",
                                                        AuditEvent.entity_id == source.id))
    assert merged is not None and merged.after == {"merged_into_id": target.id, "reports_moved": 15}


def test_only_supervisors_merge_or_translate(app: Flask, client: FlaskClient, db_session: Session) -> None:
    source, target = _rumour(db_session, "Boats land safely"), _rumour(db_session, "Boats are safe")
    for role in ("operator", "analyst"):
        other = app.test_client()
        token = _signed_in(other, db_session, role, languages=["en"] if role == "operator" else [])
        for path, data in ((f"/console/rumours/{source.id}/merge",
                            {"target_id": str(target.id), "confirm": "1", "expected": "0"}),
                           (f"/console/rumours/{source.id}/translation", {"language": "en", "text": "x"})):
            assert other.post(path, data={"csrf_token": token, **data}).status_code == 403
    db_session.expire_all()
    assert source.merged_into_id is None and source.statement_translations == {}


def test_a_candidate_carries_the_operators_translation_redacted(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session, "قاچاقبر گفت مرز باز است", language="prs",
                         translation="The smuggler said the border is open, call him on +93 70 123 4567")
    candidate = _rumour(db_session, "قاچاقبر گفت مرز باز است", RumourStatus.CANDIDATE,
                        translations={"prs": "قاچاقبر گفت مرز باز است"}, source_report_id=report.id)
    _signed_in(client, db_session, languages=[])
    for page in ("/console/rumours", f"/console/rumours/{candidate.id}"):
        html = client.get(page).get_data(as_text=True)
        assert "The smuggler said the border is open" in html and "operator's translation of the report" in html
        assert "123 4567" not in html and "1234567" not in html
    dari = client.application.test_client()
    _signed_in(dari, db_session, "operator", languages=["prs"])
    assert "The smuggler said" not in dari.get("/console/rumours").get_data(as_text=True)  # they read Dari


def test_no_translation_yet_until_a_supervisor_adds_one(client: FlaskClient, db_session: Session) -> None:
    candidate = _rumour(db_session, "<b>مرز</b> باز است", RumourStatus.CANDIDATE,
                        translations={"prs": "<b>مرز</b> باز است"})
    token = _signed_in(client, db_session, languages=[])
    html = client.get(f"/console/rumours/{candidate.id}").get_data(as_text=True)
    assert "No translation yet" in html and 'id="add-translation"' in html
    assert "<b>مرز</b>" not in html and "&lt;b&gt;مرز&lt;/b&gt;" in html
    client.post(f"/console/rumours/{candidate.id}/translation",
                data={"csrf_token": token, "language": "en", "text": "The <i>border</i> is open"})
    db_session.expire_all()
    assert candidate.statement_translations["en"] == "The <i>border</i> is open"
    html = client.get("/console/rumours").get_data(as_text=True)
    assert "The &lt;i&gt;border&lt;/i&gt; is open" in html and "No translation yet" not in html
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "rumour.translate"))
    assert event is not None and event.after is not None and event.after["language"] == "en"
    refused = client.post(f"/console/rumours/{candidate.id}/translation",
                          data={"csrf_token": token, "language": "xx", "text": "nope"}, follow_redirects=True)
    assert "Check the form" in refused.get_data(as_text=True)
