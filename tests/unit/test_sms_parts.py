"""Multi-part texts delivered in pieces: which messages are parts of one text (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline.sms.parts import Part, continued_report, join_parts, looks_cut

T0 = datetime(2026, 6, 1, 10, tzinfo=UTC)
GSM_PART = ("The agent says the boat leaves from Cilacap next week and the price is 3000 dollars each, "
            "children half price, and you must bring cash only. He says the navy")[:153]
URDU_PART = ("ایجنٹ کہتا ہے کہ کشتی اگلے ہفتے روانہ ہوگی اور ہر شخص کی قیمت تین ہزار ڈالر ہے بچوں کی آدھی")[:67]


def test_the_fixtures_fill_exactly_one_segment_of_a_concatenated_text() -> None:
    assert len(GSM_PART) == 153 and len(URDU_PART) == 67


@pytest.mark.parametrize(("body", "cut"), [
    (GSM_PART, True),
    (GSM_PART * 2, True),  # two parts reassembled, the third separate
    (GSM_PART[:152], True),  # an escape pair would have straddled the cut
    (GSM_PART[:150], False),
    (URDU_PART, True),
    (URDU_PART[:66], True),
    (URDU_PART[:60], False),
    ("x" * 160, False),  # a full single message is complete: a part of a longer one carries a header
    ("Is the border open?", False),
    ("", False),
])
def test_a_part_fills_whole_segments(body: str, cut: bool) -> None:
    assert looks_cut(body) is cut


def test_the_next_part_continues_the_first_parts_report() -> None:
    assert continued_report([Part(GSM_PART, T0, 7)], T0 + timedelta(seconds=3)) == 7


def test_a_third_part_walks_back_through_the_joined_middle_part() -> None:
    earlier = [Part(URDU_PART, T0 + timedelta(seconds=2), None), Part(URDU_PART, T0, 7)]
    assert continued_report(earlier, T0 + timedelta(seconds=4)) == 7


@pytest.mark.parametrize("earlier", [
    [Part("Is the border open?", T0, 7)],  # complete: the next message is a new text
    [Part(GSM_PART, T0 - timedelta(minutes=5), 7)],  # too long ago
    [Part(GSM_PART, T0 + timedelta(seconds=30), 7)],  # arrived after this one
    [Part(GSM_PART, T0, None), Part("HELP", T0 - timedelta(seconds=1), None)],  # no first part with a report
    [],
])
def test_anything_else_starts_a_new_report(earlier: list[Part]) -> None:
    assert continued_report(earlier, T0 + timedelta(seconds=5)) is None


def test_parts_are_joined_without_a_separator() -> None:
    assert join_parts("The navy wil", "l not stop you") == "The navy will not stop you"
    assert join_parts(None, "rest") == "rest" and join_parts("first", None) == "first"
