"""A call simulator that plays Twilio: it signs requests, follows the app's TwiML and answers from a script.

<Say>/<Play> go to a transcript, <Gather> gets the next scripted key (or silence), <Record> a scripted recording
(posting the action and the recording status callback), <Enqueue> a queue outcome or a long wait, <Redirect> is
followed, and the call status callback is posted at the end. The transport is pluggable: HTTP against a running
server (`hotline simulate call`) or Flask's test client (the functional tests).
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol
from xml.etree import ElementTree

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
HANG_UP = "hangup"  # in a script, instead of a key: the caller hangs up at that menu
_ids = itertools.count(1)


class SimulationError(AssertionError):
    """The app answered in a way Twilio would not accept, or left the caller in silence."""


@dataclass(frozen=True)
class Reply:
    """An HTTP response as the simulator sees it."""

    status: int
    content_type: str
    body: bytes


class Transport(Protocol):
    """How requests reach the app: ``post`` a signed form to a path, ``get`` a path."""

    def post(self, path: str, data: dict[str, str], headers: dict[str, str]) -> Reply: ...

    def get(self, path: str) -> Reply: ...


@dataclass(frozen=True)
class Recorded:
    """What the caller says at a <Record>: ``duration`` seconds; the callback may come before the action."""

    duration: int = 8
    callback_first: bool = False


@dataclass(frozen=True)
class Queue:
    """What happens at an <Enqueue>: an operator answers ("bridged") or the caller waits ``wait`` seconds."""

    result: str | None = "bridged"
    wait: int = 0
    position: int = 1


Input = str | Recorded | Queue


@dataclass
class SimulatedCall:
    """One call's identity and what happened in it."""

    call_sid: str
    caller: str
    dialled: str
    transcript: list[str] = field(default_factory=list)
    responses: list[bytes] = field(default_factory=list)
    recordings: list[str] = field(default_factory=list)
    ended_by: str = ""


def parse_script(text: str) -> list[Input]:
    """A comma-separated script: ``1`` a key, empty for silence, ``rec:12`` a recording, ``queue:bridged``,
    ``wait:300`` (wait in the queue), ``hangup``."""
    inputs: list[Input] = []
    for item in (part.strip() for part in text.split(",")) if text else ():
        kind, _, value = item.partition(":")
        if kind == "rec":
            inputs.append(Recorded(duration=int(value or 8)))
        elif kind == "queue":
            inputs.append(Queue(result=value or "bridged"))
        elif kind == "wait":
            inputs.append(Queue(result=None, wait=int(value or 600)))
        else:
            inputs.append(item)
    return inputs


def new_sid(prefix: str) -> str:
    """A Twilio-shaped id: two letters and 32 hex digits."""
    return f"{prefix}{secrets.token_hex(12)}{next(_ids):08x}"


class CallSimulator:
    """Plays Twilio for whole calls; ``check`` sees every TwiML document, ``echo`` every transcript line."""

    def __init__(self, transport: Transport, auth_token: str, base_url: str,
                 check: Callable[[bytes], None] | None = None, echo: Callable[[str], None] | None = None,
                 max_requests: int = 60):
        self.transport = transport
        self.validator = RequestValidator(auth_token)
        self.base_url = base_url.rstrip("/")
        self.check = check or (lambda body: None)
        self.echo = echo or (lambda line: None)
        self.max_requests = max_requests

    def call(self, inputs: Iterable[Input], caller: str, dialled: str, call_sid: str | None = None,
             status: str | None = "completed") -> SimulatedCall:
        """Place a call, answer with ``inputs`` in order (silence once they run out), post the final status."""
        call = SimulatedCall(call_sid or new_sid("CA"), caller, dialled)
        script = list(inputs)
        document: ElementTree.Element | None = self.webhook(call, "/twilio/voice", {})
        for _ in range(self.max_requests):
            document = self._play(call, document, script) if document is not None else None
            if document is None:
                break
        else:
            raise SimulationError(f"call did not end after {self.max_requests} requests: {call.transcript[-5:]}")
        if status:
            self.status(call, status, duration=42)
        return call

    def params(self, call: SimulatedCall) -> dict[str, str]:
        """The parameters Twilio sends with every voice webhook."""
        return {"CallSid": call.call_sid, "AccountSid": ACCOUNT_SID, "From": call.caller, "To": call.dialled,
                "CallStatus": "in-progress", "Direction": "inbound", "ApiVersion": "2010-04-01"}

    def signed_post(self, path: str, data: dict[str, str]) -> Reply:
        """POST ``data`` to ``path`` with the signature Twilio would compute."""
        signature = self.validator.compute_signature(self.base_url + path, data)
        return self.transport.post(path, data, {"X-Twilio-Signature": signature})

    def webhook(self, call: SimulatedCall, path: str, extra: dict[str, str]) -> ElementTree.Element:
        """POST a signed webhook; the answer must be 200 TwiML."""
        reply = self.signed_post(path, {**self.params(call), **extra})
        if reply.status != 200 or not reply.content_type.startswith(("text/xml", "application/xml")):
            raise SimulationError(f"{path}: HTTP {reply.status} {reply.content_type}: {reply.body[:300]!r}")
        call.responses.append(reply.body)
        self.check(reply.body)
        # The simulator parses TwiML from the server under test; expat resolves no external entities.
        return ElementTree.fromstring(reply.body)  # noqa: S314

    def status(self, call: SimulatedCall, status: str, duration: int | None = None) -> Reply:
        """Post the call status callback."""
        data = {**self.params(call), "CallStatus": status}
        if duration is not None:
            data["CallDuration"] = str(duration)
        reply = self.signed_post("/twilio/voice/status", data)
        if reply.status != 204:
            raise SimulationError(f"status callback: HTTP {reply.status}")
        self._say(call, f"STATUS {status}")
        return reply

    def _say(self, call: SimulatedCall, line: str) -> None:
        call.transcript.append(line)
        self.echo(line)

    def _play(self, call: SimulatedCall, document: ElementTree.Element,
              script: list[Input]) -> ElementTree.Element | None:
        for verb in document:
            if verb.tag in ("Say", "Play"):
                self._hear(call, verb)
            elif verb.tag == "Gather":
                answered, following = self._gather(call, verb, script)
                if answered:
                    return following
            elif verb.tag == "Record":
                return self._record(call, verb, script)
            elif verb.tag == "Enqueue":
                return self._enqueue(call, verb, script)
            elif verb.tag == "Redirect":
                self._say(call, "REDIRECT")
                return self.webhook(call, verb.text or "", {})
            elif verb.tag == "Hangup":
                self._say(call, "HANGUP")
                call.ended_by = "hangup"
                return None
            elif verb.tag != "Pause":
                raise SimulationError(f"unexpected verb <{verb.tag}>")
        raise SimulationError(f"the caller was left in silence after: {call.transcript[-3:]}")

    def _gather(self, call: SimulatedCall, verb: ElementTree.Element,
                script: list[Input]) -> tuple[bool, ElementTree.Element | None]:
        """(False, None) when silence falls through to the next verb; else (True, the next document or None)."""
        for item in verb:
            self._hear(call, item)
        key = script.pop(0) if script else ""
        if not isinstance(key, str):
            raise SimulationError(f"expected a key press, the script has {key!r}")
        if key == HANG_UP:
            self._say(call, "CALLER HANGS UP")
            call.ended_by = "caller"
            return True, None
        self._say(call, f"PRESS {key or '(silence)'}")
        if key == "" and verb.get("actionOnEmptyResult") != "true":
            return False, None  # Twilio falls through to the next verb
        return True, self.webhook(call, verb.get("action") or "", {"Digits": key} if key else {})

    def _hear(self, call: SimulatedCall, verb: ElementTree.Element) -> None:
        if verb.tag == "Say":
            self._say(call, f"SAY[{verb.get('language')}] {verb.text}")
        elif verb.tag == "Play":
            url = verb.text or ""
            if url.startswith("/") and self.transport.get(url).status != 200:
                raise SimulationError(f"audio {url} is not served")
            self._say(call, f"PLAY {url}")

    def _record(self, call: SimulatedCall, verb: ElementTree.Element, script: list[Input]) -> ElementTree.Element:
        said = script.pop(0) if script else Recorded(duration=0)
        if not isinstance(said, Recorded):
            raise SimulationError(f"expected a recording, the script has {said!r}")
        sid = new_sid("RE")
        call.recordings.append(sid)
        self._say(call, f"RECORD {said.duration}s")
        recording = {"RecordingSid": sid, "RecordingDuration": str(said.duration),
                     "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}"}
        callback = verb.get("recordingStatusCallback")
        if said.callback_first and callback:
            self._recording_callback(call, callback, recording)
        document = self.webhook(call, verb.get("action") or "", {**recording, "Digits": "#"})
        if not said.callback_first and callback:
            self._recording_callback(call, callback, recording)
        return document

    def _recording_callback(self, call: SimulatedCall, url: str, recording: dict[str, str]) -> None:
        reply = self.signed_post(url, {**self.params(call), **recording, "RecordingStatus": "completed"})
        if reply.status != 204:
            raise SimulationError(f"recording callback: HTTP {reply.status}")

    def _enqueue(self, call: SimulatedCall, verb: ElementTree.Element, script: list[Input]) -> ElementTree.Element:
        outcome = script.pop(0) if script else Queue(result="hangup")
        if not isinstance(outcome, Queue):
            raise SimulationError(f"expected a queue outcome, the script has {outcome!r}")
        self._say(call, f"ENQUEUE {verb.text}")
        hold = self.webhook(call, verb.get("waitUrl") or "", {"QueueTime": str(outcome.wait),
                                                              "QueuePosition": str(outcome.position),
                                                              "QueueSid": "QU" + "1" * 32})
        result = outcome.result or "hangup"
        for item in hold:
            if item.tag == "Redirect":  # Twilio would fetch it as more hold music: a Record there is not run
                raise SimulationError("a wait URL answered <Redirect>: only <Leave> takes a caller out of a queue")
            if item.tag == "Leave":
                self._say(call, "LEFT QUEUE")
                result = "leave"
                break
            if item.tag in ("Say", "Play"):
                self._hear(call, item)
        return self.webhook(call, verb.get("action") or "", {"QueueResult": result, "QueueTime": str(outcome.wait)})
