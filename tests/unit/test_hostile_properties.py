"""Hostile input, property-tested: the IVR flow engine under any key presses and events, the SMS parsers under any form.

The engine must never raise, never mutate the state it is given, always say or do something, and only ever point
at nodes of the flow; the SMS parsers must either refuse a form with InvalidMessage or parse it, never crash.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.ivr import engine
from hotline.ivr.engine import Event, Gather, Hangup, Record
from hotline.ivr.flow import Flow, load_flow
from hotline.sms.config import load_sms_config
from hotline.sms.encoding import sms_cost
from hotline.sms.inbound import InvalidMessage, parse_inbound
from hotline.sms.keywords import interpret
from hotline.sms.language import detect_language

FLOW = load_flow(Path(__file__).resolve().parents[2] / "hotline" / "ivr_scripts" / "default.yaml")
SMS = load_sms_config()
_keys = st.one_of(st.none(), st.text(alphabet="0123456789*#", max_size=4), st.text(max_size=6))
_events = st.one_of(
    st.builds(Event, kind=st.just("digits"), digits=_keys, office_open=st.booleans()),
    st.builds(Event, kind=st.just("recorded"), office_open=st.booleans()),
    st.builds(Event, kind=st.just("queue"), queue_result=st.sampled_from([None, "bridged", "hangup", "leave", "x"]),
              office_open=st.booleans()),
    # "start" only ever begins a call (the voice service starts a new state for it), so it is not generated here.
    st.builds(Event, kind=st.sampled_from(["resume", "bogus"]), office_open=st.booleans()),
)
_languages = st.lists(st.sampled_from(["prs", "ps", "ur", "bn", "en", "id", "ms", "th"]), min_size=1, max_size=4,
                      unique=True)


@settings(max_examples=300, deadline=None)
@given(languages=_languages, known=st.one_of(st.none(), st.sampled_from(["prs", "en", "xx"])),
       heard=st.booleans(), events=st.lists(_events, min_size=1, max_size=25))
def test_the_flow_engine_survives_any_sequence_of_events(languages: list[str], known: str | None, heard: bool,
                                                        events: list[Event]) -> None:
    flow: Flow = FLOW
    result = engine.step(flow, engine.new_state(languages, known, heard), Event("start", office_open=True))
    for event in events:
        before = copy.deepcopy(result.state)
        nxt = engine.step(flow, result.state, event)
        assert result.state == before  # the input state is never mutated
        assert nxt.actions, "every step says or does something"
        assert nxt.state["node"] in flow.nodes
        assert nxt.state["seq"] >= result.state["seq"]
        assert engine.speaking_language(nxt.state) in (*languages, "en") or nxt.state["language"] in languages
        for action in nxt.actions:
            if isinstance(action, Gather | Record):
                assert action.node in flow.nodes
        if nxt.state["ended"]:
            assert isinstance(nxt.actions[-1], Hangup) or any(isinstance(a, Hangup) for a in nxt.actions)
        result = nxt


_form_values = st.one_of(st.text(max_size=80), st.just(""), st.from_regex(r"SM[0-9a-f]{32}", fullmatch=True),
                         st.just("+93701234567"), st.just("whatsapp:+923001234567"),
                         st.just("https://api.twilio.com/m.jpg"))
_form_keys = st.sampled_from(["MessageSid", "SmsSid", "From", "To", "Body", "NumMedia", "MediaUrl0",
                              "MediaContentType0", "MediaUrl9", "WaId", "ProfileName", "Junk"])


@settings(max_examples=300, deadline=None)
@given(form=st.dictionaries(_form_keys, _form_values, max_size=12))
def test_any_inbound_form_is_parsed_or_refused_never_crashes(form: dict[str, str]) -> None:
    try:
        intake = parse_inbound(form, datetime.now(UTC))
    except InvalidMessage as exc:
        assert exc.messages
        return
    assert intake.message is not None and intake.message.sid in (form.get("MessageSid"), form.get("SmsSid"))
    assert len(intake.message.media) <= 10
    assert intake.report is None or intake.report.source_id == intake.message.sid


@settings(max_examples=300, deadline=None)
@given(body=st.one_of(st.none(), st.text(max_size=400)))
def test_any_body_gets_a_keyword_decision_a_language_decision_and_a_cost(body: str | None) -> None:
    keyword = interpret(body, SMS)
    assert keyword is None or keyword.command
    decision = detect_language(body, None, SMS.romanised_lexicon)
    assert decision.language is None or 0 <= decision.confidence <= 1
    if body:
        cost = sms_cost(body)
        assert (cost.segments >= 1 and cost.units >= 1) or not body


@pytest.mark.parametrize("body", ["STOP", " stop! ", "START", "HELP", "language urdu", "facts visa"])
def test_keywords_still_recognised(body: str) -> None:
    assert interpret(body, SMS) is not None
