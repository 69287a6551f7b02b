"""Readable audit changes: only changed fields, creations and removals, caller-identifying fields never shown."""

from __future__ import annotations

from hotline.audit.changes import ABSENT, Change, describe, safe_text, shown


def test_only_the_fields_that_changed_in_recorded_order() -> None:
    before = {"status": "candidate", "risk": "medium", "translations": ["prs"]}
    after = {"status": "reviewed", "risk": "medium", "translations": ["en", "prs"]}
    assert describe(before, after) == [Change("status", "candidate", "reviewed"),
                                       Change("translations", ["prs"], ["en", "prs"])]


def test_a_creation_has_no_old_values_and_a_removal_no_new_ones() -> None:
    assert describe(None, {"role": "operator"}) == [Change("role", ABSENT, "operator")]
    assert describe({"assignee_id": 4}, {}) == [Change("assignee_id", 4, ABSENT)]


def test_fields_that_could_identify_a_caller_are_never_described() -> None:
    event = {"pseudonym": "9f2c", "phone_masked": "+93 70• ••• ••67", "from": "+93701234567", "reply_address": "x",
             "public_number": "12345678", "body": "caller words", "status": "closed"}
    assert [c.field for c in describe({}, event)] == ["status"]
    assert not shown("Caller_Phone") and shown("segments") and shown("reports_moved")


def test_values_that_look_like_phone_numbers_are_masked_and_long_ones_cut() -> None:
    assert "1234567" not in safe_text("call +93701234567 now")
    assert safe_text("2026-12-03T10:00:00+00:00") == "2026-12-03T10:00:00+00:00"
    assert len(safe_text("x" * 500)) == 200
