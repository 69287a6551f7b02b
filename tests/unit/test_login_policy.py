"""The progressive delay: none for the first failures, then doubling, never longer than the cap."""

from __future__ import annotations

from datetime import timedelta

from hotline.auth.login import LoginPolicy


def test_delays_start_after_the_free_failures_double_and_stop_at_the_cap() -> None:
    policy = LoginPolicy(free_failures=5, longest_delay=timedelta(minutes=15))
    assert [policy.delay(n) for n in range(5)] == [None] * 5
    assert [policy.delay(n).total_seconds() for n in range(5, 10)] == [1, 2, 4, 8, 16]  # type: ignore[union-attr]
    assert policy.delay(14) == timedelta(seconds=512) and policy.delay(15) == timedelta(minutes=15)  # 1024 s > cap
    assert policy.delay(10_000) == timedelta(minutes=15)  # however many failures: never a lock-out
