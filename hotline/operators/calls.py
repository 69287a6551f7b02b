"""Live calls between waiting callers and operators: who waits, who an operator takes, and the bridge between them.

Takes a Session, flushes, never commits. The queue member is moved by a function the caller passes (the Twilio
shell's REST call), so this module names no provider.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from hotline.auth.models import User
from hotline.intake.constants import Channel
from hotline.intake.models import Contact, Report
from hotline.intake.state import CallInfo
from hotline.operators.models import OperatorCall
from hotline.operators.routing import ANSWERED, WaitingCall, next_caller

IN_PROGRESS = "in-progress"
URGENT = ("high", "immediate")
PROTECTION = "protection"
# A call still "waiting" after this long lost its status callback: never offered to an operator.
STALE_AFTER = timedelta(hours=2)
MAX_TRIES = 5


@dataclass(frozen=True)
class Taken:
    """A caller an operator takes: the conference room that joins them (opaque, random)."""

    contact_id: int
    room: str
    language: str
    call_id: int = 0  # the OperatorCall row


class NobodyWaiting(Exception):
    """No caller in the operator's languages is waiting."""


def waiting_calls(session: Session, operator_nodes: Collection[str], now: datetime) -> list[WaitingCall]:
    """Voice calls now in an operators' queue (their hold URL gave us the queue), not yet taken."""
    query = select(Contact).where(Contact.channel == Channel.VOICE, Contact.status == IN_PROGRESS,
                                  Contact.ended_at.is_(None), Contact.last_activity_at >= now - STALE_AFTER)
    found: list[tuple[Contact, dict[str, object]]] = []
    for contact in session.scalars(query):
        queue = contact.state.get("call", {}).get("queue") or {}
        if contact.state.get("node") in operator_nodes and queue.get("sid") and not queue.get("room") \
                and not queue.get("gone"):
            found.append((contact, queue))
    flagged = _flagged_callers(session, [contact.caller_id for contact, _ in found if contact.caller_id])
    return [WaitingCall(contact.id, contact.provider_id, str(queue["sid"]), call_language(contact),
                        float(str(queue.get("since") or 0)),
                        protection=PROTECTION in flagged.get(contact.caller_id or 0, ()),
                        urgent="urgent" in flagged.get(contact.caller_id or 0, ()))
            for contact, queue in found]


def call_language(contact: Contact) -> str:
    """The language the caller waits in: the contact's, else the one the flow speaks (a returning caller's call
    keeps the language their caller record knew in the flow's state, and may never set the contact's)."""
    return contact.language or str(contact.state.get("language") or "")


def waiting_for(session: Session, languages: Collection[str], operator_nodes: Collection[str],
                now: datetime) -> tuple[int, int]:
    """How many callers wait in ``languages`` and the longest wait in seconds: counts only, nothing that names one."""
    waits = [now.timestamp() - call.waiting_since for call in waiting_calls(session, operator_nodes, now)
             if call.language in languages]
    return len(waits), int(max(waits, default=0))


def _flagged_callers(session: Session, caller_ids: list[int]) -> dict[int, set[str]]:
    """Per caller: "protection" and/or "urgent" when any of their reports says so."""
    flags: dict[int, set[str]] = {}
    if not caller_ids:
        return flags
    rows = session.execute(select(Report.caller_id, Report.sensitivity, Report.urgency)
                           .where(Report.caller_id.in_(caller_ids)))
    for caller_id, sensitivity, urgency in rows:
        if caller_id is None:
            continue
        if sensitivity == PROTECTION:
            flags.setdefault(caller_id, set()).add(PROTECTION)
        if urgency in URGENT:
            flags.setdefault(caller_id, set()).add("urgent")
    return flags


def take_next_caller(session: Session, operator: User, operator_nodes: Collection[str], now: datetime,
                     dequeue: Callable[[WaitingCall, str], bool], operator_call_sid: str | None = None,
                     via: str = "browser") -> Taken:
    """Give the operator the caller they should answer next and move that caller into a new room.

    The chosen call's row is locked and marked taken before ``dequeue`` asks Twilio to move it, so two operators
    calling at the same moment never take the same caller. A caller Twilio no longer has in the queue (they hung up
    a moment ago) is marked gone and the next one is tried.
    """
    passed: set[int] = set()  # callers another operator is taking at this moment, or already took
    # One read of who waits: a caller skipped below is passed over in this list, not read again.
    waiting = waiting_calls(session, operator_nodes, now)
    tries = 0
    while tries < MAX_TRIES:
        choice = next_caller([call for call in waiting if call.contact_id not in passed], operator.languages or [])
        if choice is None:
            break
        # SKIP LOCKED (PostgreSQL): operators answering at once each take a different caller instead of queueing
        # behind the first one's lock; SQLite serialises writers anyway.
        # populate_existing: the row as it is once locked, not as waiting_calls read it (another operator may have
        # taken this caller and committed in between).
        contact = session.scalar(select(Contact).where(Contact.id == choice.contact_id)
                                 .with_for_update(skip_locked=True).execution_options(populate_existing=True))
        if contact is None or (contact.state.get("call", {}).get("queue") or {}).get("room"):
            passed.add(choice.contact_id)
            continue
        tries += 1
        room = "room_" + secrets.token_hex(12)
        _mark(contact, {"room": room, "taken_at": now.timestamp(), "outcome": ANSWERED, "ended_at": now.timestamp()},
              operator.id, now)
        if dequeue(choice, room):
            wait = int((contact.state.get("call", {}).get("queue") or {}).get("wait") or 0)
            taken = OperatorCall(contact_id=contact.id, operator_id=operator.id, room=room,
                                 operator_call_sid=operator_call_sid, taken_at=now, wait_seconds=wait,
                                 outcome=ANSWERED, via=via)
            session.add(taken)
            session.flush()
            return Taken(contact.id, room, choice.language, taken.id)
        _mark(contact, {"gone": True, "room": None, "outcome": None, "taken_at": None, "ended_at": None}, None, now)
        passed.add(contact.id)
    raise NobodyWaiting()


def _mark(contact: Contact, changes: dict[str, object], operator_id: int | None, now: datetime) -> None:
    info: CallInfo = {**contact.state.get("call", {})}
    queue = dict(info.get("queue", {}))
    since = float(queue.get("since") or now.timestamp())
    info["queue"] = {**queue, "wait": max(0, int(now.timestamp() - since)), **changes}
    if operator_id is not None:
        info["operator_id"] = operator_id
    contact.state = {**contact.state, "call": info}
    session = object_session(contact)
    if session is not None:
        session.flush()


def room_of(session: Session, call_sid: str) -> str | None:
    """The room a taken caller is to join, or None."""
    contact = session.scalar(select(Contact).where(Contact.provider_id == call_sid))
    if contact is None:
        return None
    room = (contact.state.get("call", {}).get("queue") or {}).get("room")
    return str(room) if room else None
