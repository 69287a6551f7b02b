"""Render engine actions as TwiML with twilio's VoiceResponse. Pure: URLs come from the caller as functions.

Every response that waits for the caller ends with a <Redirect> back to the same step, so a Gather that times
out or a Record that hears nothing never leaves the caller in silence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from twilio.twiml.voice_response import Dial, VoiceResponse
from twilio.twiml.voice_response import Gather as GatherVerb

from hotline.ivr.engine import Action, Enqueue, Facts, Gather, Hangup, Record, Speak
from hotline.ivr.prompts import MISSING, SOURCE_LANGUAGE, PromptBook

HOLD_PAUSE_SECONDS = 15


@dataclass(frozen=True)
class SayText:
    """Text spoken by Twilio's voice for ``say_language`` (e.g. a counter-message)."""

    text: str
    say_language: str


@dataclass(frozen=True)
class PlayAudio:
    """An audio file played by URL."""

    url: str


Media = Speak | SayText | PlayAudio
Renderable = Action | SayText | PlayAudio


@dataclass(frozen=True)
class CallUrls:
    """How the app's own URLs are built: a step's action, the hold music, the recording callback, audio files."""

    step: Callable[[str], str]
    hold: Callable[[], str]
    recording: Callable[[str], str]
    audio: Callable[[str], str]
    queue_name: Callable[[str], str]
    # Equal scopes build equal URLs (e.g. the script root and the step number): what TwimlCache keys on.
    # None: these URLs are not cached.
    scope: str | None = None


class TwimlCache:
    """TwiML already rendered, by actions and URL scope.

    A flow answers with a handful of distinct documents (the first step of a number, each menu, in each language),
    so rendering each once per process saves building and serialising an XML tree on almost every webhook. Belongs
    to one PromptBook (IvrContent holds both): the prompts are not part of the key.
    """

    def __init__(self, limit: int = 1024) -> None:
        self._limit = limit
        self._rendered: dict[tuple[tuple[Renderable, ...], str], str] = {}

    def render(self, actions: Sequence[Renderable], prompts: PromptBook, urls: CallUrls) -> str:
        """``render(actions, prompts, urls)``, from the cache when these actions were rendered in this scope."""
        if urls.scope is None:
            return render(actions, prompts, urls)
        key = (tuple(actions), urls.scope)
        found = self._rendered.get(key)
        if found is None:
            found = render(actions, prompts, urls)
            if len(self._rendered) >= self._limit:
                self._rendered.clear()  # the simplest bound: the documents in use come back within a few calls
            self._rendered[key] = found
        return found


def expand_facts(actions: Iterable[Action], items: Sequence[SayText | PlayAudio]) -> list[Renderable]:
    """Replace a Facts action with its intro and the counter-messages to play, or only its ``empty`` prompts."""
    expanded: list[Renderable] = []
    for action in actions:
        if isinstance(action, Facts):
            expanded.extend((*action.intro, *items) if items else action.empty)
        else:
            expanded.append(action)
    return expanded


def render(actions: Iterable[Renderable], prompts: PromptBook, urls: CallUrls) -> str:
    """The TwiML document for a list of actions."""
    response = VoiceResponse()
    for action in actions:
        if isinstance(action, Speak | SayText | PlayAudio):
            _media(response, action, prompts, urls)
        elif isinstance(action, Gather):
            verb = GatherVerb(action=urls.step(action.node), method="POST", num_digits=1, timeout=action.timeout,
                              action_on_empty_result=True)
            for item in action.prompts:
                _media(verb, item, prompts, urls)
            response.append(verb)
            response.redirect(urls.step(action.node), method="POST")
        elif isinstance(action, Record):
            response.record(action=urls.step(action.node), method="POST", max_length=action.max_length, timeout=5,
                            finish_on_key="#", play_beep=True, recording_status_callback=urls.recording(action.node),
                            recording_status_callback_method="POST")
            response.redirect(urls.step(action.node), method="POST")
        elif isinstance(action, Enqueue):
            response.enqueue(urls.queue_name(action.language), action=urls.step(action.node), method="POST",
                             wait_url=urls.hold(), wait_url_method="POST")
        elif isinstance(action, Hangup):
            response.hangup()
    return str(response)


def _media(parent: VoiceResponse | GatherVerb, item: Media, prompts: PromptBook, urls: CallUrls) -> None:
    if isinstance(item, SayText):
        parent.say(item.text, language=item.say_language)
        return
    if isinstance(item, PlayAudio):
        parent.play(item.url)
        return
    resolved = prompts.resolve(item.prompt, item.language)
    if resolved.source == MISSING and not item.fallback:
        return  # e.g. an unvoiced language's menu option: English would name the wrong language
    if resolved.source == MISSING:  # never silence: fall back to the source language
        resolved = prompts.resolve(item.prompt, SOURCE_LANGUAGE)
    if resolved.audio:
        parent.play(urls.audio(resolved.audio))
    elif resolved.text and resolved.say_language:
        parent.say(resolved.text, language=resolved.say_language)


def render_hold(prompts: Sequence[Speak], book: PromptBook, urls: CallUrls, leave: bool) -> str:
    """The queue's wait TwiML: the hold prompts and a pause (Twilio requests it again when it ends), or <Leave>.

    Only <Leave> takes a caller out of a queue from a wait URL: Twilio then requests the <Enqueue> action, whose
    answer (a voicemail <Record>) it does run. A <Redirect> or <Record> here would not be.
    """
    response = VoiceResponse()
    if leave:
        response.leave()
        return str(response)
    for item in prompts:
        _media(response, item, book, urls)
    response.pause(length=HOLD_PAUSE_SECONDS)
    return str(response)


def render_join(room: str) -> str:
    """Join the conference room where an operator waits for this caller; the room ends when either leaves."""
    response = VoiceResponse()
    dial = Dial()
    dial.conference(room, start_conference_on_enter=True, end_conference_on_exit=True, beep=False)
    response.append(dial)
    return str(response)

