"""The app under benchmark: Hotline itself plus bare floor endpoints, each doing one insert and answering TwiML.

The floors live in Hotline's own app, so they pay what any request pays there (the request hooks, the session and
its one commit per request): a ratio against them measures what a webhook adds, not Flask's or the network's cost.
"""

from __future__ import annotations

from flask import Response, request
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from hotline.app import create_app
from hotline.db import utcnow
from hotline.extensions import db
from hotline.intake.models import Contact

app = create_app()


def _insert_contact(channel: str, provider_id: str) -> None:
    now = utcnow()
    db.session.add(Contact(channel=channel, provider_id=provider_id, ivr_path=[], state={},
                           started_at=now, last_activity_at=now))


@app.post("/twilio/bench/bare")
def bare() -> Response:
    """The voice floor: parse the form, insert one row, return a one-prompt <Gather>; no signature, no flow."""
    _insert_contact("voice", request.form["CallSid"])
    response = VoiceResponse()
    gather = response.gather(action="/twilio/bench/bare?n=1", method="POST", num_digits=1, timeout=6,
                             action_on_empty_result=True)
    gather.say("For English, press 1.", language="en-GB")
    response.redirect("/twilio/bench/bare?n=1", method="POST")
    return Response(str(response), mimetype="text/xml")


@app.post("/twilio/bench/bare-sms")
def bare_sms() -> Response:
    """The SMS floor: parse the form, insert one row, return the empty <Response/> the SMS webhook returns."""
    _insert_contact("sms", request.form["MessageSid"])
    return Response(str(MessagingResponse()), mimetype="application/xml")
