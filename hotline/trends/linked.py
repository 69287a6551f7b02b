"""Suppression for tables of the analyst's chosen dimensions, consistent across every coarser choice (pure).

An analyst may export one week's counts by any few dimensions (category; category x language; ...). Each table is
a set of marginals of the same data, so suppressing each one on its own would not be enough: a coarser table's cell
minus the visible cells of a finer one gives a hidden cell back, and the visible cells of a finer table add up to a
hidden cell of a coarser one. So a table is published like this:

1. the existing guard first (:func:`hotline.trends.suppression.suppress_group`: counts under k, then complementary
   cells so none can be recomputed from the week's total), never bypassed;
2. every coarser table (each proper subset of the chosen dimensions, down to the week's total) is published first,
   by this same function, so what it shows is exactly what its own export shows;
3. then, while any hidden small count (under k), of this table or of a coarser one, is determined by the linear
   equations that the visible counts of all of them give (cell = sum of the finer cells it is made of), the
   smallest visible cell in line with it is hidden too; and, as the guard does for the total, while the hidden
   cells inside a coarser cell that is shown add up to less than k, the smallest visible one inside it too.

A count is "determined" when it has the same value in every real solution of those equations: its unit vector lies
in their row space (equivalently the null space has no component on it). This is a linear audit (it does not use
that counts are whole and non-negative), the same kind as the complementary rule it extends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Any

import numpy as np

from hotline.trends.cells import DIMENSIONS, Cell
from hotline.trends.suppression import check_k, suppress_group

Key = tuple[str | int | None, ...]
MAX_DIMENSIONS = 3  # 2**3 tables audited per week in milliseconds; four took seconds and hid nearly all
_EMPTY = Cell(date.min, None, None, None, None, None, None, None, 0)
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class PublishedTable:
    """One week's table by ``dims``: each key's true count, published count (None: hidden) and mark."""

    dims: tuple[str, ...]
    counts: dict[Key, int]
    published: dict[Key, int | None]
    marks: dict[Key, str]

    def hidden(self) -> set[Key]:
        """Keys whose count is not published."""
        return {key for key, value in self.published.items() if value is None}


def canonical(dims: Sequence[str]) -> tuple[str, ...]:
    """``dims`` in export order, without repeats; ValueError for an unknown dimension."""
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown dimension(s): {', '.join(unknown)}")
    return tuple(d for d in DIMENSIONS if d in dims)


def aggregate(cells: Sequence[Cell], dims: tuple[str, ...]) -> dict[Key, int]:
    """Counts summed by ``dims`` (keys in ``dims`` order)."""
    sums: dict[Key, int] = defaultdict(int)
    for cell in cells:
        sums[tuple(getattr(cell, d) for d in dims)] += cell.count
    return {key: count for key, count in sums.items() if count}


def publish_week(cells: Sequence[Cell], dims: Sequence[str], k: int) -> PublishedTable:
    """One week's cells as a published table by ``dims`` (see the module's docstring)."""
    check_k(k)
    chosen = canonical(dims)
    if len(chosen) > MAX_DIMENSIONS:
        raise ValueError(f"at most {MAX_DIMENSIONS} dimensions")
    memo: dict[tuple[str, ...], PublishedTable] = {}
    return _table(cells, chosen, k, memo)


def _table(cells: Sequence[Cell], dims: tuple[str, ...], k: int,
           memo: dict[tuple[str, ...], PublishedTable]) -> PublishedTable:
    if dims in memo:
        return memo[dims]
    counts = aggregate(cells, dims)
    marks = _guard(counts, dims, k)
    subs = [_table(cells, sub, k, memo) for size in range(len(dims)) for sub in combinations(dims, size)]
    while True:
        determined = _determined(dims, counts, marks, subs, k) + _short_slices(dims, marks, counts, subs, k)
        if not determined:
            break
        # One cell at a time: a complement often protects several determined counts at once.
        added = next((key for item in determined if (key := _complement(dims, counts, marks, item)) is not None),
                     None)
        if added is None:
            break  # nothing visible is left to hide: best effort
        marks[added] = "secondary"
    table = PublishedTable(dims, counts, {key: None if key in marks else count for key, count in counts.items()},
                           marks)
    memo[dims] = table
    return table


def _guard(counts: dict[Key, int], dims: tuple[str, ...], k: int) -> dict[Key, str]:
    """The existing per-week guard on this table's cells: {key: mark} of the hidden ones."""
    if not dims:
        total = counts.get((), 0)
        return {(): "primary"} if 0 < total < k else {}
    as_cells = [_EMPTY._replace(count=count, **_fields(dims, key)) for key, count in counts.items()]
    group = suppress_group(as_cells, k)
    return {tuple(getattr(p.cell, d) for d in dims): p.suppressed for p in group.cells if p.suppressed}


def _fields(dims: tuple[str, ...], key: Key) -> dict[str, Any]:
    return dict(zip(dims, key, strict=True))


Unknown = tuple[tuple[str, ...], Key]  # (the table's dims, the key) of a hidden count


def _determined(dims: tuple[str, ...], counts: dict[Key, int], marks: dict[Key, str],
                subs: list[PublishedTable], k: int) -> list[Unknown]:
    """Small hidden counts (under ``k``, this table's or a coarser one's) that the visible counts of all of them
    determine. A complementary cell (``k`` or more) may be worked out: that tells nothing small, and if it gave a
    small one away, the small one would be determined in the same equations and listed."""
    unknowns: list[Unknown] = [(dims, key) for key in sorted(marks, key=key_order)]
    for sub in subs:
        unknowns.extend((sub.dims, key) for key in sorted(sub.hidden(), key=key_order))
    if not unknowns:
        return []
    column = {u: i for i, u in enumerate(unknowns)}
    rows: list[np.ndarray] = []
    for sub in subs:
        positions = [dims.index(d) for d in sub.dims]
        members: dict[Key, list[Key]] = defaultdict(list)
        for key in marks:
            members[tuple(key[p] for p in positions)].append(key)
        for sub_key in sub.counts:
            row = np.zeros(len(unknowns))
            for key in members.get(sub_key, []):
                row[column[(dims, key)]] = 1.0
            if sub.published[sub_key] is None:
                row[column[(sub.dims, sub_key)]] = -1.0
            if row.any():
                rows.append(row)
    if not rows:
        return []
    matrix = np.vstack(rows)
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > _TOLERANCE * max(matrix.shape)).sum())
    null = vt[rank:]  # rows span the null space
    true = {(dims, key): counts[key] for key in marks} | {(sub.dims, key): sub.counts[key] for sub in subs
                                                          for key in sub.hidden()}
    return [u for u, i in column.items()
            if true[u] < k and (null.shape[0] == 0 or np.abs(null[:, i]).max() < 1e-7)]


def _short_slices(dims: tuple[str, ...], marks: dict[Key, str], counts: dict[Key, int],
                  subs: list[PublishedTable], k: int) -> list[Unknown]:
    """Coarser cells shown whose hidden finer cells add up to less than ``k``: the guard's own rule (two hidden
    ones of 1 each, with a known sum of 2, are both 1), applied to every coarser cell as it is to the total."""
    short: list[Unknown] = []
    for sub in subs:
        positions = [dims.index(d) for d in sub.dims]
        sums: dict[Key, int] = defaultdict(int)
        for key in marks:
            sums[tuple(key[p] for p in positions)] += counts[key]
        short.extend((sub.dims, sub_key) for sub_key, total in sums.items()
                     if total < k and sub.published.get(sub_key) is not None)
    return short


def _complement(dims: tuple[str, ...], counts: dict[Key, int], marks: dict[Key, str],
                item: Unknown) -> Key | None:
    """The visible cell of this table to hide so that ``item`` is no longer determined: the smallest one in line
    with it (it differs in one dimension) or inside it (for a coarser table's cell), else the smallest anywhere."""
    sub_dims, target = item
    visible = [key for key in counts if key not in marks]
    if not visible:
        return None
    if sub_dims == dims:
        near = [key for key in visible if sum(a != b for a, b in zip(key, target, strict=True)) == 1]
    else:
        positions = [dims.index(d) for d in sub_dims]
        near = [key for key in visible if tuple(key[p] for p in positions) == target]
    # Prefer a cell whose other lines already hold a hidden cell: hiding it closes a pattern instead of opening
    # new lines that would each need a complement of their own (sparse tables otherwise cascade to nothing).
    return min(near or visible, key=lambda key: (_opened(key, marks), counts[key], key_order(key)))


def _opened(key: Key, marks: dict[Key, str]) -> int:
    """How many of ``key``'s lines (one per dimension) hold no hidden cell yet."""
    return sum(not any(other[:i] == key[:i] and other[i + 1:] == key[i + 1:] for other in marks)
               for i in range(len(key)))


def key_order(key: Key) -> tuple[tuple[bool, str], ...]:
    """A total order on keys (None first, then by text), for reproducible choices."""
    return tuple((value is not None, "" if value is None else str(value)) for value in key)
