"""Which Twilio account the app talks to: the REST API base (a local fake in tests) and its credentials."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.settings import Settings

TWILIO_API_HOST = "api.twilio.com"


@dataclass(frozen=True)
class TwilioAccount:
    """Where Twilio's REST API is (tests: a local fake) and the credentials to use it."""

    api_base: str
    account_sid: str
    auth_token: str


def account_of(settings: Settings) -> TwilioAccount:
    """The Twilio REST API base and credentials ``settings`` name."""
    return TwilioAccount(settings.twilio_api_base, settings.twilio_account_sid, settings.twilio_auth_token)
