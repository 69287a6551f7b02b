"""One deployment of the two-deployment regional test, in its own process and database (its HOTLINE_* environment):

`python -m tests.region_deployment setup COUNTRY LANG` migrates, seeds, makes the signing key and prints
`TOKEN PUBLIC_KEY` (a `peer` token for the other deployment); `... peers NAME|URL|KEY|TOKEN ...` subscribes to
peers in one process (each start of the app costs seconds; `hotline region peers add` is tested in-process);
`... confirm-links` has a supervisor confirm every suggested cross-border link (the console is tested in-process)
and prints an analyst's API token.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from hotline.app import create_app
from hotline.auth.service import create_api_token
from hotline.db import utcnow
from hotline.extensions import db
from hotline.migrate import upgrade
from hotline.region.document import public_key_text
from hotline.region.keys import load_or_create_key
from hotline.region.links import Decision, decide, suggested_links
from hotline.region.publish import last_closed_week
from hotline.region.subscribe import add_peer
from hotline.rumours.models import ApprovalStatus, CounterMessage
from tests.factories import make_staff
from tests.trends_helpers import add_report, add_rumour


def seed(country: str, language: str) -> str:
    """Two closed weeks of reports (the rumour's, one small cell, one cell of five), a reviewed rumour with a
    shareable message; the peer token."""
    session = db.session()
    operator = make_staff(session)
    rumour = add_rumour(session)
    rumour.statement_translations = {language: f"{country}: boats are safe in the monsoon"}
    last = last_closed_week(datetime.now(UTC).date())
    for weeks_back, reports in ((1, 11), (0, 7)):
        day = datetime.combine(last - timedelta(weeks=weeks_back) + timedelta(days=2), time(10), tzinfo=UTC)
        for _ in range(reports):
            add_report(session, day, coded_by=operator, country=country, language=language, rumour_id=rumour.id)
        add_report(session, day, coded_by=operator, country=country, language=language, category="journey_risk")
        # Five more in another category: the single journey_risk report's second hidden cell is one of these, so the
        # rumour's own cell stays published (a cross-border path needs published cells).
        for _ in range(5):
            add_report(session, day, coded_by=operator, country=country, language=language,
                       category="legal_pathways")
    session.add(CounterMessage(rumour_id=rumour.id, category=rumour.category, language=language,
                               title="The sea", body=f"In {country} the monsoon sinks boats", source="IOM",
                               status=ApprovalStatus.APPROVED, shareable=True))
    peer = make_staff(session, "analyst", email=f"peer@{country.lower()}.test")
    token = create_api_token(session, peer.email, "regional peer", scope="peer").token
    session.commit()
    return token


def confirm_links() -> str:
    """Every suggested link confirmed by a supervisor; an analyst's API token."""
    session = db.session()
    supervisor = make_staff(session, "supervisor")
    for link in suggested_links(session):
        decide(session, Decision(link.id, confirm=True), supervisor, utcnow())
    analyst = make_staff(session, "analyst")
    token = create_api_token(session, analyst.email, "paths").token
    session.commit()
    return token


def main(command: str, *args: str) -> None:
    """Run one command in this deployment's app context."""
    app = create_app()
    settings = app.config["HOTLINE"]
    if command == "setup":
        upgrade(settings.database_url)
    with app.app_context():
        if command == "setup":
            key, _ = load_or_create_key(Path(settings.instance_path))
            print(seed(args[0], args[1]), public_key_text(key))
            return
        if command == "confirm-links":
            print(confirm_links())
            return
        for peer in args:
            name, url, key_text, token = peer.split("|", 3)
            add_peer(db.session(), app.extensions["hotline"].keys, name, url, key_text, token)
        db.session.commit()


if __name__ == "__main__":
    main(*sys.argv[1:])
