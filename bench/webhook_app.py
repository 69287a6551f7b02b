"""What the webhook benchmarks serve: Hotline itself, and beside it (same gunicorn, same workers and threads) the
floor: a bare Flask app outside Hotline that parses the form, inserts one row through a plain SQLAlchemy engine into
the same database, and answers TwiML like the webhook it stands for.

The floor pays nothing of Hotline (no request hooks, no session, no signature check), so a ratio against it measures
everything a Hotline webhook costs beyond Flask, the network and one insert: a softer floor would hide cost.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, request
from sqlalchemy import MetaData, Table, create_engine, insert
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from hotline.app import create_app

FLOOR_PREFIX = "/twilio/bench/"
hotline = create_app()
floor = Flask("floor")
_url = os.environ["HOTLINE_DATABASE_URL"]
# The database file is already in WAL mode (Hotline set it); a plain engine only waits for the lock like Hotline's.
_engine = create_engine(_url, connect_args={"timeout": 30} if _url.startswith("sqlite") else {})
_contacts = Table("contacts", MetaData(), autoload_with=_engine)


def _insert_contact(channel: str, provider_id: str) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with _engine.begin() as connection:
        connection.execute(insert(_contacts).values(
            channel=channel, provider_id=provider_id, ivr_path=[], state={},
            started_at=now, last_activity_at=now))


@floor.post("/twilio/bench/bare")
def bare() -> Response:
    """The voice floor: parse the form, insert one row, return a one-prompt <Gather>; no signature, no flow."""
    _insert_contact("voice", request.form["CallSid"])
    response = VoiceResponse()
    gather = response.gather(action="/twilio/bench/bare?n=1", method="POST", num_digits=1, timeout=6,
                             action_on_empty_result=True)
    gather.say("For English, press 1.", language="en-GB")
    response.redirect("/twilio/bench/bare?n=1", method="POST")
    return Response(str(response), mimetype="text/xml")


@floor.post("/twilio/bench/bare-sms")
def bare_sms() -> Response:
    """The SMS floor: parse the form, insert one row, return the empty <Response/> the SMS webhook returns."""
    _insert_contact("sms", request.form["MessageSid"])
    return Response(str(MessagingResponse()), mimetype="application/xml")


@floor.get("/twilio/bench/worker")
def worker() -> Response:
    """Which gunicorn worker holds this connection: the load generator spreads its keep-alive clients evenly."""
    return Response(str(os.getpid()), mimetype="text/plain")


def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """The floor's paths go to the bare app, everything else to Hotline."""
    target = floor if environ.get("PATH_INFO", "").startswith(FLOOR_PREFIX) else hotline
    return target(environ, start_response)
