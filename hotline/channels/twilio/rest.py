"""Twilio's REST client, pointed at HOTLINE_TWILIO_API_BASE (Twilio's own, or a local fake in tests)."""

from __future__ import annotations

import logging

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from hotline.settings import Settings

REQUEST_TIMEOUT_SECONDS = 10
# twilio's HTTP client logs request parameters, which include the recipient's number: keep them out of the logs.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


def twilio_client(settings: Settings) -> Client:
    """A REST client whose API domain (Messages, Calls…) is ``settings.twilio_api_base``."""
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token,
                    http_client=TwilioHttpClient(timeout=REQUEST_TIMEOUT_SECONDS))
    client.api.base_url = settings.twilio_api_base.rstrip("/")
    return client
