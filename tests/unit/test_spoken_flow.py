"""The spoken-reply call step by step (pure), and the delivery status shown on the report page."""

from __future__ import annotations

import pytest

from hotline.callbacks.policy import (
    ANSWERED,
    CALLING,
    FAILED,
    HUNG_UP,
    MACHINE,
    NOT_ANSWERED,
    PLAYED,
    QUEUED,
    delivery,
)
from hotline.ivr.engine import Gather, Hangup, Record, Speak
from hotline.ivr.spoken_flow import GREETING, MAX_RETRIES, MENU, QUESTION, first_turn, next_turn
from hotline.ivr.twiml import PlayAudio

ANSWER = PlayAudio("/ivr/reply/token.wav")


def _prompts(actions: tuple[object, ...]) -> list[str]:
    said: list[str] = []
    for action in actions:
        if isinstance(action, Speak):
            said.append(action.prompt)
        elif isinstance(action, Gather):
            said.extend(p.prompt for p in action.prompts)
    return said


def test_a_person_first_hears_only_the_greeting_in_their_language() -> None:
    turn = first_turn("prs")
    assert turn.actions == (Gather(GREETING, (Speak("spoken_reply_greeting", "prs"),), 6),) and not turn.played


@pytest.mark.parametrize("node", [GREETING, MENU])
def test_press_1_plays_the_answer_then_offers_the_menu(node: str) -> None:
    turn = next_turn(node, "1", 1, "prs", ANSWER)
    assert turn.played and turn.tries == 0
    assert turn.actions[0] == ANSWER and _prompts(turn.actions) == ["spoken_reply_menu"]


def test_press_2_asks_the_question_and_records_it() -> None:
    turn = next_turn(MENU, "2", 0, "ta", ANSWER)
    assert turn.actions == (Speak("ask_question", "ta"), Record(QUESTION, 180)) and not turn.played


def test_2_at_the_greeting_plays_nothing() -> None:
    turn = next_turn(GREETING, "2", 0, "en", ANSWER)
    assert ANSWER not in turn.actions and _prompts(turn.actions) == ["invalid_key", "spoken_reply_greeting"]


def test_a_question_heard_is_thanked_and_the_call_ends_with_a_goodbye() -> None:
    turn = next_turn(QUESTION, None, 0, "en", ANSWER, recording=True, heard=True)
    assert turn.keep_recording and _prompts(turn.actions) == ["recorded_thanks", "spoken_reply_goodbye"]
    assert isinstance(turn.actions[-1], Hangup)


def test_an_empty_question_is_not_thanked() -> None:
    turn = next_turn(QUESTION, None, 0, "en", ANSWER, recording=True, heard=False)
    assert turn.keep_recording and _prompts(turn.actions) == ["nothing_recorded", "spoken_reply_menu"]


@pytest.mark.parametrize("node", [GREETING, MENU])
def test_silence_is_asked_again_then_the_call_ends_politely(node: str) -> None:
    for tries in range(MAX_RETRIES):
        turn = next_turn(node, None, tries, "en", ANSWER)
        assert turn.tries == tries + 1 and isinstance(turn.actions[-1], Gather)
    last = next_turn(node, "", MAX_RETRIES, "en", ANSWER)
    assert _prompts(last.actions) == ["spoken_reply_goodbye"] and isinstance(last.actions[-1], Hangup)


@pytest.mark.parametrize(("status", "outcome", "plays", "expected"), [
    ("queued", "placed", 0, QUEUED),
    ("ringing", "placed", 0, CALLING),
    ("in-progress", "person", 0, ANSWERED),
    ("in-progress", "person", 1, PLAYED),
    ("completed", "person", 2, PLAYED),
    ("completed", "person", 0, HUNG_UP),
    ("completed", "machine", 0, MACHINE),
    ("no-answer", "unanswered", 0, NOT_ANSWERED),
    ("busy", "placed", 0, NOT_ANSWERED),
    ("completed", "placed", 0, NOT_ANSWERED),
    ("failed", "failed", 0, FAILED),
])
def test_delivery_status(status: str, outcome: str, plays: int, expected: str) -> None:
    assert delivery(status, outcome, plays) == expected
