"""A background job of the web process: woken after commits, run in the app's context, giving way to requests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask, current_app

from hotline.jobs.background import (
    RequestsInFlight,
    background_job,
    init_background,
    stop_all,
    wake,
    yield_to_requests,
)


@pytest.fixture()
def bare_app() -> Iterator[Flask]:
    app = Flask(__name__)
    init_background(app)
    yield app
    stop_all(app, timeout=5)


def _until(condition: object, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.005)
    return False


def test_a_woken_job_runs_in_a_thread_inside_the_apps_context(bare_app: Flask) -> None:
    seen: list[tuple[str, str]] = []

    def job() -> None:
        seen.append((current_app.name, threading.current_thread().name))

    with bare_app.app_context():
        wake("drain", job)
    assert _until(lambda: seen)
    assert seen == [(bare_app.name, "hotline-drain")]


def test_wakes_during_a_run_ask_for_exactly_one_more_run(bare_app: Flask) -> None:
    started, release = threading.Event(), threading.Event()
    runs: list[int] = []

    def job() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            started.set()
            release.wait(5)

    found = background_job("drain", job, bare_app)
    found.wake()
    assert started.wait(5)
    for _ in range(10):  # a flood while the first run is busy
        found.wake()
    release.set()
    assert _until(lambda: len(runs) == 2)
    time.sleep(0.1)
    assert runs == [0, 1]


def test_a_failing_run_is_logged_and_the_thread_keeps_serving(
    bare_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    runs: list[int] = []

    def job() -> None:
        runs.append(1)
        if len(runs) == 1:
            raise RuntimeError("boom")

    found = background_job("drain", job, bare_app)
    found.wake()
    assert _until(lambda: len(runs) == 1)
    found.wake()
    assert _until(lambda: len(runs) == 2)
    assert "background job failed" in caplog.text


def test_a_stopped_job_starts_again_when_woken(bare_app: Flask) -> None:
    runs: list[int] = []
    found = background_job("drain", lambda: runs.append(1), bare_app)
    found.wake()
    assert _until(lambda: len(runs) == 1)
    found.stop(timeout=5)
    found.wake()
    assert _until(lambda: len(runs) == 2)


def test_waiting_for_idle_returns_at_once_without_requests_and_waits_for_one_in_flight() -> None:
    in_flight = RequestsInFlight()
    assert in_flight.wait_idle(0.0)
    entered, leave = threading.Event(), threading.Event()

    def slow_app(environ: object, start_response: object) -> list[bytes]:
        entered.set()
        leave.wait(5)
        return [b""]

    counted = in_flight.wrap(slow_app)
    request = threading.Thread(target=counted, args=({}, None))
    request.start()
    assert entered.wait(5)
    assert not in_flight.wait_idle(0.05)  # a request is in flight: the wait times out
    threading.Timer(0.05, leave.set).start()
    assert in_flight.wait_idle(5)
    request.join(5)


def test_a_request_that_fails_still_leaves_the_count() -> None:
    in_flight = RequestsInFlight()

    def failing(environ: object, start_response: object) -> list[bytes]:
        raise ValueError("the view failed")

    with pytest.raises(ValueError, match="the view failed"):
        in_flight.wrap(failing)({}, None)
    assert in_flight.wait_idle(0.0)


def test_the_job_gives_way_to_a_request_in_flight_but_not_for_ever(bare_app: Flask) -> None:
    entered, leave = threading.Event(), threading.Event()
    waited: list[float] = []

    @bare_app.get("/slow")
    def slow() -> str:
        entered.set()
        leave.wait(5)
        return "ok"

    def job() -> None:
        started = time.monotonic()
        yield_to_requests(timeout=0.3)
        waited.append(time.monotonic() - started)

    client = bare_app.test_client()
    request = threading.Thread(target=client.get, args=("/slow",))
    request.start()
    assert entered.wait(5)
    background_job("drain", job, bare_app).wake()
    assert _until(lambda: waited)
    assert 0.25 <= waited[0] < 2.0  # it waited for the request, then went on
    leave.set()
    request.join(5)


def test_outside_a_background_thread_giving_way_is_a_no_op(bare_app: Flask) -> None:
    with bare_app.app_context():
        started = time.monotonic()
        yield_to_requests(timeout=5)
    assert time.monotonic() - started < 0.5


def test_the_thread_runs_the_apps_warm_ups_once_before_its_first_run(bare_app: Flask) -> None:
    from hotline.jobs import add_warm_up

    order: list[str] = []
    add_warm_up(bare_app, lambda: order.append("warm"))
    found = background_job("drain", lambda: order.append("run"), bare_app)
    found.wake()
    assert _until(lambda: order.count("run") == 1)
    found.wake()
    assert _until(lambda: order.count("run") == 2)
    assert order == ["warm", "run", "run"]


def test_a_failing_warm_up_is_logged_and_the_job_still_runs(bare_app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    from hotline.jobs import add_warm_up

    def broken() -> None:
        raise OSError("model file missing")

    runs: list[int] = []
    add_warm_up(bare_app, broken)
    background_job("drain", lambda: runs.append(1), bare_app).wake()
    assert _until(lambda: runs)
    assert "job warm-up failed" in caplog.text
