"""Who may open which report: the one rule every route that shows a report (or its audio, media or messages) uses.

- Supervisors and admins open every report.
- Operators open the reports in their languages (User.languages), and any report they hold. A report whose language
  is not known yet is open to every operator (someone has to listen to find out), unless it is flagged sensitive or
  protection: those go only to operators of the report's language, its holder, and supervisors.
- Analysts open none (aggregates only).

A report the user may not open is answered like a report that does not exist (404), so its existence leaks nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true

from hotline.auth.models import Role, User
from hotline.intake.constants import Sensitivity
from hotline.intake.models import Report

ALL_REPORTS = (Role.SUPERVISOR, Role.ADMIN)


def may_open(user: User, language: str | None, sensitivity: str | None, assignee_id: int | None) -> bool:
    """True when ``user`` may read a report with this language, sensitivity and holder (a pure rule)."""
    if user.role in ALL_REPORTS:
        return True
    if user.role != Role.OPERATOR:
        return False
    if assignee_id is not None and assignee_id == user.id:
        return True
    if language is not None:
        return language in (user.languages or ())
    return (sensitivity or Sensitivity.NORMAL) == Sensitivity.NORMAL


def may_open_report(user: User, report: Report) -> bool:
    """``may_open`` for a loaded report."""
    return may_open(user, report.language, report.sensitivity, report.assignee_id)


def may_open_any(user: User, reports: Sequence[Any]) -> bool:
    """True when ``user`` may open at least one of ``reports`` (what a recording or a message belongs to)."""
    return any(may_open_report(user, report) for report in reports)


def openable_by(user: User) -> ColumnElement[bool]:
    """The same rule as a WHERE criterion on Report, for lists (the queue)."""
    if user.role in ALL_REPORTS:
        return true()
    if user.role != Role.OPERATOR:
        return false()
    languages = list(user.languages or ())
    return or_(Report.assignee_id == user.id,
               Report.language.in_(languages) if languages else false(),
               and_(Report.language.is_(None), Report.sensitivity == Sensitivity.NORMAL))
