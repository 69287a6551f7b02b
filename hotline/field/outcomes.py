"""What became of a focal point's report, in plain words (pure): received, being looked at, answered, and whether
staff linked it to a rumour already known. Escalation and protection flags are staff matters: a report under
escalation reads "being looked at", nothing more."""

from __future__ import annotations

RECEIVED = "received"
LOOKED_AT = "being_looked_at"
ANSWERED = "answered"
OUTCOMES = (RECEIVED, LOOKED_AT, ANSWERED)

_BY_STATUS = {"new": RECEIVED, "claimed": LOOKED_AT, "escalated": LOOKED_AT, "answered": ANSWERED,
              "closed": ANSWERED}


def outcome(status: str, coded: bool) -> str:
    """The plain outcome of a report with ``status``; a new report whose coding staff confirmed is being looked at."""
    found = _BY_STATUS.get(status, RECEIVED)
    return LOOKED_AT if found == RECEIVED and coded else found
