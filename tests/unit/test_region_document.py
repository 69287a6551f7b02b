"""Regional feed documents: signatures, and every way a feed is refused before anything is stored."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hotline.region.document import (
    FORMAT,
    Expectation,
    FeedRefused,
    check_document,
    load_public_key,
    open_envelope,
    public_key_text,
    sign,
)
from hotline.region.tables import ROW_TOTAL, week_rows
from hotline.trends.cells import Cell

KEY = Ed25519PrivateKey.generate()
PUBLIC = load_public_key(public_key_text(KEY))
ISSUED = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def document(**overrides: Any) -> dict[str, Any]:
    weeks = [{"week": "2026-W46", "week_start": "2026-11-09", "rows": [["2026-W46", "2026-11-09", "cell", "AF",
                                                                        "ps", "smuggler_claims", 3, 12, None]]},
             {"week": "2026-W47", "week_start": "2026-11-16", "rows": []}]
    return {"format": FORMAT, "nonce": "n" * 24, "issued_at": ISSUED.isoformat(), "since": "2026-11-02",
            "through": "2026-11-16", "weeks": weeks, **overrides}


def expect(**overrides: Any) -> Expectation:
    values: dict[str, Any] = {"nonce": "n" * 24, "since": date(2026, 11, 2), "last_issued_at": None, **overrides}
    return Expectation(**values)


def body(doc: dict[str, Any], key: Ed25519PrivateKey = KEY) -> bytes:
    return json.dumps(sign(doc, key), ensure_ascii=False).encode("utf-8")


def test_a_signed_feed_opens_and_lists_its_weeks() -> None:
    opened = open_envelope(body(document()), PUBLIC)
    assert check_document(opened, expect()) == [date(2026, 11, 9), date(2026, 11, 16)]


def test_a_tampered_count_is_refused() -> None:
    envelope = sign(document(), KEY)
    envelope["document"]["weeks"][0]["rows"][0][7] = 120
    with pytest.raises(FeedRefused, match="signature does not match"):
        open_envelope(json.dumps(envelope).encode(), PUBLIC)


def test_a_truncated_feed_is_refused() -> None:
    whole = body(document())
    with pytest.raises(FeedRefused, match="truncated or not JSON"):
        open_envelope(whole[: len(whole) // 2], PUBLIC)


def test_a_feed_signed_by_another_key_is_refused() -> None:
    with pytest.raises(FeedRefused, match="signature does not match"):
        open_envelope(body(document(), Ed25519PrivateKey.generate()), PUBLIC)


def test_a_replayed_feed_is_refused() -> None:
    opened = open_envelope(body(document()), PUBLIC)
    with pytest.raises(FeedRefused, match="replayed"):
        check_document(opened, expect(nonce="m" * 24))
    with pytest.raises(FeedRefused, match="not after the last one accepted"):
        check_document(opened, expect(last_issued_at=ISSUED))


def test_out_of_order_feeds_are_refused() -> None:
    with pytest.raises(FeedRefused, match="out of order"):
        check_document(document(), expect(since=date(2026, 11, 9)))
    skipping = document(weeks=[document()["weeks"][1]])
    with pytest.raises(FeedRefused, match="does not follow"):
        check_document(skipping, expect())


def test_a_list_of_weeks_cut_short_is_refused() -> None:
    cut = document(weeks=document()["weeks"][:1])
    with pytest.raises(FeedRefused, match="truncated"):
        check_document(cut, expect())


def test_week_rows_never_show_a_count_under_k_nor_one_the_total_gives_back() -> None:
    monday = date(2026, 11, 9)
    cells = [Cell(monday, "AF", "AF-NAN", "ps", "sms", "rumour_belief", "smuggler_claims", 7, 9),
             Cell(monday, "AF", "AF-KAB", "ps", "voice", "rumour_belief", "smuggler_claims", 7, 4),  # sums to 13
             Cell(monday, "AF", "AF-NAN", "prs", "sms", "question", "journey_risk", None, 2),
             Cell(monday, "AF", "AF-NAN", "ps", "sms", "question", "legal_pathways", None, 8)]
    rows = week_rows(monday, cells, 5)
    counts = [row[7] for row in rows if row[2] != ROW_TOTAL]
    assert all(c is None or c >= 5 for c in counts)
    assert counts.count(None) >= 2  # the 2 and a secondary: the total minus the others gives neither back
    assert rows[-1][2] == ROW_TOTAL
    assert 13 in counts  # admin1 and channel summed away: a cell of 4 is published as part of 13
    assert week_rows(monday, [], 5) == []
    assert week_rows(monday + timedelta(days=7), cells[2:3], 5)[-1][7] is None  # a total under k is hidden
