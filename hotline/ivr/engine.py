"""The pure flow engine: (flow, call state, event) -> (new state, actions, effects). No Flask, no database.

The call state is a plain JSON-able dict (stored on the Contact, keyed by CallSid), so any worker can take the
next request of any call. Non-interactive nodes (say, facts, request) are chained within one response; the engine
stops at a node that waits for the caller (menu, record, operator) or ends the call (hangup).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hotline.ivr.flow import (
    FACTS,
    LANGUAGE_MENU,
    LANGUAGE_OPTION_PREFIX,
    MAX_LANGUAGE_OPTIONS,
    MAX_UNIVERSAL_LANGUAGES,
    MENU,
    OPERATOR,
    RECORD,
    REQUEST,
    SAY,
    Flow,
    Node,
    Option,
)

# Twilio's <Enqueue> action reports how the caller left the queue; only these mean an operator answered.
ANSWERED_QUEUE_RESULTS = frozenset({"bridged", "bridging-in-process", "hangup"})


@dataclass(frozen=True)
class Speak:
    """Play one prompt in one language; without ``fallback`` a prompt missing there is left out rather than said
    in English (an unvoiced language's menu option, which the English text would name wrongly)."""

    prompt: str
    language: str
    fallback: bool = True


@dataclass(frozen=True)
class Gather:
    """Wait for one key while playing prompts; the answer comes back to ``node``."""

    node: str
    prompts: tuple[Speak, ...]
    timeout: int


@dataclass(frozen=True)
class Record:
    """Record the caller; the recording comes back to ``node``."""

    node: str
    max_length: int


@dataclass(frozen=True)
class Facts:
    """Play ``intro`` and the current counter-messages in ``language``, or only ``empty`` when there are none."""

    language: str
    empty: tuple[Speak, ...]
    intro: tuple[Speak, ...] = ()


@dataclass(frozen=True)
class Enqueue:
    """Put the caller in the operators' queue for their language; the outcome comes back to ``node``."""

    node: str
    language: str


@dataclass(frozen=True)
class Hangup:
    """End the call."""


Action = Speak | Gather | Record | Facts | Enqueue | Hangup


@dataclass(frozen=True)
class Remember:
    """Something learned about the caller, to be stored (language, heard_via)."""

    key: str
    value: str


@dataclass(frozen=True)
class FileRequest:
    """File a report without a recording (e.g. a call-back request)."""

    node: str
    report_type: str
    callback_consent: bool = False


Effect = Remember | FileRequest


def _nobody(_language: str) -> bool:
    return False


@dataclass(frozen=True)
class Event:
    """What the caller (or Twilio) did: ``start``, ``digits``, ``recorded`` or ``queue`` (left the queue).

    ``staffed`` says whether an operator of a language is available now; the shell passes a function so that the
    question is asked only when the call reaches an operator node.
    ``empty``: a ``recorded`` event that carries no recording, or one too short to hold a message.
    """

    kind: str
    digits: str | None = None
    queue_result: str | None = None
    office_open: bool = False
    staffed: Callable[[str], bool] = _nobody
    empty: bool = False


@dataclass(frozen=True)
class Step:
    """The result of one step: the new state, what to play, what to store, and the nodes passed through."""

    state: dict[str, Any]
    actions: tuple[Action, ...]
    effects: tuple[Effect, ...] = ()
    visited: tuple[str, ...] = field(default=())


def new_state(languages: Sequence[str], language: str | None = None, heard_via_known: bool = False,
              number_known: bool = False, unvoiced: Sequence[str] = ()) -> dict[str, Any]:
    """The state of a call that has not started: the languages offered on the number dialled, what we know.

    ``languages`` are the number's voiced languages (every prompt resolves), ``unvoiced`` its configured languages
    with no prompts yet: they are listed after the voiced ones (a caller who chooses one leaves a message in any
    language, never turned away), and never taken as the caller's known language.
    ``number_known``: the caller's number came with the call (not withheld), so we could call them back.
    """
    known = language if language in languages else None
    silent = [code for code in unvoiced if code not in languages]
    listed = [*languages, *silent][:MAX_LANGUAGE_OPTIONS]
    return {
        "node": None, "seq": 0, "retries": 0, "language": known, "languages": listed, "ended": False,
        "unvoiced": [code for code in silent if code in listed],
        "flags": {"language_known": known is not None, "heard_via_known": heard_via_known,
                  "several_languages": len(listed) > 1, "number_known": number_known},
    }


def start_at(flow: Flow, state: Mapping[str, Any], node_id: str, event: Event) -> Step:
    """Begin a call at ``node_id`` rather than the flow's start (e.g. a call-back the caller answered)."""
    return _enter(flow, _copy(state), node_id, event)


def step(flow: Flow, state: Mapping[str, Any], event: Event) -> Step:
    """Advance a call by one event."""
    state = _copy(state)
    if event.kind == "start" or state["node"] not in flow.nodes:
        return _enter(flow, state, flow.start, event)
    if state["ended"]:
        return Step(state, (Hangup(),))
    node = flow.node(state["node"])
    if node.kind == MENU:
        return _menu_input(flow, state, node, event)
    if node.kind == LANGUAGE_MENU:
        return _language_input(flow, state, node, event)
    if node.kind == RECORD and event.kind == "recorded":
        after = ((node.on_empty or flow.empty_recording) if event.empty else None) or node.next or flow.start
        return _enter(flow, state, after, event)
    if node.kind == OPERATOR and event.kind == "queue":
        answered = event.queue_result in ANSWERED_QUEUE_RESULTS
        return _enter(flow, state, (node.next if answered else node.unanswered) or flow.start, event)
    return _enter(flow, state, node.id, event)  # an unexpected event: say the current node again


def hold_position_prompt(node: Node, position: int | None) -> str | None:
    """The prompt that tells a waiting caller their place in the queue (1 = next), or None."""
    if not node.position_prompts or position is None or position < 1:
        return None
    return node.position_prompts[min(position, len(node.position_prompts)) - 1]


def voiced_languages(state: Mapping[str, Any]) -> list[str]:
    """The call's languages that have prompts, the caller's own first: what a multilingual node speaks."""
    unvoiced = set(state.get("unvoiced") or ())
    voiced = [code for code in state.get("languages") or () if code not in unvoiced]
    chosen = state.get("language")
    if chosen in voiced:
        voiced.remove(chosen)
        voiced.insert(0, chosen)
    return voiced or ["en"]


def _spoken(node: Node, state: Mapping[str, Any]) -> tuple[Speak, ...]:
    """A node's prompts as the caller hears them: in their language, or in each voiced language (multilingual)."""
    if node.multilingual:
        return tuple(Speak(p, code) for code in voiced_languages(state)[:MAX_UNIVERSAL_LANGUAGES]
                     for p in node.prompts)
    language = speaking_language(state)
    return tuple(Speak(p, language) for p in node.prompts)


def speaking_language(state: Mapping[str, Any]) -> str:
    """The language prompts are played in: the caller's, else the number's first."""
    return str(state.get("language") or (state.get("languages") or ["en"])[0])


def _copy(state: Mapping[str, Any]) -> dict[str, Any]:
    copied = dict(state)
    copied["flags"] = dict(state.get("flags", {}))
    copied["languages"] = list(state.get("languages", []))
    copied["unvoiced"] = list(state.get("unvoiced", []))
    return copied


def _offered(option: Option, state: Mapping[str, Any]) -> bool:
    return option.only_if is None or bool(state["flags"].get(option.only_if))


def _menu_input(flow: Flow, state: dict[str, Any], node: Node, event: Event) -> Step:
    option = node.option(event.digits or "") if event.kind == "digits" else None
    if option is None or not _offered(option, state):
        return _retry(flow, state, node, event)
    effects = tuple(Remember(key, value) for key, value in option.remember.items())
    if "heard_via" in option.remember:
        state["flags"]["heard_via_known"] = True
    result = _enter(flow, state, option.goto, event)
    return Step(result.state, result.actions, effects + result.effects, result.visited)


def _language_input(flow: Flow, state: dict[str, Any], node: Node, event: Event) -> Step:
    digits = event.digits or ""
    languages = state["languages"]
    keys = [str(n) for n in range(1, min(len(languages), MAX_LANGUAGE_OPTIONS) + 1)]
    # Compare with the exact keys: str.isdigit() would also accept Arabic-Indic digits.
    if event.kind != "digits" or digits not in keys:
        return _retry(flow, state, node, event)
    chosen = languages[int(digits) - 1]
    if chosen in state["unvoiced"]:
        # No prompts in this language yet: a message in any language, filed in the language the caller chose
        # (for the report, not taught to the caller: their next call offers the menu again).
        state["language_hint"] = [chosen, *(code for code in languages if code != chosen)]
        result = _enter(flow, state, node.unvoiced or node.on_fail or flow.start, event)
        return Step(result.state, result.actions, (Remember("report_language", chosen), *result.effects),
                    result.visited)
    state["language"] = chosen
    state["flags"]["language_known"] = True
    result = _enter(flow, state, node.next or flow.start, event)
    return Step(result.state, result.actions, (Remember("language", chosen), *result.effects), result.visited)


def _retry(flow: Flow, state: dict[str, Any], node: Node, event: Event) -> Step:
    state["retries"] = state.get("retries", 0) + 1
    if state["retries"] > flow.max_retries:
        return _enter(flow, state, node.on_fail or flow.start, event)
    lead: tuple[Action, ...] = ()
    if event.digits:  # a wrong key (silence just repeats the menu)
        lead = (Speak(flow.invalid_prompt, speaking_language(state)),)
    result = _wait_at(flow, state, node)
    return Step(result.state, lead + result.actions, (), ())


def _enter(flow: Flow, state: dict[str, Any], node_id: str, event: Event) -> Step:
    """Run from ``node_id`` until a node waits for the caller or ends the call."""
    actions: list[Action] = []
    effects: list[Effect] = []
    visited: list[str] = []
    state["retries"] = 0
    for _ in range(len(flow.nodes) + 1):
        node = flow.node(node_id)
        visited.append(node.id)
        if node.skip_if and state["flags"].get(node.skip_if):
            node_id = node.next or flow.start
            continue
        following = _run_through(node, state, actions, effects, event)
        if following is None:
            result = _wait_at(flow, state, node, event)
            return Step(result.state, (*actions, *result.actions), tuple(effects), tuple(visited))
        node_id = following
    raise RuntimeError(f"flow {flow.name!r} loops without waiting for the caller at {node_id!r}")


def _run_through(node: Node, state: dict[str, Any], actions: list[Action], effects: list[Effect],
                 event: Event) -> str | None:
    """Play a node that does not wait; return where to go next, or None when the node waits or ends."""
    language = speaking_language(state)
    if node.kind == LANGUAGE_MENU and len(state["languages"]) <= 1 and state["languages"]:
        state["language"] = state["languages"][0]
        state["flags"]["language_known"] = True
        effects.append(Remember("language", state["language"]))
        return node.next
    if node.kind == OPERATOR and not event.office_open:
        return node.closed
    if node.kind == OPERATOR and node.unstaffed and not event.staffed(language):
        return node.unstaffed
    if node.kind not in (SAY, FACTS, REQUEST):
        return None
    spoken = _spoken(node, state)
    if node.kind == FACTS:  # the intro belongs to the facts: not said when there are none
        actions.append(Facts(language, tuple(Speak(p, language) for p in node.empty_prompts), spoken))
    else:
        actions.extend(spoken)
    if node.kind == REQUEST and node.report_type:
        effects.append(FileRequest(node.id, node.report_type, node.callback_consent))
    return node.next


def _wait_at(flow: Flow, state: dict[str, Any], node: Node, event: Event | None = None) -> Step:
    """The actions of a node that waits for the caller (or hangs up), and the state that expects the answer."""
    state["node"] = node.id
    state["seq"] = int(state.get("seq", 0)) + 1
    language = speaking_language(state)
    prompts = _spoken(node, state)
    actions: tuple[Action, ...]
    if node.kind == MENU:
        announced = tuple(Speak(o.prompt, language) for o in node.options if o.prompt and _offered(o, state))
        actions = (Gather(node.id, prompts + announced, flow.gather_timeout),)
    elif node.kind == LANGUAGE_MENU:
        unvoiced = set(state.get("unvoiced") or ())
        options = tuple(Speak(f"{LANGUAGE_OPTION_PREFIX}{n}", code, fallback=code not in unvoiced)
                        for n, code in enumerate(state["languages"][:MAX_LANGUAGE_OPTIONS], start=1))
        actions = (Gather(node.id, prompts + options, flow.gather_timeout),)
    elif node.kind == RECORD:
        if node.multilingual and not state.get("language_hint"):  # the number's languages, for the report
            state["language_hint"] = list(state["languages"])
        actions = (*prompts, Record(node.id, node.max_length))
    elif node.kind == OPERATOR:
        actions = (*prompts, Enqueue(node.id, language))
    else:  # hangup
        state["ended"] = True
        actions = (*prompts, Hangup())
    return Step(state, actions)
