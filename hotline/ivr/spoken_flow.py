"""The call that plays a spoken reply, step by step. Pure: (where the call is, what the person pressed) -> what to
say next, as the flow engine's actions, rendered by hotline.ivr.twiml. No Flask, no database.

A person (never a machine: the webhook hangs up on those first) hears the neutral greeting and "press 1"; then the
answer, and "press 1 to hear it again, 2 to leave another question". The question is recorded like any other. Every
branch ends with words: silence or wrong keys are asked again, then the call ends with a goodbye.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.ivr.engine import Gather, Hangup, Record, Speak
from hotline.ivr.twiml import PlayAudio, Renderable

GREETING, MENU, QUESTION = "greeting", "menu", "question"
NODES = (GREETING, MENU, QUESTION)
# The prompts of this call (ivr_scripts/default.yaml; spoken in the ivr domain), and those it shares with the flow.
OWN_PROMPTS = ("spoken_reply_greeting", "spoken_reply_menu", "spoken_reply_goodbye")
SHARED_PROMPTS = ("invalid_key", "ask_question", "recorded_thanks", "nothing_recorded")
PROMPTS = OWN_PROMPTS + SHARED_PROMPTS
MAX_RETRIES = 2  # as the call flow's max_retries: a menu is asked again this many times, then the call ends
GATHER_TIMEOUT = 6
QUESTION_MAX_SECONDS = 180


@dataclass(frozen=True)
class Turn:
    """What to say now; ``tries`` goes into the next step's URL, ``played`` says the answer is in this TwiML and
    ``keep_recording`` that a recording arrived to be filed."""

    actions: tuple[Renderable, ...]
    tries: int = 0
    played: bool = False
    keep_recording: bool = False


def first_turn(language: str) -> Turn:
    """A person answered: the greeting, waiting for 1."""
    return Turn((_gather(GREETING, language, "spoken_reply_greeting"),))


def next_turn(node: str, digits: str | None, tries: int, language: str, answer: PlayAudio,
              recording: bool = False, heard: bool = False) -> Turn:
    """The step after ``node``: ``digits`` pressed (None for silence), ``tries`` made at it so far; at the question,
    ``recording`` says Twilio sent one and ``heard`` that it lasted at least a second."""
    if node == QUESTION:
        if heard:
            return Turn((_say("recorded_thanks", language), _say("spoken_reply_goodbye", language), Hangup()),
                        keep_recording=recording)
        return Turn((_say("nothing_recorded", language), _gather(MENU, language, "spoken_reply_menu")),
                    keep_recording=recording)
    key = (digits or "").strip()[:1]
    if node in (GREETING, MENU) and key == "1":
        return Turn((answer, _gather(MENU, language, "spoken_reply_menu")), played=True)
    if node == MENU and key == "2":
        return Turn((_say("ask_question", language), Record(QUESTION, QUESTION_MAX_SECONDS)))
    if tries >= MAX_RETRIES:
        return Turn((_say("spoken_reply_goodbye", language), Hangup()))
    prompt = "spoken_reply_greeting" if node == GREETING else "spoken_reply_menu"
    sorry = (_say("invalid_key", language),) if key else ()
    return Turn((*sorry, _gather(node if node in NODES else GREETING, language, prompt)), tries=tries + 1)


def _say(prompt: str, language: str) -> Speak:
    return Speak(prompt, language)


def _gather(node: str, language: str, prompt: str) -> Gather:
    return Gather(node, (Speak(prompt, language),), GATHER_TIMEOUT)
