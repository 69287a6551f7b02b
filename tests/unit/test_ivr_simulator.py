"""The call simulator's script syntax (`hotline simulate call --keys`)."""

from hotline.ivr.simulator import Queue, Recorded, new_sid, parse_script


def test_script_items() -> None:
    assert parse_script("1,,rec:12,queue:bridged,wait:300,hangup") == [
        "1", "", Recorded(duration=12), Queue("bridged"), Queue(None, wait=300), "hangup"]
    assert parse_script("") == []


def test_sids_look_like_twilio_ids() -> None:
    sid = new_sid("CA")
    assert sid.startswith("CA") and len(sid) == 34 and int(sid[2:], 16) >= 0
