"""The app under benchmark: Hotline itself plus a bare floor endpoint (one insert, a similar <Gather>)."""

from __future__ import annotations

from flask import Response, request
from twilio.twiml.voice_response import VoiceResponse

from hotline import create_app
from hotline.db import utcnow
from hotline.extensions import db
from hotline.intake.models import Contact

app = create_app()


@app.post("/twilio/bench/bare")
def bare() -> Response:
    """The floor: parse the form, insert one row, return a one-prompt <Gather>; no signature, no flow."""
    now = utcnow()
    db.session.add(Contact(channel="voice", provider_id=request.form["CallSid"], ivr_path=[], state={},
                           started_at=now, last_activity_at=now))
    response = VoiceResponse()
    gather = response.gather(action="/twilio/bench/bare?n=1", method="POST", num_digits=1, timeout=6,
                             action_on_empty_result=True)
    gather.say("For English, press 1.", language="en-GB")
    response.redirect("/twilio/bench/bare?n=1", method="POST")
    return Response(str(response), mimetype="text/xml")
