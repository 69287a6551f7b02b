"""Finding a rumour to link a report to: type-ahead over every live rumour's statement and translations.

Ranking is the classifier's multilingual matching (character n-grams, hotline.classify), so a Dari query finds a
rumour whose statement is English but has a Dari translation, and a misspelt word still finds its rumour; a
statement or translation that contains the query as typed comes first. "#12" (or "12") is rumour 12.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.classify.normalise import normalise
from hotline.classify.service import rumour_index
from hotline.rumours.models import Rumour

PER_PAGE = 8
MAX_PAGE = 20
MIN_QUERY_CHARS = 2
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class RumourHit:
    """A rumour found, and how similar (0..1) its closest statement is to the query (None: found by id)."""

    rumour: Rumour
    score: float | None


@dataclass(frozen=True)
class RumourResults:
    """One page of results."""

    query: str
    hits: Sequence[RumourHit]
    page: int
    more: bool


def search_rumours(session: Session, query: str, page: int = 1, per_page: int = PER_PAGE) -> RumourResults:
    """Live rumours (not archived, not merged) matching ``query``, best first, page ``page`` (1-based)."""
    query = " ".join(query.split())[:MAX_QUERY_CHARS]
    page = min(MAX_PAGE, max(1, page))
    wanted = query.lstrip("#")
    if wanted.isdigit():
        found = session.get(Rumour, int(wanted))
        live = found is not None and found.merged_into_id is None
        return RumourResults(query, [RumourHit(found, None)] if live and found and page == 1 else [], page, False)
    if len(query) < MIN_QUERY_CHARS:
        return RumourResults(query, [], 1, False)
    window = page * per_page + 1
    matches = rumour_index(session).search(query, limit=min(window + per_page, MAX_PAGE * per_page + 1))
    rumours = {r.id: r for r in session.scalars(select(Rumour).where(
        Rumour.id.in_([m.rumour_id for m in matches]), Rumour.merged_into_id.is_(None)))}
    needle = normalise(query)

    def contains(rumour: Rumour) -> bool:
        texts = [rumour.canonical_statement, *(rumour.statement_translations or {}).values()]
        return any(needle in normalise(text) for text in texts if text)

    ranked = sorted((RumourHit(rumours[m.rumour_id], m.score) for m in matches if m.rumour_id in rumours),
                    key=lambda hit: (not contains(hit.rumour), -(hit.score or 0.0)))
    start = (page - 1) * per_page
    return RumourResults(query, ranked[start:start + per_page], page, len(ranked) > start + per_page)
