"""Tables by chosen dimensions: no count under k, the week's guard always applied, and no hidden small count that
the visible counts of this table and of every coarser choice determine (checked by an audit written apart)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from itertools import combinations

import numpy as np
import pytest

from hotline.trends.cells import Cell
from hotline.trends.linked import MAX_DIMENSIONS, PublishedTable, aggregate, canonical, publish_week
from hotline.trends.suppression import suppress_group

WEEK = date(2026, 11, 30)
K = 5


def cell(count: int, country: str = "AF", language: str | None = "ps", channel: str | None = "sms",
         category: str | None = "smuggler_claims") -> Cell:
    return Cell(WEEK, country, None, language, channel, None, category, None, count)


def random_week(seed: int, size: int = 120) -> list[Cell]:
    rng = random.Random(seed)
    return [cell(rng.choice([1, 1, 1, 2, 3, 4, 6, 9, 15, 30]), rng.choice(["AF", "PK", "BD"]),
                 rng.choice(["prs", "ps", "ur", "bn", None]), rng.choice(["sms", "voice", "field"]),
                 rng.choice(["a", "b", "c", "d", None])) for _ in range(size)]


def naive(cells: list[Cell], dims: tuple[str, ...], _k: int = K) -> PublishedTable:
    """Each table suppressed on its own by the week's guard alone (what the per-table rule would publish)."""
    counts = aggregate(cells, dims)
    if not dims:
        total = counts.get((), 0)
        hidden = 0 < total < K
        return PublishedTable(dims, counts, {(): None if hidden else total}, {(): "primary"} if hidden else {})
    blank = {"country": None, "language": None, "channel": None, "category": None}
    group = suppress_group([cell(0)._replace(**{**blank, **dict(zip(dims, key, strict=True))}, count=n)
                            for key, n in counts.items()], K)
    marks = {tuple(getattr(p.cell, d) for d in dims): p.suppressed for p in group.cells if p.suppressed}
    return PublishedTable(dims, counts, {key: None if key in marks else n for key, n in counts.items()}, marks)


Publisher = Callable[[list[Cell], tuple[str, ...], int], PublishedTable]


def leaks(cells: list[Cell], dims: tuple[str, ...], publish: Publisher = publish_week,
          coarser_only: bool = False) -> list[tuple[tuple[str, ...], object, int]]:
    """Hidden counts under k, in the table by ``dims`` or any coarser one, that the visible counts of all of them
    (each table published on its own) determine: each is a linear combination of the finest counts; it is
    determined when its vector lies in the row space of the visible ones. ``coarser_only``: what the coarser
    tables' visible counts alone determine (the table by ``dims`` is only asked about, its counts not used)."""
    finest = sorted(aggregate(cells, dims), key=repr)
    index = {key: i for i, key in enumerate(finest)}
    tables = [publish(cells, sub, K) for size in range(len(dims) + 1) for sub in combinations(dims, size)]

    def vector(table: PublishedTable, key: tuple[object, ...]) -> np.ndarray:
        positions = [dims.index(d) for d in table.dims]
        out = np.zeros(len(finest))
        for fine in finest:
            if tuple(fine[p] for p in positions) == key:
                out[index[fine]] = 1.0
        return out

    known = [vector(t, key) for t in tables for key, value in t.published.items()
             if value is not None and not (coarser_only and t.dims == dims)]
    base = np.linalg.matrix_rank(np.vstack(known)) if known else 0
    found = []
    for t in tables:
        for key, value in t.published.items():
            if value is None and t.counts[key] < K:
                with_it = np.vstack([*known, vector(t, key)])
                if np.linalg.matrix_rank(with_it) == base:
                    found.append((t.dims, key, t.counts[key]))
    return found


def test_the_audit_catches_what_each_table_suppressed_on_its_own_gives_away() -> None:
    # By category x language the guard hides X/ps (2) and, as its complement, the smallest visible cell Y/ps (10);
    # but the table by category publishes X = 22, and X/prs = 20 is visible: 22 - 20 = 2.
    cells = [cell(2, language="ps", category="X"), cell(20, language="prs", category="X"),
             cell(10, language="ps", category="Y"), cell(30, language="prs", category="Y")]
    dims = ("language", "category")
    assert ("ps", "X") in [key for _dims, key, _n in leaks(cells, dims, naive)]
    assert leaks(cells, dims) == []
    table = publish_week(cells, dims, K)
    assert table.published[("ps", "X")] is None and table.published[("prs", "X")] is None


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("dims", [("category",), ("language", "category"), ("country", "channel"),
                                  ("language", "channel", "category"), ("country", "language", "category")])
def test_no_small_count_is_published_or_given_back(seed: int, dims: tuple[str, ...]) -> None:
    cells = random_week(seed)
    table = publish_week(cells, dims, K)
    assert all(value is None or value >= K for value in table.published.values())
    # The week's own guard is never bypassed: whatever it hides stays hidden.
    guard = naive(cells, dims)
    assert guard.hidden() <= table.hidden()
    # Publishing this table gives nothing away that the coarser tables did not already give by themselves: the
    # audit sees the table's hidden rows (so which combinations occur), and a few such combinations are pinned by
    # the sibling coarser tables together (then every cell in line with them is hidden, see the README).
    assert set(leaks(cells, dims)) <= set(leaks(cells, dims, coarser_only=True))
    if len(dims) <= 2:
        assert leaks(cells, dims) == []


def test_order_of_dimensions_does_not_matter_and_more_than_the_cap_is_refused() -> None:
    cells = random_week(1)
    assert publish_week(cells, ("category", "language"), K) == publish_week(cells, ("language", "category"), K)
    assert canonical(["category", "country"]) == ("country", "category")
    with pytest.raises(ValueError, match="at most"):
        publish_week(cells, ("country", "language", "channel", "category")[: MAX_DIMENSIONS + 1], K)
    with pytest.raises(ValueError, match="unknown"):
        publish_week(cells, ("text",), K)


def test_a_coarser_table_publishes_more_than_a_finer_one() -> None:
    cells = random_week(3)
    fine = publish_week(cells, ("country", "language", "category"), K)
    coarse = publish_week(cells, ("category",), K)
    shown = lambda t: sum(v for v in t.published.values() if v is not None)  # noqa: E731
    assert shown(coarse) > shown(fine)
