"""Call-backs through Twilio's REST API: ``calls.create`` with answering-machine detection."""

from __future__ import annotations

from collections.abc import Callable

from hotline.channels.twilio.rest import twilio_client
from hotline.settings import Settings

STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]


def rest_dialer(settings: Settings) -> Callable[..., str]:
    """Place calls with twilio's REST client (``calls.create``), answering-machine detection enabled."""
    client = twilio_client(settings)

    def dial(*, to: str, from_: str, answer_url: str, status_url: str) -> str:
        call = client.calls.create(to=to, from_=from_, url=answer_url, method="POST", machine_detection="Enable",
                                   status_callback=status_url, status_callback_method="POST",
                                   status_callback_event=STATUS_EVENTS)
        return str(call.sid)

    return dial
