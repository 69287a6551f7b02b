"""Languages with no prompts yet, stepped without Flask or a database: listed after the voiced ones, never taken as
the caller's language, and leading (chosen, or after silence) to a message in any language."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.ivr import engine
from hotline.ivr.engine import Event, Gather, Hangup, Record, Remember, Speak
from hotline.ivr.flow import Flow, load_flow

FLOW_PATH = Path(__file__).resolve().parents[2] / "hotline" / "ivr_scripts" / "default.yaml"


@pytest.fixture(scope="module")
def flow() -> Flow:
    return load_flow(FLOW_PATH)


def _start(flow: Flow, language: str | None = None) -> engine.Step:
    state = engine.new_state(("prs", "en"), language, unvoiced=("ps", "haz", "en"))
    return engine.step(flow, state, Event("start"))


def _press(flow: Flow, step: engine.Step, digits: str | None = None, empty: bool = False) -> engine.Step:
    kind = "recorded" if step.state["node"] == "universal_message" else "digits"
    return engine.step(flow, step.state, Event(kind, digits=digits, empty=empty))


def test_unvoiced_languages_are_listed_after_the_voiced_ones_and_not_announced_in_english(flow: Flow) -> None:
    step = _start(flow)
    assert step.state["languages"] == ["prs", "en", "ps", "haz"] and step.state["unvoiced"] == ["ps", "haz"]
    gather = next(a for a in step.actions if isinstance(a, Gather))
    options = [(s.prompt, s.language, s.fallback) for s in gather.prompts]
    assert options == [("language_option_1", "prs", True), ("language_option_2", "en", True),
                       ("language_option_3", "ps", False), ("language_option_4", "haz", False)]


def test_a_known_language_without_prompts_is_not_the_callers_language(flow: Flow) -> None:
    step = _start(flow, language="ps")  # e.g. learnt from a text message
    assert step.state["language"] is None and step.state["node"] == "choose_language"


def test_choosing_an_unvoiced_language_records_a_message_in_any_language(flow: Flow) -> None:
    step = _press(flow, _start(flow), "3")
    assert step.state["node"] == "universal_message" and step.state["language"] is None
    assert step.effects[0] == Remember("report_language", "ps")  # for the report, not for the caller
    assert step.state["language_hint"] == ["ps", "prs", "en", "haz"]
    said = [(a.prompt, a.language) for a in step.actions if isinstance(a, Speak)]
    assert said == [("universal_instruction", "prs"), ("universal_instruction", "en")]
    assert isinstance(step.actions[-1], Record)
    thanked = _press(flow, step)
    assert [(a.prompt, a.language) for a in thanked.actions if isinstance(a, Speak)] == [
        ("recorded_thanks", "prs"), ("recorded_thanks", "en"), ("goodbye", "prs"), ("goodbye", "en")]
    assert isinstance(thanked.actions[-1], Hangup) and thanked.state["ended"]


@pytest.mark.parametrize("empty", [True, False])
def test_silence_at_the_language_menu_never_ends_in_silence(flow: Flow, empty: bool) -> None:
    step = _start(flow)
    for _ in range(flow.max_retries + 1):
        step = _press(flow, step, "")
    assert step.state["node"] == "universal_message"
    assert step.state["language_hint"] == ["prs", "en", "ps", "haz"]
    done = _press(flow, step, empty=empty)
    assert isinstance(done.actions[-1], Hangup)
    assert ("goodbye", "en") in [(a.prompt, a.language) for a in done.actions if isinstance(a, Speak)]
    assert ("recorded_thanks", "prs") in [(a.prompt, a.language) for a in done.actions
                                          if isinstance(a, Speak)] or empty
