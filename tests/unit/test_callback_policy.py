"""The call-back policy, without Flask or a database: consent, erasure, opt-out, daytime, attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline.callbacks import policy
from hotline.callbacks.policy import CallbackRules, CallerStanding, is_daytime, is_machine, refusal

KABUL = "Asia/Kabul"  # UTC+4:30
NOON_KABUL = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)
MAY = CallerStanding(consented=True, erased=False, opted_out=False, has_number=True)
RULES = CallbackRules()


def test_a_consenting_caller_in_their_daytime_may_be_called() -> None:
    assert refusal(MAY, [], NOON_KABUL, KABUL, RULES) is None


@pytest.mark.parametrize(("standing", "reason"), [
    (CallerStanding(False, False, False, True), policy.NO_CONSENT),
    (CallerStanding(True, True, True, False), policy.ERASED),
    (CallerStanding(True, False, True, True), policy.OPTED_OUT),
    (CallerStanding(True, False, False, False), policy.NO_NUMBER),
])
def test_refused_without_consent_or_a_number_and_for_erased_or_opted_out_callers(
    standing: CallerStanding, reason: str
) -> None:
    assert refusal(standing, [], NOON_KABUL, KABUL, RULES) == reason


def test_daytime_is_the_callers_local_time() -> None:
    night_in_kabul = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # 21:30 in Kabul, 17:00 in London
    assert not is_daytime(night_in_kabul, KABUL, RULES)
    assert is_daytime(night_in_kabul, "Europe/London", RULES)
    assert refusal(MAY, [], night_in_kabul, KABUL, RULES) == policy.OUTSIDE_DAYTIME
    assert is_daytime(datetime(2026, 11, 25, 4, 30, tzinfo=UTC), KABUL, RULES)  # 09:00 sharp
    assert not is_daytime(datetime(2026, 11, 25, 14, 30, tzinfo=UTC), KABUL, RULES)  # 19:00 sharp


def test_a_limit_of_attempts_and_a_gap_between_them() -> None:
    earlier = [NOON_KABUL - timedelta(hours=h) for h in (3, 2)]
    assert refusal(MAY, earlier, NOON_KABUL, KABUL, RULES) is None
    assert refusal(MAY, [*earlier, NOON_KABUL - timedelta(hours=1)], NOON_KABUL, KABUL, RULES) == policy.TOO_MANY
    assert refusal(MAY, [NOON_KABUL - timedelta(minutes=10)], NOON_KABUL, KABUL, RULES) == policy.TOO_SOON


def test_only_a_detected_machine_counts_as_one() -> None:
    assert is_machine("machine_start") and is_machine("fax") and is_machine("machine_end_beep")
    assert not is_machine("human") and not is_machine("unknown") and not is_machine(None)
