# ruff: noqa: RUF001 - Dari and Bengali text is meant to be there
"""Cross-border rumours in one deployment (MY) holding peers' published weeks (AF, BD) as a pull stores them:
links suggested by matching, decided by a supervisor, then paths and early warnings on the trends page, in the API
and in the digest; never from a hidden cell. (Signing and pulling are covered by test_region_pull and the
two-deployment test; here the peers' documents are stored directly.)"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.auth.service import create_api_token
from hotline.cli import cli
from hotline.digest.content import build_pages
from hotline.digest.pdf import NOTO_DIR
from hotline.digest.render import page_blocks
from hotline.region.jobs import suggest_after_pull
from hotline.region.link_models import LinkStatus, RegionRumourLink
from hotline.region.models import RegionPeer, RegionPeerRumour, RegionPeerWeek
from hotline.region.publish import last_closed_week
from hotline.region.wording import week_text
from hotline.trends.runtime import regional_news
from hotline.trends.weeks import week_label
from tests.factories import csrf_token_in, make_staff, sign_in
from tests.trends_helpers import add_report, add_rumour

STATEMENT = "Boats to Australia are safe in the monsoon"
PEER_STATEMENT = "Boats to Australia are safe during the monsoon"
OTHER = "Smugglers now sell a visa on arrival in Thailand"


def monday(weeks_back: int) -> date:
    return last_closed_week(date.today()) - timedelta(weeks=weeks_back)


def row(week: date, country: str, rumour: int | None, count: int | None, language: str = "en") -> list[Any]:
    return [week_label(week), week.isoformat(), "cell", country, language, "smuggler_claims", rumour, count,
            None if count is not None else "primary"]


def peer_with(session: Session, name: str, rumours: dict[int, tuple[str, dict[str, str]]],
              weeks: dict[date, list[list[Any]]]) -> RegionPeer:
    """A peer as a pull leaves it: its rumours and its published weeks stored."""
    peer = RegionPeer(name=name, url=f"https://{name}.example.org/api/v1/region/feed", public_key="x" * 44,
                      token_sealed=b"sealed")
    session.add(peer)
    session.flush()
    for remote_id, (statement, translations) in rumours.items():
        session.add(RegionPeerRumour(peer_id=peer.id, remote_id=remote_id, category="smuggler_claims",
                                     statement=statement, translations=translations))
    for week, rows in weeks.items():
        session.add(RegionPeerWeek(peer_id=peer.id, week_start=week, rows=rows, digest="0" * 64))
    session.flush()
    return peer


def seed(session: Session) -> Any:
    """Here (MY): the rumour arrived last week. AF had it 6 weeks ago, BD 3 weeks ago (4 weeks ago BD's cells were
    under k: hidden). BD has another rumour rising now: BD is upstream of MY on the Bay of Bengal route."""
    operator = make_staff(session)
    rumour = add_rumour(session)
    rumour.statement_translations = {"ms": "Bot ke Australia selamat pada musim tengkujuh"}
    for _ in range(6):
        add_report(session, datetime.combine(monday(0) + timedelta(days=2), time(10)).isoformat(),
                   coded_by=operator, country="MY", admin1=None, language="ms", rumour_id=rumour.id)
    peer_with(session, "af", {101: (PEER_STATEMENT, {"prs": "کشتی ها به آسترالیا در موسم باران امن هستند"})},
              {monday(6): [row(monday(6), "AF", 101, 7)], monday(5): [row(monday(5), "AF", 101, 6)]})
    peer_with(session, "bd", {201: (STATEMENT, {"bn": "বর্ষায় অস্ট্রেলিয়ার নৌকা নিরাপদ"}), 301: (OTHER, {})},
              {monday(4): [row(monday(4), "BD", 201, None), row(monday(4), "BD", 201, None, "bn"),
                           row(monday(4), "TH", 201, None)],
               monday(3): [row(monday(3), "BD", 201, 5)],
               monday(0): [row(monday(0), "BD", 301, 12), row(monday(0), "BD", 301, None, "bn")]})
    return rumour


def decide(client: FlaskClient, link_id: int, decision: str) -> Any:
    token = csrf_token_in(client.get("/console/region/links").get_data(as_text=True))
    return client.post(f"/console/region/links/{link_id}", data={"decision": decision, "csrf_token": token})


def links(session: Session) -> dict[int, RegionRumourLink]:
    return {link.peer_rumour.remote_id: link for link in session.scalars(select(RegionRumourLink))}


def test_links_are_suggested_after_a_pull_and_confirmed_by_a_supervisor(client: FlaskClient,
                                                                        db_session: Session) -> None:
    rumour = seed(db_session)
    assert suggest_after_pull(db_session) == 2
    found = links(db_session)
    assert set(found) == {101, 201} and {link.rumour_id for link in found.values()} == {rumour.id}
    assert all(link.status == LinkStatus.SUGGESTED for link in found.values())
    assert suggest_after_pull(db_session) == 0  # once only

    supervisor = make_staff(db_session, "supervisor")
    sign_in(client, supervisor)
    page = client.get("/console/region/links").get_data(as_text=True)
    assert PEER_STATEMENT in page and STATEMENT in page and "বর্ষায়" in page
    no_token = client.post(f"/console/region/links/{found[101].id}", data={"decision": "confirm"})
    assert no_token.status_code == 400 and found[101].status == LinkStatus.SUGGESTED
    assert decide(client, found[101].id, "confirm").status_code == 303
    assert decide(client, found[201].id, "confirm").status_code == 303
    assert decide(client, found[201].id, "reject").status_code == 303  # already decided: refused, unchanged
    assert decide(client, 999_999, "confirm").status_code == 404
    db_session.expire_all()
    assert {link.status for link in links(db_session).values()} == {LinkStatus.CONFIRMED}
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "region_link.confirm")).all()
    assert len(events) == 2 and events[0].actor_user_id == supervisor.id


@pytest.mark.parametrize("role", ["operator", "analyst"])
def test_only_supervisors_decide_links(client: FlaskClient, db_session: Session, role: str) -> None:
    seed(db_session)
    suggest_after_pull(db_session)
    link = links(db_session)[101]
    assert client.get("/console/region/links").status_code == 302  # signed out: to the sign-in page
    sign_in(client, make_staff(db_session, role))
    assert client.get("/console/region/links").status_code == 403
    token = csrf_token_in(client.get("/console/profile").get_data(as_text=True))
    refused = client.post(f"/console/region/links/{link.id}", data={"decision": "confirm", "csrf_token": token})
    assert refused.status_code == 403
    db_session.expire_all()
    assert links(db_session)[101].status == LinkStatus.SUGGESTED


def confirm_all(session: Session) -> Any:
    rumour = seed(session)
    suggest_after_pull(session)
    for link in links(session).values():
        link.status = LinkStatus.CONFIRMED
    session.flush()
    return rumour


def path_text() -> str:
    return (f"First reported in Afghanistan in {week_text(monday(6))}, then in Bangladesh in "
            f"{week_text(monday(3))} and in Malaysia in {week_text(monday(0))}.")


def test_the_trends_page_shows_the_path_and_the_early_warning(app: Flask, client: FlaskClient,
                                                              db_session: Session) -> None:
    confirm_all(db_session)
    sign_in(client, make_staff(db_session, "analyst"))
    page = client.get("/console/trends").get_data(as_text=True)
    with app.test_request_context("/"):
        expected = path_text()
    assert expected in page.replace("\n", " ")
    assert "Early warnings from peer countries" in page
    warning = page.split("early-warnings", 1)[1].split("</ul>", 1)[0]
    assert OTHER in warning and "Rising in Bangladesh" in warning and "Bay of Bengal" in warning
    assert PEER_STATEMENT not in warning  # arrived here already: a path, not a warning


def test_the_api_gives_paths_and_warnings_from_published_cells_only(client: FlaskClient,
                                                                    db_session: Session) -> None:
    rumour = confirm_all(db_session)
    analyst = make_staff(db_session, "analyst")
    token = create_api_token(db_session, analyst.email, "t").token
    peer_token = create_api_token(db_session, analyst.email, "p", scope="peer").token
    db_session.commit()
    assert client.get("/api/v1/region/paths").status_code == 401
    assert client.get("/api/v1/region/paths", headers={"Authorization": f"Bearer {peer_token}"}).status_code == 403
    bad = client.get("/api/v1/region/paths", query_string={"language": "x!"},
                     headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 400
    answer = client.get("/api/v1/region/paths", query_string={"language": "ms"},
                        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["home"] == ["MY"] and body["through"] == week_label(monday(0))
    [path] = body["paths"]
    assert path["rumour_id"] == rumour.id and path["statement"].startswith("Bot ke Australia")
    assert [(s["country"], s["first_week"], s["reports"]) for s in path["steps"]] == [
        ("AF", week_label(monday(6)), 13), ("BD", week_label(monday(3)), 5), ("MY", week_label(monday(0)), 6)]
    [warning] = body["early_warnings"]
    assert (warning["peer"], warning["country"], warning["count"], warning["rumour_id"]) == ("bd", "BD", 12, None)
    assert "bay_of_bengal" in [r["id"] for r in warning["routes"]]
    # Suppression holds: BD's hidden week and TH's hidden cells are nowhere; no number under k is given out.
    text = json.dumps(body)
    assert "TH" not in [s["country"] for s in path["steps"]] and week_label(monday(4)) not in text
    counts = [s["reports"] for s in path["steps"]] + [w["count"] for w in body["early_warnings"]]
    assert min(counts) >= body["min_cell_count"]


def test_unconfirmed_links_show_no_path(client: FlaskClient, db_session: Session) -> None:
    seed(db_session)
    suggest_after_pull(db_session)
    sign_in(client, make_staff(db_session, "analyst"))
    page = client.get("/console/trends").get_data(as_text=True)
    assert "First reported in" not in page
    assert OTHER in page  # warnings need no link


@pytest.mark.skipif(not NOTO_DIR.exists(), reason="needs Debian's fonts-noto-core (make system-deps)")
def test_the_digest_shows_the_path_and_the_warning(app: Flask, runner: FlaskCliRunner, db_session: Session,
                                                   tmp_path: Path) -> None:
    confirm_all(db_session)
    label = week_label(monday(0))
    result = runner.invoke(cli, ["digest", "weekly", "--week", label, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = (tmp_path / f"digest-{label}-MY-ms.html").read_text(encoding="utf-8")
    with app.test_request_context("/"):
        expected = path_text()
    assert expected in html and "Bot ke Australia" in html
    assert OTHER in html and "Rising in Bangladesh" in html


def test_the_digest_page_carries_the_path_and_the_warning_in_html_and_pdf_blocks(app: Flask,
                                                                                 db_session: Session) -> None:
    """The same as the CLI test above, without the fonts the PDF needs: the page's content, HTML and PDF blocks."""
    confirm_all(db_session)
    closed = monday(0) + timedelta(weeks=2)
    with app.test_request_context("/"):
        pages = build_pages(db_session, monday(0), lambda language: regional_news(db_session, closed, language))
        page = next(p for p in pages if (p.country, p.language) == ("MY", "ms"))
        texts = [block.text for block in page_blocks(page, k=5, weeks=4)]
        html = render_template("digest/weekly.html", page=page, k=5, language="Malay", rising=[])
        expected = path_text()
    assert any(text.startswith("Bot ke Australia") and text.endswith(expected) for text in texts)
    assert any(text.startswith(OTHER) and "Rising in Bangladesh" in text for text in texts)
    assert "Rumours across borders" in texts and expected in html and OTHER in html


def test_the_openapi_document_describes_the_feed_and_the_paths(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    feed, paths = document["paths"]["/region/feed"]["get"], document["paths"]["/region/paths"]["get"]
    assert {p["name"] for p in feed["parameters"]} == {"nonce", "since"}
    assert {"200", "401", "403", "503"} <= set(feed["responses"])
    assert {p["name"] for p in paths["parameters"]} == {"language"}
    schemas = document["components"]["schemas"]
    assert {"document", "signature"} <= set(schemas["RegionFeed"]["properties"])
    assert {"paths", "early_warnings", "home", "through"} <= set(schemas["CrossBorder"]["properties"])
