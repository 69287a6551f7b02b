"""Multi-part texts: parts of one long SMS that reached us as separate messages, put back together (pure).

A phone splits a long text into segments of 153 GSM-7 septets or 67 UCS-2 units, and the network normally hands
Twilio the whole, which posts it once. Some carriers and SIM gateways deliver the parts separately: then a part
fills its segments exactly (one septet or unit less where an escape or surrogate pair would have straddled the cut)
and the next part follows within seconds. Such a text is one report, not several.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hotline.sms.encoding import SEGMENT_LIMITS, sms_cost

PART_WINDOW = timedelta(seconds=60)  # parts of one text arrive within seconds; a minute allows for slow networks


@dataclass(frozen=True)
class Part:
    """An earlier inbound message of the conversation: its body, arrival and its own report (None if it has none)."""

    body: str
    received_at: datetime
    report_id: int | None


def looks_cut(body: str) -> bool:
    """True when ``body`` fills whole segments of a concatenated SMS, as a part that is not the last one does."""
    if not body:
        return False
    cost = sms_cost(body)
    per_part = SEGMENT_LIMITS[cost.encoding][1]
    return cost.units >= per_part - 1 and cost.units % per_part in (0, per_part - 1)


def continued_report(earlier: Sequence[Part], received_at: datetime, window: timedelta = PART_WINDOW) -> int | None:
    """The report a message arriving at ``received_at`` continues, or None when it starts something new.

    ``earlier`` is the conversation's previous inbound messages, newest first. Walking back, every message must look
    cut and follow the one before within ``window``, until one that has its own report: the text's first part.
    """
    later = received_at
    for part in earlier:
        if not looks_cut(part.body) or not timedelta(0) <= later - part.received_at <= window:
            return None
        if part.report_id is not None:
            return part.report_id
        later = part.received_at  # a middle part, joined to the first one already
    return None


def join_parts(text: str | None, part: str | None) -> str | None:
    """The report's text with the next part appended (segments are cut mid-word: no separator)."""
    if not part:
        return text
    return (text or "") + part
