"""Access tokens for the operators' browser softphone (Twilio's Voice JavaScript SDK)."""

from __future__ import annotations

from datetime import timedelta

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from hotline.settings import Settings

TOKEN_LIFETIME = timedelta(minutes=10)


class PhoneNotConfigured(Exception):
    """The softphone's API key or TwiML App is not set."""


def access_token(settings: Settings, identity: str, lifetime: timedelta = TOKEN_LIFETIME) -> str:
    """A short-lived access token letting ``identity`` place calls through the TwiML App (and receive none)."""
    if not (settings.twilio_api_key_sid and settings.twilio_api_key_secret and settings.twilio_twiml_app_sid):
        raise PhoneNotConfigured()
    token = AccessToken(settings.twilio_account_sid, settings.twilio_api_key_sid, settings.twilio_api_key_secret,
                        identity=identity, ttl=int(lifetime.total_seconds()))
    token.add_grant(VoiceGrant(outgoing_application_sid=settings.twilio_twiml_app_sid, incoming_allow=False))
    return str(token.to_jwt())
