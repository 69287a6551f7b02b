"""The SMS service against a real database: floods, instant answers, facts, replies to opted-out callers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.classify.jobs import match_for_instant_answer
from hotline.intake.constants import Direction, Sensitivity, Urgency
from hotline.intake.models import Message, Report
from hotline.rumours.matching import RumourMatch
from hotline.rumours.models import ApprovalStatus, CounterMessage, Rumour, RumourStatus
from hotline.sms.config import Limit
from hotline.sms.instant import answer_instantly, no_match
from hotline.sms.models import FlagReason, MessageFlag
from hotline.sms.outbound import queue_reply
from hotline.sms.runtime import rumour_matcher, set_rumour_matcher, sms_context
from hotline.sms.service import SmsContext, handle_inbound
from tests.factories import make_staff, sid

NOW = datetime(2026, 6, 1, 10, tzinfo=UTC)
URDU = "کیا یہ سچ ہے کہ اس سال کشتیاں آسٹریلیا پہنچ سکتی ہیں؟"
URDU_FACT = "سرکاری معلومات: کشتیوں کو اترنے کی اجازت نہیں۔"  # noqa: RUF001 - an Urdu full stop, on purpose


def _form(body: str = URDU, sender: str = "+923001234567") -> dict[str, str]:
    return {"MessageSid": sid("SM"), "From": sender, "To": "+93790000000", "Body": body}


@pytest.fixture()
def ctx(app: Flask, db_session: Session) -> SmsContext:
    return sms_context(app)


def _limited(ctx: SmsContext, per_caller: int = 100, global_count: int = 1000) -> SmsContext:
    config = dataclasses.replace(ctx.config, per_caller=Limit(per_caller, 600), global_limit=Limit(global_count, 60))
    return dataclasses.replace(ctx, config=config)


def _approved(session: Session, language: str = "ur", body: str = "Verified: no boats are allowed to land.") -> Rumour:
    rumour = Rumour(canonical_statement="Boats are allowed to land this year", category="destination_policy",
                    status=RumourStatus.REVIEWED, last_seen_at=NOW)
    session.add(rumour)
    session.flush()
    session.add(CounterMessage(rumour_id=rumour.id, language=language, title="t", body=body,
                               status=ApprovalStatus.APPROVED, approved_at=NOW))
    session.flush()
    return rumour


def test_a_flooding_caller_is_stored_and_flagged_but_not_answered(db_session: Session, ctx: SmsContext) -> None:
    limited = _limited(ctx, per_caller=3)
    outcomes = [handle_inbound(db_session, _form(f"{URDU} {n}"), limited, NOW + timedelta(seconds=n))
                for n in range(5)]
    assert [o.flagged for o in outcomes] == [None, None, None, FlagReason.CALLER_RATE, FlagReason.CALLER_RATE]
    assert [len(o.replies) for o in outcomes] == [1, 0, 0, 0, 0]  # the acknowledgement, once
    assert db_session.scalar(select(func.count(Report.id))) == 5  # never lost
    assert db_session.scalar(select(func.count(MessageFlag.id))) == 2
    # Outside the window the caller is answered normally again (here: no reply is due, but nothing is flagged).
    later = handle_inbound(db_session, _form("again"), limited, NOW + timedelta(hours=1))
    assert later.flagged is None


def test_a_callers_texts_count_together_across_their_conversations(db_session: Session, ctx: SmsContext) -> None:
    """SMS and WhatsApp are two conversations of one caller: the per-caller limit counts both, and another
    caller's flood counts only towards everyone's."""
    limited = _limited(ctx, per_caller=3)
    for n in range(6):  # someone else's flood, in the same window
        handle_inbound(db_session, _form(f"{URDU} {n}", "+8801712345678"), limited, NOW + timedelta(seconds=n))
    senders = ["+923001234567", "whatsapp:+923001234567"] * 3
    outcomes = [handle_inbound(db_session, _form(f"{URDU} {n}", sender), limited, NOW + timedelta(seconds=10 + n))
                for n, sender in enumerate(senders)]
    assert [o.flagged for o in outcomes] == [None, None, None, FlagReason.CALLER_RATE, FlagReason.CALLER_RATE,
                                             FlagReason.CALLER_RATE]


def test_the_global_limit_flags_messages_from_everyone(db_session: Session, ctx: SmsContext) -> None:
    limited = _limited(ctx, global_count=2)
    senders = ["+923001234567", "+8801712345678", "+94712345678"]
    outcomes = [handle_inbound(db_session, _form("hello", s), limited, NOW) for s in senders]
    assert [o.flagged for o in outcomes] == [None, None, FlagReason.GLOBAL_RATE]
    assert outcomes[2].replies == []


def test_a_sender_with_no_number_counts_only_towards_the_global_limit(db_session: Session, ctx: SmsContext) -> None:
    """An alphanumeric sender has no caller: no per-caller count, but everyone's still counts it."""
    limited = _limited(ctx, per_caller=1, global_count=3)
    outcomes = [handle_inbound(db_session, _form(f"{URDU} {n}", "PROMO"), limited, NOW + timedelta(seconds=n))
                for n in range(5)]
    assert [o.flagged for o in outcomes] == [None, None, None, FlagReason.GLOBAL_RATE, FlagReason.GLOBAL_RATE]
    assert db_session.scalar(select(func.count(Report.id))) == 5


def test_instant_answer_sends_the_approved_counter_message(app: Flask, db_session: Session, ctx: SmsContext) -> None:
    rumour = _approved(db_session)
    stub = dataclasses.replace(ctx, matcher=lambda report: RumourMatch(rumour.id, 0.93))
    outcome = handle_inbound(db_session, _form(), stub, NOW)
    bodies = [m.body for m in outcome.replies]
    assert bodies[-1] == "Verified: no boats are allowed to land."
    assert len(bodies) == 2  # the acknowledgement, then the answer
    report = db_session.scalar(select(Report))
    assert report is not None and report.auto_answered and report.rumour_id == rumour.id
    assert report.rumour_match_score == pytest.approx(0.93)
    assert report.status == "new"  # still in the operators' queue


def test_no_instant_answer_below_the_threshold_or_in_another_language(db_session: Session, ctx: SmsContext) -> None:
    rumour = _approved(db_session, language="bn")
    weak = dataclasses.replace(ctx, matcher=lambda report: RumourMatch(rumour.id, 0.5))
    strong = dataclasses.replace(ctx, matcher=lambda report: RumourMatch(rumour.id, 0.99))
    assert len(handle_inbound(db_session, _form(), weak, NOW).replies) == 1  # acknowledgement only
    assert handle_inbound(db_session, _form(), strong, NOW).replies == []  # no Urdu message exists
    assert db_session.scalar(select(func.count(Report.id)).where(Report.auto_answered.is_(True))) == 0


@pytest.mark.parametrize(("urgency", "sensitivity"), [(Urgency.HIGH, Sensitivity.NORMAL),
                                                      (Urgency.IMMEDIATE, Sensitivity.NORMAL),
                                                      (Urgency.NORMAL, Sensitivity.PROTECTION),
                                                      (Urgency.NORMAL, Sensitivity.SENSITIVE)])
def test_never_an_instant_answer_for_urgent_or_protection_reports(
    db_session: Session, ctx: SmsContext, urgency: Urgency, sensitivity: Sensitivity
) -> None:
    rumour = _approved(db_session)
    handle_inbound(db_session, _form(), ctx, NOW)
    report = db_session.scalar(select(Report))
    assert report is not None
    report.urgency, report.sensitivity = urgency, sensitivity
    sent = answer_instantly(db_session, report, RumourMatch(rumour.id, 0.99), language="ur", now=NOW)
    assert sent is None and not report.auto_answered


def test_the_app_matches_texts_against_reviewed_rumours_with_the_classifier(app: Flask) -> None:
    assert rumour_matcher(app) is match_for_instant_answer
    set_rumour_matcher(app, None)
    try:
        assert rumour_matcher(app) is no_match
    finally:
        set_rumour_matcher(app, match_for_instant_answer)


def test_a_text_restating_a_reviewed_rumour_gets_its_approved_answer_at_once(
        db_session: Session, ctx: SmsContext) -> None:
    rumour = _approved(db_session, language="en", body="Verified: no boats are allowed to land.")
    outcome = handle_inbound(db_session, _form("boats are allowed to land this year", sender="+447700900123"),
                             ctx, NOW)
    report = db_session.scalar(select(Report))
    assert report is not None and report.auto_answered and report.rumour_id == rumour.id
    assert [m.body for m in outcome.replies][-1] == "Verified: no boats are allowed to land."
    # A looser restatement (scored about 0.7) is linked for review later, but only a person answers it.
    loose = handle_inbound(db_session, _form("Is it true that boats are allowed to land this year?",
                                             sender="+447700900125"), ctx, NOW)
    assert all("Verified" not in m.body for m in loose.replies)
    unrelated = handle_inbound(db_session, _form("Where can I get a doctor for my child?", sender="+447700900124"),
                               ctx, NOW)
    assert all("boats" not in m.body for m in unrelated.replies)


def test_facts_keyword_sends_the_approved_message_for_the_topic(db_session: Session, ctx: SmsContext) -> None:
    _approved(db_session, body=URDU_FACT)
    handle_inbound(db_session, _form(), ctx, NOW)
    outcome = handle_inbound(db_session, _form("حقائق سرحد"), ctx, NOW + timedelta(minutes=1))
    assert [m.body for m in outcome.replies] == [URDU_FACT]


def test_no_reply_is_queued_for_an_opted_out_caller(db_session: Session, ctx: SmsContext) -> None:
    handle_inbound(db_session, _form(), ctx, NOW)
    handle_inbound(db_session, _form("STOP"), ctx, NOW)
    report = db_session.scalar(select(Report))
    assert report is not None
    assert queue_reply(db_session, report.contact, "hello", now=NOW) is None
    outbound = db_session.scalar(select(func.count(Message.id)).where(Message.direction == Direction.OUTBOUND))
    assert outbound == 1  # only the first acknowledgement


def test_replies_record_encoding_and_segments(db_session: Session, ctx: SmsContext) -> None:
    outcome = handle_inbound(db_session, _form("Is the border open?", "+447700900123"), ctx, NOW)
    [ack] = outcome.replies
    assert (ack.encoding, ack.segments, ack.status) == ("GSM-7", 1, "queued")



URDU_PART = ("ایجنٹ کہتا ہے کہ کشتی اگلے ہفتے روانہ ہوگی اور ہر شخص کی قیمت تین ہزار ڈالر ہے بچوں کی آدھی")[:67]


def test_a_long_text_delivered_in_parts_becomes_one_report_with_one_acknowledgement(
    db_session: Session, ctx: SmsContext
) -> None:
    parts = [URDU_PART, URDU_PART, "قیمت ہے۔"]  # noqa: RUF001 - an Urdu full stop, on purpose
    outcomes = [handle_inbound(db_session, _form(body), ctx, NOW + timedelta(seconds=2 * n))
                for n, body in enumerate(parts)]
    assert [o.joined for o in outcomes] == [False, True, True]
    assert [len(o.replies) for o in outcomes] == [1, 0, 0]
    [report] = db_session.scalars(select(Report))
    assert report.text == "".join(parts)
    assert db_session.scalar(select(func.count(Message.id)).where(Message.direction == Direction.INBOUND)) == 3


def test_a_joined_report_is_coded_again_unless_a_person_coded_it(db_session: Session, ctx: SmsContext) -> None:
    operator = make_staff(db_session)
    for n, coded_by in enumerate((None, operator.id)):
        start = NOW + timedelta(hours=n)
        sender = f"+92300123456{n}"
        handle_inbound(db_session, _form(URDU_PART, sender), ctx, start)
        report = db_session.scalars(select(Report).order_by(Report.id.desc())).first()
        assert report is not None
        report.type, report.coded_by_id, report.classifier_version = "rumour_belief", coded_by, "m1"
        db_session.flush()
        handle_inbound(db_session, _form("باقی", sender), ctx, start + timedelta(seconds=3))
        db_session.refresh(report)
        assert report.text == URDU_PART + "باقی"
        # The model coded a fragment: the whole text is coded again; a person's coding stands.
        assert report.classifier_version == (None if coded_by is None else "m1")
        assert report.type == "rumour_belief"


def test_texts_that_are_complete_or_far_apart_stay_separate_reports(db_session: Session, ctx: SmsContext) -> None:
    handle_inbound(db_session, _form(URDU), ctx, NOW)
    handle_inbound(db_session, _form(URDU_PART), ctx, NOW + timedelta(seconds=5))
    handle_inbound(db_session, _form("باقی"), ctx, NOW + timedelta(minutes=5))
    assert db_session.scalar(select(func.count(Report.id))) == 3


def test_a_text_is_filed_in_one_statement_per_row_and_updates_nothing_after(db_session: Session,
                                                                            ctx: SmsContext) -> None:
    """The language is decided once the caller's is known and written with the rows: a new caller's first text
    and their next one each cost one lookup, one write per row and the flood count, and no UPDATE of a row just
    written (bench/bench_sms.py measures what that buys)."""
    from sqlalchemy import event

    handle_inbound(db_session, _form(sender="+923001111111"), ctx, NOW)  # caches (reviewed texts...) are loaded
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        words = statement.split()
        if words[0] in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
            statements.append(" ".join(words[:3]))

    connection = db_session.connection()
    event.listen(connection, "before_cursor_execute", seen)
    try:
        first = handle_inbound(db_session, _form(), ctx, NOW)
        written_first = list(statements)
        statements.clear()
        second = handle_inbound(db_session, _form(URDU + " دوبارہ"), ctx, NOW + timedelta(seconds=90))
    finally:
        event.remove(connection, "before_cursor_execute", seen)
    assert first.language is not None and first.language.language == "ur" and len(first.replies) == 1
    assert second.language is not None and not second.replies and not second.joined
    report = db_session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert report is not None and report.language == "ur" and report.language_confidence == second.language.confidence
    caller = report.contact.caller
    assert caller is not None and caller.language == "ur" and report.contact.language == "ur"
    # a new caller: lookup, caller, contact, message, report, flood count, the acknowledgement; their next text:
    # lookup, caller, conversation, message, report, and the flood counts with the earlier parts. PostgreSQL
    # inserts (then updates) the caller and the conversation in one statement, and the message and its report in
    # another (data-modifying WITHs).
    if db_session.get_bind().dialect.name == "postgresql":
        assert sorted(s.split()[0] for s in written_first) == ["INSERT"] + ["SELECT"] * 2 + ["WITH"] * 2
        assert sorted(s for s in written_first if s.startswith("WITH")) == ["WITH new_caller AS",
                                                                             "WITH new_message AS"]
        assert sorted(s.split()[0] for s in statements) == ["SELECT"] * 2 + ["WITH"] * 2, statements
        assert sorted(s for s in statements if s.startswith("WITH")) == ["WITH new_message AS",
                                                                          "WITH refreshed_caller AS"]
    else:
        assert sorted(s.split()[0] for s in written_first) == ["INSERT"] * 5 + ["SELECT"] * 2, written_first
        assert sorted(s.split()[0] for s in statements) == ["INSERT"] * 2 + ["SELECT"] * 2 + ["UPDATE"] * 2
        assert [s for s in statements if s.startswith("UPDATE")] == ["UPDATE callers SET", "UPDATE contacts SET"]
