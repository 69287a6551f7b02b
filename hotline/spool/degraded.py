"""What callers get while the database is unreachable: built from files loaded at start-up, never from the database.

Voice: the transparency notice, "leave a message after the beep", a recording, thank you. In the caller's
language when the country of their number names one (config/fallback.yaml), else a short message in each default
language. SMS: the usual acknowledgement, in the language the text is written in when that is clear.
"""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from hotline.content.yamlfile import load_yaml_file
from hotline.ivr.prompts import MISSING, SOURCE_LANGUAGE, PromptBook, Resolved
from hotline.privacy.phone import NotAPhoneNumber, parse_address
from hotline.sms import replies
from hotline.sms.config import SmsConfig
from hotline.sms.keywords import TWILIO_COMMANDS, interpret
from hotline.sms.language import detect_language

_LANGUAGE = validate.Regexp(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class FallbackConfig:
    """config/fallback.yaml, validated."""

    countries: Mapping[str, tuple[str, ...]]
    default_languages: tuple[str, ...]
    notice: str
    ask: str
    thanks: str
    goodbye: str
    max_recording_seconds: int
    report_type: str

    def languages_for(self, sender: str | None) -> tuple[str, ...]:
        """The languages to speak to ``sender``: their country's, else the defaults."""
        try:
            country = parse_address(sender).country
        except NotAPhoneNumber:
            country = None
        return self.countries.get(country or "", self.default_languages)


class _VoiceSchema(Schema):
    notice = fields.String(required=True)
    ask = fields.String(required=True)
    thanks = fields.String(required=True)
    goodbye = fields.String(required=True)


class _FallbackSchema(Schema):
    version = fields.Integer(required=True, validate=validate.Equal(1))
    countries = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Z]{2}$")),
                            values=fields.List(fields.String(validate=_LANGUAGE), validate=validate.Length(min=1)),
                            required=True)
    default_languages = fields.List(fields.String(validate=_LANGUAGE), required=True, validate=validate.Length(min=1))
    voice = fields.Nested(_VoiceSchema, required=True)
    max_recording_seconds = fields.Integer(load_default=180, validate=validate.Range(min=10, max=3600))
    report_type = fields.String(load_default="question")

    def __init__(self, languages: frozenset[str], prompts: frozenset[str]):
        super().__init__()
        self.known_languages, self.known_prompts = languages, prompts

    @validates_schema
    def known(self, data: dict[str, Any], **_: Any) -> None:
        """Every language is in languages.yaml and every prompt is in the call flow."""
        used = set(data["default_languages"])
        for values in data["countries"].values():
            used.update(values)
        unknown = sorted(used - self.known_languages)
        if unknown:
            raise ValidationError(f"unknown language(s): {', '.join(unknown)}", "countries")
        missing = sorted(set(data["voice"].values()) - self.known_prompts)
        if missing:
            raise ValidationError(f"not a prompt of the call flow: {', '.join(missing)}", "voice")


def load_fallback_config(path: Path, languages: frozenset[str], prompts: frozenset[str]) -> FallbackConfig:
    """Read and validate the fallback file (ContentError names file, line and key)."""
    data = load_yaml_file(path, _FallbackSchema(languages, prompts))
    voice = data["voice"]
    return FallbackConfig(
        countries={country: tuple(langs) for country, langs in data["countries"].items()},
        default_languages=tuple(data["default_languages"]), notice=voice["notice"], ask=voice["ask"],
        thanks=voice["thanks"], goodbye=voice["goodbye"], max_recording_seconds=data["max_recording_seconds"],
        report_type=data["report_type"],
    )


@dataclass(frozen=True)
class DegradedUrls:
    """The fallback's own URLs (record action and callback) and how to reach prompt audio."""

    recorded: str
    recording_callback: str
    audio: Callable[[str], str]


def degraded_call(config: FallbackConfig, prompts: PromptBook, urls: DegradedUrls, sender: str | None,
                  notice: bool = True) -> str:
    """TwiML: notice, "leave a message", a recording whose action and callback go to the fallback URL."""
    languages = config.languages_for(sender)
    response = VoiceResponse()
    if notice:
        _speak(response, prompts, urls, [_playable(prompts, config.notice, languages[0])])
    if len(languages) == 1:
        asks = [_playable(prompts, config.ask, languages[0])]
    else:
        asks = [prompts.resolve(config.ask, code) for code in languages]
    _speak(response, prompts, urls, asks)
    response.record(action=urls.recorded, method="POST", max_length=config.max_recording_seconds, timeout=5,
                    finish_on_key="#", play_beep=True, recording_status_callback=urls.recording_callback,
                    recording_status_callback_method="POST")
    _speak(response, prompts, urls, [_playable(prompts, config.thanks, languages[0])])
    response.hangup()
    return str(response)


def degraded_thanks(config: FallbackConfig, prompts: PromptBook, urls: DegradedUrls, sender: str | None) -> str:
    """TwiML after a recording: thank you, goodbye, hang up."""
    language = config.languages_for(sender)[0]
    response = VoiceResponse()
    _speak(response, prompts, urls, [_playable(prompts, config.thanks, language),
                                      _playable(prompts, config.goodbye, language)])
    response.hangup()
    return str(response)


def empty_messaging() -> str:
    """An empty Messaging TwiML answer."""
    return str(MessagingResponse())


def leave_queue() -> str:
    """TwiML for the queue's wait URL: leave the queue (the Enqueue action then gets the degraded flow)."""
    response = VoiceResponse()
    response.leave()
    return str(response)


class AckLimiter:
    """At most ``count`` acknowledgements per sender in ``window`` seconds while degraded (kept in memory: the
    flood counts in the database are out of reach). Every text is still spooled; only the answer is held back."""

    def __init__(self, count: int, window: float, max_senders: int = 10000):
        self.count, self.window, self.max_senders = count, window, max_senders
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, sender: str | None, now: float) -> bool:
        """Whether ``sender`` may get another acknowledgement at ``now`` (monotonic seconds)."""
        key = hashlib.sha256((sender or "").encode()).hexdigest()  # no raw numbers kept, even in memory
        with self._lock:
            if len(self._seen) >= self.max_senders and key not in self._seen:
                self._seen.clear()  # bounded memory; forgetting old senders only risks one extra acknowledgement
            times = self._seen.setdefault(key, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.count:
                return False
            times.append(now)
            return True


def acknowledgement(config: FallbackConfig, sms: SmsConfig, body: str | None, sender: str | None,
                    allowed: bool = True) -> str:
    """The TwiML answer to a text: the acknowledgement, or nothing for STOP/START/HELP (Twilio answers those)
    and nothing when ``allowed`` is False (a flood)."""
    response = MessagingResponse()
    keyword = interpret(body, sms)
    if allowed and (keyword is None or keyword.command not in TWILIO_COMMANDS):
        guess = detect_language(body, None, sms.romanised_lexicon)
        language = guess.language or config.languages_for(sender)[0]
        response.message(replies.render(language, replies.ACKNOWLEDGEMENT, hours=sms.opening_hours))
    return str(response)


def _playable(prompts: PromptBook, prompt: str, language: str) -> Resolved:
    resolved = prompts.resolve(prompt, language)
    return resolved if resolved.source != MISSING else prompts.resolve(prompt, SOURCE_LANGUAGE)


def _speak(response: VoiceResponse, prompts: PromptBook, urls: DegradedUrls, items: list[Resolved]) -> None:
    """Play or say each resolved prompt once; unplayable ones fall back to the source language, never twice."""
    seen: set[tuple[str | None, str | None]] = set()
    for item in items:
        resolved = _playable(prompts, item.prompt, item.language) if item.source == MISSING else item
        key = (resolved.audio, resolved.text)
        if key in seen:
            continue
        seen.add(key)
        if resolved.audio:
            response.play(urls.audio(resolved.audio))
        elif resolved.text and resolved.say_language:
            response.say(resolved.text, language=resolved.say_language)
