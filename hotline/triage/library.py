"""The message library as staff curate it: operators draft counter-messages, supervisors approve or retire them.

Channels only ever read approved, valid messages (hotline.rumours.library.approved_counter_messages).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.service import record_event
from hotline.auth.models import Role, User
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour
from hotline.triage.actions import ActionRefused


class DraftSchema(Schema):
    """A new counter-message as the library form posts it."""

    class Meta:
        unknown = EXCLUDE

    language = fields.String(required=True, validate=validate.Regexp(r"^[a-z]{2,3}$"))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=1600))
    source = fields.String(load_default=None, validate=validate.Length(max=200))
    category = fields.String(load_default=None, validate=validate.Length(max=32))
    rumour_id = fields.Integer(load_default=None)
    valid_from = fields.Date(load_default=None)
    valid_until = fields.Date(load_default=None)


def list_messages(session: Session, language: str | None, status: str | None, category: str | None,
                  limit: int = 200) -> Sequence[CounterMessage]:
    """Counter-messages for the library page, newest first."""
    query = select(CounterMessage)
    if language:
        query = query.where(CounterMessage.language == language)
    if status:
        query = query.where(CounterMessage.status == status)
    if category:
        query = query.where(CounterMessage.category == category)
    return session.scalars(query.order_by(CounterMessage.id.desc()).limit(limit)).all()


def draft(session: Session, form: dict[str, Any], user: User, categories: Sequence[str],
          languages: Sequence[str]) -> CounterMessage:
    """Add a draft counter-message; it is used nowhere until a supervisor approves it."""
    try:
        data = DraftSchema().load({k: v for k, v in form.items() if v not in ("", None)})
    except ValidationError as exc:
        raise ActionRefused("invalid:" + ",".join(sorted(exc.messages))) from None
    if data["language"] not in languages or (data["category"] and data["category"] not in categories):
        raise ActionRefused("invalid:language,category")
    if data["rumour_id"] is not None and session.get(Rumour, data["rumour_id"]) is None:
        raise ActionRefused("invalid:rumour_id")
    if data["rumour_id"] is None and data["category"] is None:
        raise ActionRefused("invalid:category")
    message = CounterMessage(**data, status=ApprovalStatus.DRAFT, created_by_id=user.id)
    session.add(message)
    session.flush()
    record_event(session, f"user:{user.id}", "counter_message.create", "counter_message", message.id,
                 after={"language": message.language, "category": message.category, "rumour_id": message.rumour_id,
                        "status": message.status}, actor_user_id=user.id)
    return message


def set_status(session: Session, message: CounterMessage, user: User, status: str, now: datetime) -> None:
    """Approve or retire a message (supervisors only); approving stamps who and when. Nobody approves a message
    they wrote: a second person checks every text callers will read (four eyes)."""
    if user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise ActionRefused("forbidden")
    if status not in (ApprovalStatus.APPROVED, ApprovalStatus.RETIRED, ApprovalStatus.DRAFT):
        raise ActionRefused("invalid")
    if status == ApprovalStatus.APPROVED and message.created_by_id == user.id:
        raise ActionRefused("own_message")
    before = {"status": message.status, "approved_by_id": message.approved_by_id}
    message.status = status
    if status == ApprovalStatus.APPROVED:
        message.approved_by_id, message.approved_at = user.id, now
    record_event(session, f"user:{user.id}", f"counter_message.{status}", "counter_message", message.id,
                 before=before, after={"status": status, "approved_by_id": message.approved_by_id},
                 actor_user_id=user.id)
    session.flush()


def valid_today(message: CounterMessage, today: date) -> bool:
    """Whether today falls in the message's validity window."""
    return (message.valid_from is None or message.valid_from <= today) and \
        (message.valid_until is None or message.valid_until >= today)


def set_shareable(session: Session, message: CounterMessage, user: User, shareable: bool) -> None:
    """Offer an approved message to peer deployments in the regional feed, or stop offering it (supervisors
    only). Only approved messages may be offered: a draft or a retired text is never shared."""
    if user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise ActionRefused("forbidden")
    if shareable and message.status != ApprovalStatus.APPROVED:
        raise ActionRefused("not_approved")
    before = {"shareable": message.shareable}
    message.shareable = shareable
    record_event(session, f"user:{user.id}", "counter_message.shareable", "counter_message", message.id,
                 before=before, after={"shareable": shareable}, actor_user_id=user.id)
    session.flush()
