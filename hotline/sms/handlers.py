"""Inbound text handlers: packages that claim some texts before the SMS service files them as caller reports.

A handler sees every inbound text first, in the order registered, and either claims it (answers what it did) or
returns None to pass it on. The focal-point parser is one (`hotline.field` registers it when the app is made, through
``hotline.sms.runtime.register_text_handler``), so the SMS service never imports the packages that extend it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from hotline.intake.inbound import Intake
from hotline.intake.models import Message
from hotline.intake.service import IntakeContext


class HandledText(Protocol):
    """What a handler did with a text it claimed: a replay of one already stored, and the replies it queued."""

    @property
    def replay(self) -> bool: ...

    @property
    def replies(self) -> list[Message]: ...


TextHandler = Callable[[Session, Intake, IntakeContext, datetime], "HandledText | None"]

