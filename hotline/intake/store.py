"""The store: how contacts, callers, messages and reports are written, for every channel.

One write path. A webhook's own rows go in through the Core statements built here, on the session's connection
and in its transaction (no unit of work, no per-statement ORM compile): ``insert_once`` for a row with a unique
provider key (INSERT ... ON CONFLICT DO NOTHING RETURNING, on SQLite and PostgreSQL), ``execute`` for the rest.
What is written this way behind the ORM's back is expired on any object of the row the session has loaded
(``expire_loaded``), so a later read in the same transaction sees it. Nothing here flushes or commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from sqlalchemy import Executable, Result, Table, bindparam, func, inspect, literal, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.db import READ_ONLY, ReadOnlySessionError
from hotline.intake.models import Caller, Contact
from hotline.intake.state import ContactState

T = TypeVar("T")
CONTACTS = cast(Table, Contact.__table__)
CALLERS = cast(Table, Caller.__table__)

# Built once, their compiled forms cached per dialect.
CONTACT_ID_BY_KEY = select(CONTACTS.c.id).where(CONTACTS.c.provider_id == bindparam("key"))
CALLER_BY_PSEUDONYM = select(
    CALLERS.c.id, CALLERS.c.language, CALLERS.c.heard_via, CALLERS.c.opted_out, CALLERS.c.last_seen_at
).where(CALLERS.c.pseudonym == bindparam("key"))
# A new contact's two questions in one round trip: is the contact stored already (a replay), and who is its caller.
# The one-row FROM keeps the answer to the first when there is no caller yet.
_ONE_ROW = select(literal(1).label("one")).subquery("one_row")
CONTACT_AND_CALLER = select(
    CONTACT_ID_BY_KEY.scalar_subquery().label("contact_id"), CALLERS.c.id, CALLERS.c.language,
    CALLERS.c.heard_via, CALLERS.c.opted_out, CALLERS.c.last_seen_at,
).select_from(_ONE_ROW.outerjoin(CALLERS, CALLERS.c.pseudonym == bindparam("pseudonym")))
_INSERT_RETURNING_ID = {
    table.name: {
        "postgresql": postgresql_insert(table).on_conflict_do_nothing().returning(table.c.id),
        "sqlite": sqlite_insert(table).on_conflict_do_nothing().returning(table.c.id),
    }
    for table in (CALLERS, CONTACTS)
}
# What a call's step reads of its contact, with the row locked until commit on PostgreSQL (SQLite renders no FOR
# UPDATE: its writers are serialised by BEGIN IMMEDIATE), so a retried step waits for the first delivery and then
# finds its step number taken.
CALL_FOR_STEP = select(
    CONTACTS.c.id, CONTACTS.c.caller_id, CONTACTS.c.provider_id, CONTACTS.c.hotline_number,
    CONTACTS.c.language, CONTACTS.c.heard_via, CONTACTS.c.state, CONTACTS.c.ivr_path,
    CONTACTS.c.last_activity_at,
).where(CONTACTS.c.provider_id == bindparam("call_sid")).with_for_update()
# The SET clause follows the parameters given (state, ivr_path, last_activity_at, and what else changed).
SAVE_CALL = update(CONTACTS).where(CONTACTS.c.id == bindparam("contact_id"))
# What a step learnt about its caller, without loading them: the latest language wins, and a heard_via they had
# told us before is kept. Its parameter names are no contacts column, so SAVE_CALL_TEACHING's SET ignores them.
TEACH_CALLER = update(CALLERS).where(CALLERS.c.id == bindparam("learner_id")).values(
    language=func.coalesce(bindparam("learnt_language", type_=CALLERS.c.language.type), CALLERS.c.language),
    heard_via=func.coalesce(CALLERS.c.heard_via, bindparam("learnt_heard_via", type_=CALLERS.c.heard_via.type)),
)
# PostgreSQL runs both UPDATEs in one statement (a data-modifying WITH): one round trip fewer per such step.
SAVE_CALL_TEACHING = SAVE_CALL.add_cte(TEACH_CALLER.cte("learnt"))


def dialect(session: Session) -> str:
    """``postgresql`` or ``sqlite``: which of the prebuilt statements applies to ``session``'s database."""
    return "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"


def execute(session: Session, statement: Executable, params: Mapping[str, Any] | None = None) -> Result[Any]:
    """Run a Core statement on the session's connection, in its transaction, without the ORM's execute path.

    A read-only session's guard (``hotline.db``) hooks the ORM's execute, which this skips: so it is checked here.
    """
    if session.info.get(READ_ONLY) and getattr(statement, "is_dml", False):
        raise ReadOnlySessionError("an INSERT, UPDATE or DELETE in a read-only session")
    return session.connection().execute(statement, dict(params or {}))


def insert_returning_id(session: Session, table: Table, values: Mapping[str, Any]) -> int | None:
    """INSERT a callers or contacts row unless its unique key exists; its id, or None when one was there."""
    inserted = execute(session, _INSERT_RETURNING_ID[table.name][dialect(session)], values).scalar()
    return None if inserted is None else int(inserted)


def update_caller(session: Session, caller_id: int, values: Mapping[str, Any]) -> None:
    """UPDATE a caller's row; a loaded Caller of that row reloads what was written."""
    execute(session, update(CALLERS).where(CALLERS.c.id == caller_id).values(dict(values)))
    expire_loaded(session, Caller, caller_id, list(values))


def insert_once(session: Session, make: Callable[[], T], reload: Callable[[], T | None]) -> tuple[T, bool]:
    """Insert the object ``make()`` builds unless a concurrent request inserted the same unique key first; then
    ``reload()`` theirs. The object and whether it is ours.

    One INSERT ... ON CONFLICT DO NOTHING RETURNING (SQLite and PostgreSQL) instead of a savepoint around an ORM
    flush: a third of the cost of a new caller's webhook went to the savepoint.
    """
    obj = make()
    mapper = inspect(type(obj))
    values = {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs
              if getattr(obj, attr.key) is not None}
    dialect_insert = postgresql_insert if dialect(session) == "postgresql" else sqlite_insert
    statement = dialect_insert(type(obj)).on_conflict_do_nothing().returning(type(obj))
    inserted = session.scalars(statement, [values], execution_options={"populate_existing": True}).first()
    if inserted is not None:
        return inserted, True
    existing = reload()
    if existing is None:
        raise IntegrityError("insert refused and nothing to reload", None, ValueError(type(obj).__name__))
    return existing, False


def expire_loaded(session: Session, model: type[Contact] | type[Caller], key: int, names: list[str]) -> None:
    """Written behind the ORM's back: an object of the row that this session loaded reloads those attributes.

    Only they are expired, so another change pending on the object is kept (the paths that load one flush it
    before the step writes).
    """
    loaded = session.identity_map.get(session.identity_key(model, key))
    if loaded is not None:
        session.expire(loaded, names)


def update_state(contact: Contact, changes: ContactState) -> None:
    """Merge ``changes`` into a loaded contact's state: a new dict, so the JSON column is written at the next flush."""
    merged: ContactState = {**(contact.state or {}), **changes}
    contact.state = merged


def remove_state(contact: Contact, keys: Iterable[str]) -> bool:
    """Remove ``keys`` from a loaded contact's state; whether any of them held something."""
    state = dict(contact.state or {})
    removed = [key for key in keys if state.pop(key, None) is not None]
    if removed:
        contact.state = cast(ContactState, state)  # a new dict, so the JSON column is written
    return bool(removed)
