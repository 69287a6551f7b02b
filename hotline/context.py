"""Accessors for what create_app() built: settings, content, keys and the intake context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app

from hotline.content.languages import LanguageTable
from hotline.content.taxonomy import Taxonomy
from hotline.intake.service import IntakeContext
from hotline.privacy.keys import PrivacyKeys
from hotline.settings import Settings


def _not_classified(_report_id: int) -> None:
    """An app built without a classifier queues nothing."""


@dataclass(frozen=True)
class Runtime:
    """Everything loaded once at start-up and shared, read-only, by every request."""

    settings: Settings
    languages: LanguageTable
    taxonomy: Taxonomy
    keys: PrivacyKeys
    # Where a new report goes to be classified once committed: set by the app factory to the classifier's job, so
    # the layers below the classifier never name it.
    classify_later: Callable[[int], None] = _not_classified

    def intake_context(self) -> IntakeContext:
        """What the intake service needs from configuration."""
        return IntakeContext(
            keys=self.keys,
            taxonomy=self.taxonomy,
            reply_address_ttl_days=self.settings.reply_address_ttl_days,
            conversation_window=timedelta(minutes=self.settings.sms_conversation_window_minutes),
            classify_later=self.classify_later,
        )


def runtime(app: Flask | None = None) -> Runtime:
    """The Runtime of ``app`` (default: the current app)."""
    target = app or current_app
    result: Runtime = target.extensions["hotline"]
    return result
