"""Classification as part of the one intake pipeline: every new report with text is classified after its commit,
and the SMS instant answer asks the rumour index whether a text repeats a reviewed rumour."""

from __future__ import annotations

import logging

from flask import has_app_context
from sqlalchemy.orm import Session, object_session

from hotline.classify.runtime import classify_runtime
from hotline.classify.service import classify_report, instant_answer_match
from hotline.intake.models import Report
from hotline.jobs import batchable, enqueue, job_session
from hotline.rumours.matching import RumourMatch

log = logging.getLogger("hotline.classify")


def classify_later(report_id: int) -> None:
    """Queue ``classify_new_report`` for a report just committed (what the app gives intake as ``classify_later``)."""
    # A script writing through a session of its own, outside any app context, has no queue to put the job on.
    if has_app_context():
        enqueue(classify_new_report, report_id)


@batchable  # a batch of filed texts queues one per report: RQ's cost per job would exceed the model's
def classify_new_report(report_id: int) -> None:
    """Job: classify one report unless a person or an earlier run got there first (a repeated job is harmless).

    The model runs between a read and a short write, outside any transaction that writes: on SQLite that
    transaction holds the one write lock every webhook needs.
    """
    with job_session(read_only=True) as session:
        wanted = _wanted(session.get(Report, report_id))
    if wanted is None:
        return
    rt = classify_runtime()
    classification = rt.classifier.classify(*wanted)
    with job_session() as session:
        report = session.get(Report, report_id)
        now_wanted = _wanted(report)
        if report is None or now_wanted is None:
            return
        # A later part of a long text may have been joined on meanwhile: then the model reads the whole text.
        outcome = classify_report(session, report, rt, classification if now_wanted == wanted else None)
        log.info("report classified", extra={"report_id": report_id, "type": report.type,
                                             "category": report.category, "match": str(outcome.match_status)})


def _wanted(report: Report | None) -> tuple[str, str | None] | None:
    """The text and language to classify, or None when there is nothing to do."""
    if report is None or report.coded_by_id is not None or report.classifier_version is not None:
        return None
    text = report.text or report.translation
    return (text, report.language) if text else None


def match_for_instant_answer(report: Report) -> RumourMatch | None:
    """The SMS service's rumour matcher: a reviewed rumour matched at the confirmed level, or None."""
    session: Session | None = object_session(report)
    if session is None:
        return None
    found = instant_answer_match(session, report, classify_runtime())
    return RumourMatch(*found) if found else None
