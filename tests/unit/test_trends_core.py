"""Pure trends core: ISO weeks, suppression, rising rumours and their explanations."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from hotline.content.yamlfile import ContentError
from hotline.trends.cells import Cell
from hotline.trends.config import RisingConfig, load_trends_config
from hotline.trends.explain import explain_rise
from hotline.trends.rising import baseline, find_rises, poisson_sf
from hotline.trends.series import weekly_series
from hotline.trends.suppression import check_k, suppress_group
from hotline.trends.weeks import parse_week, week_label, week_start, weeks_between


def cell(count: int, week: date = date(2026, 11, 23), **dims: object) -> Cell:
    values: dict[str, object] = {"country": "AF", "admin1": "AF-NAN", "language": "ps", "channel": "sms",
                                 "type": "rumour_belief", "category": "smuggler_claims", "rumour_id": None}
    values.update(dims)
    return Cell(week=week, count=count, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("day", "label", "monday"), [
    (date(2026, 12, 31), "2026-W53", date(2026, 12, 28)),
    (date(2027, 1, 1), "2026-W53", date(2026, 12, 28)),
    (date(2027, 1, 4), "2027-W01", date(2027, 1, 4)),
    (date(2025, 12, 29), "2026-W01", date(2025, 12, 29)),
    (date(2024, 12, 30), "2025-W01", date(2024, 12, 30)),
])
def test_iso_weeks_at_year_boundaries(day: date, label: str, monday: date) -> None:
    assert week_start(day) == monday
    assert week_label(week_start(day)) == label
    assert parse_week(label) == monday


def test_parse_week_rejects_weeks_that_do_not_exist() -> None:
    with pytest.raises(ValueError, match="no week 53"):
        parse_week("2027-W53")
    with pytest.raises(ValueError, match="YYYY-Www"):
        parse_week("2026-48")
    assert len(weeks_between(date(2026, 12, 31), date(2027, 1, 11))) == 3


def test_k_is_never_below_three() -> None:
    assert check_k(3) == 3
    for bad in (2, 0, -1, True):
        with pytest.raises(ValueError, match="at least 3"):
            check_k(bad)  # type: ignore[arg-type]


def test_suppression_hides_small_cells_and_one_more_so_the_total_cannot_give_them_back() -> None:
    group = suppress_group([cell(2, language="ps"), cell(40, language="prs"), cell(9, language="ur")], k=5)
    counts = {p.cell.language: (p.count, p.suppressed) for p in group.cells}
    assert counts["ps"] == (None, "primary")
    assert counts["ur"] == (None, "secondary")  # the smallest visible one
    assert counts["prs"] == (40, None)
    assert group.total == 51


def test_two_hidden_cells_that_add_up_to_less_than_k_hide_a_third() -> None:
    group = suppress_group([cell(1, language="ps"), cell(1, language="prs"), cell(7, language="ur"),
                            cell(30, language="bn")], k=5)
    hidden = {p.cell.language for p in group.cells if p.count is None}
    assert hidden == {"ps", "prs", "ur"}
    assert group.total == 39


def test_a_group_that_cannot_be_protected_hides_its_total() -> None:
    group = suppress_group([cell(2, language="ps"), cell(2, language="prs")], k=5)
    assert all(p.count is None for p in group.cells)
    assert group.total is None
    assert suppress_group([cell(6), cell(5, language="prs")], k=5).total == 11


def test_weekly_series_suppresses_per_week() -> None:
    weeks = [date(2026, 11, 16), date(2026, 11, 23)]
    cells = [cell(8, weeks[1], category="financial_gain"), cell(3, weeks[1], category="journey_risk"),
             cell(6, weeks[1], category="other", language="prs"), cell(9, weeks[0], category="other")]
    series = weekly_series(cells, "category", weeks, k=5)
    by = {(p.week, p.value): p.count for p in series.points}
    assert by[("2026-W48", "journey_risk")] is None and by[("2026-W48", "other")] is None
    assert by[("2026-W48", "financial_gain")] == 8 and by[("2026-W47", "other")] == 9
    assert series.totals[weeks[1]] == 17
    with pytest.raises(ValueError, match="group_by"):
        weekly_series(cells, "text", weeks, 5)


def test_poisson_tail() -> None:
    assert poisson_sf(0, 3.0) == 1.0
    assert poisson_sf(1, 2.0) == pytest.approx(1 - 0.1353352832, rel=1e-6)
    assert poisson_sf(10, 2.0) == pytest.approx(4.649807e-05, rel=1e-4)
    assert 0 < poisson_sf(5000, 1000.0) < 1e-300 or poisson_sf(5000, 1000.0) == 0.0
    assert poisson_sf(900, 1000.0) > 0.99


def gettext(text: str, **values: object) -> str:
    return text % values if values else text


CFG = RisingConfig(recent_weeks=4, min_count=5, min_ratio=1.5, alpha=0.01)
WEEK = date(2026, 11, 23)


def history(counts: dict[int, int], rumour: int = 7, **dims: object) -> list[Cell]:
    """Cells for weeks ``WEEK - n weeks`` -> count."""
    return [cell(n, WEEK - timedelta(weeks=ago), rumour_id=rumour, **dims) for ago, n in counts.items() if n]


def test_a_sharp_rise_is_flagged_and_explained() -> None:
    cells = [*history({4: 2, 3: 3, 2: 2, 1: 2}), cell(20, WEEK, rumour_id=7, language="ps"),
             cell(8, WEEK, rumour_id=7, language="prs", channel="voice"), cell(3, WEEK, rumour_id=7, language="ur")]
    rises = find_rises(cells, lambda c: c.rumour_id, WEEK, CFG, WEEK - timedelta(weeks=10))
    assert [r.key for r in rises] == [7]
    rise = rises[0]
    assert (rise.count, rise.change_percent, rise.languages, rise.top_channel, rise.top_region) == \
        (31, 1278, 3, "sms", "AF-NAN")

    assert explain_rise(rise, gettext, 4) == \
        "+1278% on the previous 4 weeks: 31 reports in 3 languages, mostly sms from AF-NAN"


def test_a_steady_or_small_count_is_not_flagged() -> None:
    steady = history({4: 10, 3: 12, 2: 9, 1: 11, 0: 12})
    assert find_rises(steady, lambda c: c.rumour_id, WEEK, CFG, WEEK - timedelta(weeks=10)) == []
    small = history({0: 4})
    assert find_rises(small, lambda c: c.rumour_id, WEEK, CFG, WEEK - timedelta(weeks=10)) == []


def test_the_same_season_last_year_is_the_baseline() -> None:
    """A rise that happened at this time last year too is expected (the sailing season), not flagged."""
    year_ago = {52 + d: 25 for d in (-1, 0, 1)}
    cells = history({**year_ago, 4: 3, 3: 2, 2: 3, 1: 2, 0: 24})
    start = WEEK - timedelta(weeks=60)
    base = baseline({c.week: c.count for c in cells}, WEEK, CFG, start)
    assert base.basis == "seasonal" and base.expected == 25
    assert find_rises(cells, lambda c: c.rumour_id, WEEK, CFG, start) == []
    # Without last year's history the same week is a rise on the previous four weeks.
    recent_only = [c for c in cells if c.week > WEEK - timedelta(weeks=10)]
    assert find_rises(recent_only, lambda c: c.rumour_id, WEEK, CFG, WEEK - timedelta(weeks=10))


def test_a_new_rumour_says_so() -> None:
    cells = history({0: 12})
    rise = find_rises(cells, lambda c: c.rumour_id, WEEK, CFG, WEEK - timedelta(weeks=10))[0]
    assert rise.new
    assert explain_rise(rise, gettext, 4) == "New this week: 12 reports in one language, mostly sms from AF-NAN"


def test_trends_config_errors_name_file_line_and_key(tmp_path: Path) -> None:
    good = load_trends_config()
    assert good.min_cell_count >= 3
    bad = tmp_path / "trends.yaml"
    bad.write_text("version: 1\nexports:\n  min_cell_count: 2\nrising:\n  recent_weeks: 4\n  min_count: 5\n"
                   "  min_ratio: 1.5\n  alpha: 0.01\n")
    with pytest.raises(ContentError) as caught:
        load_trends_config(bad)
    assert "trends.yaml:3" in str(caught.value) and "exports.min_cell_count" in str(caught.value)


def test_campaign_periods_and_exact_rate_test() -> None:
    from hotline.trends.evaluation import evaluate, periods, rate_ratio_test, summarise

    spans = periods(date(2026, 3, 1), date(2026, 3, 28), today=date(2026, 4, 10))
    assert spans.before == (date(2026, 2, 1), date(2026, 2, 28))
    assert spans.after == (date(2026, 3, 29), date(2026, 4, 10))
    assert periods(date(2026, 3, 1), date(2026, 3, 28), today=date(2026, 3, 20)).after is None
    # Equal exposure: 10 against 10 is no evidence; 2 against 30 is strong evidence.
    assert rate_ratio_test(10, 28, 10, 28) == pytest.approx(1.0)
    assert rate_ratio_test(2, 28, 30, 28) < 1e-6
    # Known value: binomial(12, 0.5), observed 2 -> two-sided p = 2 * P(X <= 2) = 0.0386
    assert rate_ratio_test(2, 1, 10, 1) == pytest.approx(0.03857, rel=1e-3)
    result = evaluate({"before": 40, "during": 12, "after": 9}, spans)
    assert (result.rate_before, result.rate_during, result.change_percent) == (10.0, 3.0, -70)
    text = summarise(result, gettext)
    assert text.startswith("Reports in the campaign's categories fell by 70% during the campaign (3 a week, "
                           "against 10 before).")
    assert "unlikely to be chance" in text
    assert "could well be chance" in summarise(evaluate({"before": 10, "during": 9}, spans), gettext)


def test_seasons_file_is_valid_and_errors_name_file_line_and_key(tmp_path: Path) -> None:
    from hotline.trends.seasons import load_seasons

    routes = load_seasons(categories=["journey_risk", "smuggler_claims", "destination_policy"])
    assert {route.id for route in routes} >= {"andaman_sea"}
    bad = tmp_path / "seasons.yaml"
    bad.write_text("version: 1\ndefault_lead_weeks: 6\nroutes:\n  - id: x\n    name: X\n    starts: '02-30'\n"
                   "    ends: '13-01'\n    categories: [journey_risk]\n")
    with pytest.raises(ContentError) as caught:
        load_seasons(bad)
    assert "seasons.yaml:7" in str(caught.value) and "routes[0].ends" in str(caught.value)
    bad.write_text("version: 1\ndefault_lead_weeks: 6\nroutes:\n  - id: x\n    name: X\n    starts: '02-30'\n"
                   "    ends: '03-01'\n    categories: [journey_risk]\n")
    with pytest.raises(ContentError, match="not a day of the year"):
        load_seasons(bad)
    bad.write_text("version: 1\ndefault_lead_weeks: 6\nroutes:\n  - id: x\n    name: X\n    starts: '02-01'\n"
                   "    ends: '03-01'\n    categories: [gossip]\n")
    with pytest.raises(ContentError, match="unknown categories gossip"):
        load_seasons(bad, categories=["journey_risk"])


def test_season_warnings_before_and_during_a_season_over_the_new_year() -> None:
    from hotline.trends.seasons import Route, month_profile, next_season, season_warnings

    route = Route("r", "R", ("BD",), (10, 15), (3, 31), 6, ("journey_risk", "smuggler_claims"))
    assert next_season(route, date(2026, 2, 1)) == (date(2025, 10, 15), date(2026, 3, 31))
    assert next_season(route, date(2026, 6, 1)) == (date(2026, 10, 15), date(2027, 3, 31))
    assert season_warnings([route], date(2026, 8, 1), []) == []
    near = season_warnings([route], date(2026, 9, 10), ["journey_risk", "other"])
    assert len(near) == 1 and near[0].weeks_until == 5 and near[0].rising == ("journey_risk",)
    assert season_warnings([route], date(2027, 1, 5), [])[0].weeks_until == 0
    profile = month_profile([(date(2025, 10, 6), 3), (date(2025, 10, 13), 4), (date(2026, 1, 5), 2)], 3)
    assert profile[2025][9] == 7 and profile[2026][0] is None  # 2 is under k = 3: suppressed


def test_ranges_widen_to_whole_iso_weeks() -> None:
    from hotline.trends.seasons import first_monday
    from hotline.trends.weeks import whole_weeks

    assert whole_weeks(date(2026, 11, 25), date(2026, 11, 25)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert whole_weeks(date(2026, 12, 31), date(2027, 1, 1)) == (date(2026, 12, 28), date(2027, 1, 3))
    assert first_monday(2026) == date(2026, 1, 5) and first_monday(2024) == date(2024, 1, 1)


def test_a_campaign_count_under_k_hides_what_would_give_it_back() -> None:
    from hotline.trends.evaluation import evaluate, periods, summarise, suppress_evaluation

    spans = periods(date(2026, 3, 2), date(2026, 3, 29), today=date(2026, 5, 3))
    shown = suppress_evaluation(evaluate({"before": 28, "during": 6, "after": 0}, spans), 5)
    assert (shown.before, shown.during, shown.after, shown.hidden_under) == (28, 6, 0, None)
    hidden = suppress_evaluation(evaluate({"before": 28, "during": 2, "after": 7}, spans), 5)
    assert (hidden.before, hidden.during, hidden.after) == (28, None, 7)
    assert (hidden.rate_during, hidden.change_percent, hidden.p_value) == (None, None, None)
    assert hidden.rate_before == 7.0 and hidden.rate_after is not None
    assert "counts under 5 are not published" in summarise(hidden, gettext)


def test_the_week_still_going_is_the_partial_one() -> None:
    from hotline.trends.weeks import partial_index

    weeks = [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    assert partial_index(weeks, date(2026, 12, 3)) == 2  # a Thursday: the week of 30 November is not over
    assert partial_index(weeks, date(2026, 11, 30)) == 2  # its Monday
    assert partial_index(weeks, date(2026, 12, 7)) is None  # the next Monday: every week in range is whole
    assert partial_index(weeks, date(2026, 11, 22)) == 0  # a Sunday still belongs to its week
