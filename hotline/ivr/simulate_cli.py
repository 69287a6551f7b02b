"""`hotline simulate call`: play Twilio against a running Hotline server and print the conversation."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import click
from flask.cli import with_appcontext

from hotline.context import runtime
from hotline.ivr.simulator import CallSimulator, Reply, SimulationError, parse_script

_TIMEOUT = 20


class HttpTransport:
    """Plain HTTP to the server under test (no redirects: Twilio never follows a 3xx from a webhook)."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.opener = urllib.request.build_opener(_NoRedirect())

    def post(self, path: str, data: dict[str, str], headers: dict[str, str]) -> Reply:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base_url + path, data=body, method="POST",  # noqa: S310 - http(s) only
                                         headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
        return self._send(request)

    def get(self, path: str) -> Reply:
        return self._send(urllib.request.Request(self.base_url + path, method="GET"))  # noqa: S310

    def _send(self, request: urllib.request.Request) -> Reply:
        try:
            with self.opener.open(request, timeout=_TIMEOUT) as response:
                return Reply(response.status, response.headers.get("Content-Type", ""), response.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.headers.get("Content-Type", ""), exc.read())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@click.group("simulate")
def simulate_group() -> None:
    """Play Twilio against a running server."""


@simulate_group.command("call")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="The server's base URL.")
@click.option("--to", "dialled", default="+93790000000", show_default=True, help="The hotline number dialled.")
@click.option("--from", "caller", default="+93701234567", show_default=True, help="The caller's number.")
@click.option("--keys", default="1,1,1,", show_default=True,
              help="Comma-separated: a key, empty for silence, rec:SECONDS, queue:bridged, wait:SECONDS, hangup.")
@click.option("--auth-token", default=None, help="Twilio auth token to sign with (default: this app's).")
@with_appcontext
def simulate_call(url: str, dialled: str, caller: str, keys: str, auth_token: str | None) -> None:
    """Place one call: sign requests, follow Gather/Record/Enqueue/Redirect, post callbacks, print what is heard."""
    if not url.startswith(("http://", "https://")):
        raise click.BadParameter("must be an http(s) URL", param_hint="--url")
    token = auth_token or runtime().settings.twilio_auth_token
    simulator = CallSimulator(HttpTransport(url), token, url, echo=click.echo)
    try:
        call = simulator.call(parse_script(keys), caller=caller, dialled=dialled)
    except (SimulationError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"call {call.call_sid}: {len(call.responses)} TwiML responses, {len(call.recordings)} recording(s), "
               f"ended by {call.ended_by or 'the simulator'}")
