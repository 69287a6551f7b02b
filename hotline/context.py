"""Accessors for what create_app() built: settings, content, keys and the intake context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app, has_app_context

from hotline.content.languages import LanguageTable
from hotline.content.taxonomy import Taxonomy
from hotline.intake.service import CLASSIFY_JOB, IntakeContext
from hotline.jobs import enqueue
from hotline.privacy.keys import PrivacyKeys
from hotline.settings import Settings


@dataclass(frozen=True)
class Runtime:
    """Everything loaded once at start-up and shared, read-only, by every request."""

    settings: Settings
    languages: LanguageTable
    taxonomy: Taxonomy
    keys: PrivacyKeys

    def intake_context(self) -> IntakeContext:
        """What the intake service needs from configuration."""
        return IntakeContext(
            keys=self.keys,
            taxonomy=self.taxonomy,
            reply_address_ttl_days=self.settings.reply_address_ttl_days,
            conversation_window=timedelta(minutes=self.settings.sms_conversation_window_minutes),
            classify_later=_queue_classification,
        )


def _queue_classification(report_id: int) -> None:
    # A script writing through a session of its own, outside any app context, has no queue to put the job on.
    if has_app_context():
        enqueue(CLASSIFY_JOB, report_id)


def runtime(app: Flask | None = None) -> Runtime:
    """The Runtime of ``app`` (default: the current app)."""
    target = app or current_app
    result: Runtime = target.extensions["hotline"]
    return result
