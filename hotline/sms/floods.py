"""Flood limits, counted in the database so that every web worker on every host sees the same counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Executable, Integer, ScalarSelect, Select, bindparam, func, literal, select, true
from sqlalchemy.orm import Session

from hotline.intake import store
from hotline.intake.constants import Direction
from hotline.intake.models import Caller, Contact, Message, Report
from hotline.sms.config import Limit, SmsConfig
from hotline.sms.models import FlagReason, MessageFlag
from hotline.sms.parts import PART_WINDOW, Part

PARTS_LOOKBACK = PART_WINDOW * 10  # the earlier parts of a text of up to ten parts
PARTS_KEPT = 10


def _capped_count(rows: Select[int], cap: str) -> ScalarSelect[int]:
    # Only "more than the limit?" matters: counting stops at limit + 1 rows, so a flood of thousands of messages
    # costs each new one a bounded index scan, not a count of the whole flood.
    return select(func.count()).select_from(rows.limit(bindparam(cap, type_=Integer)).subquery()).scalar_subquery()


def _inbound_since(since: str) -> Select[int]:
    return select(Message.id).where(Message.direction == Direction.INBOUND, Message.created_at > bindparam(since))


# Built once (their compiled forms cached per dialect): this runs for every text.
_EVERYONE = _capped_count(_inbound_since("everyone_since"), "everyone_cap").label("everyone")


def _per_caller_count() -> ScalarSelect[int]:
    # Counted from the caller's contacts (an index on caller_id) into each one's messages (one on contact_id,
    # created_at), each contact's count capped: the cost of this caller's messages whatever the planner's statistics
    # say. Joined the other way round, a planner without fresh statistics (a new database's first flood) scanned
    # every message of the window, everyone's, for each text. A sum of counts each capped at limit + 1 exceeds the
    # limit exactly when the caller's total does (``recent_past`` caps the sum again).
    per_contact = _capped_count(_inbound_since("caller_since").where(Message.contact_id == Contact.id)
                                .correlate(Contact), "caller_cap")
    return (select(func.coalesce(func.sum(per_contact), 0))
            .where(Contact.caller_id == bindparam("caller_id")).scalar_subquery())


_THIS_CALLER = _per_caller_count().label("this_caller")
# The earlier parts of a long text: the contact's latest inbound messages before this one.
_EARLIER_PARTS = (
    select(Message.body.label("body"), Message.created_at.label("received_at"), Report.id.label("report_id"),
           Message.id.label("message_id"))
    .outerjoin(Report, Report.message_id == Message.id)
    .where(Message.contact_id == bindparam("contact_id"), Message.direction == Direction.INBOUND,
           Message.id != bindparam("message_id"), Message.created_at <= bindparam("received_at"),
           Message.created_at >= bindparam("parts_since"))
    .order_by(Message.created_at.desc(), Message.id.desc()).limit(PARTS_KEPT)
    .subquery("earlier")
)
_ONE_ROW = select(literal(1).label("one")).subquery("one_row")


@dataclass(frozen=True)
class RecentPast:
    """What filing a text needs of the recent past: the flood counts (this text included, each capped at its
    limit + 1) and, when asked for, the conversation's earlier inbound messages, newest first."""

    this_caller: int
    everyone: int
    earlier: tuple[Part, ...]


NO_PAST = RecentPast(0, 0, ())


@cache
def _recent_statement(caller: bool, parts: bool) -> Executable:
    counts = (_THIS_CALLER if caller else literal(0).label("this_caller"), _EVERYONE)
    if not parts:
        return select(*counts)
    # The counts are uncorrelated scalar subqueries, computed once however many parts come back; the one-row FROM
    # keeps them when there is no earlier part.
    return (select(*counts, _EARLIER_PARTS.c.body, _EARLIER_PARTS.c.received_at, _EARLIER_PARTS.c.report_id)
            .select_from(_ONE_ROW.outerjoin(_EARLIER_PARTS, true()))
            .order_by(_EARLIER_PARTS.c.received_at.desc(), _EARLIER_PARTS.c.message_id.desc()))


def recent_past(session: Session, caller: Caller | None, message: Message, config: SmsConfig, now: datetime,
                parts: bool) -> RecentPast:
    """The flood counts for ``message`` just stored (per caller and everyone's) and, with ``parts``, the earlier
    messages of its conversation that it may continue: one SELECT for both."""
    everyone, per_caller = config.global_limit, config.per_caller
    params: dict[str, Any] = {"everyone_since": now - timedelta(seconds=everyone.window_seconds),
                              "everyone_cap": everyone.count + 1}
    if caller is not None:
        params.update(caller_since=now - timedelta(seconds=per_caller.window_seconds),
                      caller_cap=per_caller.count + 1, caller_id=caller.id)
    if parts:
        params.update(contact_id=message.contact_id, message_id=message.id, received_at=message.created_at,
                      parts_since=message.created_at - PARTS_LOOKBACK)
    rows = store.execute(session, _recent_statement(caller is not None, parts), params).all()
    earlier = tuple(Part(row.body or "", row.received_at, row.report_id) for row in rows if parts and row.received_at)
    this_caller = min(int(rows[0].this_caller or 0), per_caller.count + 1)
    return RecentPast(this_caller, rows[0].everyone or 0, earlier)


def over_limit(count: int, limit: Limit) -> bool:
    """True when ``count`` messages (this one included) exceed the limit."""
    return count > limit.count


def flood_reason(recent: RecentPast, config: SmsConfig) -> str | None:
    """Why the message just stored exceeds a limit (per caller first, then global), or None."""
    if over_limit(recent.this_caller, config.per_caller):
        return FlagReason.CALLER_RATE
    if over_limit(recent.everyone, config.global_limit):
        return FlagReason.GLOBAL_RATE
    return None


def flag_message(session: Session, message: Message, reason: str) -> MessageFlag:
    """Mark an inbound message as beyond a limit; it stays stored and visible to operators."""
    # One INSERT through the store, like the message it flags: no unit of work to flush in a flood's every text.
    return store.insert_row(session, MessageFlag, {"message_id": message.id, "reason": reason})


def is_flagged(session: Session, message_id: int) -> bool:
    """True when the message was flagged as part of a flood."""
    return session.scalar(select(MessageFlag.id).where(MessageFlag.message_id == message_id)) is not None
