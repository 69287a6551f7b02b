"""The flow engine, stepped without Flask or a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.ivr import engine
from hotline.ivr.engine import Enqueue, Event, Facts, FileRequest, Gather, Hangup, Record, Remember, Speak
from hotline.ivr.flow import Flow, load_flow

FLOW_PATH = Path(__file__).resolve().parents[2] / "hotline" / "ivr_scripts" / "default.yaml"


@pytest.fixture(scope="module")
def flow() -> Flow:
    return load_flow(FLOW_PATH)


def start(flow: Flow, languages=("prs", "en"), language=None, heard=False, open_=True, number=True) -> engine.Step:
    state = engine.new_state(languages, language, heard, number_known=number)
    return engine.step(flow, state, Event("start", office_open=open_))


def press(flow: Flow, step: engine.Step, digits: str | None, open_=True, staffed=("prs", "en")) -> engine.Step:
    return engine.step(flow, step.state, Event("digits", digits=digits, office_open=open_,
                                               staffed=lambda language: language in staffed))


def spoken(step: engine.Step) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for action in step.actions:
        if isinstance(action, Speak):
            items.append((action.prompt, action.language))
        if isinstance(action, Gather):
            items.extend((s.prompt, s.language) for s in action.prompts)
    return items


def test_new_caller_hears_notice_then_each_language_in_its_own_language(flow: Flow) -> None:
    first = start(flow, ("prs", "haz", "en"))
    assert spoken(first) == [("notice", "prs"), ("language_option_1", "prs"), ("language_option_2", "haz"),
                             ("language_option_3", "en")]
    assert first.state["node"] == "choose_language"
    assert isinstance(first.actions[-1], Gather)


def test_choosing_a_language_asks_how_they_heard_then_the_main_menu(flow: Flow) -> None:
    chosen = press(flow, start(flow), "2")
    assert Remember("language", "en") in chosen.effects
    assert chosen.state["language"] == "en" and chosen.state["node"] == "heard_via"
    menu = press(flow, chosen, "1")
    assert Remember("heard_via", "radio") in menu.effects
    assert menu.state["node"] == "main_menu"
    assert spoken(menu) == [("main_menu", "en"), ("main_menu_callback", "en"), ("main_menu_language", "en")]


def test_returning_caller_skips_language_and_survey_and_can_change_language(flow: Flow) -> None:
    first = start(flow, ("prs", "en"), language="prs", heard=True)
    assert first.state["node"] == "main_menu"
    assert spoken(first) == [("notice", "prs"), ("main_menu", "prs"), ("main_menu_callback", "prs"),
                             ("main_menu_language", "prs")]
    changed = press(flow, first, "9")
    assert changed.state["node"] == "change_language"
    back = press(flow, changed, "2")
    assert back.state["node"] == "main_menu" and back.state["language"] == "en"


def test_a_single_language_number_needs_no_language_menu(flow: Flow) -> None:
    first = start(flow, ("en",))
    assert first.state["node"] == "heard_via" and Remember("language", "en") in first.effects


def test_silence_and_wrong_keys_repeat_then_say_goodbye(flow: Flow) -> None:
    step = start(flow, ("en",), heard=True)
    wrong = press(flow, step, "7")
    assert spoken(wrong)[0] == ("invalid_key", "en") and wrong.state["node"] == "main_menu"
    silent = press(flow, wrong, "")
    # silence: no "wrong key" message, the menu again
    assert spoken(silent) == [("main_menu", "en"), ("main_menu_callback", "en")]
    final = press(flow, silent, "#")
    assert final.state["ended"] and isinstance(final.actions[-1], Hangup)
    assert ("goodbye_no_input", "en") in spoken(final)


def test_survey_never_loses_the_caller(flow: Flow) -> None:
    step = press(flow, start(flow), "1")  # Dari, then the survey
    for _ in range(flow.max_retries + 1):
        step = press(flow, step, "")
    assert step.state["node"] == "main_menu" and not step.effects


def test_recording_nodes_record_and_thank(flow: Flow) -> None:
    menu = start(flow, ("en",), heard=True)
    recording = press(flow, menu, "3")
    assert isinstance(recording.actions[-1], Record) and recording.actions[-1].node == "report_rumour"
    after = engine.step(flow, recording.state, Event("recorded"))
    assert spoken(after)[0] == ("recorded_thanks", "en") and after.state["node"] == "main_menu"


def test_facts_and_call_back(flow: Flow) -> None:
    menu = start(flow, ("en",), heard=True)
    facts = press(flow, menu, "1")
    assert any(isinstance(a, Facts) for a in facts.actions) and facts.state["node"] == "main_menu"
    consent = press(flow, menu, "4")
    assert consent.state["node"] == "callback_consent" and not consent.effects  # nothing filed before consent
    assert spoken(consent) == [("callback_consent", "en")]
    agreed = press(flow, consent, "1")
    assert FileRequest("callback", "request", callback_consent=True) in agreed.effects
    declined = press(flow, consent, "0")
    assert declined.state["node"] == "main_menu" and not declined.effects


def test_a_withheld_number_is_never_offered_a_call_back(flow: Flow) -> None:
    menu = start(flow, ("en",), heard=True, number=False)
    assert ("main_menu_callback", "en") not in spoken(menu)
    refused = press(flow, menu, "4")
    assert spoken(refused)[0] == ("invalid_key", "en") and refused.state["node"] == "main_menu"


def test_a_one_language_number_does_not_offer_a_change_of_language(flow: Flow) -> None:
    menu = start(flow, ("en",), heard=True)
    assert ("main_menu_language", "en") not in spoken(menu)
    assert ("main_menu_callback", "en") in spoken(menu)
    refused = press(flow, menu, "9")
    assert spoken(refused)[0] == ("invalid_key", "en") and refused.state["node"] == "main_menu"


def test_an_empty_recording_is_not_thanked_as_a_message(flow: Flow) -> None:
    recording = press(flow, start(flow, ("en",), heard=True), "2")
    after = engine.step(flow, recording.state, Event("recorded", empty=True))
    assert ("recorded_thanks", "en") not in spoken(after)
    assert spoken(after)[0] == ("nothing_recorded", "en") and after.state["node"] == "main_menu"


def test_the_facts_intro_is_part_of_the_facts(flow: Flow) -> None:
    facts = press(flow, start(flow, ("en",), heard=True), "1")
    assert ("facts_intro", "en") not in spoken(facts)  # said by the Facts action, only when there are facts
    played = next(a for a in facts.actions if isinstance(a, Facts))
    assert played.intro == (Speak("facts_intro", "en"),) and played.empty == (Speak("facts_none", "en"),)


def test_a_call_back_starts_at_its_greeting_and_press_1_reaches_an_operator(flow: Flow) -> None:
    assert flow.callback_start == "callback_answered"
    greeted = engine.start_at(flow, engine.new_state(("prs", "en"), "prs", True, True), flow.callback_start,
                              Event("start", office_open=True))
    assert spoken(greeted) == [("callback_greeting", "prs")]
    assert press(flow, greeted, "1").actions[-1] == Enqueue("operator", "prs")


def test_operator_in_office_hours_queues_by_language_otherwise_voicemail(flow: Flow) -> None:
    menu = start(flow, ("prs", "en"), language="prs", heard=True)
    queued = press(flow, menu, "5", open_=True)
    assert queued.actions[-1] == Enqueue("operator", "prs")
    unanswered = engine.step(flow, queued.state, Event("queue", queue_result="leave"))
    assert unanswered.state["node"] == "voicemail_unanswered"
    answered = engine.step(flow, queued.state, Event("queue", queue_result="bridged"))
    assert answered.state["ended"]
    closed = press(flow, menu, "5", open_=False)
    assert closed.state["node"] == "voicemail_closed" and isinstance(closed.actions[-1], Record)


def test_open_office_without_an_operator_of_the_language_takes_a_message_at_once(flow: Flow) -> None:
    menu = start(flow, ("prs", "en"), language="prs", heard=True)
    unstaffed = press(flow, menu, "5", staffed=("en",))
    assert unstaffed.state["node"] == "voicemail_unstaffed"
    assert spoken(unstaffed) == [("operator_unstaffed", "prs")]
    assert isinstance(unstaffed.actions[-1], Record)


def test_the_place_in_the_queue_has_a_prompt_per_place_then_one_for_the_rest(flow: Flow) -> None:
    node = flow.node("operator")
    places = [engine.hold_position_prompt(node, n) for n in (None, 0, 1, 2, 4, 5, 40)]
    assert places == [None, None, "queue_position_1", "queue_position_2", "queue_position_4",
                      "queue_position_more", "queue_position_more"]


def test_step_numbers_advance_and_state_is_not_mutated(flow: Flow) -> None:
    first = start(flow)
    snapshot = {**first.state, "flags": dict(first.state["flags"])}
    second = press(flow, first, "1")
    assert second.state["seq"] == first.state["seq"] + 1
    assert first.state == snapshot


def test_state_from_an_unknown_node_restarts(flow: Flow) -> None:
    state = {**engine.new_state(("en",)), "node": "gone_in_a_new_version"}
    assert engine.step(flow, state, Event("digits", digits="1")).visited[0] == flow.start


@pytest.mark.parametrize("digits", ["\u0661", "0", "3", "12", "*", "#", None])
def test_language_menu_accepts_only_an_offered_key(flow: Flow, digits: str | None) -> None:
    after = press(flow, start(flow, ("prs", "en")), digits)
    assert after.state["node"] == "choose_language" and after.state["language"] is None
