"""Call flows (ivr_scripts/*.yaml): typed nodes, validated with marshmallow, naming file, line and key on error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from hotline.content.yamlfile import ContentError, load_yaml_file

_IDENT = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="must be lower_snake_case")
_KEY = validate.Regexp(r"^[0-9*#]$", error="must be one keypad key")

# What each kind of node does; the engine (engine.py) gives them meaning.
SAY, MENU, LANGUAGE_MENU, RECORD, FACTS, REQUEST, OPERATOR, HANGUP = (
    "say", "menu", "language_menu", "record", "facts", "request", "operator", "hangup",
)
KINDS = (SAY, MENU, LANGUAGE_MENU, RECORD, FACTS, REQUEST, OPERATOR, HANGUP)
# Flags the shell computes for a call and the engine may test with ``skip_if``.
FLAGS = ("language_known", "heard_via_known", "several_languages", "number_known")
# Which fields name other nodes, per kind (used by the schema and by the linter).
TARGET_FIELDS = ("next", "on_fail", "closed", "unstaffed", "unanswered", "on_empty", "unvoiced")
_PROMPT_FIELDS = ("prompts", "empty_prompts", "hold_prompts", "position_prompts")
LANGUAGE_OPTION_PREFIX = "language_option_"
MAX_LANGUAGE_OPTIONS = 8
# A multilingual node speaks its prompts in at most this many of the number's voiced languages (kept short).
MAX_UNIVERSAL_LANGUAGES = 3


@dataclass(frozen=True)
class Option:
    """One key of a menu: where it goes and what it remembers about the caller."""

    key: str
    goto: str
    remember: Mapping[str, str] = field(default_factory=dict)
    prompt: str | None = None  # announces this option, played after the menu's prompts when it is offered
    only_if: str | None = None  # a flag the call must have for this option to be offered and accepted


@dataclass(frozen=True)
class Node:
    """One step of a call flow."""

    id: str
    kind: str
    prompts: tuple[str, ...] = ()
    next: str | None = None
    on_fail: str | None = None
    options: tuple[Option, ...] = ()
    skip_if: str | None = None
    report_type: str | None = None
    max_length: int = 120
    empty_prompts: tuple[str, ...] = ()
    hold_prompts: tuple[str, ...] = ()
    closed: str | None = None
    unstaffed: str | None = None  # office open but no operator of the caller's language available
    unanswered: str | None = None
    max_wait: int = 120
    # Said on hold: the caller's place in the queue, one prompt per place; the last one for every place after.
    position_prompts: tuple[str, ...] = ()
    callback_consent: bool = False
    # Spoken in each of the number's voiced languages (a caller whose language is unknown or has no prompts yet).
    multilingual: bool = False
    on_empty: str | None = None  # a record node: where a recording that heard nothing goes (else the flow's)
    unvoiced: str | None = None  # a language menu: where a caller goes who chose a language with no prompts yet

    def option(self, key: str) -> Option | None:
        """The option for a pressed key, or None."""
        return next((o for o in self.options if o.key == key), None)

    def targets(self) -> tuple[str, ...]:
        """Every node this one can lead to."""
        named = tuple(t for t in (getattr(self, f) for f in TARGET_FIELDS) if t)
        return named + tuple(o.goto for o in self.options)

    def prompt_ids(self) -> tuple[str, ...]:
        """Every prompt this node may play."""
        announced = tuple(o.prompt for o in self.options if o.prompt)
        return self.prompts + announced + self.empty_prompts + self.hold_prompts + self.position_prompts


@dataclass(frozen=True)
class Flow:
    """A validated call flow: nodes by id, and the English source text of every prompt."""

    name: str
    start: str
    max_retries: int
    gather_timeout: int
    invalid_prompt: str
    nodes: Mapping[str, Node]
    prompts: Mapping[str, str]
    empty_recording: str | None = None  # where a recording that heard nothing goes (else the record node's next)
    callback_start: str | None = None  # where a call-back that a person answered begins

    def node(self, node_id: str) -> Node:
        """The node with this id (KeyError if the flow has none)."""
        return self.nodes[node_id]

    def language_option_prompts(self) -> tuple[str, ...]:
        """The prompts that announce language menu options, one per key."""
        return tuple(f"{LANGUAGE_OPTION_PREFIX}{n}" for n in range(1, MAX_LANGUAGE_OPTIONS + 1))

    def used_prompts(self) -> tuple[str, ...]:
        """Every prompt the flow can play, in a stable order."""
        seen: dict[str, None] = {self.invalid_prompt: None}
        for node in self.nodes.values():
            seen.update(dict.fromkeys(node.prompt_ids()))
        if any(n.kind == LANGUAGE_MENU for n in self.nodes.values()):
            seen.update(dict.fromkeys(self.language_option_prompts()))
        return tuple(seen)


class _OptionSchema(Schema):
    goto = fields.String(required=True, validate=_IDENT)
    remember = fields.Dict(keys=fields.String(validate=validate.OneOf(("heard_via",))), values=fields.String(),
                           load_default=dict)
    prompt = fields.String(load_default=None, validate=_IDENT)
    only_if = fields.String(load_default=None, validate=validate.OneOf(FLAGS))


class _NodeSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    prompts = fields.List(fields.String(validate=_IDENT), load_default=list)
    next = fields.String(load_default=None, validate=_IDENT)
    on_fail = fields.String(load_default=None, validate=_IDENT)
    options = fields.Dict(keys=fields.String(validate=_KEY), values=fields.Nested(_OptionSchema), load_default=dict)
    skip_if = fields.String(load_default=None, validate=validate.OneOf(FLAGS))
    report_type = fields.String(load_default=None, validate=_IDENT)
    max_length = fields.Integer(load_default=120, validate=validate.Range(min=5, max=600))
    empty_prompts = fields.List(fields.String(validate=_IDENT), load_default=list)
    hold_prompts = fields.List(fields.String(validate=_IDENT), load_default=list)
    closed = fields.String(load_default=None, validate=_IDENT)
    unstaffed = fields.String(load_default=None, validate=_IDENT)
    unanswered = fields.String(load_default=None, validate=_IDENT)
    max_wait = fields.Integer(load_default=120, validate=validate.Range(min=10, max=1800))
    position_prompts = fields.List(fields.String(validate=_IDENT), load_default=list)
    callback_consent = fields.Boolean(load_default=False)
    multilingual = fields.Boolean(load_default=False)
    on_empty = fields.String(load_default=None, validate=_IDENT)
    unvoiced = fields.String(load_default=None, validate=_IDENT)

    @validates_schema
    def required_per_kind(self, data: dict[str, Any], **_: Any) -> None:
        kind = data.get("kind")
        needs = {
            SAY: ("next",), MENU: ("on_fail",), LANGUAGE_MENU: ("next", "on_fail"), RECORD: ("next", "report_type"),
            FACTS: ("next",), REQUEST: ("next", "report_type"), OPERATOR: ("next", "closed", "unanswered"),
        }.get(kind or "", ())
        missing = {name: [f"required for a {kind} node"] for name in needs if not data.get(name)}
        if kind == MENU and not data.get("options"):
            missing["options"] = ["a menu needs at least one option"]
        if kind == HANGUP and (data.get("next") or data.get("options")):
            missing["next"] = ["a hangup node ends the call: no next or options"]
        if data.get("skip_if") and not data.get("next"):
            missing["next"] = ["skip_if needs a next node to skip to"]
        if missing:
            raise ValidationError(missing)


class FlowFileSchema(Schema):
    """Schema of a call flow file."""

    version = fields.Integer(required=True, validate=validate.Equal(1))
    start = fields.String(required=True, validate=_IDENT)
    max_retries = fields.Integer(load_default=2, validate=validate.Range(min=0, max=5))
    gather_timeout = fields.Integer(load_default=6, validate=validate.Range(min=2, max=30))
    invalid_prompt = fields.String(required=True, validate=_IDENT)
    empty_recording = fields.String(load_default=None, validate=_IDENT)
    callback_start = fields.String(load_default=None, validate=_IDENT)
    prompts = fields.Dict(keys=fields.String(validate=_IDENT), values=fields.String(validate=validate.Length(min=1)),
                          required=True)
    nodes = fields.Dict(keys=fields.String(validate=_IDENT), values=fields.Nested(_NodeSchema), required=True,
                        validate=validate.Length(min=1))

    @validates_schema
    def references(self, data: dict[str, Any], **_: Any) -> None:
        nodes, prompts = data.get("nodes", {}), data.get("prompts", {})
        errors: dict[str, Any] = {}
        if data.get("start") not in nodes:
            errors["start"] = [f"no node named {data.get('start')!r}"]
        if data.get("invalid_prompt") not in prompts:
            errors["invalid_prompt"] = [f"no prompt named {data.get('invalid_prompt')!r}"]
        for entry in ("empty_recording", "callback_start"):
            if data.get(entry) and data[entry] not in nodes:
                errors[entry] = [f"no node named {data[entry]!r}"]
        for node_id, node in nodes.items():
            problems = _node_reference_errors(node, nodes, prompts)
            if problems:
                errors.setdefault("nodes", {})[node_id] = problems
        if errors:
            raise ValidationError(errors)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Flow:
        nodes = {node_id: _make_node(node_id, raw) for node_id, raw in data["nodes"].items()}
        return Flow(name="", start=data["start"], max_retries=data["max_retries"],
                    gather_timeout=data["gather_timeout"], invalid_prompt=data["invalid_prompt"], nodes=nodes,
                    prompts=dict(data["prompts"]), empty_recording=data["empty_recording"],
                    callback_start=data["callback_start"])


def _node_reference_errors(
    node: dict[str, Any], nodes: Mapping[str, Any], prompts: Mapping[str, str]
) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    for name in TARGET_FIELDS:
        if node.get(name) and node[name] not in nodes:
            problems[name] = [f"no node named {node[name]!r}"]
    for key, option in node.get("options", {}).items():
        if option["goto"] not in nodes:
            problems.setdefault("options", {})[key] = {"goto": [f"no node named {option['goto']!r}"]}
        if option.get("prompt") and option["prompt"] not in prompts:
            problems.setdefault("options", {})[key] = {"prompt": [f"no prompt named {option['prompt']!r}"]}
    for name in _PROMPT_FIELDS:
        unknown = [p for p in node.get(name, []) if p not in prompts]
        if unknown:
            problems[name] = [f"no prompt named {p!r}" for p in unknown]
    if node.get("kind") == LANGUAGE_MENU:
        missing = [f"{LANGUAGE_OPTION_PREFIX}{n}" for n in range(1, MAX_LANGUAGE_OPTIONS + 1)
                   if f"{LANGUAGE_OPTION_PREFIX}{n}" not in prompts]
        if missing:
            problems["kind"] = [f"a language menu needs prompts {', '.join(missing)}"]
    return problems


def _make_node(node_id: str, raw: dict[str, Any]) -> Node:
    options = tuple(Option(key, o["goto"], dict(o["remember"]), o["prompt"], o["only_if"])
                    for key, o in raw.pop("options").items())
    for name in _PROMPT_FIELDS:
        raw[name] = tuple(raw[name])
    return Node(id=node_id, options=options, **raw)


def load_flow(path: Path) -> Flow:
    """Load and validate a call flow, raising ContentError naming file, line and key."""
    try:
        flow: Flow = load_yaml_file(path, FlowFileSchema())
    except ContentError as exc:  # marshmallow names a dict entry's value "key.value": say just "key"
        raise ContentError(exc.path, [p.replace(".value.", ".") for p in exc.problems]) from None
    return Flow(path.stem, flow.start, flow.max_retries, flow.gather_timeout, flow.invalid_prompt, flow.nodes,
                flow.prompts, flow.empty_recording, flow.callback_start)
