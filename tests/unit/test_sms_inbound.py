"""Twilio's inbound form -> Intake, for SMS and WhatsApp."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hotline.intake.constants import Channel
from hotline.sms.inbound import InvalidMessage, parse_inbound

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
SID = "SM" + "0" * 31 + "1"


def test_sms_form() -> None:
    intake = parse_inbound({"MessageSid": SID, "From": "+93701234567", "To": "+93790000000", "Body": "سلام",
                            "NumMedia": "0", "AccountSid": "AC1"}, NOW)
    assert intake.channel == Channel.SMS
    assert intake.message is not None and intake.message.body == "سلام"
    assert intake.report is not None and intake.report.source_id == SID
    assert intake.idempotency_key == SID
    assert intake.hotline_number == "+93790000000"


def test_whatsapp_form_with_media() -> None:
    intake = parse_inbound({
        "MessageSid": "MM" + "a" * 32, "From": "whatsapp:+8801712345678", "To": "whatsapp:+14155238886",
        "Body": "", "ProfileName": "Karim", "WaId": "8801712345678", "NumMedia": "2",
        "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        "MediaContentType0": "image/jpeg",
        "MediaUrl1": "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2",
        "MediaContentType1": "audio/ogg",
    }, NOW)
    assert intake.channel == Channel.WHATSAPP
    assert intake.message is not None
    assert [m["content_type"] for m in intake.message.media] == ["image/jpeg", "audio/ogg"]
    assert intake.report is not None  # a voice note with no text is still a report
    assert intake.extra == {"profile_name": "Karim"}


def test_whatsapp_sender_from_waid_when_from_is_missing() -> None:
    intake = parse_inbound({"MessageSid": SID, "WaId": "8801712345678", "Body": "hi"}, NOW)
    assert intake.sender == "whatsapp:+8801712345678"
    assert intake.channel == Channel.WHATSAPP


def test_older_smssid_name_is_accepted() -> None:
    assert parse_inbound({"SmsSid": SID, "From": "+93701234567", "Body": "x"}, NOW).idempotency_key == SID


@pytest.mark.parametrize("form", [{}, {"From": "+93701234567", "Body": "x"}, {"MessageSid": "not-a-sid"}])
def test_a_form_without_a_message_sid_is_invalid(form: dict[str, str]) -> None:
    with pytest.raises(InvalidMessage) as caught:
        parse_inbound(form, NOW)
    assert "MessageSid" in caught.value.messages


def test_lenient_on_everything_else() -> None:
    intake = parse_inbound({"MessageSid": SID, "NumMedia": "lots", "MediaUrl0": "javascript:alert(1)",
                            "Body": "x" * 1600}, NOW)
    assert intake.message is not None and intake.message.media == ()
    assert intake.sender is None and len(intake.message.body or "") == 1600


def test_an_empty_message_has_no_report() -> None:
    assert parse_inbound({"MessageSid": SID, "From": "+93701234567", "Body": "  "}, NOW).report is None
