"""A fake Twilio caller for the functional tests: the app's call simulator, driven through Flask's test client."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hotline.ivr.simulator import HANG_UP, CallSimulator, Input, Queue, Recorded, Reply, SimulatedCall
from tests.factories import TEST_AUTH_TOKEN

BASE_URL = "http://localhost"
FakeCall = SimulatedCall
__all__ = ["HANG_UP", "FakeCall", "FakeTwilioCaller", "Queue", "Recorded"]


class FlaskTransport:
    """Requests through the test client, at the base URL the signatures are computed for."""

    def __init__(self, client: Any):
        self.client = client

    def post(self, path: str, data: dict[str, str], headers: dict[str, str]) -> Reply:
        response = self.client.post(path, data=data, headers=headers, base_url=BASE_URL)
        return Reply(response.status_code, response.content_type or "", response.data)

    def get(self, path: str) -> Reply:
        response = self.client.get(path, base_url=BASE_URL)
        response.close()  # a file response: close it, as a real client would
        return Reply(response.status_code, response.content_type or "", b"")


class FakeTwilioCaller(CallSimulator):
    """Whole calls against the test app; ``check`` sees every TwiML document (e.g. XSD validation)."""

    def __init__(self, client: Any, check: Callable[[bytes], None] | None = None):
        super().__init__(FlaskTransport(client), TEST_AUTH_TOKEN, BASE_URL, check=check)

    def call(self, inputs: Iterable[Input], caller: str = "+93701234567", dialled: str = "+93790000000",
             call_sid: str | None = None, status: str | None = "completed") -> SimulatedCall:
        """A call from ``caller`` to ``dialled`` (an Afghan number by default)."""
        return super().call(inputs, caller, dialled, call_sid, status)
