"""Seed a live server's database for the console browser tests (run in the server's child process)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from hotline.extensions import db
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour, RumourStatus
from tests.console_helpers import make_report
from tests.factories import STAFF_PASSWORD, make_staff


def seed(app: Flask, out: Path) -> None:
    """Staff, two reports and two counter-messages; writes their emails and ids to ``out`` (JSON)."""
    with app.app_context():
        session = db.session()
        operator = make_staff(session, "operator", email="op@hotline.test", languages=["en", "prs"])
        supervisor = make_staff(session, "supervisor", email="sup@hotline.test")
        dari = make_staff(session, "operator", email="dari@hotline.test", languages=["prs"], ui_locale="prs")
        english = make_report(session, "Is the border to Australia open now? My cousin says boats land safely.",
                              language="en", minutes_ago=30)
        farsi = make_report(session, "آیا مرز استرالیا باز است؟ قاچاقبر می‌گوید قایق امن است. \u202eevil",
                            language="prs", minutes_ago=20)
        hostile = make_report(session, "<script>window.pwned=1</script><img src=x onerror=window.pwned=1> "
                              + "Z" * 400, language="en", minutes_ago=10)
        session.add(Rumour(canonical_statement="The border to Australia is open and boats land safely.",
                           category="destination_policy", report_count=3, status=RumourStatus.REVIEWED))
        session.add(CounterMessage(language="en", category="destination_policy", title="Border facts",
                                   body="The border is not open to boats. Legal pathways: ask us.",
                                   source="Hotline", status=ApprovalStatus.APPROVED))
        draft = CounterMessage(language="en", category="journey_risk", title="Monsoon season",
                               body="Seas are most dangerous from December.", status=ApprovalStatus.DRAFT)
        session.add(draft)
        session.flush()
        out.write_text(json.dumps({
            "password": STAFF_PASSWORD, "operator": operator.email, "supervisor": supervisor.email,
            "dari": dari.email, "english": english.id, "hostile": hostile.id, "farsi": farsi.id, "draft": draft.id}))
        session.commit()


LONG_EMAIL = "night-shift-supervisor.kabul-office@hotline-demo.example.org"


def seed_tables(app: Flask, out: Path) -> None:
    """A supervisor with a long e-mail address (the audit trail's "who") and rumours with long statements."""
    with app.app_context():
        session = db.session()
        supervisor = make_staff(session, "supervisor", email=LONG_EMAIL)
        statements = [
            "Smugglers say the boats to Christmas Island are large, modern and completely safe in every season",
            "People say Australia grants permanent protection visas to unaccompanied children arriving by boat",
            "قاچاقبر می‌گوید کشتی کلان و مصئون است و هیچ خطری ندارد و همه به سلامت می‌رسند",
            "Agents promise construction jobs paying three thousand dollars a month from the first week",
        ]
        for n, statement in enumerate(statements):
            session.add(Rumour(canonical_statement=statement, category="destination_policy", report_count=n,
                               status=RumourStatus.REVIEWED))
        session.flush()
        out.write_text(json.dumps({"password": STAFF_PASSWORD, "supervisor": supervisor.email}))
        session.commit()


def seed_casework(app: Flask, out: Path) -> None:
    """An English operator, three coded-by-the-machine English reports and an approved message (casework tests)."""
    with app.app_context():
        session = db.session()
        operator = make_staff(session, "operator", email="case@hotline.test", languages=["en"])
        reports = [make_report(session, text, language="en", minutes_ago=minutes, type="question",
                               category="destination_policy")
                   for text, minutes in (("Is the border open for boats?", 40), ("Do boats land safely?", 30),
                                         ("Can my children get visas?", 20), ("Is the sea calm in May?", 10))]
        session.add(CounterMessage(language="en", category="destination_policy", title="Border facts",
                                   body="The border is not open to boats. Legal pathways: ask us.",
                                   source="Hotline", status=ApprovalStatus.APPROVED))
        session.flush()
        out.write_text(json.dumps({"password": STAFF_PASSWORD, "operator": operator.email,
                                   "reports": [r.id for r in reports]}))
        session.commit()


def seed_rumour_search(app: Flask, out: Path) -> None:
    """An English operator, one report and rumours to find: one known by its Dari translation, one hostile."""
    with app.app_context():
        session = db.session()
        operator = make_staff(session, "operator", email="finder@hotline.test", languages=["en"])
        report = make_report(session, "My cousin says something about the sea", language="en", type="question",
                             category="journey_risk")
        border = Rumour(canonical_statement="The border to Australia is open to boats", category="destination_policy",
                        statement_translations={"prs": "مرز استرالیا برای قایق ها باز است"},  # noqa: RUF001
                        status=RumourStatus.REVIEWED, report_count=4)
        hostile = Rumour(canonical_statement="<img src=x onerror=window.pwned=1> the border <b>opens</b> soon",
                         category="destination_policy", status=RumourStatus.CANDIDATE, report_count=1)
        session.add_all([border, hostile])
        session.flush()
        out.write_text(json.dumps({"password": STAFF_PASSWORD, "operator": operator.email, "report": report.id,
                                   "border": border.id, "hostile": hostile.id}))
        session.commit()
