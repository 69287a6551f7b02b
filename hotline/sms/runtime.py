"""The SMS channel's part of the app: what ``create_app`` loads for it and how a request or a job finds it.

The one SMS module that knows Flask. The service, the inbox and the reply sender take an ``SmsContext``; views,
jobs and commands build it here from the app they run in (``sms_context()``), and the packages that extend the
channel plug into the app here (a text handler, the rumour matcher).
"""

from __future__ import annotations

from flask import Flask, current_app

from hotline.context import runtime
from hotline.i18n import babel_identifier
from hotline.ivr.hotlines import HotlineConfig, load_hotlines
from hotline.jobs import add_warm_up, runs_in_process
from hotline.rumours.matching import RumourMatcher
from hotline.settings import CONFIG_DIR
from hotline.sms.config import load_sms_config
from hotline.sms.handlers import TextHandler
from hotline.sms.hours import describe_hours
from hotline.sms.hours import preload as preload_day_names
from hotline.sms.instant import no_match
from hotline.sms.language import preload as preload_language_model
from hotline.sms.service import SmsContext

_SMS_CONFIG = "hotline_sms_config"
_HOTLINES = "hotline_sms_hotlines"
_HANDLERS = "hotline_text_handlers"
_MATCHER = "hotline_rumour_matcher"


def load_into_app(app: Flask) -> None:
    """Load and validate config/sms_keywords.yaml once per app (ContentError names file, line and key); a process
    about to file texts reads the language model and the day names of the opening hours first."""
    app.extensions[_SMS_CONFIG] = load_sms_config()
    add_warm_up(app, preload_language_model)
    add_warm_up(app, lambda: preload_day_names(babel_identifier(code) for code in runtime(app).languages.codes))


def sms_context(app: Flask | None = None) -> SmsContext:
    """The SMS service's context for ``app`` (default: the current app), from its runtime and loaded files."""
    target = app or current_app
    rt = runtime(target)
    if _SMS_CONFIG not in target.extensions:
        load_into_app(target)
    if _HOTLINES not in target.extensions:
        target.extensions[_HOTLINES] = load_hotlines(CONFIG_DIR / "hotlines.yaml", rt.languages.codes)
    numbers: HotlineConfig = target.extensions[_HOTLINES]

    def hours(number: str | None, language: str) -> str:
        office = numbers.for_number((number or "").removeprefix("whatsapp:")).office_hours
        return describe_hours(office.days, office.open, office.close, babel_identifier(language))

    return SmsContext(intake=rt.intake_context(), config=target.extensions[_SMS_CONFIG], languages=rt.languages,
                      categories=rt.taxonomy.category_ids, matcher=rumour_matcher(target),
                      reply_address_ttl_days=rt.settings.reply_address_ttl_days, handlers=text_handlers(target),
                      hours=hours)


def inbox_filing(app: Flask | None = None) -> str:
    """Who files an inbound text: ``worker`` (jobs on Redis), ``background`` (a thread of this web process) or
    ``request`` (the webhook's own request): see ``hotline.sms.inbox``."""
    target = app or current_app
    if not runs_in_process(target):
        return "worker"
    return runtime(target).settings.sms_filing or ("request" if target.testing else "background")


def register_text_handler(app: Flask, handler: TextHandler) -> None:
    """Offer every inbound text of this app to ``handler`` (after those registered before it)."""
    handlers: list[TextHandler] = app.extensions.setdefault(_HANDLERS, [])
    if handler not in handlers:
        handlers.append(handler)


def text_handlers(app: Flask) -> tuple[TextHandler, ...]:
    """The app's handlers, in the order they see a text."""
    return tuple(app.extensions.get(_HANDLERS, ()))


def rumour_matcher(app: Flask | None = None) -> RumourMatcher:
    """The app's matcher for instant answers (none installed: nothing matches)."""
    matcher: RumourMatcher = (app or current_app).extensions.get(_MATCHER, no_match)
    return matcher


def set_rumour_matcher(app: Flask, matcher: RumourMatcher | None) -> None:
    """Plug a matcher in (None: back to no matches)."""
    if matcher is None:
        app.extensions.pop(_MATCHER, None)
    else:
        app.extensions[_MATCHER] = matcher
