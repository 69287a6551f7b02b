"""Pure triage figures: percentiles, response times, age buckets, sparklines, queue argument parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import ValidationError

from hotline.triage.queue import OPEN_STATUSES, parse_filter, snippet
from hotline.triage.stats import age_bucket, backlog_table, percentile, response_times, sparkline_points

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([5], 0.9) == 5
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)
    with pytest.raises(ValueError):
        percentile([1], 1.5)


def test_response_times_in_hours_and_skew_counts_as_zero() -> None:
    pairs = [(NOW, NOW + timedelta(hours=h)) for h in (1, 2, 3, 10)] + [(NOW, NOW - timedelta(hours=1))]
    times = response_times(pairs)
    assert times.count == 5 and times.median_hours == 2 and times.p90_hours == pytest.approx(7.2)


def test_age_buckets_and_backlog_table() -> None:
    assert age_bucket(NOW - timedelta(minutes=5), NOW) == "<1h"
    assert age_bucket(NOW - timedelta(hours=30), NOW) == "1-3d"
    assert age_bucket(NOW - timedelta(days=9), NOW) == ">3d"
    table = backlog_table([("prs", NOW), (None, NOW - timedelta(hours=5)), ("prs", NOW - timedelta(days=5))], NOW)
    assert table["prs"]["<1h"] == 1 and table["prs"][">3d"] == 1 and table["?"]["4-24h"] == 1


def test_sparkline_points_scale_into_the_box() -> None:
    assert sparkline_points([]) == ""
    points = [tuple(map(float, p.split(","))) for p in sparkline_points([0, 5, 10], 80, 20).split()]
    assert points[0] == (0.0, 19.0) and points[-1] == (80.0, 1.0)
    assert sparkline_points([0, 0]) == "0.0,19.0 80.0,19.0"


def test_queue_filter_defaults_to_open_reports_in_the_operators_languages() -> None:
    wanted = parse_filter({}, ["prs", "en"])
    assert wanted.statuses == tuple(OPEN_STATUSES) and wanted.languages == ("prs", "en") and wanted.page == 1
    assert parse_filter({"lang": "all", "status": "all"}, ["prs"]).languages == ()
    assert parse_filter({"status": "closed", "per_page": "50"}, []).statuses == ("closed",)
    for bad in ({"per_page": "1000"}, {"page": "999"}, {"lang": "<x>"}, {"channel": "fax"}):
        with pytest.raises(ValidationError):
            parse_filter(bad, [])


def test_snippet_collapses_whitespace_and_truncates() -> None:
    assert snippet(None) == ""
    assert snippet("a \n  b") == "a b"
    assert len(snippet("x" * 500)) == 160
