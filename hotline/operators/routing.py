"""Which waiting caller an operator takes next. Pure: no Flask, no database.

Only callers in the operator's languages; protection-flagged and urgent callers first, then the longest wait.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class WaitingCall:
    """A caller in an operators' queue, as routing sees them (no number, no pseudonym)."""

    contact_id: int
    call_sid: str
    queue_sid: str
    language: str
    waiting_since: float  # POSIX seconds
    protection: bool = False
    urgent: bool = False


def next_caller(waiting: Iterable[WaitingCall], languages: Iterable[str]) -> WaitingCall | None:
    """The caller an operator speaking ``languages`` answers next, or None."""
    spoken = set(languages)
    candidates = [call for call in waiting if call.language in spoken]
    if not candidates:
        return None
    return min(candidates, key=lambda call: (not call.protection, not call.urgent, call.waiting_since,
                                             call.contact_id))


# What Twilio's <Enqueue> action reports (QueueResult), as the outcome of a caller's wait for an operator.
ANSWERED, ABANDONED, VOICEMAIL = "answered", "abandoned", "voicemail"
_OUTCOMES = {"bridged": ANSWERED, "bridging-in-process": ANSWERED, "redirected": ANSWERED, "hangup": ABANDONED,
             "leave": VOICEMAIL}


def queue_outcome(queue_result: str | None) -> str:
    """answered / abandoned / voicemail; a queue error (full, system error) ends in voicemail too."""
    return _OUTCOMES.get(queue_result or "", VOICEMAIL)
