"""The regional library's pure parts: adoption's credit and translations, feed fields added later (adoptions,
evaluations: checked, absent from older peers' feeds), campaign stages, and the regional exports' HXL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import hxl
import openpyxl
import pytest
from marshmallow import ValidationError

from hotline.exports.writers import csv_chunks, json_chunks, write_xlsx
from hotline.region.adoption import check_adoptions, credit, translations
from hotline.region.document import FeedRefused
from hotline.region.evaluations import (
    COMPLETE,
    ENDED,
    RegionalEvaluation,
    campaign_periods,
    check_items,
    complete_item,
    due_stage,
    evaluation_item,
    scope_counts,
)
from hotline.region.library import LibraryQuery, LibraryQuerySchema, clean_args
from hotline.region.models import RegionPeerMessage
from hotline.region.regional_export import (
    EVALUATION_COLUMNS,
    WEEK_COLUMNS,
    evaluation_record,
    week_records,
)
from hotline.region.tables import week_rows
from hotline.trends.cells import Cell
from hotline.trends.evaluation import evaluate, periods, suppress_evaluation

KEY = "A" * 43 + "="


def campaign(**overrides: Any) -> Any:
    values = {"id": 7, "name": "Monsoon seas", "target_categories": ["journey_risk"], "languages": ["bn", "rhg"],
              "regions": [{"country": "BD", "admin1": "BD-B"}, {"country": "BD"}],
              "starts_on": date(2026, 9, 7), "ends_on": date(2026, 9, 20), **overrides}
    return SimpleNamespace(**values)


def item(counts: dict[str, int], k: int = 5, stage: str = COMPLETE) -> dict[str, Any]:
    c = campaign()
    spans = periods(c.starts_on, c.ends_on, date(2026, 12, 1))
    return evaluation_item(c, spans, suppress_evaluation(evaluate(counts, spans), k), stage, k)


def peer_message(remote_id: int, language: str, rumour: int | None = 3, category: str | None = "smuggler_claims",
                 peer_id: int = 1) -> RegionPeerMessage:
    return RegionPeerMessage(peer_id=peer_id, remote_id=remote_id, remote_rumour_id=rumour, category=category,
                             language=language, title=f"t{remote_id}", body="b")


def test_the_adopted_message_credits_its_peer_and_source() -> None:
    assert credit("bd", "IOM") == "bd: IOM"
    assert credit("bd", None) == "bd"
    assert len(credit("bd", "x" * 400)) == 200


def test_translations_are_the_peers_messages_for_the_same_rumour_in_other_local_languages() -> None:
    chosen = peer_message(10, "bn")
    others = [peer_message(12, "en"), peer_message(11, "en"), peer_message(13, "rhg"), peer_message(14, "fr"),
              peer_message(15, "ms", rumour=4), peer_message(16, "ta", category="journey_risk"),
              peer_message(17, "ur", peer_id=2), peer_message(18, "bn")]
    picked = translations(chosen, others, ["bn", "en", "rhg", "ms", "ta", "ur"])
    assert [(m.remote_id, m.language) for m in picked] == [(10, "bn"), (11, "en"), (13, "rhg")]


def test_adoptions_are_checked_and_absent_from_an_older_peers_feed() -> None:
    assert check_adoptions(None) == []
    assert check_adoptions([{"source_key": KEY, "message_id": 4, "extra": 1}]) == \
        [{"source_key": KEY, "message_id": 4}]
    for bad in ({"a": 1}, [{"source_key": KEY, "message_id": "4"}], [{"source_key": "short", "message_id": 4}]):
        with pytest.raises(FeedRefused, match="adoptions"):
            check_adoptions(bad)


def test_an_evaluation_publishes_suppressed_figures_and_the_same_test() -> None:
    published = item({"before": 40, "during": 12, "after": 3})
    assert published["before"]["reports"] == 40 and published["during"]["reports"] == 12
    assert published["after"]["reports"] is None and published["after"]["per_week"] is None
    assert published["countries"] == ["BD"] and published["stage"] == COMPLETE
    assert published["p_value"] is not None and published["p_value"] < 0.05
    assert check_items([json.loads(json.dumps(published))])[0]["id"] == 7
    hidden = item({"before": 40, "during": 2})
    assert hidden["during"]["reports"] is None and hidden["change_percent"] is None and hidden["p_value"] is None


def test_an_evaluation_with_a_small_count_or_a_low_threshold_is_refused() -> None:
    published = json.loads(json.dumps(item({"before": 40, "during": 12})))
    published["during"]["reports"] = 2
    with pytest.raises(FeedRefused, match="under its threshold"):
        check_items([published])
    low = json.loads(json.dumps(item({"before": 40, "during": 12})))
    low["min_cell_count"] = 2
    with pytest.raises(FeedRefused, match="threshold 2"):
        check_items([low])
    with pytest.raises(FeedRefused, match="malformed"):
        check_items([{"id": 1}])
    assert check_items(None) == []


def test_the_complete_stage_keeps_before_and_during_as_first_published() -> None:
    ended = item({"before": 40, "during": 12}, stage=ENDED)
    recounted = item({"before": 41, "during": 12, "after": 9})  # late coding moved before by one
    complete = complete_item(ended, recounted)
    assert complete["before"] == ended["before"] and complete["p_value"] == ended["p_value"]
    assert complete["after"]["reports"] == 9 and complete["stage"] == COMPLETE


def test_a_campaign_is_due_once_its_weeks_and_then_the_weeks_after_have_closed() -> None:
    c = campaign()  # 2026-09-07 (Monday) to 2026-09-20 (Sunday): two weeks
    assert due_stage(c, date(2026, 9, 13)) is None
    assert due_stage(c, date(2026, 9, 20)) == ENDED
    assert due_stage(c, date(2026, 9, 27)) == ENDED
    assert due_stage(c, date(2026, 10, 4)) == COMPLETE


def test_library_query_parses_the_filters() -> None:
    args = clean_args({"rumour": " boats ", "category": "", "lang": "bn", "page": "2"})
    assert LibraryQuerySchema().load(args) == LibraryQuery("boats", None, "bn", None, 2)
    with pytest.raises(ValidationError):
        LibraryQuerySchema().load({"lang": "<script>"})


def _rows_of_every_format(records: list[Any], columns: Any, tmp_path: Path) -> dict[str, list[list[str]]]:
    csv_rows = list(csv.reader(io.StringIO("".join(csv_chunks(records, columns)))))
    path = tmp_path / "x.xlsx"
    write_xlsx(str(path), records, columns, sheet="t")
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        xlsx_rows = [["" if v is None else str(v) for v in row] for row in workbook["t"].iter_rows(values_only=True)]
    finally:
        workbook.close()
    document = json.loads("".join(json_chunks(records, {}, columns)))
    json_rows = [[c["name"] for c in document["columns"]], [c["hxl"] for c in document["columns"]],
                 *[["" if row[c["name"]] is None else str(row[c["name"]]) for c in document["columns"]]
                   for row in document["rows"]]]
    return {"csv": csv_rows, "xlsx": xlsx_rows, "json": json_rows}


def _default_errors(rows: list[list[str]]) -> list[str]:
    errors: list[str] = []

    def collect(issue: hxl.validation.HXLValidationException) -> None:
        if issue.rule.severity == "error":
            errors.append(f"{issue.value!r}: {issue.message}")

    hxl.schema(None, callback=collect).validate(hxl.data(rows))
    return errors


def test_the_regional_exports_pass_libhxls_default_validation(tmp_path: Path) -> None:
    weeks = list(week_records("bd", [["2026-W46", "2026-11-09", "cell", "BD", "bn", "journey_risk", 3, 12, None],
                                     ["2026-W46", "2026-11-09", "cell", "BD", "bn", "smuggler_claims", None, None,
                                      "primary"],
                                     ["2026-W46", "2026-11-09", "week_total", None, None, None, None, 15, None]]))
    evaluations = [evaluation_record(RegionalEvaluation("here", json.loads(json.dumps(item(counts)))))
                   for counts in ({"before": 40, "during": 12, "after": 30}, {"before": 40, "during": 2})]
    for records, columns in ((weeks, WEEK_COLUMNS), (evaluations, EVALUATION_COLUMNS)):
        for name, rows in _rows_of_every_format(records, columns, tmp_path).items():
            assert len(rows) == 2 + len(records), name
            assert _default_errors(rows) == [], name
            assert hxl.validate(rows)["is_valid"], name
    dates = [row.get("#date+during+start") for row in hxl.data(_rows_of_every_format(
        evaluations, EVALUATION_COLUMNS, tmp_path)["csv"])]
    assert dates == ["2026-09-07", "2026-09-07"]


def test_a_week_label_under_date_would_fail_so_the_check_can_fail(tmp_path: Path) -> None:
    weeks = list(week_records("bd", [["2026-W46", "2026-11-09", "week_total", None, None, None, None, 15, None]]))
    rows = _rows_of_every_format(weeks, WEEK_COLUMNS, tmp_path)["csv"]
    rows[1][1] = "#date+week"
    assert _default_errors(rows)


def _week(monday: date, cells: list[tuple[str, str, str, int]], k: int = 5) -> list[list[Any]]:
    return week_rows(monday, [Cell(monday, country, None, lang, None, None, cat, None, n)
                              for country, lang, cat, n in cells], k)


def test_evaluation_counts_are_sums_of_published_cells_so_no_hidden_cell_comes_back() -> None:
    c = campaign(languages=[], regions=[{"country": "BD"}])  # journey_risk in BD, two weeks from 2026-09-07
    spans = campaign_periods(c, ENDED, date(2026, 9, 20))
    mondays = [date(2026, 8, 24) + timedelta(weeks=n) for n in range(4)]
    weeks = {monday: _week(monday, [("BD", "bn", "journey_risk", 20), ("BD", "rhg", "journey_risk", 2),
                                    ("BD", "en", "journey_risk", 9), ("BD", "bn", "legal_pathways", 30),
                                    ("AF", "ps", "journey_risk", 40)]) for monday in mondays}
    hidden = [r for r in weeks[mondays[0]] if r[7] is None]
    assert hidden, "the small rhg cell (and what gives it back) is suppressed in the weekly table"
    visible = sum(r[7] for r in weeks[mondays[0]] if r[2] == "cell" and r[3] == "BD" and r[5] == "journey_risk"
                  and r[7] is not None)
    counts = scope_counts(weeks, c, spans)
    assert counts == {"before": 2 * visible, "during": 2 * visible}
    # A count straight from the reports (20 + 2 + 9 a week) less the visible cells would give the hidden 2 back.
    assert 2 * (20 + 2 + 9) - counts["before"] >= 2 * 2
    assert scope_counts({m: rows for m, rows in weeks.items() if m != mondays[1]}, c, spans) is None
    only_bn = scope_counts(weeks, campaign(languages=["bn"], regions=[]), spans)
    assert only_bn == {"before": 40, "during": 40}
