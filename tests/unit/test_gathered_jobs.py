"""hotline.jobs.gather: many asks from many threads become one send per key per window, each ask followed by a send."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from hotline.jobs.gather import Gatherer


def drain() -> None:
    """Stands for a job (the gatherer only passes it on)."""


class Recorder:
    def __init__(self) -> None:
        self.sends: list[tuple[str, Any, tuple[Any, ...], int]] = []
        self.asks = 0
        self.lock = threading.Lock()

    def ask(self, gatherer: Gatherer, key: str) -> None:
        with self.lock:
            self.asks += 1
        gatherer.add(key, drain)

    def send(self, key: str, job: Any, args: tuple[Any, ...]) -> None:
        with self.lock:
            self.sends.append((key, job, args, self.asks))  # how many asks had been made when this one was sent


def _settle(gatherer: Gatherer, seconds: float = 0.3) -> None:
    time.sleep(seconds)


def test_a_flood_of_asks_from_many_threads_is_a_few_sends_and_the_last_ask_is_sent() -> None:
    recorder = Recorder()
    gatherer = Gatherer(recorder.send, 0.02)

    def flood() -> None:
        for _ in range(200):
            recorder.ask(gatherer, "drain")
            time.sleep(0.0005)

    threads = [threading.Thread(target=flood) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _settle(gatherer)
    assert 1 <= len(recorder.sends) < 1600 / 10  # gathered: at least ten asks per send on average
    assert {(key, job, args) for key, job, args, _ in recorder.sends} == {("drain", drain, ())}
    assert recorder.sends[-1][3] == 1600  # the last send came after the last ask


def test_an_ask_after_a_send_is_sent_again_and_keys_are_sent_apart() -> None:
    recorder = Recorder()
    gatherer = Gatherer(recorder.send, 0.01)
    gatherer.add("a", drain)
    _settle(gatherer, 0.15)
    gatherer.add("a", drain, (1,))
    gatherer.add("b", drain)
    _settle(gatherer, 0.15)
    assert [(key, args) for key, _, args, _ in recorder.sends] == [("a", ()), ("a", (1,)), ("b", ())]


def test_flush_sends_what_waits_now_and_a_failing_send_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    sent: list[str] = []

    def send(key: str, job: Any, args: tuple[Any, ...]) -> None:
        if key == "broken":
            raise ConnectionError("Redis is down")
        sent.append(key)

    gatherer = Gatherer(send, 60.0)  # the thread would wait a minute: flush does not
    gatherer.add("broken", drain)
    gatherer.add("drain", drain)
    with caplog.at_level(logging.WARNING, logger="hotline.jobs"):
        gatherer.flush()
    assert sent == ["drain"]
    assert [getattr(record, "error", None) for record in caplog.records] == ["ConnectionError"]
    assert "Redis is down" not in caplog.text  # a store error's text can quote what it was sent
    gatherer.flush()
    assert sent == ["drain"]  # nothing twice
