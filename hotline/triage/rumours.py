"""Curating rumours: review status and verification, translations, merge two, split reports off into a new one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.models import User
from hotline.classify.redaction import redact
from hotline.classify.service import rumour_index
from hotline.intake.models import Report
from hotline.rumours.models import CounterMessage, Risk, Rumour, RumourStatus, Verification
from hotline.triage.actions import ActionRefused, link_rumour

TREND_WEEKS = 8


def monday(day: date) -> date:
    """The Monday of ``day``'s ISO week (the week column of reports)."""
    return day - timedelta(days=day.weekday())


def list_rumours(session: Session, status: str | None, category: str | None, limit: int = 100) -> Sequence[Rumour]:
    """Live (unmerged) rumours, most reported first."""
    query = select(Rumour).where(Rumour.merged_into_id.is_(None))
    if status:
        query = query.where(Rumour.status == status)
    if category:
        query = query.where(Rumour.category == category)
    return session.scalars(query.order_by(Rumour.report_count.desc(), Rumour.id).limit(limit)).all()


def weekly_counts(session: Session, rumour_ids: Sequence[int],
                  today: date) -> tuple[list[date], dict[int, dict[date, int]]]:
    """Reports per rumour per week over the last TREND_WEEKS weeks, in one query."""
    weeks = [monday(today) - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    counts: dict[int, dict[date, int]] = {rid: {} for rid in rumour_ids}
    if rumour_ids:
        rows = session.execute(
            select(Report.rumour_id, Report.week, func.count(Report.id))
            .where(Report.rumour_id.in_(rumour_ids), Report.week >= weeks[0])
            .group_by(Report.rumour_id, Report.week))
        for rumour_id, week, count in rows:
            if rumour_id is None:
                continue
            counts.setdefault(rumour_id, {})[week] = count
    return weeks, counts


def _audit(session: Session, user: User, action: str, rumour_id: int, before: dict[str, object],
           after: dict[str, object]) -> None:
    record_event(session, f"user:{user.id}", action, "rumour", rumour_id, before=before, after=after,
                 actor_user_id=user.id)


def review(session: Session, rumour: Rumour, user: User, *, statement: str, status: str, verification: str,
           risk: str, translations: dict[str, str]) -> None:
    """Update what staff decide about a rumour: statement, translations, status, verification and risk."""
    if status not in list(RumourStatus) or verification not in list(Verification) or risk not in list(Risk):
        raise ActionRefused("invalid")
    if not statement.strip() or len(statement) > 2000:
        raise ActionRefused("invalid")
    before = {"status": rumour.status, "verification": rumour.verification, "risk": rumour.risk,
              "statement_chars": len(rumour.canonical_statement), "translations": sorted(rumour.statement_translations)}
    rumour.canonical_statement = statement.strip()
    if status != RumourStatus.CANDIDATE:
        rumour.source_report_id = None  # staff reviewed the statement: it is theirs now, not a caller's words
    rumour.status, rumour.verification, rumour.risk = status, verification, risk
    rumour.statement_translations = {lang: text.strip() for lang, text in translations.items() if text.strip()}
    _audit(session, user, "rumour.review", rumour.id, before, {
        "status": status, "verification": verification, "risk": risk,
        "statement_chars": len(rumour.canonical_statement), "translations": sorted(rumour.statement_translations)})
    session.flush()


def _recount(session: Session, rumour: Rumour) -> None:
    rumour.report_count = session.scalar(select(func.count(Report.id)).where(Report.rumour_id == rumour.id)) or 0
    first, last = session.execute(select(func.min(Report.received_at), func.max(Report.received_at))
                                  .where(Report.rumour_id == rumour.id)).one()
    rumour.first_seen_at, rumour.last_seen_at = first, last


def merge(session: Session, source: Rumour, target: Rumour, user: User) -> None:
    """Fold ``source`` into ``target``: its reports and counter-messages move, it is archived as merged."""
    if source.id == target.id or target.merged_into_id is not None or source.merged_into_id is not None:
        raise ActionRefused("invalid")
    moved = session.execute(update(Report).where(Report.rumour_id == source.id).values(rumour_id=target.id)
                            .execution_options(synchronize_session="fetch")).rowcount  # type: ignore[attr-defined]
    session.execute(update(CounterMessage).where(CounterMessage.rumour_id == source.id)
                    .values(rumour_id=target.id).execution_options(synchronize_session="fetch"))
    if source.source_report_id is None:  # an unreviewed candidate's translations are a caller's words: not copied
        for lang, text in source.statement_translations.items():
            target.statement_translations = {lang: text, **target.statement_translations}
    source.merged_into_id, source.status = target.id, RumourStatus.ARCHIVED
    session.flush()
    _recount(session, source)
    _recount(session, target)
    _audit(session, user, "rumour.merge", source.id, {"merged_into_id": None},
           {"merged_into_id": target.id, "reports_moved": moved})
    _audit(session, user, "rumour.absorb", target.id, {}, {"absorbed_id": source.id, "reports_moved": moved})
    session.flush()


def split(session: Session, source: Rumour, report_ids: Sequence[int], statement: str, user: User,
          now: datetime) -> Rumour:
    """Move some of a rumour's reports to a new candidate rumour with its own staff-written statement."""
    if not report_ids or not statement.strip():
        raise ActionRefused("invalid")
    rumour = Rumour(canonical_statement=statement.strip(), category=source.category, code=source.code,
                    status=RumourStatus.CANDIDATE, created_at=now)
    session.add(rumour)
    session.flush()
    moved = session.execute(update(Report).where(Report.rumour_id == source.id, Report.id.in_(report_ids))
                            .values(rumour_id=rumour.id).execution_options(synchronize_session="fetch")
                            ).rowcount  # type: ignore[attr-defined]
    if not moved:
        raise ActionRefused("invalid")
    session.flush()
    _recount(session, source)
    _recount(session, rumour)
    _audit(session, user, "rumour.split", source.id, {}, {"new_rumour_id": rumour.id, "reports_moved": moved})
    _audit(session, user, "rumour.create", rumour.id, {}, {"split_from_id": source.id, "reports_moved": moved})
    session.flush()
    return rumour


MERGE_TARGETS = 20


def merge_targets(session: Session, rumour: Rumour, query: str = "",
                  limit: int = MERGE_TARGETS) -> list[tuple[Rumour, float | None]]:
    """Live rumours ``rumour`` could be merged into, most similar first, each with its similarity (0..1).

    Similarity is the classifier's multilingual matching (hotline.classify: character n-grams over every rumour's
    statement and translations), against this rumour's statement and translations, or against ``query`` when a
    supervisor searches ("#12" finds rumour 12). With nothing similar and no query, the most reported rumours.
    """
    query = query.strip()[:500]
    wanted = query.lstrip("#")
    if wanted.isdigit():
        found = session.get(Rumour, int(wanted))
        live = found is not None and found.id != rumour.id and found.merged_into_id is None
        return [(found, None)] if live and found is not None else []
    texts = [query] if query else [rumour.canonical_statement, *(rumour.statement_translations or {}).values()]
    best: dict[int, float] = {}
    index = rumour_index(session)
    for text in filter(None, (t.strip() for t in texts)):
        for match in index.search(text, limit=limit + 1):
            if match.rumour_id != rumour.id and match.score > best.get(match.rumour_id, 0.0):
                best[match.rumour_id] = match.score
    ranked = sorted(best.items(), key=lambda item: -item[1])[:limit]
    rumours = {r.id: r for r in session.scalars(select(Rumour).where(
        Rumour.id.in_([rid for rid, _ in ranked]), Rumour.merged_into_id.is_(None)))}
    targets: list[tuple[Rumour, float | None]] = [(rumours[rid], score) for rid, score in ranked if rid in rumours]
    if targets or query:
        return targets
    return [(r, None) for r in session.scalars(
        select(Rumour).where(Rumour.merged_into_id.is_(None), Rumour.id != rumour.id,
                             Rumour.status != RumourStatus.ARCHIVED)
        .order_by(Rumour.report_count.desc(), Rumour.id).limit(limit))]


def reports_to_move(session: Session, rumour: Rumour) -> int:
    """How many reports a merge of ``rumour`` would move: what the supervisor confirms."""
    return session.scalar(select(func.count(Report.id)).where(Report.rumour_id == rumour.id)) or 0


def statement_draft(report: Report, max_chars: int) -> str:
    """A first canonical statement for a new rumour made from ``report``: its words (or the operator's
    translation when there are none), with phone numbers, e-mail addresses and ID-like numbers redacted."""
    text = report.text or report.translation or ""
    return " ".join(redact(text, report.country).split())[:max_chars]


def new_rumour_from_report(session: Session, report: Report, user: User, statement: str, language: str | None,
                           now: datetime, max_chars: int = 2000) -> Rumour:
    """A candidate rumour with the operator's statement (redacted again: they may have typed a number), linked
    to ``report``. It remembers the report (``source_report_id``): until staff review it, its statement counts
    as the caller's words, cleared by retention and erasure with the report's text."""
    text = " ".join(redact(statement, report.country).split())[:max_chars]
    if not text:
        raise ActionRefused("invalid")
    rumour = Rumour(canonical_statement=text, statement_translations={language: text} if language else {},
                    category=report.category or "other", code=report.code, status=RumourStatus.CANDIDATE,
                    source_report_id=report.id, created_at=now)
    session.add(rumour)
    session.flush()
    _audit(session, user, "rumour.create", rumour.id, {}, {"from_report_id": report.id,
                                                            "statement_chars": len(text), "language": language})
    link_rumour(session, report, user, rumour.id)
    return rumour
