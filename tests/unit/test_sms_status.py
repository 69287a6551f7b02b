"""Delivery status ordering and the retry policy for Twilio's REST API."""

from __future__ import annotations

import pytest
import requests
from twilio.base.exceptions import TwilioRestException

from hotline.sms.outbound import RetryPolicy, call_with_retries
from hotline.sms.status import advances, stored_status


@pytest.mark.parametrize(("current", "incoming", "moves"), [
    ("queued", "sent", True), ("sent", "delivered", True), ("delivered", "sent", False),
    ("delivered", "queued", False), ("sent", "sent", False), ("queued", "failed", True),
    ("failed", "sent", False), ("delivered", "read", True), ("sent", "bogus", False), (None, "queued", True),
])
def test_status_never_moves_backwards(current: str | None, incoming: str, moves: bool) -> None:
    assert advances(current, incoming) is moves


def test_statuses_we_do_not_model_are_stored_as_ours() -> None:
    assert stored_status("read") == "delivered"
    assert stored_status("accepted") == "queued"
    assert stored_status("Delivered") == "delivered"


def _error(status: int, code: int = 20500) -> TwilioRestException:
    return TwilioRestException(status, "https://fake/Messages.json", msg="x", code=code)


def test_retries_5xx_and_connection_errors_with_exponential_backoff() -> None:
    failures: list[Exception] = [_error(500), requests.ConnectionError("down"), _error(503)]
    slept: list[float] = []

    def send() -> str:
        if failures:
            raise failures.pop(0)
        return "sent"

    assert call_with_retries(send, RetryPolicy(attempts=4, base_delay_seconds=1), slept.append) == "sent"
    assert slept == [1, 2, 4]


def test_4xx_is_not_retried() -> None:
    calls: list[int] = []

    def send() -> str:
        calls.append(1)
        raise _error(400, 21610)

    with pytest.raises(TwilioRestException):
        call_with_retries(send, RetryPolicy(), lambda _: None)
    assert calls == [1]


def test_gives_up_after_the_last_attempt() -> None:
    def send() -> str:
        raise _error(502)

    slept: list[float] = []
    with pytest.raises(TwilioRestException):
        call_with_retries(send, RetryPolicy(attempts=3, base_delay_seconds=1, max_delay_seconds=1.5), slept.append)
    assert slept == [1, 1.5]
