"""A fake Twilio caller: follows the app's TwiML through the Flask test client as Twilio would.

It signs every request, plays <Say>/<Play> into a transcript, answers <Gather> with scripted keys (or silence),
<Record> with scripted recordings (posting the action and the recording status callback), <Enqueue> with a queue
outcome or a wait long enough to be sent to voicemail, follows <Redirect>, and posts the final status callback.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from tests.factories import signed_post

_numbers = itertools.count(1)
HANG_UP = "hangup"  # in a script, instead of a key: the caller hangs up at that menu


@dataclass(frozen=True)
class Recorded:
    """What the caller says at a <Record>: ``duration`` seconds; callback order and replay are scriptable."""

    duration: int = 8
    callback_first: bool = False


@dataclass(frozen=True)
class Queue:
    """What happens at an <Enqueue>: an operator answers ("bridged") or the caller waits ``wait`` seconds."""

    result: str | None = "bridged"
    wait: int = 0


Input = str | Recorded | Queue


@dataclass
class FakeCall:
    """One call's identity and what happened in it."""

    call_sid: str
    caller: str
    dialled: str
    transcript: list[str] = field(default_factory=list)
    responses: list[bytes] = field(default_factory=list)
    recordings: list[str] = field(default_factory=list)
    ended_by: str = ""


class FakeTwilioCaller:
    """Drives whole calls against the app; ``check`` is applied to every TwiML document (e.g. XSD validation)."""

    def __init__(self, client: Any, check: Callable[[bytes], None] | None = None, max_requests: int = 60):
        self.client = client
        self.check = check or (lambda body: None)
        self.max_requests = max_requests

    def call(self, inputs: Iterable[Input], caller: str = "+93701234567", dialled: str = "+93790000000",
             call_sid: str | None = None, status: str | None = "completed") -> FakeCall:
        """Place a call, answer with ``inputs`` in order (silence once they run out), hang up when told to."""
        call = FakeCall(call_sid or f"CA{next(_numbers) + 10**9:032x}", caller, dialled)
        script = list(inputs)
        document = self.post(call, "/twilio/voice", {})
        for _ in range(self.max_requests):
            following = self._play(call, document, script)
            if following is None:
                break
            document = following
        else:
            raise AssertionError(f"call did not end after {self.max_requests} requests: {call.transcript[-5:]}")
        if status:
            self.status(call, status, duration=42)
        return call

    def post(self, call: FakeCall, url: str, extra: dict[str, Any]) -> ElementTree.Element:
        """POST a signed webhook and return the parsed TwiML (the response must be 200 TwiML)."""
        response = signed_post(self.client, url, {**self.params(call), **extra})
        assert response.status_code == 200, (url, response.status_code, response.data[:300])
        assert response.mimetype == "text/xml"
        call.responses.append(response.data)
        self.check(response.data)
        return ElementTree.fromstring(response.data)  # noqa: S314 - the app's own TwiML, in a test

    def params(self, call: FakeCall) -> dict[str, str]:
        """The parameters Twilio sends with every voice webhook."""
        return {"CallSid": call.call_sid, "AccountSid": "AC" + "0" * 32, "From": call.caller, "To": call.dialled,
                "CallStatus": "in-progress", "Direction": "inbound", "ApiVersion": "2010-04-01"}

    def status(self, call: FakeCall, status: str, duration: int | None = None) -> Any:
        """Post the call status callback."""
        data = {**self.params(call), "CallStatus": status}
        if duration is not None:
            data["CallDuration"] = str(duration)
        response = signed_post(self.client, "/twilio/voice/status", data)
        assert response.status_code == 204, response.data
        return response

    def _play(self, call: FakeCall, document: ElementTree.Element, script: list[Input]) -> ElementTree.Element | None:
        assert document.tag == "Response"
        for verb in document:
            if verb.tag in ("Say", "Play"):
                self._hear(call, verb)
            elif verb.tag == "Pause":
                continue
            elif verb.tag == "Gather":
                for item in verb:
                    self._hear(call, item)
                key = script.pop(0) if script else ""
                assert isinstance(key, str), f"expected a key press, script has {key!r}"
                if key == HANG_UP:
                    call.transcript.append("CALLER HANGS UP")
                    call.ended_by = "caller"
                    return None
                call.transcript.append(f"PRESS {key or '(silence)'}")
                if key == "" and verb.get("actionOnEmptyResult") != "true":
                    continue  # Twilio falls through to the next verb
                return self.post(call, verb.get("action") or "", {"Digits": key} if key else {})
            elif verb.tag == "Record":
                return self._record(call, verb, script)
            elif verb.tag == "Enqueue":
                return self._enqueue(call, verb, script)
            elif verb.tag == "Redirect":
                call.transcript.append("REDIRECT")
                return self.post(call, verb.text or "", {})
            elif verb.tag == "Hangup":
                call.transcript.append("HANGUP")
                call.ended_by = "hangup"
                return None
            else:
                raise AssertionError(f"unexpected verb {verb.tag}")
        raise AssertionError(f"the caller was left in silence after: {call.transcript[-3:]}")

    def _hear(self, call: FakeCall, verb: ElementTree.Element) -> None:
        if verb.tag == "Say":
            call.transcript.append(f"SAY[{verb.get('language')}] {verb.text}")
        elif verb.tag == "Play":
            url = verb.text or ""
            if url.startswith("/"):
                audio = self.client.get(url)
                audio.close()  # a file response: close it, as a real client would
                assert audio.status_code == 200, url
            call.transcript.append(f"PLAY {url}")

    def _record(self, call: FakeCall, verb: ElementTree.Element, script: list[Input]) -> ElementTree.Element:
        said = script.pop(0) if script else Recorded(duration=0)
        assert isinstance(said, Recorded), f"expected a recording, script has {said!r}"
        sid = f"RE{next(_numbers) + 10**9:032x}"
        call.recordings.append(sid)
        call.transcript.append(f"RECORD {said.duration}s")
        recording = {"RecordingSid": sid, "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/{sid}",
                     "RecordingDuration": str(said.duration)}
        callback = verb.get("recordingStatusCallback")
        if said.callback_first and callback:
            self._recording_callback(call, callback, recording)
        document = self.post(call, verb.get("action") or "", {**recording, "Digits": "#"})
        if not said.callback_first and callback:
            self._recording_callback(call, callback, recording)
        return document

    def _recording_callback(self, call: FakeCall, url: str, recording: dict[str, str]) -> None:
        data = {**self.params(call), **recording, "RecordingStatus": "completed"}
        response = signed_post(self.client, url, data)
        assert response.status_code == 204, response.data

    def _enqueue(self, call: FakeCall, verb: ElementTree.Element, script: list[Input]) -> ElementTree.Element:
        outcome = script.pop(0) if script else Queue(result="hangup")
        assert isinstance(outcome, Queue), f"expected a queue outcome, script has {outcome!r}"
        call.transcript.append(f"ENQUEUE {verb.text}")
        hold = self.post(call, verb.get("waitUrl") or "", {"QueueTime": str(outcome.wait), "QueueSid": "QU" + "1" * 32})
        for item in hold:
            if item.tag == "Redirect":
                call.transcript.append("LEFT QUEUE")
                return self.post(call, item.text or "", {})
            if item.tag in ("Say", "Play"):
                self._hear(call, item)
        return self.post(call, verb.get("action") or "", {"QueueResult": outcome.result or "hangup",
                                                           "QueueTime": str(outcome.wait)})
