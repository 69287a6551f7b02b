"""When the hotline may call a caller back. Pure: no Flask, no database.

A call-back goes only to a caller who asked for it and consented, whose number we still hold, who has not opted out
or been erased; only in their local daytime (the time zone of the number they called), at most ``max_attempts``
times, and not sooner than ``min_gap`` after the last attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# Why a call-back is refused (named constants: the console translates them).
NO_CONSENT, ERASED, OPTED_OUT, NO_NUMBER, OUTSIDE_DAYTIME, TOO_MANY, TOO_SOON = (
    "no_consent", "erased", "opted_out", "no_number", "outside_daytime", "too_many", "too_soon",
)
# Twilio's AnsweredBy values that mean nobody is listening: nothing may be said to them.
_MACHINES = ("machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax")


@dataclass(frozen=True)
class CallbackRules:
    """The limits of call-backs (config: hotline/config/defaults.yaml, ``callbacks``)."""

    max_attempts: int = 3
    day_start: time = time(9, 0)
    day_end: time = time(19, 0)
    min_gap: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class CallerStanding:
    """What the policy needs to know about the caller and their request."""

    consented: bool
    erased: bool
    opted_out: bool
    has_number: bool


def refusal(standing: CallerStanding, attempts: Sequence[datetime], now: datetime, timezone: str,
            rules: CallbackRules) -> str | None:
    """Why the hotline may not call back now, or None when it may."""
    if standing.erased:
        return ERASED
    if standing.opted_out:
        return OPTED_OUT
    if not standing.consented:
        return NO_CONSENT
    if not standing.has_number:
        return NO_NUMBER
    if len(attempts) >= rules.max_attempts:
        return TOO_MANY
    if attempts and now - max(attempts) < rules.min_gap:
        return TOO_SOON
    if not is_daytime(now, timezone, rules):
        return OUTSIDE_DAYTIME
    return None


def is_daytime(now: datetime, timezone: str, rules: CallbackRules) -> bool:
    """Whether ``now`` (timezone-aware) is daytime where the caller lives."""
    local = now.astimezone(ZoneInfo(timezone)).time()
    return rules.day_start <= local < rules.day_end


def is_machine(answered_by: str | None) -> bool:
    """Whether answering-machine detection says a machine (or fax) answered; unknown counts as a person."""
    return (answered_by or "").lower() in _MACHINES


# Spoken replies: why one may not be recorded or placed (besides the call-back reasons above).
NO_ANSWER, NO_PROMPTS, NOT_AUDIO = "no_answer", "no_prompts", "not_audio"

# How far a spoken reply got (named constants: the console translates them).
QUEUED, CALLING, ANSWERED, PLAYED, MACHINE, NOT_ANSWERED, HUNG_UP, FAILED = (
    "queued", "calling", "answered", "played", "machine", "not_answered", "hung_up", "failed",
)
DELIVERED = frozenset({PLAYED})
NOT_DELIVERED = frozenset({MACHINE, NOT_ANSWERED, HUNG_UP, FAILED})
_RINGING = frozenset({"initiated", "ringing", "in-progress"})
_NOBODY = frozenset({"busy", "no-answer", "canceled"})


def delivery(status: str, outcome: str, plays: int) -> str:
    """The delivery status of one spoken-reply call, from Twilio's call status, the call's outcome (as call-backs
    store it: placed, person, machine, unanswered, failed) and how many times the answer was played."""
    if plays > 0:
        return PLAYED
    if outcome == "machine":
        return MACHINE
    if outcome == "failed" or status == "failed":
        return FAILED
    if outcome == "unanswered" or status in _NOBODY:
        return NOT_ANSWERED
    if outcome == "person":
        return HUNG_UP if status == "completed" else ANSWERED
    if status == "completed":  # ended without Twilio ever asking what to say
        return NOT_ANSWERED
    if status in _RINGING:
        return CALLING
    return QUEUED
