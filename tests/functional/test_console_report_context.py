"""The report page's context: a focal point's report shows the focal point, place, people and date they gave; a
voice report its length, menu path and "heard via"; earlier contacts show snippets, escaped, only for reports the
viewer may open."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.intake.models import Recording, Report
from tests.console_helpers import make_report
from tests.factories import make_staff, sign_in
from tests.field_factories import field_sign_in, make_focal_point, report_form

SENDER = "+93701112233"


def _section(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start:html.index("</section>", start)]


def test_a_focal_point_report_shows_who_where_how_many_and_when(app: Flask, client: FlaskClient,
                                                                db_session: Session) -> None:
    point, issued = make_focal_point(app, db_session, display_name="Mullah <b>Karim</b>", area="Kabul, District 5")
    field = app.test_client()
    assert issued.link_token is not None
    field_sign_in(field, issued.link_token)
    field.post("/field/report", data=report_form(field, text="They say the border opens in spring", people="12",
                                           place="Mosque <i>near</i> the bazaar", heard_on="2026-03-01",
                                           source="agent_smuggler"))
    report = db_session.scalar(select(Report).where(Report.channel == "field"))
    assert report is not None
    sign_in(client, make_staff(db_session, "supervisor"))
    html = client.get(f"/console/reports/{report.id}").get_data(as_text=True)
    context = _section(html, 'id="report-context"')
    assert "Mullah &lt;b&gt;Karim&lt;/b&gt;" in context and "Religious leader" in context
    assert "Mosque &lt;i&gt;near&lt;/i&gt; the bazaar" in context and "AF" in context
    assert ">12<" in context and "2026-03-01" in context and "An agent or smuggler" in context
    assert "<b>Karim</b>" not in html and "<i>near</i>" not in html
    assert point.phone_masked is None or point.phone_masked not in html


def test_a_voice_report_shows_length_menu_path_and_heard_via(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session, "", language="en", sender=SENDER)
    report.channel = report.contact.channel = "voice"
    report.contact.ivr_path = ["choose_language", "heard_via", "main_menu", "main_menu", "report_rumour"]
    report.contact.heard_via = "radio"
    report.contact.state = {**(report.contact.state or {}), "call": {"duration": 125}}
    recording = Recording(contact_id=report.contact_id, purpose="report", duration_seconds=48)
    db_session.add(recording)
    db_session.flush()
    report.recording_id = recording.id
    db_session.flush()
    sign_in(client, make_staff(db_session, "operator", languages=["en"]))
    context = _section(client.get(f"/console/reports/{report.id}").get_data(as_text=True), 'id="report-context"')
    assert "Call: " in context and "2:05" in context and "Recording: " in context and "0:48" in context
    path = context[context.index('id="context-menu-path"'):]
    assert [step in path for step in ("Language menu", "How they heard of the hotline", "Main menu",
                                      "Reported something heard")] == [True] * 4
    assert path.count("Main menu") == 1  # heard twice in a row, shown once
    assert "Radio" in context


def test_an_sms_report_has_no_context_panel(client: FlaskClient, db_session: Session) -> None:
    report = make_report(db_session)
    sign_in(client, make_staff(db_session, "operator", languages=["en"]))
    assert 'id="report-context"' not in client.get(f"/console/reports/{report.id}").get_data(as_text=True)


def test_earlier_contacts_show_escaped_snippets_of_reports_the_viewer_may_open(
        client: FlaskClient, db_session: Session) -> None:
    english = make_report(db_session, "<script>window.pwned=1</script> Is the sea calm in May? " + "word " * 60,
                          language="en", sender=SENDER, minutes_ago=60 * 24 * 4)
    tamil = make_report(db_session, "கடல் அமைதியாக உள்ளதா secret-tamil-words", language="ta", sender=SENDER,
                        minutes_ago=60 * 24 * 3)  # another conversation: its own contact
    current = make_report(db_session, "And the border?", language="en", sender=SENDER)
    sign_in(client, make_staff(db_session, "operator", languages=["en"]))
    html = client.get(f"/console/reports/{current.id}").get_data(as_text=True)
    history = html[html.index('id="earlier-contacts"'):html.index("</ul>", html.index('id="earlier-contacts"'))]
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt; Is the sea calm in May?" in history
    assert "<script>window.pwned" not in html
    assert "…" in history  # cut, not the whole text
    assert f'href="/console/reports/{english.id}"' in history
    # A Tamil report this operator may not open: no words from it, here or in the conversation.
    assert "secret-tamil-words" not in history and "secret-tamil-words" not in _section(html, 'id="h-said"')
    assert f'href="/console/reports/{tamil.id}"' not in history and "not in your languages" in history


def test_a_supervisor_sees_every_earlier_snippet(client: FlaskClient, db_session: Session) -> None:
    make_report(db_session, "secret-tamil-words", language="ta", sender=SENDER, minutes_ago=60 * 24 * 3)
    current = make_report(db_session, "And the border?", language="en", sender=SENDER)
    sign_in(client, make_staff(db_session, "supervisor"))
    assert "secret-tamil-words" in client.get(f"/console/reports/{current.id}").get_data(as_text=True)
