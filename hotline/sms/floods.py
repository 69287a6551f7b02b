"""Flood limits, counted in the database so that every web worker on every host sees the same counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Integer, ScalarSelect, Select, bindparam, func, select
from sqlalchemy.orm import Session

from hotline.intake import store
from hotline.intake.constants import Direction
from hotline.intake.models import Caller, Contact, Message
from hotline.sms.config import Limit, SmsConfig
from hotline.sms.models import FlagReason, MessageFlag


def _capped_count(rows: Select[int], cap: str) -> ScalarSelect[int]:
    # Only "more than the limit?" matters: counting stops at limit + 1 rows, so a flood of thousands of messages
    # costs each new one a bounded index scan, not a count of the whole flood.
    return select(func.count()).select_from(rows.limit(bindparam(cap, type_=Integer)).subquery()).scalar_subquery()


def _inbound_since(since: str) -> Select[int]:
    return select(Message.id).where(Message.direction == Direction.INBOUND, Message.created_at > bindparam(since))


# Built once (their compiled forms cached per dialect): this runs for every text.
_EVERYONE = _capped_count(_inbound_since("everyone_since"), "everyone_cap")
_THIS_CALLER = _capped_count(_inbound_since("caller_since").join(Contact, Message.contact_id == Contact.id)
                             .where(Contact.caller_id == bindparam("caller_id")), "caller_cap")
_COUNT_EVERYONE = select(_EVERYONE)
_COUNT_BOTH = select(_THIS_CALLER, _EVERYONE)  # both counts in one round trip


def over_limit(count: int, limit: Limit) -> bool:
    """True when ``count`` messages (this one included) exceed the limit."""
    return count > limit.count


def flood_reason(session: Session, caller: Caller | None, now: datetime, config: SmsConfig) -> str | None:
    """Why the message just stored exceeds a limit (per caller first, then global), or None."""
    everyone, per_caller = config.global_limit, config.per_caller
    params = {"everyone_since": now - timedelta(seconds=everyone.window_seconds), "everyone_cap": everyone.count + 1}
    if caller is None:
        caller_count, global_count = 0, store.execute(session, _COUNT_EVERYONE, params).scalar() or 0
    else:
        params.update(caller_since=now - timedelta(seconds=per_caller.window_seconds),
                      caller_cap=per_caller.count + 1, caller_id=caller.id)
        row = store.execute(session, _COUNT_BOTH, params).one()
        caller_count, global_count = row[0] or 0, row[1] or 0
    if over_limit(caller_count, per_caller):
        return FlagReason.CALLER_RATE
    if over_limit(global_count, everyone):
        return FlagReason.GLOBAL_RATE
    return None


def flag_message(session: Session, message: Message, reason: str) -> MessageFlag:
    """Mark an inbound message as beyond a limit; it stays stored and visible to operators."""
    # One INSERT through the store, like the message it flags: no unit of work to flush in a flood's every text.
    return store.insert_row(session, MessageFlag, {"message_id": message.id, "reason": reason})


def is_flagged(session: Session, message_id: int) -> bool:
    """True when the message was flagged as part of a flood."""
    return session.scalar(select(MessageFlag.id).where(MessageFlag.message_id == message_id)) is not None
