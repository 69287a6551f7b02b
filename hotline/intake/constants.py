"""Named states and kinds for intake records (stored as short strings)."""

from enum import StrEnum


class Channel(StrEnum):
    VOICE = "voice"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    FIELD = "field"


class ReportStatus(StrEnum):
    NEW = "new"
    CLAIMED = "claimed"
    ANSWERED = "answered"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Urgency(StrEnum):
    NORMAL = "normal"
    HIGH = "high"
    IMMEDIATE = "immediate"


class Sensitivity(StrEnum):
    NORMAL = "normal"
    SENSITIVE = "sensitive"
    PROTECTION = "protection"


class Direction(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class MessageStatus(StrEnum):
    RECEIVED = "received"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"


class HeardVia(StrEnum):
    """How the caller heard about the hotline (asked once per caller)."""

    RADIO = "radio"
    RELIGIOUS_LEADER = "religious_leader"
    FAMILY_FRIEND = "family_friend"
    POSTER = "poster"
    STREET_THEATRE = "street_theatre"
    SOCIAL_MEDIA = "social_media"
    OTHER = "other"


URGENCY_RANK = {Urgency.IMMEDIATE: 0, Urgency.HIGH: 1, Urgency.NORMAL: 2}
