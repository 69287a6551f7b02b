"""Live-voice figures: outcomes per day and language with the median wait; waiting and available per language."""

from __future__ import annotations

from datetime import date

from hotline.operators.routing import queue_outcome
from hotline.operators.stats import QueueEnding, daily_figures, operators_by_language, waiting_by_language


def test_queue_results_map_to_three_outcomes() -> None:
    assert [queue_outcome(r) for r in ("bridged", "redirected", "hangup", "leave", "queue-full", None)] == [
        "answered", "answered", "abandoned", "voicemail", "voicemail", "voicemail"]


def test_daily_figures_count_outcomes_and_take_the_median_wait() -> None:
    monday, tuesday = date(2026, 11, 23), date(2026, 11, 24)
    endings = [QueueEnding(monday, "prs", "answered", 30), QueueEnding(monday, "prs", "voicemail", 120),
               QueueEnding(monday, "prs", "abandoned", 50), QueueEnding(tuesday, "bn", "answered", 10)]
    days = daily_figures(endings)
    assert [(d.day, d.language) for d in days] == [(tuesday, "bn"), (monday, "prs")]
    assert days[1].counts == {"answered": 1, "abandoned": 1, "voicemail": 1}
    assert days[1].median_wait_seconds == 50.0


def test_waiting_and_available_per_language() -> None:
    assert waiting_by_language([("prs", 12.5), ("prs", 90.2), ("bn", 3.0)]) == {"bn": (1, 3), "prs": (2, 90)}
    assert operators_by_language([["prs", "en"], ["prs"], []]) == {"en": 1, "prs": 2}
