# ruff: noqa: RUF001 - caller text in Arabic script is meant to be there
"""Rumour matching core: paraphrases, other languages through translations, statuses (pure)."""

from __future__ import annotations

from hotline.classify.matching import GrowingIndex, RumourIndex, RumourText

BORDER = RumourText(1, "reviewed", ["The border to Australia is open for boats",
                                    "سرحد استرالیا برای کشتی ها باز است",
                                    "Perbatasan Australia dibuka untuk kapal"])
REFUND = RumourText(2, "reviewed", ["The smuggler refunds the money if the boat is stopped"])
JOBS = RumourText(3, "candidate", ["Agent says a factory job in Malaysia pays 3000 ringgit"])


def _index() -> RumourIndex:
    return RumourIndex([BORDER, REFUND, JOBS])


def test_near_duplicate_in_the_same_language_scores_high() -> None:
    best = _index().search("the border to australia is open for boats!!")[0]
    assert best.rumour_id == 1 and best.score > 0.9


def test_paraphrase_matches_its_rumour() -> None:
    best = _index().search("i heard australia opened the border for the boats")[0]
    assert best.rumour_id == 1 and best.score > 0.35


def test_other_languages_match_through_translations() -> None:
    assert _index().search("شنیدم سرحد استراليا براي کشتي ها باز است")[0].rumour_id == 1  # Arabic yeh typed
    assert _index().search("katanya perbatasan australia sudah dibuka untuk kapal")[0].rumour_id == 1


def test_unrelated_text_scores_low() -> None:
    matches = _index().search("thank you for calling me back")
    assert not matches or matches[0].score < 0.3


def test_one_entry_per_rumour_and_status_filter() -> None:
    index = _index()
    matches = index.search("border australia boats open", limit=5)
    assert len({m.rumour_id for m in matches}) == len(matches)
    assert all(m.status == "candidate" for m in index.search("factory job malaysia", statuses=["candidate"]))
    assert not index.search("factory job malaysia ringgit", statuses=["reviewed"]) or \
        index.search("factory job malaysia ringgit", statuses=["reviewed"])[0].rumour_id != 3


def test_empty_index_and_empty_text() -> None:
    assert RumourIndex([]).search("anything") == []
    assert _index().search("   ") == []
    assert len(_index()) == 3


def test_a_growing_index_scores_as_the_full_index_it_is_weighed_by() -> None:
    full = _index()
    growing = GrowingIndex(RumourIndex([REFUND, JOBS]), [BORDER])
    growing.extend([REFUND])
    for text in ("the border to australia is open for boats!!", "i heard australia opened the border for the boats",
                 "katanya perbatasan australia sudah dibuka untuk kapal"):
        assert growing.search(text)[0].rumour_id == full.search(text)[0].rumour_id == 1
    assert growing.search("the border to australia is open for boats")[0].score > 0.99
    assert growing.search("the smuggler refunds the money")[0].rumour_id == 2
    matches = growing.search("thank you for calling me back")
    assert not matches or matches[0].score < 0.3
    assert all(m.status == "reviewed" for m in growing.search("border boats refund", statuses=["reviewed"]))
    assert len(growing) == 2


def test_a_growing_index_works_before_any_full_build() -> None:
    growing = GrowingIndex(RumourIndex([]))
    assert growing.search("anything") == [] and len(growing) == 0
    growing.extend([JOBS, BORDER])
    assert growing.search("a factory job in malaysia pays 3000 ringgit")[0].rumour_id == 3
    assert growing.search("شنیدم سرحد استرالیا برای کشتی ها باز است")[0].rumour_id == 1
    assert growing.search("   ") == []
