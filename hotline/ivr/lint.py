"""`hotline ivr lint`: structural checks of a call flow and prompt coverage of every hotline number. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hotline.ivr.content import IvrContent
from hotline.ivr.flow import FACTS, HANGUP, OPERATOR, RECORD, REQUEST, SAY, Flow
from hotline.ivr.prompts import MISSING, RECORDED, SOURCE_LANGUAGE, SYNTHETIC, TTS
from hotline.ivr.spoken_flow import OWN_PROMPTS as SPOKEN_REPLY_PROMPTS

_SYMBOLS = {RECORDED: "R", TTS: "T", SYNTHETIC: "S", MISSING: "-"}


@dataclass
class LintReport:
    """What the linter found: errors fail the lint, warnings are printed."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def lint(content: IvrContent) -> LintReport:
    """Check the flow's structure, and that every number offers at least one language whose prompts all resolve."""
    report = LintReport()
    check_flow(content.flow, report)
    check_coverage(content, report)
    return report


def check_flow(flow: Flow, report: LintReport) -> None:
    """Every node reachable, every node can reach a hangup, no loop that never waits for the caller."""
    edges = {node_id: set(node.targets()) for node_id, node in flow.nodes.items()}
    for node_id, node in flow.nodes.items():
        if node.kind == RECORD and flow.empty_recording:
            edges[node_id].add(flow.empty_recording)
    reachable = _reach(flow.start, edges)
    if flow.callback_start:  # a call-back enters the flow at its own node
        reachable |= _reach(flow.callback_start, edges)
    for node_id in flow.nodes:
        if node_id not in reachable:
            report.errors.append(f"node {node_id!r} is unreachable from {flow.start!r}")
    endings = {node_id for node_id, node in flow.nodes.items() if node.kind == HANGUP}
    if not endings:
        report.errors.append("the flow has no hangup node: no call can end politely")
    for node_id in sorted(reachable):
        if not _reach(node_id, edges) & endings:
            report.errors.append(f"node {node_id!r} is a dead end: no path from it reaches a goodbye")
    passing = {node_id: _passing_targets(flow, node_id) for node_id in flow.nodes}
    for node_id in flow.nodes:
        if node_id in _reach_strict(node_id, passing):
            report.errors.append(f"node {node_id!r} is in a loop that never waits for the caller")
    used = set(flow.used_prompts()) | set(SPOKEN_REPLY_PROMPTS)  # the spoken-reply call plays these outside the flow
    for prompt in sorted(set(flow.prompts) - used):
        report.warnings.append(f"prompt {prompt!r} is never used")


def check_coverage(content: IvrContent, report: LintReport) -> None:
    """Every number offers a language; configured languages that are not offered are named with what is missing."""
    prompts = content.prompts
    if prompts.missing(SOURCE_LANGUAGE):
        report.errors.append(f"prompts missing in {SOURCE_LANGUAGE}: {', '.join(prompts.missing(SOURCE_LANGUAGE))}")
    for number, config in content.hotlines.all_numbers().items():
        offered = [code for code in config.languages if prompts.offered(code)]
        if not offered:
            report.errors.append(f"number {number}: none of {list(config.languages)} has every prompt")
        for code in config.languages:
            missing = prompts.missing(code)
            if missing:
                report.warnings.append(f"number {number}: {code} not offered, {len(missing)} prompt(s) missing "
                                       f"(e.g. {missing[0]})")


def coverage_matrix(coverage: Mapping[str, Mapping[str, str]]) -> str:
    """The language x prompt matrix: R recorded, T Twilio voice, S synthetic stand-in, - missing."""
    languages = list(coverage)
    prompts = list(next(iter(coverage.values()), {}))
    width = max((len(p) for p in prompts), default=6)
    lines = [" " * width + "  " + " ".join(f"{code:>3}" for code in languages)]
    for prompt in prompts:
        marks = " ".join(f"{_SYMBOLS[coverage[code][prompt]]:>3}" for code in languages)
        lines.append(f"{prompt:<{width}}  {marks}")
    lines.append("R recorded, T Twilio <Say>, S synthetic stand-in (espeak-ng), - missing")
    return "\n".join(lines)


def _passing_targets(flow: Flow, node_id: str) -> set[str]:
    """Where a node leads without waiting for the caller."""
    node = flow.node(node_id)
    targets: set[str] = set()
    if node.skip_if and node.next:
        targets.add(node.next)
    if node.kind in (SAY, FACTS, REQUEST) and node.next:
        targets.add(node.next)
    if node.kind == OPERATOR and node.closed:
        targets.add(node.closed)
    return targets


def _reach(start: str, edges: Mapping[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _reach_strict(start: str, edges: Mapping[str, set[str]]) -> set[str]:
    """Nodes reachable in one or more steps (so ``start`` is included only if it is on a cycle)."""
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node_id = todo.pop()
        if node_id not in seen:
            seen.add(node_id)
            todo.extend(edges.get(node_id, ()))
    return seen
