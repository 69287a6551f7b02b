"""Classify a stored Report and link it to a Rumour: the service the channels and the console call.

Takes a Session, flushes, never commits. An operator's coding is never overwritten; urgency and sensitivity are
only ever raised. Protection-flagged reports are never auto-answered (``instant_answer_match`` returns None).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from hotline.classify.classifier import Classification, sensitivity_for
from hotline.classify.matching import GrowingIndex, Match, RumourIndex, RumourText
from hotline.classify.redaction import redact
from hotline.classify.runtime import ClassifyRuntime
from hotline.intake.constants import URGENCY_RANK, Sensitivity, Urgency
from hotline.intake.models import Report
from hotline.rumours.models import Rumour, RumourStatus

_SENSITIVITY_ORDER = (Sensitivity.NORMAL, Sensitivity.SENSITIVE, Sensitivity.PROTECTION)


class MatchStatus(StrEnum):
    CONFIRMED = "confirmed"    # linked and counted in the rumour's report_count
    SUGGESTED = "suggested"    # linked with a score under ``confirmed``: staff confirm or unlink
    CANDIDATE = "candidate"    # nothing close: a new candidate rumour made from the redacted text
    NONE = "none"              # not a type that is matched, or nothing to match


@dataclass(frozen=True)
class ClassifyOutcome:
    """What the service decided for one report."""

    classification: Classification
    match_status: MatchStatus
    rumour_id: int | None = None
    score: float | None = None


def classify_report(session: Session, report: Report, rt: ClassifyRuntime,
                    classification: Classification | None = None) -> ClassifyOutcome:
    """Classify ``report`` (type, category, confidences, version, urgency, sensitivity) and link a Rumour.

    ``classification``: the model's answer for the report's current text and language, when already computed.
    """
    text = report.text or report.translation
    result = classification or rt.classifier.classify(text, report.language)
    if report.coded_by_id is None:  # a person's coding outranks the model
        report.type, report.type_confidence = result.type.label, result.type.confidence
        report.category, report.category_confidence = result.category.label, result.category.confidence
        report.classifier_version = result.version
    _raise_urgency(report, result.urgency)
    category = rt.taxonomy.category(report.category or "")
    _raise_sensitivity(report, sensitivity_for(result.protection, bool(category and category.sensitive)))
    outcome = ClassifyOutcome(result, MatchStatus.NONE)
    if text and report.rumour_id is None and report.type in rt.config.match_types:
        outcome = _link_rumour(session, report, text, result, rt)
    session.flush()
    return outcome


def _raise_urgency(report: Report, urgency: str) -> None:
    rank = URGENCY_RANK[Urgency(urgency)]
    if rank < report.urgency_rank:
        report.urgency, report.urgency_rank = urgency, rank


def _raise_sensitivity(report: Report, sensitivity: str) -> None:
    current = Sensitivity(report.sensitivity or Sensitivity.NORMAL)
    if _SENSITIVITY_ORDER.index(Sensitivity(sensitivity)) > _SENSITIVITY_ORDER.index(current):
        report.sensitivity = sensitivity


def _link_rumour(session: Session, report: Report, text: str, result: Classification,
                 rt: ClassifyRuntime) -> ClassifyOutcome:
    best = next(iter(rumour_index(session).search(text, limit=1)), None)
    if best is not None and best.score >= rt.config.suggested:
        confirmed = best.score >= rt.config.confirmed
        report.rumour_id, report.rumour_match_score = best.rumour_id, best.score
        if confirmed:
            rumour = session.get(Rumour, best.rumour_id)
            if rumour is not None:
                rumour.report_count = (rumour.report_count or 0) + 1
                rumour.last_seen_at = max(filter(None, (rumour.last_seen_at, report.received_at)))
        status = MatchStatus.CONFIRMED if confirmed else MatchStatus.SUGGESTED
        return ClassifyOutcome(result, status, best.rumour_id, best.score)
    if result.protection:
        # A protection report talks about a person in danger: it never becomes a shared statement.
        return ClassifyOutcome(result, MatchStatus.NONE)
    rumour = _candidate(report, text, rt)
    session.add(rumour)
    session.flush()
    report.rumour_id, report.rumour_match_score = rumour.id, 1.0
    return ClassifyOutcome(result, MatchStatus.CANDIDATE, rumour.id, 1.0)


def _candidate(report: Report, text: str, rt: ClassifyRuntime) -> Rumour:
    """A candidate Rumour for staff review, made from the report's redacted text (never its raw text)."""
    statement = " ".join(redact(text, report.country).split())[: rt.config.candidate_statement_max_chars]
    return Rumour(
        canonical_statement=statement,
        statement_translations={report.language: statement} if report.language else {},
        category=report.category or "other",
        status=RumourStatus.CANDIDATE,
        source_report_id=report.id,  # caller words: redacted with the report's text (hotline.retention)
        report_count=1,
        first_seen_at=report.received_at,
        last_seen_at=report.received_at,
    )


DELTA_LIMIT = 500  # rumours added since the last full build that are searched in a small side index
# How long a process trusts its index without asking the database whether rumours changed. The check counts live
# rumours (a scan of the table), too much on every text with 100,000 rumours. A change made in this process marks
# the index stale at once (see _rumours_flushed); another process's change is seen within this many seconds.
RECHECK_SECONDS = 5.0


@dataclass
class _Snapshot:
    """A full index of the rumours up to ``base_max_id`` plus a growing index of those added since."""

    base: RumourIndex
    base_max_id: int
    base_fingerprint: tuple[object, ...]
    delta: GrowingIndex
    delta_fingerprint: tuple[object, ...]
    checked_at: float = field(default_factory=time.monotonic)
    delta_max_id: int = 0  # the newest rumour in ``delta`` (or the base's newest)
    added: bool = False  # this process flushed new rumours and changed no indexed one: only read those

    def search(self, text: str, limit: int = 5, statuses: Iterable[str] | None = None) -> list[Match]:
        """Best matches from both indexes, best first."""
        wanted = list(statuses) if statuses is not None else None
        found = self.base.search(text, limit, wanted) + self.delta.search(text, limit, wanted)
        return sorted(found, key=lambda m: -m.score)[:limit]


_snapshots: dict[str, _Snapshot] = {}
_LIVE = (Rumour.status != RumourStatus.ARCHIVED, Rumour.merged_into_id.is_(None))
# What a rumour is found by: a change to any other column (its count of reports, its dates) leaves the index be.
_INDEXED = ("canonical_statement", "statement_translations", "status", "merged_into_id")


def _fingerprint(session: Session, *where: Any) -> tuple[object, ...]:
    return tuple(session.execute(
        select(func.count(Rumour.id), func.max(Rumour.id), func.max(Rumour.updated_at)).where(*_LIVE, *where)).one())


def _rows(session: Session, *where: Any) -> list[RumourText]:
    rows = session.execute(select(Rumour.id, Rumour.status, Rumour.canonical_statement,
                                  Rumour.statement_translations).where(*_LIVE, *where).order_by(Rumour.id)).all()
    return [RumourText(rid, status, [statement, *(translations or {}).values()])
            for rid, status, statement, translations in rows]


def forget_rumour_indexes() -> None:
    """Drop every process-local rumour index (tests roll back under it; an operator may want a fresh start)."""
    _snapshots.clear()


def _mark_stale() -> None:
    for snap in _snapshots.values():
        snap.checked_at = float("-inf")


def _mark_added() -> None:
    for snap in _snapshots.values():
        snap.added = True


@event.listens_for(Session, "after_flush")
def _rumours_flushed(session: Session, _context: Any) -> None:
    changed = [obj for obj in (*session.dirty, *session.deleted) if isinstance(obj, Rumour)
               and (obj in session.deleted or any(inspect(obj).attrs[name].history.has_changes() for name in _INDEXED))]
    added = any(isinstance(obj, Rumour) for obj in session.new)
    if changed or added:
        session.info["rumours_flushed"] = True
    if changed:
        _mark_stale()
    elif added:
        _mark_added()


@event.listens_for(Session, "after_commit")
def _rumour_changes_committed(session: Session) -> None:
    session.info.pop("rumours_flushed", None)  # what the index read from this transaction now stands


@event.listens_for(Session, "after_transaction_end")
def _rumour_changes_settled(session: Session, transaction: Any) -> None:
    # Rolled back: an index built meanwhile may hold rows that never were; check again.
    if transaction.parent is None and session.info.pop("rumours_flushed", False):
        _mark_stale()


def rumour_index(session: Session) -> _Snapshot:
    """An index of every live rumour (not archived, not merged) that follows changes.

    New rumours (candidates arrive with every unmatched report) go to a growing side index: those this process
    added are read by id alone; the big index is rebuilt only when an indexed rumour changes or the side index
    grows past DELTA_LIMIT.
    """
    url = str(session.get_bind().engine.url)
    snap = _snapshots.get(url)
    now = time.monotonic()
    if snap is not None and now - snap.checked_at < RECHECK_SECONDS:
        if snap.added:
            _read_added(session, snap)
        return snap
    if snap is not None:
        snap.checked_at = now
        snap.added = False
    if snap is not None and _fingerprint(session, Rumour.id <= snap.base_max_id) == snap.base_fingerprint:
        delta_fingerprint = _fingerprint(session, Rumour.id > snap.base_max_id)
        if delta_fingerprint == snap.delta_fingerprint:
            return snap
        count = delta_fingerprint[0]
        if isinstance(count, int) and count <= DELTA_LIMIT:
            snap.delta = GrowingIndex(snap.base, _rows(session, Rumour.id > snap.base_max_id))
            snap.delta_fingerprint = delta_fingerprint
            snap.delta_max_id = max(snap.base_max_id, _as_id(delta_fingerprint[1]))
            return snap
    fingerprint = _fingerprint(session)
    max_id = _as_id(fingerprint[1])
    base = RumourIndex(_rows(session))
    snap = _Snapshot(base, max_id, fingerprint, GrowingIndex(base), (0, None, None), delta_max_id=max_id)
    _snapshots[url] = snap
    return snap


def _read_added(session: Session, snap: _Snapshot) -> None:
    """Add what this process inserted since the snapshot's newest rumour, without a count of the table."""
    snap.added = False
    added = _rows(session, Rumour.id > snap.delta_max_id)
    if not added:
        return
    if len(snap.delta) + len(added) > DELTA_LIMIT:
        snap.checked_at = float("-inf")  # time for a full build
        return
    snap.delta.extend(added)
    snap.delta_max_id = added[-1].rumour_id
    snap.delta_fingerprint = _fingerprint(session, Rumour.id > snap.base_max_id)


def _as_id(value: object) -> int:
    return value if isinstance(value, int) else 0


def instant_answer_match(session: Session, report: Report, rt: ClassifyRuntime) -> tuple[int, float] | None:
    """For the SMS instant answer: a reviewed rumour matched at the confirmed level, or None.

    Never for a protection-flagged report: those wait for a person.
    """
    text = report.text or report.translation
    if report.sensitivity == Sensitivity.PROTECTION or not text:
        return None
    matches: list[Match] = rumour_index(session).search(text, limit=1, statuses=[RumourStatus.REVIEWED])
    if not matches or matches[0].score < rt.config.confirmed:
        return None
    # The webhook runs before the report's classification job: check for protection concerns here, only for
    # the few texts that match (classifying costs more than searching).
    if rt.classifier.classify(text, report.language).protection:
        return None
    return matches[0].rumour_id, matches[0].score
