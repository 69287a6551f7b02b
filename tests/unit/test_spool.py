"""The spool's codec (sealed lines, property-tested) and its files: appends, torn lines, batches, cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.sealed_records import KINDS, SMS_INBOUND, SpoolCorrupt, SpoolRecord, decode, encode, make_record
from hotline.spool.store import INCOMING, Spool

KEYS = PrivacyKeys.from_secret("spool-test-key-0123456789abcdef0123456789")
OTHER = PrivacyKeys.from_secret("another-key-0123456789abcdef0123456789abcd")
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
_moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(sorted(KINDS)), form=st.dictionaries(_text, _text, max_size=12),
       args=st.dictionaries(st.text(max_size=20), st.text(max_size=20), max_size=3), at=_moments)
def test_any_record_survives_a_round_trip_and_its_line_shows_nothing(kind, form, args, at) -> None:
    record = make_record(kind, form, at, args)
    line = encode(KEYS, record)
    assert line.endswith(b"\n") and line.count(b"\n") == 1 and line.isascii()
    assert decode(KEYS, line) == record
    for value in form.values():
        if len(value) >= 6:
            assert value.encode() not in line


@settings(max_examples=200, deadline=None)
@given(garbage=st.binary(max_size=300))
def test_garbage_never_decodes_and_never_crashes(garbage: bytes) -> None:
    with pytest.raises(SpoolCorrupt):
        decode(KEYS, garbage)


@settings(max_examples=50, deadline=None)
@given(position=st.integers(min_value=0), bit=st.integers(min_value=0, max_value=7))
def test_a_flipped_bit_or_another_key_is_refused(position: int, bit: int) -> None:
    line = encode(KEYS, make_record(SMS_INBOUND, {"From": "+93701234567", "Body": "hello"}, datetime.now(UTC)))
    with pytest.raises(SpoolCorrupt):
        decode(OTHER, line)
    body = bytearray(line.rstrip(b"\n"))
    index = position % len(body)
    body[index] ^= 1 << bit
    try:
        decoded = decode(KEYS, bytes(body))
    except SpoolCorrupt:
        return
    # base64 padding bits can flip without changing the bytes; then the record is still the same record
    assert decoded == decode(KEYS, line)


def test_naive_times_and_unknown_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        make_record("sms.bogus", {}, datetime.now(UTC))
    with pytest.raises(SpoolCorrupt):
        SpoolRecord.from_json({"kind": SMS_INBOUND, "at": "2026-01-01T00:00:00", "form": {}})


def _record(n: int) -> SpoolRecord:
    return make_record(SMS_INBOUND, {"MessageSid": f"SM{n:032x}"}, datetime(2026, 1, 1, tzinfo=UTC) + timedelta(n))


def test_appends_are_counted_rotated_and_a_torn_line_loses_nothing_after_it(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", KEYS)
    assert spool.backlog() == 0 and not spool.has_backlog()
    spool.append(_record(1))
    with (spool.directory / INCOMING).open("ab") as handle:
        handle.write(b"H1 1 half-a-line-from-a-crash")  # a process died mid-write
    spool.append(_record(2))
    assert spool.backlog() == 3 and spool.has_backlog()  # the torn line counts until a replay sets it aside
    spool.rotate()
    (batch,) = spool.batches()
    ids = [decode(KEYS, line).form["MessageSid"] for line in batch.lines() if not line.startswith(b"H1 1 half")]
    assert ids == [f"SM{1:032x}", f"SM{2:032x}"]
    spool.append(_record(3))
    batch.advance(1)
    assert spool.backlog() == 3
    batch.remove()
    assert spool.backlog() == 1
    assert oct((spool.directory / INCOMING).stat().st_mode & 0o777) == "0o600"


def test_only_one_replayer_at_a_time(tmp_path: Path) -> None:
    from hotline.spool.store import ReplayBusy

    spool = Spool(tmp_path, KEYS)
    with spool.replaying(), pytest.raises(ReplayBusy), Spool(tmp_path, KEYS).replaying():
        pass
