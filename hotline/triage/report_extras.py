"""What the casework partials of the report page need beyond ReportView: the rumour tools (a redacted draft
statement, translations of the rumours shown) and the context (a focal point's visit, a call's details, earlier
contacts with snippets for those the viewer may open). Read in a fixed number of statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.classify.runtime import classify_runtime
from hotline.field.models import FocalPoint
from hotline.i18n import current_ui_code
from hotline.intake.constants import Channel
from hotline.intake.models import Report
from hotline.triage.access import may_open_report
from hotline.triage.context import CallDetails, VisitDetails, call_details, snippet, visit_details
from hotline.triage.report import ReportView
from hotline.triage.rumour_translation import reads_languages, staff_translations
from hotline.triage.rumours import statement_draft


@dataclass(frozen=True)
class EarlierContact:
    """One of the caller's earlier reports; ``snippet`` only when the viewer may open it (else None)."""

    report: Report
    openable: bool
    snippet: str | None


@dataclass(frozen=True)
class ReportContext:
    """Where the report came from."""

    focal_point: FocalPoint | None
    visit: VisitDetails | None
    call: CallDetails | None
    earlier: Sequence[EarlierContact]


def load_context(session: Session, view: ReportView, viewer: User) -> ReportContext:
    """The focal point and visit of a field report, the call details of a voice report, and the caller's earlier
    reports (snippets of caller text only for reports ``viewer`` may open: hotline.triage.access)."""
    report, contact = view.report, view.contact
    point = visit = call = None
    if report.channel == Channel.FIELD:
        point = session.get(FocalPoint, contact.focal_point_id) if contact.focal_point_id is not None else None
        visit = visit_details(contact.state)
    elif report.channel == Channel.VOICE:
        call = call_details(contact.state, contact.ivr_path,
                            contact.heard_via or (view.caller.heard_via if view.caller else None))
    earlier = []
    for other in view.history:
        openable = may_open_report(viewer, other)
        earlier.append(EarlierContact(other, openable, snippet(other.text or other.translation) if openable else None))
    return ReportContext(point, visit, call, earlier)


def report_extras(session: Session, view: ReportView, viewer: User) -> dict[str, Any]:
    """Template variables for the casework partials (``console/_report_*.html``)."""
    ui = current_ui_code()
    shown = [r for r in (view.rumour, *(s.rumour for s in view.suggestions)) if r is not None]
    return {
        "report_context": load_context(session, view, viewer),
        "rumour_draft": statement_draft(view.report, classify_runtime().config.candidate_statement_max_chars),
        "rumour_translations": staff_translations(session, shown, reads_languages(viewer, ui), ui),
    }
