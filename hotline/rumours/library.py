"""The message library as channels read it: approved, currently valid counter-messages in one language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour, RumourStatus


def approved_counter_messages(
    session: Session,
    language: str,
    today: date,
    *,
    rumour_id: int | None = None,
    category: str | None = None,
    limit: int = 10,
) -> Sequence[CounterMessage]:
    """Approved messages valid ``today`` in ``language``, most relevant first.

    With ``rumour_id`` or ``category``, only messages for that rumour or category (a rumour's messages first).
    Without either, messages for the rumours most reported recently come first, then category-wide ones.
    """
    query = (
        select(CounterMessage)
        .outerjoin(Rumour, CounterMessage.rumour_id == Rumour.id)
        .where(
            CounterMessage.status == ApprovalStatus.APPROVED,
            CounterMessage.language == language,
            or_(CounterMessage.valid_from.is_(None), CounterMessage.valid_from <= today),
            or_(CounterMessage.valid_until.is_(None), CounterMessage.valid_until >= today),
            or_(Rumour.id.is_(None), Rumour.status == RumourStatus.REVIEWED),
        )
    )
    if rumour_id is not None:
        query = query.where(CounterMessage.rumour_id == rumour_id)
    elif category is not None:
        query = query.where(or_(CounterMessage.category == category, Rumour.category == category))
    query = query.order_by(
        CounterMessage.rumour_id.is_(None),
        Rumour.last_seen_at.desc().nulls_last(),
        Rumour.report_count.desc().nulls_last(),
        CounterMessage.approved_at.desc(),
        CounterMessage.id,
    ).limit(limit)
    return session.scalars(query).all()
