"""The SMS inbox: the webhook stores each inbound message sealed and answers; a job files it.

Filing a text (caller, conversation, language, flood counts, report, instant answer, acknowledgement) is most of
the webhook's old cost and none of it changes Twilio's answer, which is always an empty <Response/> (replies go out
through the REST API). So ``POST /twilio/sms`` checks the signature and the form, writes one row and commits;
``file_inbound`` then files it through the same service as before and deletes the row. This is how courier and
mailroom split RapidPro's work, and it keeps the webhook fast under a flood, exactly when it matters.

One job, ``drain_inbox``, files every waiting message, oldest first. Who runs it (``hotline.sms.runtime.
inbox_filing``): with Redis, a worker (queued with ``enqueue_once_soon``: a web process sends its requests' asks to
Redis together, one SET NX every few milliseconds, so a flood costs each webhook one insert and an ``Event.set``);
without Redis, a thread of the web process that received the text (``hotline.jobs.background``: the same); or, in
tests and when asked for, the webhook's own request, which files its text in its own transaction and uses the
inbox only when that fails. A row whose filing failed, or whose job or thread was lost, is filed again by
``file_waiting``: from ``hotline sms file-inbox``, and at most once a minute after a request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hotline.context import runtime
from hotline.db import after_commit, is_outage, rejoin_transaction, savepoint, utcnow, write_alone
from hotline.intake import store
from hotline.jobs import enqueue, enqueue_once, enqueue_once_soon, job_session, job_started, jobs_together
from hotline.jobs.background import wake, yield_to_requests
from hotline.privacy.keys import PrivacyKeys
from hotline.privacy.phone import NotAPhoneNumber, parse_address
from hotline.privacy.sealed_records import SMS_INBOUND, SpoolCorrupt, decode, encode, make_record
from hotline.sms.inbound import InvalidMessage, load_inbound
from hotline.sms.models import InboxItem
from hotline.sms.runtime import sms_context
from hotline.sms.service import handle_inbound

log = logging.getLogger("hotline.sms")
DRAIN_KEY = "sms-inbox-drain"
SWEEP_KEY = "sms-inbox-sweep"
_DRAIN_BATCH = 100
_FILED_TOGETHER = 20  # texts per transaction when a drain catches up (a failing group is filed again one by one)
# Beside requests (a thread of the web process) each text is its own transaction: on SQLite a group holds the one
# write lock, and a webhook's insert waits for it (groups of 4 gave a p99 of 93-103 ms, of 1 57-65 ms, for the same
# filing rate: bench/bench_sms.py --embedded).
_FILED_BESIDE_REQUESTS = 1
MAX_ATTEMPTS = 5  # a message that fails this often waits for a person (``hotline sms inbox`` shows it)
SWEEP_AFTER = timedelta(seconds=60)  # a row older than this has lost its job, or its job failed
_SWEEP_INTERVAL_SECONDS = 60.0
_INBOX = cast(Table, InboxItem.__table__)
# Built once, like intake's: the webhook's one statement, its compiled form cached per dialect.
_INSERT = {"postgresql": postgresql_insert(_INBOX).on_conflict_do_nothing().returning(_INBOX.c.id),
           "sqlite": sqlite_insert(_INBOX).on_conflict_do_nothing().returning(_INBOX.c.id)}
_WAITING = (select(_INBOX.c.id, _INBOX.c.sealed).where(_INBOX.c.id.in_(bindparam("ids", expanding=True)))
            .order_by(_INBOX.c.id).with_for_update(skip_locked=True))
_FILED = delete(_INBOX).where(_INBOX.c.id.in_(bindparam("ids", expanding=True)))
_sweep_lock = threading.Lock()
_last_sweep: dict[int, float] = {}


def receive(session: Session, form: Mapping[str, Any], keys: PrivacyKeys, now: datetime,
            filing: str = "worker") -> None:
    """The webhook's one call: take an inbound message into the request's transaction.

    ``filing`` (``hotline.sms.runtime.inbox_filing``) says who files it. ``worker`` and ``background``: the message
    goes into the inbox (one INSERT, which on PostgreSQL commits on its own: ``hotline.db.write_alone``), and once
    it is committed a job on Redis or a thread of this process is told to file it. ``request``: it is filed here,
    in the request's own transaction, and put in the inbox only if filing it fails (the sweep tries it again;
    nothing is lost). Raises InvalidMessage (naming the fields) for a form that does not identify a message.
    """
    data = load_inbound(form)
    if filing != "request":
        write_alone(session)  # one INSERT: on PostgreSQL no BEGIN and COMMIT round trips around it
        _put(session, data, form, keys, now, _wake_drainer if filing == "background" else _ask_for_drain)
        rejoin_transaction(session)
        return
    try:
        with savepoint(session):
            handle_inbound(session, make_record(SMS_INBOUND, form, now).form, sms_context(), now)
    except Exception as exc:
        if is_outage(exc):
            raise  # the request's commit fails too: the spool keeps the whole request
        log.error("inbound message could not be filed at once; it waits in the inbox",
                  extra={"error": type(exc).__name__})
        _put(session, data, form, keys, now, _queue_drain)


def accept(session: Session, form: Mapping[str, Any], keys: PrivacyKeys, now: datetime) -> bool:
    """Check an inbound webhook's form and put it in the inbox, sealed; False when it is already waiting there.

    Raises InvalidMessage (naming the fields) for a form that does not identify a message. The job that files it
    is queued (unless it already waits) once the caller's transaction commits.
    """
    return _put(session, load_inbound(form), form, keys, now, _queue_drain)


def _put(session: Session, data: Mapping[str, Any], form: Mapping[str, Any], keys: PrivacyKeys,
         now: datetime, then: Callable[[], None]) -> bool:
    sealed = encode(keys, make_record(SMS_INBOUND, form, now)).decode("ascii").rstrip("\n")
    connection = session.connection()  # a Core insert on the session's transaction: no unit of work to flush
    statement = _INSERT[connection.dialect.name]
    values = {"provider_sid": data["MessageSid"], "received_at": now, "sealed": sealed, "attempts": 0}
    if connection.execute(statement, values).scalar() is None:
        return False  # Twilio retried while the first delivery waits: that one will be filed
    after_commit(session, then)  # whoever files it is told once the row is there to be read
    return True


def _queue_drain(send: Callable[[str, Callable[..., Any]], None] = enqueue_once) -> None:
    # The text is committed: if the queue cannot take the job (Redis down), the sweep files it within minutes, and
    # Twilio must not see an error (it would retry, and the retry would find the text already waiting).
    try:
        send(DRAIN_KEY, drain_inbox)
    except Exception as exc:
        log.warning("could not queue the inbox drain; the sweep will file the text",
                    extra={"error": type(exc).__name__})


def _ask_for_drain() -> None:
    # A webhook's ask is gathered with the other requests' of this process: one Redis round trip per few ms.
    _queue_drain(enqueue_once_soon)


def _wake_drainer() -> None:
    try:
        wake(DRAIN_KEY, _drain_beside_requests)
    except Exception as exc:  # the text is committed: the sweep files it, and Twilio must not see an error
        log.warning("could not wake the inbox drain; the sweep will file the text",
                    extra={"error": type(exc).__name__})


def _drain_beside_requests() -> int:
    return drain_inbox(_FILED_BESIDE_REQUESTS, pause=yield_to_requests)


def drain_inbox(together: int = _FILED_TOGETHER, pause: Callable[[], None] | None = None) -> int:
    """Job: file every message waiting for its first attempt, oldest first, until none is left; how many.

    ``together``: texts per transaction; ``pause`` is called before each transaction (see ``file_together``).

    Never raises: in-process it runs inside the webhook's commit, whose caller must not see a filing problem.
    """
    job_started(DRAIN_KEY)  # a message arriving from now on queues the next drain
    tried: set[int] = set()
    while True:
        try:
            with job_session(read_only=True) as session:  # on SQLite a read takes no write lock
                batch = [item_id for item_id in session.scalars(
                    select(InboxItem.id).where(InboxItem.attempts == 0).order_by(InboxItem.id).limit(_DRAIN_BATCH))
                    if item_id not in tried]
        except Exception as exc:
            if not is_outage(exc):
                raise
            log.warning("database unreachable; the inbox waits for the next drain or sweep")
            return len(tried)
        if not batch:
            return len(tried)
        tried.update(batch)  # a failure is counted on its row and left to the sweep, never retried here
        reached, reachable = file_together(batch, together, pause)
        if not reachable:
            return len(tried) - len(batch) + reached  # the database went away: the rest waits too


def file_together(item_ids: list[int], together: int = _FILED_TOGETHER,
                  pause: Callable[[], None] | None = None) -> tuple[int, bool]:
    """File waiting messages in transactions of up to ``together`` (one commit, one read of their rows, one
    DELETE and one round trip to the job queue for each group, not for each text); a group that fails is filed
    again one text at a time, so one bad text costs the others nothing. ``pause`` (a thread beside requests gives
    way to them) is called before each group. How many were tried, and False when the database became
    unreachable."""
    reached = 0
    with jobs_together():
        for start in range(0, len(item_ids), together):
            group = item_ids[start:start + together]
            position = {item_id: index for index, item_id in enumerate(group, start + 1)}
            if pause is not None:
                pause()
            try:
                with job_session() as session:
                    for item_id in _file(session, group):
                        reached = position[item_id]  # an outage rolls the whole group back: these were tried
                continue
            except Exception as exc:
                if is_outage(exc):
                    log.warning("database unreachable; inbound messages wait in the inbox")
                    return max(reached, start + 1), False
            for index, item_id in enumerate(group, start + 1):  # one of them failed: find which, file the rest
                if not file_inbound(item_id):
                    return index, False
    return len(item_ids), True


def file_inbound(item_id: int) -> bool:
    """File one waiting message through the SMS service and remove it from the inbox, in one transaction.

    Never raises: a failure is counted on the row, which stays for ``file_waiting`` to try again, and the log names
    only the row and the exception's class (an error's text could quote the caller). False when the database is
    unreachable (nothing was counted).
    """
    try:
        with job_session() as session:
            list(_file(session, [item_id]))
    except Exception as exc:
        if is_outage(exc):
            log.warning("database unreachable; inbound message waits in the inbox", extra={"inbox_id": item_id})
            return False
        log.error("inbound message could not be filed; it waits in the inbox",
                  extra={"inbox_id": item_id, "error": type(exc).__name__})
        _count_failure(item_id, exc)
    return True


def _file(session: Session, item_ids: list[int]) -> Iterator[int]:
    """File the waiting rows ``item_ids`` in the session's transaction, oldest first, yielding each id as its
    filing starts, then remove them from the inbox: one read and one DELETE for the lot."""
    # SKIP LOCKED (PostgreSQL): when two jobs hold the same row, one files it and the other has nothing to do.
    rows = store.execute(session, _WAITING, {"ids": item_ids}).all()
    if not rows:
        return  # filed already (a duplicated job, or the sweep got there first)
    keys, ctx = runtime().keys, sms_context()
    for row in rows:
        yield row.id
        record = decode(keys, row.sealed.encode("ascii"))
        handle_inbound(session, record.form, ctx, record.received_at)
    store.execute(session, _FILED, {"ids": [row.id for row in rows]})


def _count_failure(item_id: int, exc: Exception) -> None:
    attempts = MAX_ATTEMPTS if isinstance(exc, SpoolCorrupt | InvalidMessage) else None  # retrying cannot help
    try:
        with job_session() as session:
            item = session.get(InboxItem, item_id)
            if item is not None:
                item.attempts = attempts or item.attempts + 1
                item.last_error = type(exc).__name__[:64]
    except Exception:
        log.exception("could not record an inbox failure", extra={"inbox_id": item_id})


@dataclass(frozen=True)
class InboxState:
    """What waits in the inbox."""

    waiting: int
    overdue: int  # waiting longer than SWEEP_AFTER: its job was lost or failed
    stuck: int  # failed MAX_ATTEMPTS times: needs a person


def inbox_state(session: Session, now: datetime) -> InboxState:
    """Counts of waiting, overdue and stuck messages (no contents)."""
    row = session.execute(select(
        func.count(InboxItem.id),
        func.count(InboxItem.id).filter(InboxItem.received_at < now - SWEEP_AFTER),
        func.count(InboxItem.id).filter(InboxItem.attempts >= MAX_ATTEMPTS),
    )).one()
    return InboxState(waiting=row[0], overdue=row[1], stuck=row[2])


def waiting_ids(session: Session, now: datetime, older_than: timedelta = SWEEP_AFTER) -> list[int]:
    """Rows to file again: older than ``older_than``, oldest first, leaving out those that failed too often."""
    return list(session.scalars(
        select(InboxItem.id)
        .where(InboxItem.received_at <= now - older_than, InboxItem.attempts < MAX_ATTEMPTS)
        .order_by(InboxItem.id)
    ))


def file_waiting(older_than: timedelta = SWEEP_AFTER, progress: Callable[[int], None] | None = None,
                 pause: Callable[[], None] | None = None) -> int:
    """File every overdue message, oldest first; how many were looked at. ``pause`` is called before each."""
    with job_session(read_only=True) as session:
        ids = waiting_ids(session, utcnow(), older_than)
    for item_id in ids:
        if pause is not None:
            pause()
        if not file_inbound(item_id):
            break  # the database went away: the rest waits for the next sweep
        if progress is not None:
            progress(1)
    if ids:
        log.info("inbox swept", extra={"count": len(ids)})
    return len(ids)


def discard_waiting_from(session: Session, keys: PrivacyKeys, number: str) -> int:
    """Delete the waiting messages sent from ``number`` (erasure of a caller whose text could not be filed)."""
    try:
        wanted = parse_address(number).e164
    except NotAPhoneNumber:
        return 0
    discarded = 0
    for item in session.scalars(select(InboxItem)):
        try:
            sender = decode(keys, item.sealed.encode("ascii")).form.get("From", "")
            matches = parse_address(sender).e164 == wanted
        except (SpoolCorrupt, NotAPhoneNumber):
            continue
        if matches:
            session.delete(item)
            discarded += 1
    session.flush()
    return discarded


def file_waiting_job(pause: Callable[[], None] | None = None) -> None:
    """Job: ``file_waiting`` with the default age; an outage waits for the next sweep."""
    try:
        file_waiting(pause=pause)
    except Exception as exc:
        if not is_outage(exc):
            raise
        log.warning("database unreachable; the inbox sweep waits for the next one")


def _sweep_beside_requests() -> None:
    file_waiting_job(pause=yield_to_requests)


def maybe_sweep(app: object, filing: Callable[[], str] = lambda: "worker") -> None:
    """After a request's commit: at most once a minute per process and app, queue a sweep of overdue messages (to
    the thread that files texts beside requests when ``filing()`` says ``background``: never inside a request,
    which a backlog left by a restart would hold for as long as it takes to file it)."""
    now = time.monotonic()
    key = id(app)
    if now - _last_sweep.get(key, float("-inf")) < _SWEEP_INTERVAL_SECONDS or not _sweep_lock.acquire(False):
        return
    try:
        _last_sweep[key] = now
        if filing() == "background":
            wake(SWEEP_KEY, _sweep_beside_requests)
        else:
            enqueue(file_waiting_job)
    except Exception as exc:  # the request succeeded; a sweep not queued now is queued a minute later
        log.warning("could not queue the inbox sweep", extra={"error": type(exc).__name__})
    finally:
        _sweep_lock.release()

