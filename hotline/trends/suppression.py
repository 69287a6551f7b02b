"""Small-cell suppression with complementary suppression, so a hidden count cannot be recomputed from a total.

Each published group (one week) also publishes its total. Hiding a single cell would be pointless: total minus
the others gives it back. So within a group, while fewer than two cells are hidden, or the hidden cells add up to
less than k (two hidden ones of 1 each, with a known sum of 2, are both 1), the smallest visible cell is hidden
too ("secondary"). When that cannot be done the group total is hidden as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hotline.trends.cells import Cell, PublishedCell

MIN_K = 3  # never publish a count under 3, whatever the configuration says
DEFAULT_K = 5


def check_k(k: int) -> int:
    """``k`` if it is allowed; ValueError otherwise."""
    if not isinstance(k, int) or isinstance(k, bool) or k < MIN_K:
        raise ValueError(f"the suppression threshold k must be an integer of at least {MIN_K}, not {k!r}")
    return k


@dataclass(frozen=True)
class PublishedGroup:
    """One group's cells as published, and its total (None when the total itself must be hidden)."""

    cells: list[PublishedCell]
    total: int | None


def suppress_group(cells: Sequence[Cell], k: int = DEFAULT_K) -> PublishedGroup:
    """Hide every count under ``k``, then enough others that none can be recomputed from the group's total."""
    check_k(k)
    ordered = sorted(cells, key=Cell.key)
    hidden: dict[int, str] = {i: "primary" for i, cell in enumerate(ordered) if cell.count < k}
    total = sum(cell.count for cell in ordered)
    while hidden and _recomputable(ordered, hidden, k):
        visible = [i for i in range(len(ordered)) if i not in hidden]
        if not visible:
            break
        smallest = min(visible, key=lambda i: (ordered[i].count, i))
        hidden[smallest] = "secondary"
    total_shown: int | None = total
    if total < k or (hidden and _recomputable(ordered, hidden, k)):
        total_shown = None
    published = [PublishedCell(cell, None if i in hidden else cell.count, hidden.get(i))
                 for i, cell in enumerate(ordered)]
    return PublishedGroup(published, total_shown)


def _recomputable(cells: Sequence[Cell], hidden: dict[int, str], k: int) -> bool:
    hidden_sum = sum(cells[i].count for i in hidden)
    return len(hidden) < 2 or hidden_sum < k


def suppress_value(count: int, k: int = DEFAULT_K) -> int | None:
    """A single published figure: the count, or None under ``k``."""
    check_k(k)
    return count if count >= k else None
