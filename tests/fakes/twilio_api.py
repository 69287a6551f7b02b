"""A local fake of Twilio's Messages API on loopback: records requests, answers with Twilio-shaped JSON.

    with FakeTwilioApi() as fake:           # fake.base_url -> HOTLINE_TWILIO_API_BASE
        fake.fail_next(2)                   # the next two sends get 500
        fake.reject_next(21610)             # the next send gets 400 with Twilio error 21610
        url = fake.add_media(data, "audio/ogg")  # a message media item, served to the account's credentials
        url = fake.add_recording(data)           # a call recording (its .mp3), served the same way
        fake.redirect_downloads(storage)         # answer downloads with a redirect, as Twilio does (FakeStorage,
                                                 # or the fake itself: the same host)
        fake.fail_deletes(1)                     # the next DELETE of a recording or media item gets 500
        fake.deletes                             # the DELETE requests received
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Self

from flask import Flask
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

_ERRORS = {21610: "Attempt to send to unsubscribed recipient", 21211: "Invalid 'To' Phone Number"}


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received."""

    method: str
    path: str
    form: dict[str, str]
    account_sid: str | None


class _LoopbackServer:
    """A threaded WSGI server on a loopback address, run while the object is used as a context manager."""

    def __init__(self, host: str) -> None:
        self._server = make_server(host, 0, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self._server.host}:{self._server.server_port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        raise NotImplementedError


class FakeStorage(_LoopbackServer):
    """A second loopback host standing in for Twilio's file storage: serves what it holds to anyone and records the
    headers of every request it got (a download must never bring the account's credentials here)."""

    def __init__(self, host: str = "127.0.0.2") -> None:
        self.headers: list[dict[str, str]] = []
        self._files: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Lock()
        super().__init__(host)

    def put(self, data: bytes, content_type: str) -> str:
        """Hold a file; returns its URL."""
        path = f"/stored/{uuid.uuid4().hex}"
        with self._lock:
            self._files[path] = (data, content_type)
        return self.base_url + path

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with self._lock:
            self.headers.append(dict(request.headers))
            found = self._files.get(request.path)
        if found is None:
            return Response("not found", status=404)(environ, start_response)
        return Response(found[0], status=200, mimetype=found[1])(environ, start_response)


class FakeTwilioApi(_LoopbackServer):
    """A threaded HTTP server answering POST /2010-04-01/Accounts/<sid>/Messages.json like Twilio, serving media and
    recordings to the account's credentials, and deleting them on DELETE."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._failures: list[tuple[int, int | None]] = []  # (HTTP status, Twilio error code), in order
        self._delete_failures = 0
        self._media: dict[str, tuple[bytes, str]] = {}
        self._redirect: FakeStorage | FakeTwilioApi | None = None
        self._any_recording: bytes | None = None
        super().__init__("127.0.0.1")

    @property
    def messages(self) -> list[RecordedRequest]:
        """Requests that created a message."""
        return [r for r in self.requests if r.path.endswith("/Messages.json")]

    @property
    def calls(self) -> list[RecordedRequest]:
        """Requests that placed an outbound call."""
        return [r for r in self.requests if r.path.endswith("/Calls.json")]

    def fail_next(self, times: int, status: int = 500) -> None:
        """Answer the next ``times`` sends with ``status`` (a server error by default)."""
        with self._lock:
            self._failures.extend([(status, None)] * times)

    def reject_next(self, code: int, status: int = 400) -> None:
        """Answer the next send with a Twilio error ``code`` (e.g. 21610, unsubscribed recipient)."""
        with self._lock:
            self._failures.append((status, code))

    def add_media(self, data: bytes, content_type: str, account_sid: str = "AC" + "0" * 32) -> str:
        """Serve ``data`` as a media item of an inbound message; returns its URL as Twilio would post it."""
        path = f"/2010-04-01/Accounts/{account_sid}/Messages/MM{uuid.uuid4().hex}/Media/ME{uuid.uuid4().hex}"
        with self._lock:
            self._media[path] = (data, content_type)
        return "https://api.twilio.com" + path

    @property
    def deletes(self) -> list[str]:
        """Paths of the DELETE requests received (deleted or not)."""
        return [r.path for r in self.requests if r.method == "DELETE"]

    def add_recording(self, data: bytes, account_sid: str = "AC" + "0" * 32) -> str:
        """Serve ``data`` as a call recording's MP3; returns its RecordingUrl as Twilio would post it."""
        path = f"/2010-04-01/Accounts/{account_sid}/Recordings/RE{uuid.uuid4().hex}"
        with self._lock:
            self._media[path + ".mp3"] = (data, "audio/mpeg")
        return "https://api.twilio.com" + path

    def serve_recordings(self, data: bytes) -> None:
        """Serve ``data`` as the MP3 of any recording asked for (the call simulator makes up its recording ids)."""
        self._any_recording = data

    def holds(self, url: str) -> bool:
        """True while the recording or media item at ``url`` has not been deleted."""
        path = url.removeprefix("https://api.twilio.com")
        with self._lock:
            return path in self._media or path + ".mp3" in self._media

    def redirect_downloads(self, target: FakeStorage | FakeTwilioApi | None) -> None:
        """Answer authenticated downloads with a 307 to a copy held by ``target`` (another host, or this fake)."""
        self._redirect = target

    def fail_deletes(self, times: int) -> None:
        """Answer the next ``times`` DELETE requests with 500."""
        with self._lock:
            self._delete_failures += times

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        account = _basic_auth_user(request.headers.get("Authorization"))
        with self._lock:
            self.requests.append(RecordedRequest(request.method, request.path, dict(request.form), account))
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            status, code = failure
            body = {"code": code or 20500, "message": _ERRORS.get(code or 0, "Internal Server Error"),
                    "more_info": f"https://www.twilio.com/docs/errors/{code or 20500}", "status": status}
            return _json(body, status)(environ, start_response)
        if request.method == "GET" and self._any_recording is not None and _RECORDING_MP3.fullmatch(request.path):
            with self._lock:
                self._media.setdefault(request.path, (self._any_recording, "audio/mpeg"))
        if request.method == "GET" and request.path in self._media:
            if account is None or f"/Accounts/{account}/" not in request.path:
                return _json({"code": 20003, "message": "Authenticate", "status": 401}, 401)(environ, start_response)
            data, content_type = self._media[request.path]
            if self._redirect is not None and not request.path.startswith("/stored/"):
                location = self._redirect.put(data, content_type)
                return Response("", status=307, headers={"Location": location})(environ, start_response)
            return Response(data, status=200, mimetype=content_type)(environ, start_response)
        if request.method == "DELETE":
            return self._delete(request.path, account)(environ, start_response)
        if request.method == "POST" and request.path.endswith("/Messages.json"):
            return _json(self._message(request, account), 201)(environ, start_response)
        if request.method == "POST" and "/Queues/" in request.path and "/Members/" in request.path:
            return _json(_queue_member(request), 200)(environ, start_response)
        if request.method == "POST" and request.path.endswith("/Calls.json"):
            return _json(self._call(request, account), 201)(environ, start_response)
        return _json({"code": 20404, "message": "not found", "status": 404}, 404)(environ, start_response)

    def put(self, data: bytes, content_type: str) -> str:
        """Hold a copy on this same host (under /stored/, served to the account's credentials only)."""
        path = f"/stored/{uuid.uuid4().hex}/Accounts/AC{'0' * 32}/"
        with self._lock:
            self._media[path] = (data, content_type)
        return self.base_url + path

    def _delete(self, path: str, account: str | None) -> Response:
        """DELETE .../Recordings/RE….json or .../Messages/MM…/Media/ME….json: 204, or 404 when not there."""
        if account is None or f"/Accounts/{account}/" not in path:
            return _json({"code": 20003, "message": "Authenticate", "status": 401}, 401)
        with self._lock:
            if self._delete_failures:
                self._delete_failures -= 1
                return _json({"code": 20500, "message": "Internal Server Error", "status": 500}, 500)
            base = path.removesuffix(".json")
            found = [key for key in (base, base + ".mp3") if key in self._media]
            for key in found:
                del self._media[key]
        if not found:
            return _json({"code": 20404, "message": "not found", "status": 404}, 404)
        return Response("", status=204)

    def _message(self, request: Request, account: str | None) -> dict[str, Any]:
        sid = f"SM{uuid.uuid4().hex}"  # never collides with the suite's own inbound sids
        body = request.form.get("Body", "")
        return {"sid": sid, "account_sid": account, "to": request.form.get("To"), "from": request.form.get("From"),
                "body": body, "status": "queued", "num_segments": "1", "direction": "outbound-api",
                "api_version": "2010-04-01", "error_code": None, "error_message": None,
                "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json"}

    def _call(self, request: Request, account: str | None) -> dict[str, Any]:
        sid = f"CA{uuid.uuid4().hex}"
        return {"sid": sid, "account_sid": account, "to": request.form.get("To"), "from": request.form.get("From"),
                "status": "queued", "direction": "outbound-api", "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{account}/Calls/{sid}.json"}


def _queue_member(request: Request) -> dict[str, Any]:
    """A Queue Member moved out of its queue (Twilio then requests ``Url`` for the member's call)."""
    parts = request.path.removesuffix(".json").split("/")
    return {"call_sid": parts[-1], "queue_sid": parts[-3], "position": 1, "wait_time": 10,
            "date_enqueued": "Wed, 25 Nov 2026 05:30:00 +0000", "uri": request.path}


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


_RECORDING_MP3 = re.compile(r"/2010-04-01/Accounts/AC[0-9a-f]{32}/Recordings/RE[0-9a-f]{32}\.mp3")


def _basic_auth_user(header: str | None) -> str | None:
    if not header or not header.startswith("Basic "):
        return None
    return base64.b64decode(header[6:]).decode().partition(":")[0]


@contextmanager
def twilio_api_for(app: Flask) -> Iterator[FakeTwilioApi]:
    """Serve a fake Twilio API and point ``app`` at it (HOTLINE_TWILIO_API_BASE), with short retry delays."""
    with FakeTwilioApi() as fake:
        settings, rt = app.config["HOTLINE"], app.extensions["hotline"]
        pointed = dataclasses.replace(settings, twilio_api_base=fake.base_url, sms_retry_base_delay=0.001)
        app.config["HOTLINE"] = pointed
        app.extensions["hotline"] = dataclasses.replace(rt, settings=pointed)
        try:
            yield fake
        finally:
            app.config["HOTLINE"], app.extensions["hotline"] = settings, rt
