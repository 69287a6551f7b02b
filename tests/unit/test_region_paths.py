"""Cross-border paths and early warnings (hotline.region.paths): pure, from published rows only."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from hotline.content.yamlfile import ContentError
from hotline.region.paths import (
    PublishedCount,
    RouteSpec,
    early_warnings,
    merge_sources,
    published_countries,
    published_counts,
    rumour_path,
    upstream,
)
from hotline.region.routes import load_region_config
from hotline.trends.config import RisingConfig
from hotline.trends.weeks import week_label

W31 = date(2026, 7, 27)
CFG = RisingConfig(recent_weeks=4, min_count=5, min_ratio=1.5, alpha=0.01)
ROUTE = RouteSpec("south_east", "Afghanistan to Malaysia", ("AF", "PK", "BD", "MY"))


def week(n: int) -> date:
    return W31 + timedelta(weeks=n - 31)


def row(monday: date, country: str, rumour: int | None, count: int | None, kind: str = "cell",
        language: str = "prs") -> list[Any]:
    return [week_label(monday), monday.isoformat(), kind, country, language, "smuggler_claims", rumour, count,
            None if count is not None else "primary"]


def test_published_counts_skip_hidden_cells_totals_and_other_rumours() -> None:
    rows = [row(week(31), "AF", 7, 6), row(week(31), "AF", 7, 5, language="ps"), row(week(31), "AF", 7, None),
            row(week(31), "AF", 8, 9), row(week(31), None, None, 40, kind="week_total"),  # type: ignore[arg-type]
            row(week(32), "AF", 7, None)]
    counts = published_counts(rows, {7: "boats"})
    assert counts == [PublishedCount("boats", "AF", week(31), 11)]  # the hidden cells add nothing, not even a week
    assert published_countries(rows) == ("AF",)


def test_the_path_orders_countries_by_their_first_published_week() -> None:
    counts = [PublishedCount("r", "MY", week(38), 5), PublishedCount("r", "AF", week(31), 9),
              PublishedCount("r", "BD", week(35), 6), PublishedCount("r", "AF", week(33), 7),
              PublishedCount("r", "BD", week(36), 5)]
    path = rumour_path(counts)
    assert [(s.country, week_label(s.first_week), s.weeks, s.total) for s in path] == [
        ("AF", "2026-W31", 2, 16), ("BD", "2026-W35", 2, 11), ("MY", "2026-W38", 1, 5)]
    assert rumour_path([]) == []


def test_two_sources_of_one_country_never_add_up() -> None:
    first = [PublishedCount("r", "AF", week(31), 9), PublishedCount("r", "BD", week(35), 6)]
    again = [PublishedCount("r", "AF", week(31), 7), PublishedCount("r", "AF", week(32), 5)]
    merged = sorted(merge_sources(first, again), key=lambda c: (c.week, c.country))
    assert [(c.country, c.week, c.count) for c in merged] == [("AF", week(31), 9), ("AF", week(32), 5),
                                                             ("BD", week(35), 6)]


def test_a_country_whose_cells_were_all_hidden_is_not_on_the_path() -> None:
    rows = [row(week(31), "AF", 7, 9), row(week(35), "BD", 7, None), row(week(35), "BD", 7, None, language="bn")]
    path = rumour_path(published_counts(rows, {7: "r"}))
    assert [s.country for s in path] == ["AF"]


def test_upstream_is_what_comes_before_home_on_a_route() -> None:
    other = RouteSpec("west", "Afghanistan to Türkiye", ("AF", "IR", "TR"))
    found = upstream([ROUTE, other], ["BD"])
    assert set(found) == {"AF", "PK"} and found["AF"] == [ROUTE]
    assert upstream([ROUTE], ["AF"]) == {}  # nothing comes before the first country
    assert set(upstream([ROUTE, other], ["MY", "TR"])) == {"AF", "PK", "BD", "IR"}


def rising(country: str = "AF", key: str = "p1", last: int = 12) -> list[PublishedCount]:
    return [PublishedCount(key, country, week(n), c) for n, c in ((44, 1), (46, 2), (48, last))
            if c >= 1]


def test_a_rumour_rising_upstream_warns_before_it_arrives() -> None:
    warnings = early_warnings(rising(), [ROUTE], ["BD"], week(48), CFG)
    assert len(warnings) == 1
    found = warnings[0]
    assert (found.key, found.country, found.week, found.count, found.routes) == ("p1", "AF", week(48), 12, (ROUTE,))
    assert found.expected == 0.75 and found.change_percent == 1500  # weeks 44..47: 1 and 2 -> mean 0.75


@pytest.mark.parametrize(("case", "counts", "home", "through", "arrived"), [
    ("downstream", rising("MY"), ["BD"], week(48), ()),
    ("not on a route", rising("LK"), ["BD"], week(48), ()),
    ("home itself", rising("BD"), ["BD"], week(48), ()),
    ("already arrived", rising(), ["BD"], week(48), ("p1",)),
    ("too few", rising(last=4), ["BD"], week(48), ()),
    ("old news", rising(), ["BD"], week(48) + timedelta(weeks=4), ()),
    ("not yet published", rising(), ["BD"], week(47), ()),
])
def test_no_warning(case: str, counts: list[PublishedCount], home: list[str], through: date,
                    arrived: tuple[str, ...]) -> None:
    assert early_warnings(counts, [ROUTE], home, through, CFG, arrived) == [], case


def test_a_steady_rumour_is_not_a_warning() -> None:
    steady = [PublishedCount("p", "AF", week(n), 10) for n in range(40, 49)]
    assert early_warnings(steady, [ROUTE], ["BD"], week(48), CFG) == []


def test_warnings_and_paths_never_show_a_hidden_cell() -> None:
    """Whatever the hidden cells were, the path and the warnings are the same: they are never read."""
    shown = [row(week(44), "AF", 7, 6), row(week(48), "AF", 7, 14)]
    for hidden in (1, 2, 4):
        rows = [*shown, row(week(46), "AF", 7, None), row(week(48), "PK", 7, None)]
        counts = published_counts(rows, {7: "r"})
        assert all(c.count >= 5 for c in counts)
        assert {c.country for c in counts} == {"AF"}, hidden
        warnings = early_warnings(counts, [ROUTE], ["BD"], week(48), CFG)
        assert [(w.country, w.count) for w in warnings] == [("AF", 14)]


def test_the_project_region_file_loads_and_a_bad_one_names_the_key(tmp_path: Path) -> None:
    config = load_region_config()
    assert config.routes and all(len(r.countries) >= 2 for r in config.routes)
    bad = tmp_path / "region.yaml"
    bad.write_text("version: 1\nsuggest_links_from: 0.4\nroutes:\n  - id: r\n    name: R\n    countries: [AF, af]\n")
    with pytest.raises(ContentError, match=r"routes\[0\]\.countries"):
        load_region_config(bad)
    bad.write_text("version: 1\nsuggest_links_from: 0.4\nroutes:\n  - id: r\n    name: R\n"
                   "    countries: [AF, PK, AF]\n")
    with pytest.raises(ContentError, match="each country once"):
        load_region_config(bad)
