"""Flood limits, counted in the database so that every web worker on every host sees the same counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ScalarSelect, Select, func, select
from sqlalchemy.orm import Session

from hotline.intake.constants import Direction
from hotline.intake.models import Caller, Contact, Message
from hotline.sms.config import Limit, SmsConfig
from hotline.sms.models import FlagReason, MessageFlag


def _capped_count(rows: Select[int], limit: Limit) -> ScalarSelect[int]:
    # Only "more than the limit?" matters: counting stops at limit + 1 rows, so a flood of thousands of messages
    # costs each new one a bounded index scan, not a count of the whole flood.
    return select(func.count()).select_from(rows.limit(limit.count + 1).subquery()).scalar_subquery()


def _inbound_since(since: datetime) -> Select[int]:
    return select(Message.id).where(Message.direction == Direction.INBOUND, Message.created_at > since)


def over_limit(count: int, limit: Limit) -> bool:
    """True when ``count`` messages (this one included) exceed the limit."""
    return count > limit.count


def flood_reason(session: Session, caller: Caller | None, now: datetime, config: SmsConfig) -> str | None:
    """Why the message just stored exceeds a limit (per caller first, then global), or None."""
    everyone = _capped_count(_inbound_since(now - timedelta(seconds=config.global_limit.window_seconds)),
                             config.global_limit)
    if caller is None:
        caller_count, global_count = 0, session.scalar(select(everyone)) or 0
    else:
        this_caller = _capped_count(_inbound_since(now - timedelta(seconds=config.per_caller.window_seconds))
                                    .join(Contact, Message.contact_id == Contact.id)
                                    .where(Contact.caller_id == caller.id), config.per_caller)
        row = session.execute(select(this_caller, everyone)).one()  # both counts in one round trip
        caller_count, global_count = row[0] or 0, row[1] or 0
    if over_limit(caller_count, config.per_caller):
        return FlagReason.CALLER_RATE
    if over_limit(global_count, config.global_limit):
        return FlagReason.GLOBAL_RATE
    return None


def flag_message(session: Session, message: Message, reason: str) -> MessageFlag:
    """Mark an inbound message as beyond a limit; it stays stored and visible to operators."""
    flag = MessageFlag(message=message, reason=reason)
    session.add(flag)
    session.flush()
    return flag


def is_flagged(session: Session, message_id: int) -> bool:
    """True when the message was flagged as part of a flood."""
    return session.scalar(select(MessageFlag.id).where(MessageFlag.message_id == message_id)) is not None
