"""Inbound text handlers: packages that claim some texts before the SMS service files them as caller reports.

A handler sees every inbound text first, in the order registered, and either claims it (answers what it did) or
returns None to pass it on. The focal-point parser is one (`hotline.field` registers it when the app is made), so
the SMS service never imports the packages that extend it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from flask import Flask
from sqlalchemy.orm import Session

from hotline.intake.inbound import Intake
from hotline.intake.models import Message
from hotline.intake.service import IntakeContext

_EXTENSION = "hotline_text_handlers"


class HandledText(Protocol):
    """What a handler did with a text it claimed: a replay of one already stored, and the replies it queued."""

    @property
    def replay(self) -> bool: ...

    @property
    def replies(self) -> list[Message]: ...


TextHandler = Callable[[Session, Intake, IntakeContext, datetime], "HandledText | None"]


def register_text_handler(app: Flask, handler: TextHandler) -> None:
    """Offer every inbound text of this app to ``handler`` (after those registered before it)."""
    handlers: list[TextHandler] = app.extensions.setdefault(_EXTENSION, [])
    if handler not in handlers:
        handlers.append(handler)


def text_handlers(app: Flask) -> tuple[TextHandler, ...]:
    """The app's handlers, in the order they see a text."""
    return tuple(app.extensions.get(_EXTENSION, ()))
