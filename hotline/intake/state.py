"""What a contact's ``state`` (a JSON column) may hold, key by key, and who writes each: one declaration, checked
by mypy wherever the state is read or written. Pure: no Flask, no database."""

from __future__ import annotations

from typing import Any, TypedDict


class CallInfo(TypedDict, total=False):
    """What a call's status callbacks tell (``hotline.ivr.service.update_call_status``)."""

    duration: int
    hung_up_at: str | None
    abandoned: bool
    # A call placed by hotline.callbacks (the answer webhook marks it).
    callback: bool
    # The caller's wait for an operator (hotline.ivr.service, hotline.operators.calls): queue sid, since, wait,
    # outcome, the conference room once an operator took the call.
    queue: dict[str, Any]
    operator_id: int  # the operator who took the call (hotline.operators.calls)


class ContactState(TypedDict, total=False):
    """A contact's state. A call's flow position is the IVR engine's (``hotline.ivr.engine``); the other keys are
    written by the channel or service named beside them, each through ``hotline.intake.store.update_state``."""

    # The IVR flow (hotline.ivr.engine) and the TwiML of its current step (hotline.ivr.service).
    node: str | None
    seq: int
    retries: int
    language: str | None
    languages: list[str]
    language_hint: list[str]  # a message left in any language: the number's languages, the caller's choice first
    ended: bool
    flags: dict[str, bool]
    twiml: str
    call: CallInfo
    # A call answered while the database was away (hotline.spool.replay).
    degraded: bool
    # A focal point's visit (hotline.field.reports.visit_details); retention clears ``place``.
    heard_from: str
    place: str
    heard_on: str
    # An SMS caller asked to be called back (hotline.sms.service).
    callback_requested_at: str
