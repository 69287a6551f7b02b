"""Voice call service: one function per Twilio webhook. Takes a Session, flushes, never commits.

Call state lives on the Contact (``Contact.state``, keyed by CallSid): the step number ``seq`` in every action
URL makes a replayed or stale webhook return the TwiML already given, changing nothing.

A step inside a call is the hottest path after the incoming call: it reads and writes its Contact (and the caller
an answer teaches us about) through prebuilt Core statements rather than ORM objects and unit-of-work flushes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.callbacks.service import record_consent
from hotline.content.languages import LanguageTable
from hotline.db import after_commit
from hotline.intake import store
from hotline.intake.constants import Channel
from hotline.intake.inbound import InboundRecording, InboundReport, Intake
from hotline.intake.models import Caller, Contact, Recording, Report
from hotline.intake.service import ContactOpening, IntakeContext, begin_contact, open_contact, record
from hotline.intake.state import CallInfo, ContactState
from hotline.ivr import engine
from hotline.ivr.content import IvrContent
from hotline.ivr.flow import LANGUAGE_MENU, MENU, OPERATOR, RECORD
from hotline.ivr.recordings import fetch_recording_job
from hotline.ivr.twiml import (
    CallUrls,
    PlayAudio,
    SayText,
    expand_facts,
    render,
    render_hold,
    render_join,
)
from hotline.jobs import enqueue
from hotline.operators.presence import staffing
from hotline.operators.routing import queue_outcome
from hotline.privacy.phone import NotAPhoneNumber, PhoneAddress, parse_address
from hotline.rumours.library import approved_counter_messages

INCOMPLETE = "incomplete"
IN_PROGRESS = "in-progress"
TERMINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
_FACTS_LIMIT = 3
# What Twilio puts in From for a withheld caller ID when the carrier gives a number-like value instead of a word.
# Pressed at any menu, leads to the staff-only path (recording prompts by phone, behind a staff number and PIN).
STAFF_KEY = "*"
WITHHELD_NUMBERS = frozenset({"+266696687", "+7378742833", "+2562533", "+86282452253", "+8656696"})



@dataclass(frozen=True)
class CallRequest:
    """The parts of a voice webhook every handler uses."""

    call_sid: str
    caller: str | None
    dialled: str | None
    received_at: datetime


@dataclass(frozen=True)
class StepRequest:
    """A Gather, Record or Enqueue action arriving at ``node`` for step ``seq``."""

    call: CallRequest
    node: str
    seq: int
    digits: str | None = None
    recording_sid: str | None = None
    recording_url: str | None = None
    recording_duration: int | None = None
    queue_result: str | None = None
    queue_time: int | None = None


@dataclass(frozen=True)
class QueueWait:
    """What a queue's wait URL tells about a waiting caller."""

    seconds: int
    position: int | None = None
    queue_sid: str | None = None


@dataclass(frozen=True)
class RecordingRequest:
    """A recording status callback for the record node ``node``."""

    call: CallRequest
    node: str
    recording_sid: str
    recording_url: str | None
    recording_duration: int | None


class CallContact(Protocol):
    """What filing a call's report needs of its contact: a Contact, or the ``_Call`` a step loaded."""

    @property
    def provider_id(self) -> str: ...

    @property
    def hotline_number(self) -> str | None: ...

    @property
    def language(self) -> str | None: ...

    @property
    def caller_id(self) -> int | None: ...


@dataclass
class _Call:
    """A call's Contact as a step reads and writes it, without an ORM object; ``changed`` is what to save
    besides the state, path and activity time every step writes, ``learnt`` what to tell its caller."""

    id: int
    caller_id: int | None
    provider_id: str
    hotline_number: str | None
    language: str | None
    heard_via: str | None
    state: ContactState
    ivr_path: list[str]
    last_activity_at: datetime
    changed: dict[str, Any] = field(default_factory=dict)
    learnt: dict[str, str] = field(default_factory=dict)  # for the caller, as ``_learnt`` gives it

    @classmethod
    def of(cls, contact: Contact) -> _Call:
        """The step's view of a Contact loaded through the ORM."""
        return cls(contact.id, contact.caller_id, contact.provider_id, contact.hotline_number, contact.language,
                   contact.heard_via, contact.state, list(contact.ivr_path), contact.last_activity_at)


@dataclass(frozen=True)
class VoiceContext:
    """What the voice service needs besides the request."""

    content: IvrContent
    intake: IntakeContext
    languages: LanguageTable
    urls: Callable[[int], CallUrls]
    staff_entry: Callable[[], str | None] = lambda: None  # the staff-only path's first TwiML (STAFF_KEY at a menu)


def answer_call(session: Session, ctx: VoiceContext, call: CallRequest) -> str:
    """An incoming call: record the contact, start the flow, return its first TwiML (a replay gets the same).

    A new call is stored with its first flow state in one INSERT (``open_contact``): the flow's first step only
    needs what is known of the caller, so it runs before anything is written.
    """
    event = _call_intake(call)
    pending = begin_contact(session, event, ctx.intake)
    if pending is None:  # a replay, or a status callback that came first
        return _answer_stored_call(session, ctx, call)
    known = pending.caller
    state = _new_state(ctx, call, known.language if known else None,
                       heard_via_known=bool(known and known.heard_via), number_known=address_known(pending.address))
    state["call"] = {}
    result = engine.step(ctx.content.flow, state, _start_event(session, ctx, call))
    twiml = _render_step(session, ctx, result, call)
    learnt = _learnt(result.effects)
    opening = ContactOpening(state={**result.state, "twiml": twiml}, ivr_path=list(result.visited),
                             status=IN_PROGRESS, language=learnt.get("language"), heard_via=learnt.get("heard_via"))
    contact_id = open_contact(session, pending, ctx.intake, opening)
    if contact_id is None:  # a concurrent delivery of this call stored it first: answer as it did
        return _answer_stored_call(session, ctx, call)
    requests = [effect for effect in result.effects if isinstance(effect, engine.FileRequest)]
    if requests:  # a flow that files a request before its first wait: the report needs the stored contact
        contact = session.get(Contact, contact_id)
        if contact is not None:
            for request in requests:
                _file_request(session, ctx, contact, request, call)
    return twiml


def answer_callback(session: Session, ctx: VoiceContext, call: CallRequest, language: str | None) -> str:
    """A call-back a person answered: the call becomes a Contact of the caller, and the flow begins at its
    call-back node (the neutral greeting) in the caller's language. A replay gets the TwiML already given."""
    flow = ctx.content.flow
    if flow.callback_start is None:
        return ctx.content.twiml.render((engine.Hangup(),), ctx.content.prompts, ctx.urls(0))
    stored = _find_contact(session, call.call_sid)
    if stored is not None and stored.state.get("twiml"):
        return str(stored.state["twiml"])
    result = record(session, _call_intake(call), ctx.intake)
    contact = _Call.of(result.contact)
    contact.changed["status"] = IN_PROGRESS
    state = _new_state(ctx, call, language, heard_via_known=True, number_known=True)
    state["call"] = {"callback": True}
    step = engine.start_at(flow, state, flow.callback_start, engine.Event("start", office_open=_office_open(ctx, call)))
    _apply_effects(session, ctx, contact, step.effects, call)
    twiml = _render_step(session, ctx, step, call)
    _save_call(session, contact, {**step.state, "twiml": twiml}, step.visited, call.received_at)
    return twiml


def _answer_stored_call(session: Session, ctx: VoiceContext, call: CallRequest) -> str:
    """The first TwiML of a call whose Contact exists: the one already given, or the flow started afresh."""
    stored = _find_contact(session, call.call_sid)
    if stored is not None and stored.state.get("twiml"):
        return str(stored.state["twiml"])  # a replay: the stored answer, without loading the caller
    result = record(session, _call_intake(call), ctx.intake)
    contact = _Call.of(result.contact)
    caller = result.caller
    if not result.contact.status:
        contact.changed["status"] = IN_PROGRESS
    state = _new_state(ctx, call, caller.language if caller else None,
                       heard_via_known=bool(caller and caller.heard_via), number_known=number_known(call.caller))
    state["call"] = contact.state.get("call", {})
    return _advance(session, ctx, contact, state, _start_event(session, ctx, call), call)


def _new_state(ctx: VoiceContext, call: CallRequest, language: str | None, heard_via_known: bool,
               number_known: bool) -> dict[str, Any]:
    """A call's first state: the number's voiced languages, then its languages with no prompts yet."""
    return engine.new_state(ctx.content.offered_languages(call.dialled), language, heard_via_known=heard_via_known,
                            number_known=number_known, unvoiced=ctx.content.unvoiced_languages(call.dialled))


def _learnt(effects: Sequence[engine.Effect]) -> dict[str, str]:
    """What the effects remember about the caller, applied as ``_apply_effects`` does (last language wins,
    the first heard_via stays)."""
    learnt: dict[str, str] = {}
    for effect in effects:
        if not isinstance(effect, engine.Remember) or effect.key not in ("language", "heard_via"):
            continue  # e.g. report_language: the contact's, never taught to the caller
        if effect.key == "language" or effect.key not in learnt:
            learnt[effect.key] = effect.value
    return learnt


def continue_call(session: Session, ctx: VoiceContext, req: StepRequest) -> str:
    """A caller's key, recording or queue outcome at ``req.node``: step the flow and return the next TwiML.

    One SELECT (locking the call's row on PostgreSQL), one UPDATE of the contact, and one of the caller only when
    the answer taught us something about them; a replayed or stale action reads and writes nothing more.
    """
    row = store.execute(session, store.CALL_FOR_STEP, {"call_sid": req.call.call_sid}).first()
    if row is None or not row.state.get("twiml"):
        return answer_call(session, ctx, req.call)  # state lost or never made: start the call afresh
    state: dict[str, Any] = row.state
    if state.get("seq") != req.seq or state.get("node") != req.node:
        return str(state["twiml"])  # a replay or a stale action: nothing changes
    node = ctx.content.flow.nodes.get(req.node)
    if node is None:
        return str(state["twiml"])
    if node.kind in (MENU, LANGUAGE_MENU) and req.digits == STAFF_KEY:
        staff = ctx.staff_entry()
        if staff:  # the hidden key: the staff path's first TwiML (it asks for a staff number and PIN); the call's
            return staff  # state stays, so silence there comes back to this menu
    contact = _Call(**row._mapping)
    event = _event_for(node.kind, req, _office_open(ctx, req.call), staffing(session, req.call.received_at))
    if node.kind == RECORD:
        _keep_recording(session, ctx, contact, req)
    room = (state.get("call", {}).get("queue") or {}).get("room")
    if node.kind == OPERATOR and req.queue_result == "redirected" and room:
        # An operator took this caller: Twilio moves them to the bridge URL and also asks this action right away;
        # whichever TwiML it runs, the caller joins the operator's room.
        return render_join(str(room))
    if node.kind == OPERATOR:
        state = _left_queue(state, req)
    return _advance(session, ctx, contact, state, event, req.call)


def _left_queue(state: dict[str, Any], req: StepRequest) -> dict[str, Any]:
    """Keep how the caller's wait ended (answered / abandoned / voicemail) and how long it was; an operator's
    taking the call (``take_next_caller``) has already said "answered"."""
    info = dict(state.get("call") or {})
    queue = dict(info.get("queue") or {})
    if not queue.get("outcome"):
        queue["outcome"] = queue_outcome(req.queue_result)
        queue["wait"] = req.queue_time if req.queue_time is not None else queue.get("wait")
        queue["ended_at"] = req.call.received_at.timestamp()
    info["queue"] = queue
    return {**state, "call": info}


def store_recording(session: Session, ctx: VoiceContext, req: RecordingRequest) -> None:
    """A recording status callback: the recording becomes a Report, whichever of action or callback comes first."""
    contact = _find_contact(session, req.call.call_sid)
    if contact is None:
        contact = record(session, _call_intake(req.call), ctx.intake).contact
    node = ctx.content.flow.nodes.get(req.node)
    report_type = node.report_type if node is not None and node.report_type else "question"
    _file_recording(session, ctx, contact, report_type, req.recording_sid, req.recording_url,
                    req.recording_duration, req.call.received_at)
    stored = session.scalar(select(Recording).where(Recording.provider_sid == req.recording_sid))
    if stored is not None and stored.media_url and not stored.storage_path:
        recording_id = stored.id
        # The callback means the audio is ready.
        after_commit(session, lambda: enqueue(fetch_recording_job, recording_id))


def update_call_status(session: Session, ctx: VoiceContext, call: CallRequest, status: str,
                       duration: int | None) -> None:
    """A call status callback: idempotent, in any order; a terminal status is never overwritten by an earlier one."""
    contact = _find_contact(session, call.call_sid, lock=True) or record(session, _call_intake(call),
                                                                          ctx.intake).contact
    state = contact.state
    info: CallInfo = {**state.get("call", {})}
    if duration is not None:
        info["duration"] = max(duration, int(info.get("duration") or 0))
    if contact.status not in TERMINAL_STATUSES:
        contact.status = status
    if status in TERMINAL_STATUSES:
        contact.ended_at = contact.ended_at or call.received_at
        info["hung_up_at"] = info.get("hung_up_at") or state.get("node")
        info["abandoned"] = not state.get("ended") and not contact.reports
    store.update_state(contact, {"call": info})
    session.flush()


def hold(session: Session, ctx: VoiceContext, call: CallRequest, wait: QueueWait) -> str:
    """The queue's wait URL: the caller's place and the hold prompt in their language, or <Leave> (then the
    Enqueue action takes a voicemail) once they have waited the operator node's ``max_wait``."""
    contact = _find_contact(session, call.call_sid, lock=True)
    state = contact.state if contact is not None else {}
    node = ctx.content.flow.nodes.get(str(state.get("node")))
    urls = ctx.urls(int(state.get("seq", 0)))
    if contact is None or node is None or node.kind != OPERATOR:
        return render_hold((), ctx.content.prompts, urls, leave=False)
    _note_queue(contact, wait, call.received_at)
    if wait.seconds >= node.max_wait:
        return render_hold((), ctx.content.prompts, urls, leave=True)
    language = engine.speaking_language(state)
    place = engine.hold_position_prompt(node, wait.position)
    names = ((place,) if place else ()) + node.hold_prompts
    return render_hold(tuple(engine.Speak(p, language) for p in names), ctx.content.prompts, urls, leave=False)


def _note_queue(contact: Contact, wait: QueueWait, at: datetime) -> None:
    """Keep what routing needs of a waiting call: the queue's sid and since when the caller waits."""
    info: CallInfo = {**contact.state.get("call", {})}
    queue = {"sid": wait.queue_sid, "since": (at.timestamp() - wait.seconds)}
    if info.get("queue", {}).get("sid") == wait.queue_sid:
        return
    info["queue"] = queue
    contact.state = {**contact.state, "call": info}


def _advance(session: Session, ctx: VoiceContext, contact: _Call, state: dict[str, Any], event: engine.Event,
             call: CallRequest) -> str:
    result = engine.step(ctx.content.flow, state, event)
    _apply_effects(session, ctx, contact, result.effects, call)
    twiml = _render_step(session, ctx, result, call)
    _save_call(session, contact, {**result.state, "twiml": twiml}, result.visited, call.received_at)
    return twiml


def _save_call(session: Session, contact: _Call, state: dict[str, Any], visited: Sequence[str],
               at: datetime) -> None:
    """Write the step's outcome with one UPDATE of the contact's row (locked since the step read it), and what
    it learnt to the caller's: in the same statement on PostgreSQL, in a second one on SQLite."""
    values: dict[str, Any] = {"contact_id": contact.id, "state": state, "ivr_path": [*contact.ivr_path, *visited],
                              "last_activity_at": max(contact.last_activity_at, at), **contact.changed}
    written = [name for name in values if name != "contact_id"]
    if contact.caller_id is None or not contact.learnt:
        store.execute(session, store.SAVE_CALL, values)
    else:
        teach = {"learner_id": contact.caller_id, "learnt_language": contact.learnt.get("language"),
                 "learnt_heard_via": contact.learnt.get("heard_via")}
        if store.dialect(session) == "postgresql":
            store.execute(session, store.SAVE_CALL_TEACHING, {**values, **teach})
        else:
            store.execute(session, store.TEACH_CALLER, teach)
            store.execute(session, store.SAVE_CALL, values)
        store.expire_loaded(session, Caller, contact.caller_id, ["language", "heard_via"])
    store.expire_loaded(session, Contact, contact.id, written)


def _render_step(session: Session, ctx: VoiceContext, result: engine.Step, call: CallRequest) -> str:
    """The TwiML of a step, with the counter-messages it plays fetched when it plays them."""
    urls = ctx.urls(int(result.state["seq"]))
    if any(isinstance(action, engine.Facts) for action in result.actions):
        # Counter-messages come and go: rendered afresh, never cached.
        facts = _facts(session, ctx, engine.speaking_language(result.state), call.received_at)
        return render(expand_facts(result.actions, facts), ctx.content.prompts, urls)
    return ctx.content.twiml.render(result.actions, ctx.content.prompts, urls)


def _start_event(session: Session, ctx: VoiceContext, call: CallRequest) -> engine.Event:
    return engine.Event("start", office_open=_office_open(ctx, call), staffed=staffing(session, call.received_at))


def _event_for(kind: str, req: StepRequest, office_open: bool, staffed: Callable[[str], bool]) -> engine.Event:
    if kind in (MENU, LANGUAGE_MENU):
        return engine.Event("digits", digits=req.digits or "", office_open=office_open, staffed=staffed)
    if kind == RECORD:  # Twilio heard nothing, or less than a second: not a message to thank for
        empty = not req.recording_sid or (req.recording_duration is not None and req.recording_duration < 1)
        return engine.Event("recorded", office_open=office_open, staffed=staffed, empty=empty)
    if kind == OPERATOR:
        return engine.Event("queue", queue_result=req.queue_result, office_open=office_open, staffed=staffed)
    return engine.Event("resume", office_open=office_open, staffed=staffed)


def _apply_effects(session: Session, ctx: VoiceContext, contact: _Call, effects: Sequence[engine.Effect],
                   call: CallRequest) -> None:
    """File the step's requests now; note what it learnt for ``_save_call`` (the contact's and the caller's)."""
    for effect in effects:
        if isinstance(effect, engine.FileRequest):
            _file_request(session, ctx, contact, effect, call)
        elif effect.key in ("language", "report_language"):
            contact.language = contact.changed["language"] = effect.value  # a report filed next is in it
        elif effect.key == "heard_via" and not contact.heard_via:
            contact.heard_via = contact.changed["heard_via"] = effect.value
    contact.learnt = _learnt(effects)


def _file_request(session: Session, ctx: VoiceContext, contact: CallContact, effect: engine.FileRequest,
                  call: CallRequest) -> None:
    source_id = f"{call.call_sid}:{effect.node}"[:64]
    filed = _file_report(session, ctx, contact, InboundReport(source_id=source_id, type=effect.report_type), None,
                         call.received_at)
    if filed is not None and effect.callback_consent:
        record_consent(session, filed.id, call.received_at)


def _keep_recording(session: Session, ctx: VoiceContext, contact: CallContact, req: StepRequest) -> None:
    node = ctx.content.flow.node(req.node)
    report_type = node.report_type or "question"
    if req.recording_sid:
        _file_recording(session, ctx, contact, report_type, req.recording_sid, req.recording_url,
                        req.recording_duration, req.call.received_at)
    else:  # Twilio heard nothing and fell through to our Redirect: keep the attempt, never drop it silently
        source_id = f"{req.call.call_sid}:{req.node}:{req.seq}"[:64]
        _file_report(session, ctx, contact, InboundReport(source_id=source_id, type=INCOMPLETE), None,
                     req.call.received_at)


def _file_recording(session: Session, ctx: VoiceContext, contact: CallContact, report_type: str, sid: str,
                    url: str | None, duration: int | None, received_at: datetime) -> None:
    kept_type = report_type if duration is not None and duration >= 1 else INCOMPLETE
    recording = InboundRecording(sid=sid, purpose=report_type[:16], media_url=url, duration_seconds=duration)
    report = _file_report(session, ctx, contact, InboundReport(source_id=sid, type=kept_type), recording,
                          received_at)
    stored = report.recording if report is not None else None
    if stored is None:
        stored = session.scalar(select(Recording).where(Recording.provider_sid == sid))
    if stored is not None:  # the second of action and callback fills in what the first did not carry
        stored.media_url = stored.media_url or url
        if duration is not None and (stored.duration_seconds is None or stored.duration_seconds < duration):
            stored.duration_seconds = duration
    if report is not None and report.type == INCOMPLETE and kept_type != INCOMPLETE and report.coded_by_id is None:
        report.type = kept_type


def _file_report(session: Session, ctx: VoiceContext, contact: CallContact, report: InboundReport,
                 recording: InboundRecording | None, received_at: datetime) -> Report | None:
    event = Intake(channel=Channel.VOICE, received_at=received_at, sender=None, contact_key=contact.provider_id,
                   hotline_number=contact.hotline_number, language=contact.language, recording=recording,
                   report=InboundReport(source_id=report.source_id, type=report.type, language=contact.language))
    result = record(session, event, ctx.intake)
    filed = result.report or session.scalar(select(Report).where(Report.source_id == report.source_id))
    if filed is not None and filed.caller_id is None:
        filed.caller_id = contact.caller_id  # the callback carries no From: the call's caller is the reporter
    session.flush()
    return filed


def _facts(session: Session, ctx: VoiceContext, language: str, now: datetime) -> list[SayText | PlayAudio]:
    """Counter-messages the caller can hear: spoken where Twilio has a voice, played where there is audio."""
    voice = ctx.languages.get(language)
    items: list[SayText | PlayAudio] = []
    for message in approved_counter_messages(session, language, now.date(), limit=_FACTS_LIMIT):
        if message.audio_path and message.audio_path.startswith("https://"):
            items.append(PlayAudio(message.audio_path))
        elif voice is not None and voice.twilio_say:
            spoken = " ".join(part for part in (message.title, message.body, message.source) if part)
            items.append(SayText(spoken, voice.twilio_say))
    return items


def number_known(caller: str | None) -> bool:
    """Whether the caller's number came with the call (a withheld or anonymous caller ID cannot be called back)."""
    try:
        address = parse_address(caller)
    except NotAPhoneNumber:
        return False
    return address_known(address)


def address_known(address: PhoneAddress | None) -> bool:
    """``number_known`` for a number parsed already (None: it was not a phone number)."""
    return address is not None and address.scheme == "" and address.e164 not in WITHHELD_NUMBERS


def _office_open(ctx: VoiceContext, call: CallRequest) -> bool:
    return ctx.content.hotlines.for_number(call.dialled).office_open(call.received_at)


def _find_contact(session: Session, call_sid: str, lock: bool = False) -> Contact | None:
    """The call's Contact, for the webhooks other than a step (which reads its row with ``store.CALL_FOR_STEP``).

    ``lock`` holds the row until commit (PostgreSQL) for a webhook that rewrites the call's state, so that it and a
    step arriving at the same moment take turns instead of one writing back what the other replaced.
    """
    query = select(Contact).where(Contact.provider_id == call_sid)
    return session.scalar(query.with_for_update() if lock else query)


def _call_intake(call: CallRequest) -> Intake:
    return Intake(channel=Channel.VOICE, received_at=call.received_at, sender=call.caller,
                  contact_key=call.call_sid, hotline_number=call.dialled)

