"""The trends query on a real database: ISO weeks at year boundaries, confirmed coding only, reviewed rumours."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from hotline.rumours.models import RumourStatus
from hotline.trends.cells import TrendFilters
from hotline.trends.config import confirmed_match_score
from hotline.trends.queries import iter_cells
from hotline.trends.service import ROW_TOTAL, export_records, trend_summary
from tests.factories import make_staff
from tests.trends_helpers import add_report, add_rumour


def test_weeks_at_the_turn_of_the_year_are_iso_weeks(db_session: Session) -> None:
    operator = make_staff(db_session)
    for moment in ("2026-12-27T23:59:59", "2026-12-28T00:00:00", "2026-12-31T12:00:00", "2027-01-01T00:30:00",
                   "2027-01-03T23:59:59", "2027-01-04T00:00:00"):
        add_report(db_session, moment, coded_by=operator)
    records = list(export_records(db_session, TrendFilters(date(2026, 12, 20), date(2027, 1, 10)), k=3))
    totals = {(r.iso_week, r.week_start): r.count for r in records if r.row == ROW_TOTAL}
    assert totals == {("2026-W52", date(2026, 12, 21)): None, ("2026-W53", date(2026, 12, 28)): 4,
                      ("2027-W01", date(2027, 1, 4)): None}


def test_only_confirmed_coding_and_reviewed_rumour_links_count(db_session: Session) -> None:
    operator = make_staff(db_session)
    reviewed, candidate = add_rumour(db_session), add_rumour(db_session, RumourStatus.CANDIDATE)
    confirmed = confirmed_match_score()
    day = "2026-11-24T10:00:00"
    add_report(db_session, day, coded_by=operator, rumour_id=reviewed.id, rumour_match_score=confirmed + 0.1)
    add_report(db_session, day, coded_by=operator, rumour_id=reviewed.id, rumour_match_score=None)  # linked by hand
    add_report(db_session, day, coded_by=operator, rumour_id=reviewed.id, rumour_match_score=confirmed - 0.1)
    add_report(db_session, day, coded_by=operator, rumour_id=candidate.id, rumour_match_score=1.0)
    add_report(db_session, day, rumour_id=reviewed.id, rumour_match_score=0.99)  # the model's coding only
    cells = list(iter_cells(db_session, TrendFilters(date(2026, 11, 23), date(2026, 11, 29)), confirmed))
    by = {(c.type, c.category, c.rumour_id): c.count for c in cells}
    assert by == {("rumour_belief", "smuggler_claims", reviewed.id): 2,
                  ("rumour_belief", "smuggler_claims", None): 2,
                  (None, None, None): 1}


def test_filters_and_date_range_are_inclusive(db_session: Session) -> None:
    operator = make_staff(db_session)
    add_report(db_session, "2026-11-23T00:00:00", coded_by=operator, language="prs")
    add_report(db_session, "2026-11-29T23:59:59", coded_by=operator, language="prs")
    add_report(db_session, "2026-11-30T00:00:00", coded_by=operator, language="prs")
    add_report(db_session, "2026-11-24T00:00:00", coded_by=operator, language="ur", category="journey_risk")
    week = TrendFilters(date(2026, 11, 23), date(2026, 11, 29))
    assert sum(c.count for c in iter_cells(db_session, week, 0.6)) == 3
    only = TrendFilters(date(2026, 11, 23), date(2026, 11, 29), language="prs")
    assert sum(c.count for c in iter_cells(db_session, only, 0.6)) == 2
    category = TrendFilters(date(2026, 11, 23), date(2026, 11, 29), category="journey_risk")
    assert sum(c.count for c in iter_cells(db_session, category, 0.6)) == 1


def test_export_records_suppress_small_cells_and_never_carry_caller_text(db_session: Session) -> None:
    operator = make_staff(db_session)
    for _ in range(6):
        add_report(db_session, "2026-11-24T09:00:00", coded_by=operator, language="ps")
    add_report(db_session, "2026-11-24T09:00:00", coded_by=operator, language="bn", country="BD", admin1="BD-C")
    records = list(export_records(db_session, TrendFilters(date(2026, 11, 23), date(2026, 11, 29)), k=5))
    assert [(r.language, r.count, r.suppressed) for r in records] == [
        ("ps", None, "secondary"), ("bn", None, "primary"), (None, 7, None)]
    flat = repr(records)
    assert "caller words" not in flat and "+93" not in flat


def test_summary_flags_a_rising_category(db_session: Session) -> None:
    operator = make_staff(db_session)
    for week_day in ("2026-10-27", "2026-11-03", "2026-11-10", "2026-11-17"):
        add_report(db_session, f"{week_day}T10:00:00", coded_by=operator, category="destination_policy")
    for _ in range(12):
        add_report(db_session, "2026-11-24T10:00:00", coded_by=operator, category="destination_policy")
    summary = trend_summary(db_session, TrendFilters(date(2026, 11, 1), date(2026, 11, 29)), "category", k=5)
    assert [r.key for r in summary.rising_categories] == ["destination_policy"]
    assert summary.rising_categories[0].count == 12
    points = {(p.week, p.value): p.count for p in summary.series.points}
    assert points[("2026-W48", "destination_policy")] == 12
