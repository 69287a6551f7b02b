"""The SMS/WhatsApp service: one inbound message in, stored once, and the right replies (if any) queued."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from hotline.content.languages import LanguageTable
from hotline.db import after_commit
from hotline.intake import store
from hotline.intake.models import Caller, Contact, Message, Report
from hotline.intake.service import IntakeContext, IntakeResult, Learnt, record
from hotline.jobs import enqueue
from hotline.privacy.phone import NotAPhoneNumber, parse_address
from hotline.privacy.sealing import expiry, seal
from hotline.rumours.library import approved_counter_messages
from hotline.rumours.matching import RumourMatcher
from hotline.sms import replies
from hotline.sms.config import SmsConfig
from hotline.sms.floods import NO_PAST, flag_message, flood_reason, recent_past
from hotline.sms.handlers import TextHandler
from hotline.sms.inbound import parse_inbound
from hotline.sms.instant import DEFAULT_THRESHOLD, answer_instantly
from hotline.sms.keywords import TWILIO_COMMANDS, Command, Interpretation, interpret, resolve_language, resolve_topic
from hotline.sms.language import LanguageDecision, detect_language
from hotline.sms.media import fetch_media_job
from hotline.sms.outbound import mark_opted_out, queue_reply
from hotline.sms.parts import Part, continued_report, join_parts
from hotline.sms.priors import country_of, language_priors

_ADOPT_LANGUAGE_CONFIDENCE = 0.5  # a caller with no known language adopts a detection at least this sure
_SWITCH_SCRIPT_CONFIDENCE = 0.9  # a reply follows the message's script when it is certain and differs
# A reply follows the message's language over the caller's known one (same script) when the decision, which
# already counted the caller's language, is at least this sure: an Indonesian once taken for Malay is answered in
# Indonesian when they write clearly Indonesian words.
_SWITCH_LANGUAGE_CONFIDENCE = 0.8
# A call-back request and a request for facts may need a person: they reach the operators' queue.
_KEYWORDS_KEPT_AS_REPORTS = (Command.CALLBACK, Command.FACTS)


@dataclass(frozen=True)
class SmsContext:
    """What the SMS service needs besides the session (built from the app by ``hotline.sms.runtime``)."""

    intake: IntakeContext
    config: SmsConfig
    languages: LanguageTable
    categories: tuple[str, ...]
    matcher: RumourMatcher
    reply_address_ttl_days: int
    instant_threshold: float = DEFAULT_THRESHOLD
    handlers: tuple[TextHandler, ...] = ()  # offered each text first (hotline.sms.handlers)
    # The office hours of the number texted, as a caller reads them in ``language``: (number, language) -> text.
    hours: Callable[[str | None, str], str] | None = None

    def opening_hours(self, number: str | None, language: str) -> str:
        """The hours to tell a caller who texted ``number``: that number's office hours, else the configured text."""
        return self.hours(number, language) if self.hours is not None else self.config.opening_hours


@dataclass
class InboundOutcome:
    """What happened to one inbound message."""

    replay: bool = False
    joined: bool = False  # a later part of a long text, appended to its first part's report
    flagged: str | None = None
    command: Command | None = None
    language: LanguageDecision | None = None
    replies: list[Message] = field(default_factory=list)


def handle_inbound(session: Session, form: Mapping[str, Any], ctx: SmsContext, now: datetime) -> InboundOutcome:
    """Store one inbound SMS/WhatsApp message idempotently and queue its replies (sent after commit)."""
    event = parse_inbound(form, now)
    inbound = event.message
    if inbound is None:  # parse_inbound always builds one; this tells the type checker
        raise ValueError("an inbound SMS carries a message")
    for handler in ctx.handlers:  # e.g. a registered focal point's structured report
        claimed = handler(session, event, ctx.intake, now)
        if claimed is not None:
            return InboundOutcome(replay=claimed.replay, replies=list(claimed.replies))
    keyword = interpret(inbound.body, ctx.config)
    if keyword is not None and keyword.command not in _KEYWORDS_KEPT_AS_REPORTS:
        event = dataclasses.replace(event, report=None)  # nothing for an operator to act on
    # The language is decided once intake knows the caller's (weighed with what the text says), and written with
    # the report, the new conversation and a caller who had none: no UPDATE after them.
    priors = language_priors((_hotline_country(event.hotline_number), country_of(event.sender)),
                             ctx.config.country_languages)
    decided: list[LanguageDecision] = []

    def learn(known: str | None) -> Learnt:
        decision = _detect(inbound.body, known, priors, ctx.config)
        decided.append(decision)
        return Learnt(decision.language, decision.confidence,
                      caller_adopts=decision.confidence >= _ADOPT_LANGUAGE_CONFIDENCE)

    result = record(session, event, ctx.intake, learn)
    if not result.created:
        return InboundOutcome(replay=True)
    message = _inbound_message(result)
    if inbound.media:  # fetched into local storage once this commits, so operators never need Twilio's URL
        message_id = message.id
        after_commit(session, lambda: enqueue(fetch_media_job, message_id))
    caller = result.caller
    decision = decided[0]
    twilio_command = keyword.command if keyword is not None and keyword.command in TWILIO_COMMANDS else None
    # A later part of a long text continues a report of a conversation that was open already. The flood counts
    # and the earlier parts come in one SELECT; a Twilio command needs neither.
    parts = keyword is None and result.report is not None and not result.new_contact
    past = recent_past(session, caller, message, ctx.config, now, parts) if twilio_command is None else NO_PAST
    joined = _fold_into_earlier_part(session, result, message, past.earlier, ctx.intake) if parts else False
    if joined:
        result = dataclasses.replace(result, report=None)  # its text went to the report of the text's first part
    _store_language(result, decision)
    outcome = InboundOutcome(command=keyword.command if keyword else None, language=decision, joined=joined)
    if twilio_command is not None:
        _mirror_twilio_keyword(twilio_command, caller, event.sender, ctx, now)
        return outcome  # Twilio has answered it: no second reply
    outcome.flagged = flood_reason(past, ctx.config)
    if outcome.flagged:
        flag_message(session, message, outcome.flagged)
        return outcome
    if caller is None or caller.opted_out or joined:
        return outcome
    language = _reply_language(caller, keyword, decision, ctx.languages)
    variant = replies.reply_variant(language, decision.script, ctx.languages)
    if result.new_contact:
        _reply(outcome, session, result.contact,
               replies.render(variant, replies.ACKNOWLEDGEMENT,
                              hours=ctx.opening_hours(result.contact.hotline_number,
                                                       _hours_language(language, variant))), now)
    if keyword is not None:
        for body in _keyword_replies(session, keyword, caller, result.contact, (language, decision.script), ctx, now):
            _reply(outcome, session, result.contact, body, now)
    elif result.report is not None:
        match = ctx.matcher(result.report)
        sent = answer_instantly(session, result.report, match, language=language, now=now,
                                threshold=ctx.instant_threshold)
        if sent is not None:
            outcome.replies.append(sent)
    return outcome


# A deployment has a handful of hotline numbers, public ones: worth remembering (a sender's number is not kept).
_hotline_country = lru_cache(maxsize=64)(country_of)


def _inbound_message(result: IntakeResult) -> Message:
    if result.message is None:  # record stores the message of every new event that brings one
        raise LookupError("intake stored no message")
    return result.message


def _fold_into_earlier_part(session: Session, result: IntakeResult, message: Message, earlier: Sequence[Part],
                            intake: IntakeContext) -> bool:
    """When this message is the next part of a long text delivered in pieces (``earlier``: the conversation's
    previous inbound messages, newest first), append it to the first part's report."""
    report = result.report
    if report is None or result.new_contact:
        return False
    first_id = continued_report(earlier, message.created_at)
    first = session.get(Report, first_id) if first_id is not None else None
    if first is None or first.text_redacted_at is not None:
        return False
    first.text = join_parts(first.text, report.text)
    if first.coded_by_id is None:  # the model coded a fragment: code the whole text again
        first.classifier_version = None
        first_report_id = first.id
        after_commit(session, lambda: intake.classify_later(first_report_id))
    session.delete(report)
    session.flush()
    return True


def _reply(outcome: InboundOutcome, session: Session, contact: Contact, body: str, now: datetime) -> None:
    sent = queue_reply(session, contact, body, now=now)
    if sent is not None:
        outcome.replies.append(sent)


def _detect(body: str | None, known: str | None, priors: dict[str, float], config: SmsConfig) -> LanguageDecision:
    return detect_language(body, known, config.romanised_lexicon, priors=priors, cues=config.language_cues)


def _store_language(result: IntakeResult, decision: LanguageDecision) -> None:
    """Record the decision on the report and conversation; a caller with no known language adopts it."""
    # Only what differs is set: the store wrote most of it already, and an object set to its own values would
    # still be flushed (as a no-op) before the next text's first statement.
    report: Report | None = result.report
    if report is not None and decision.language:
        _set_language(report, decision)
    contact = result.contact
    if decision.language and (contact.language is None or result.new_contact):
        _set_language(contact, decision)
    caller = result.caller
    if caller is not None and caller.language is None and decision.language \
            and decision.confidence >= _ADOPT_LANGUAGE_CONFIDENCE:
        caller.language = decision.language


def _set_language(row: Report | Contact, decision: LanguageDecision) -> None:
    if (row.language, row.language_confidence) != (decision.language, decision.confidence):
        row.language, row.language_confidence = decision.language, decision.confidence


def _reply_language(caller: Caller, keyword: Interpretation | None, decision: LanguageDecision,
                    languages: LanguageTable) -> str:
    """The caller's language; a keyword's or the message's when the caller's is unknown, or when the message is
    surely in another language (another script, or the same script with clear words of another language)."""
    known = caller.language or (keyword.language if keyword else None)
    if known is None:
        return decision.language or "en"
    known_language = languages.get(known)
    if not decision.language or decision.language == known or known_language is None:
        return known
    if decision.confidence >= _SWITCH_SCRIPT_CONFIDENCE and decision.script not in (None, known_language.script):
        return decision.language
    if decision.method == "model+caller" and decision.confidence >= _SWITCH_LANGUAGE_CONFIDENCE:
        return decision.language
    return known


def _mirror_twilio_keyword(command: Command, caller: Caller | None, sender: str | None, ctx: SmsContext,
                           now: datetime) -> None:
    """STOP and START as Twilio applies them: recorded on the Caller, so we never text an opted-out caller."""
    if caller is None:
        return
    if command == Command.OPT_OUT:
        mark_opted_out(caller, now)
    elif command == Command.OPT_IN and caller.opted_out:
        caller.opted_out, caller.opted_out_at = False, None
        try:
            address = parse_address(sender)
        except NotAPhoneNumber:
            return
        caller.reply_address = seal(ctx.intake.keys, address.reply_address, caller.pseudonym)
        caller.reply_address_expires_at = expiry(now, ctx.reply_address_ttl_days)


def _keyword_replies(session: Session, keyword: Interpretation, caller: Caller, contact: Contact,
                     reply_in: tuple[str, str | None], ctx: SmsContext, now: datetime) -> list[str]:
    """The replies to a keyword, in ``reply_in`` (language, script of the caller's message)."""
    language, script = reply_in
    variant = replies.reply_variant(language, script, ctx.languages)
    if keyword.command == Command.HELP:
        return [replies.render(variant, replies.HELP)]
    if keyword.command == Command.LANGUAGE:
        chosen = resolve_language(keyword.argument, replies.language_names(ctx.languages, ctx.config.language_names))
        if chosen is None:
            names = ", ".join(lang.native_name for lang in ctx.languages.languages)
            return [replies.render(variant, replies.LANGUAGE_OPTIONS, languages=names)]
        caller.language = contact.language = chosen
        contact.language_confidence = 1.0
        return [replies.render(replies.reply_variant(chosen, script, ctx.languages), replies.LANGUAGE_SET)]
    if keyword.command == Command.FACTS:
        category = resolve_topic(keyword.argument, ctx.config, ctx.categories)
        found = approved_counter_messages(session, language, now.date(), category=category, limit=1)
        return [found[0].body if found else replies.render(variant, replies.FACTS_PENDING)]
    if keyword.command == Command.CALLBACK:
        store.update_state(contact, {"callback_requested_at": now.isoformat()})
        return [replies.render(variant, replies.CALLBACK,
                               hours=ctx.opening_hours(contact.hotline_number, _hours_language(language, variant)))]
    return []


def _hours_language(language: str, variant: str) -> str:
    """The language to name the days in: a reply in another script (romanised Dari) names them in English, whose
    day names are in Latin letters too, rather than mixing scripts in one text."""
    return language if variant == language else "en"
