"""What the report page says about where a report came from (pure: no Flask, no database).

A focal point's visit: who (the focal point), where, how many people, when they heard it and from whom. A call: how
long, which menu path the caller took, how they heard of the hotline, and for a message left "in any language" the
languages it is likely in. Earlier contacts: a short snippet each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

SNIPPET_CHARS = 140


@dataclass(frozen=True)
class VisitDetails:
    """What a focal point gave with their report."""

    place: str | None
    heard_on: date | None
    heard_from: str | None


@dataclass(frozen=True)
class CallDetails:
    """What a call's contact recorded."""

    call_seconds: int | None
    menu_path: Sequence[str]
    heard_via: str | None
    likely_languages: Sequence[str] = ()  # a message left "in any language": the number's languages, chosen first


def visit_details(state: Mapping[str, Any] | None) -> VisitDetails:
    """The visit's place, date heard and source from a field contact's state (a date that does not parse is
    left out rather than shown wrong)."""
    state = state or {}
    heard_on = None
    raw = state.get("heard_on")
    if isinstance(raw, str):
        try:
            heard_on = date.fromisoformat(raw)
        except ValueError:
            heard_on = None
    place = state.get("place")
    source = state.get("heard_from")
    return VisitDetails(place if isinstance(place, str) and place.strip() else None, heard_on,
                        source if isinstance(source, str) and source else None)


def menu_path(visited: Sequence[str] | None) -> list[str]:
    """The menus a caller went through, in order, a repeated step (a menu heard again) shown once."""
    path: list[str] = []
    for node in visited or ():
        if isinstance(node, str) and node and (not path or path[-1] != node):
            path.append(node)
    return path


def call_details(state: Mapping[str, Any] | None, visited: Sequence[str] | None,
                 heard_via: str | None) -> CallDetails:
    """A call's length (from its status callback), menu path and how the caller heard of the hotline."""
    call = (state or {}).get("call") or {}
    seconds = call.get("duration") if isinstance(call, Mapping) else None
    hint = (state or {}).get("language_hint") or ()
    likely = tuple(code for code in hint if isinstance(code, str) and code) if isinstance(hint, list) else ()
    return CallDetails(seconds if isinstance(seconds, int) and seconds >= 0 else None, menu_path(visited),
                       heard_via or None, likely)


def snippet(text: str | None, limit: int = SNIPPET_CHARS) -> str | None:
    """The start of a text on one line, cut at a word when it is longer than ``limit`` characters."""
    if not text:
        return None
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut + "…"
