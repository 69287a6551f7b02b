"""What a rumour matcher answers: which reviewed rumour a report repeats, and how sure it is.

The type lives here, below both the classifier that produces matches and the SMS service that acts on them, so
neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hotline.intake.models import Report


@dataclass(frozen=True)
class RumourMatch:
    """A classifier's verdict: this report repeats that rumour, with this confidence (0..1)."""

    rumour_id: int
    confidence: float


RumourMatcher = Callable[[Report], "RumourMatch | None"]
