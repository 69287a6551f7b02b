"""Delivery status of outbound messages: Twilio's callbacks arrive twice or out of order (pure)."""

from __future__ import annotations

from hotline.intake.constants import MessageStatus

OPTED_OUT_ERROR = 21610  # "Attempt to send to unsubscribed recipient": the caller sent STOP
# Twilio's statuses, ranked: a status may only replace one of a lower rank ("read" is WhatsApp's).
_RANK = {
    "accepted": 1, "scheduled": 1, MessageStatus.QUEUED: 1,
    MessageStatus.SENDING: 2,
    MessageStatus.SENT: 3,
    MessageStatus.UNDELIVERED: 4, MessageStatus.FAILED: 4, "canceled": 4,
    MessageStatus.DELIVERED: 5, "read": 6,
}
# What we store for each status Twilio may send (our MessageStatus has no "accepted", "canceled" or "read").
_STORED = {"accepted": MessageStatus.QUEUED, "scheduled": MessageStatus.QUEUED, "canceled": MessageStatus.FAILED,
           "read": MessageStatus.DELIVERED}


def stored_status(twilio_status: str) -> str:
    """The MessageStatus we record for a Twilio status."""
    status = twilio_status.strip().lower()
    return str(_STORED.get(status, status))


def is_known(twilio_status: str) -> bool:
    """True for a status Twilio documents for outbound messages."""
    return twilio_status.strip().lower() in _RANK


def advances(current: str | None, incoming: str) -> bool:
    """True when ``incoming`` moves a message forward from ``current`` (never backwards, never sideways)."""
    incoming_rank = _RANK.get(incoming.strip().lower())
    if incoming_rank is None:
        return False
    return incoming_rank > _RANK.get(current or "", 0)
