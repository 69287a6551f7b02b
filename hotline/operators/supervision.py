"""Live-voice figures for the supervisor: who waits now, who is available, and how waits ended day by day."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.intake.constants import Channel
from hotline.intake.models import Contact
from hotline.operators.calls import waiting_calls
from hotline.operators.presence import available_operators
from hotline.operators.stats import DayFigures, QueueEnding, daily_figures, operators_by_language, waiting_by_language

WINDOW_DAYS = 7


@dataclass(frozen=True)
class PhoneSupervision:
    """Counts and waits only: nothing here names a caller."""

    waiting: dict[str, tuple[int, int]]
    available: dict[str, int]
    days: list[DayFigures]


def load_phone_supervision(session: Session, operator_nodes: Collection[str], now: datetime) -> PhoneSupervision:
    """The figures of the phone supervision page."""
    waits = [(call.language, now.timestamp() - call.waiting_since)
             for call in waiting_calls(session, operator_nodes, now)]
    operators = [user.languages or [] for user in available_operators(session, now)]
    return PhoneSupervision(waiting_by_language(waits), operators_by_language(operators),
                            daily_figures(_endings(session, now)))


def _endings(session: Session, now: datetime) -> list[QueueEnding]:
    query = select(Contact.language, Contact.state).where(
        Contact.channel == Channel.VOICE, Contact.started_at >= now - timedelta(days=WINDOW_DAYS))
    endings: list[QueueEnding] = []
    for language, state in session.execute(query):
        queue = (state or {}).get("call", {}).get("queue") or {}
        if queue.get("outcome") and queue.get("ended_at"):
            day = datetime.fromtimestamp(float(queue["ended_at"]), UTC).date()
            # A returning caller's call may never set the contact's language (the flow spoke the one their caller
            # record knew): the flow's own language says which queue they waited in.
            spoken = language or (state or {}).get("language") or "?"
            endings.append(QueueEnding(day, str(spoken), str(queue["outcome"]), int(queue.get("wait") or 0)))
    return endings
