"""The store: how contacts, callers, messages and reports are written, for every channel.

One write path, one statement per row, on the session's connection and in its transaction: no unit of work and
no flush. ``look_up`` asks everything a new event needs in one SELECT (is it a replay, its contact, its caller,
their open conversation). ``insert_row`` and ``update_row`` write one row and return it as a loaded object: an
UPDATE ... RETURNING the row, so an object of the row the session holds already is refreshed, not stale; an INSERT
... RETURNING its id (ON CONFLICT DO NOTHING for a row with a unique provider key, on SQLite and PostgreSQL), the
object built from the values written, which are the whole row where the database fills in no column. A call's
step, which needs no objects at all, writes through the prebuilt Core statements below (``SAVE_CALL``);
``expire_loaded`` then expires what it wrote on any object the session loaded. Every statement is built once, its
compiled form cached per dialect. Nothing here flushes or commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, Literal, NamedTuple, TypeVar, cast, overload

from sqlalchemy import (
    JSON,
    Executable,
    Result,
    Row,
    Select,
    Table,
    bindparam,
    case,
    func,
    insert,
    inspect,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value
from sqlalchemy.orm.instrumentation import manager_of_class

from hotline.db import READ_ONLY, Base, ReadOnlySessionError
from hotline.intake.models import Caller, Contact, Message, Recording, Report
from hotline.intake.state import ContactState

M = TypeVar("M", bound=Base)
CONTACTS = cast(Table, Contact.__table__)
CALLERS = cast(Table, Caller.__table__)
MESSAGES = cast(Table, Message.__table__)
RECORDINGS = cast(Table, Recording.__table__)
REPORTS = cast(Table, Report.__table__)

# A new event's questions in one round trip (``look_up``): is what it brings stored already (a replay), is its
# contact open already, who is its caller. The one-row FROM keeps the answers when there is no caller yet.
_ONE_ROW = select(literal(1).label("one")).subquery("one_row")
_CALLER_COLUMNS = (CALLERS.c.id.label("caller_id"), CALLERS.c.language, CALLERS.c.heard_via, CALLERS.c.opted_out,
                   CALLERS.c.last_seen_at)
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


def execute(session: Session, statement: Executable,
            params: Mapping[str, Any] | None = None) -> Result[*tuple[Any, ...]]:
    """Run a Core statement on the session's connection, in its transaction, without the ORM's execute path.

    A read-only session's guard (``hotline.db``) hooks the ORM's execute, which this skips: so it is checked here.
    """
    if session.info.get(READ_ONLY) and getattr(statement, "is_dml", False):
        raise ReadOnlySessionError("an INSERT, UPDATE or DELETE in a read-only session")
    return session.connection().execute(statement, dict(params or {}))


@cache
def look_up(*, message: bool = False, recording: bool = False, report: bool = False, contact: bool = False,
            caller: bool = False, conversation: bool = False) -> Select[Any]:
    """One SELECT answering what a new event asks before anything is written, built once per shape.

    Each flag adds labelled columns, None when nothing matches: ``message_id`` (parameter ``message_sid``),
    ``recording_id`` (``recording_sid``), ``report_id`` (``source_id``), ``contact_id`` (``contact_key``); the
    caller's ``caller_id``, ``language``, ``heard_via``, ``opted_out`` and ``last_seen_at`` (``pseudonym``); and
    with a caller, ``conversation_id``, their open conversation on ``channel`` active since ``since``.
    """
    columns: list[Any] = []
    for wanted, table, key, parameter, label in (
        (message, MESSAGES, "provider_sid", "message_sid", "message_id"),
        (recording, RECORDINGS, "provider_sid", "recording_sid", "recording_id"),
        (report, REPORTS, "source_id", "source_id", "report_id"),
        (contact, CONTACTS, "provider_id", "contact_key", "contact_id"),
    ):
        if wanted:
            columns.append(select(table.c.id).where(table.c[key] == bindparam(parameter))
                           .scalar_subquery().label(label))
    if not caller:
        return select(*columns) if columns else select(literal(None).label("nothing"))
    columns.extend(_CALLER_COLUMNS)
    if conversation:
        columns.append(
            select(CONTACTS.c.id)
            .where(CONTACTS.c.caller_id == CALLERS.c.id, CONTACTS.c.channel == bindparam("channel"),
                   CONTACTS.c.ended_at.is_(None), CONTACTS.c.last_activity_at >= bindparam("since"))
            .order_by(CONTACTS.c.last_activity_at.desc()).limit(1)
            .correlate(CALLERS).scalar_subquery().label("conversation_id")
        )
    return select(*columns).select_from(_ONE_ROW.outerjoin(CALLERS, CALLERS.c.pseudonym == bindparam("pseudonym")))


@overload
def insert_row(session: Session, model: type[M], values: Mapping[str, Any], once: Literal[False] = False) -> M: ...


@overload
def insert_row(session: Session, model: type[M], values: Mapping[str, Any], once: Literal[True]) -> M | None: ...


def insert_row(session: Session, model: type[M], values: Mapping[str, Any], once: bool = False) -> M | None:
    """INSERT one row and return it as a loaded object of ``model``, in one statement (no unit of work, no flush).

    ``once``: unless a row with the same unique key exists (INSERT ... ON CONFLICT DO NOTHING RETURNING, on SQLite
    and PostgreSQL), and then None: the caller reloads the row that won. Columns left out (or None) take their
    defaults, as the ORM's own INSERT would.
    """
    if not _built_from_values(model):
        statement = _insert_statement(model, dialect(session) if once else None, whole=True)
        row = execute(session, statement, _given(values)).first()
        return None if row is None else _loaded(session, model, row)  # None only for ``once``
    filled = _with_defaults(cast(Table, model.__table__), _given(values))
    found = execute(session, _insert_statement(model, dialect(session) if once else None, whole=False),
                    filled).scalar()
    return None if found is None else _inserted(session, model, filled, found)


def insert_id(session: Session, model: type[M], values: Mapping[str, Any], once: bool = False) -> int | None:
    """``insert_row`` for a caller that needs only the new row's id (a call's first webhook): RETURNING id, and
    no object built."""
    statement = _insert_statement(model, dialect(session) if once else None, whole=False)
    found = execute(session, statement, _given(values)).scalar()
    return None if found is None else int(found)


def insert_caller_and_contact(session: Session, caller: Mapping[str, Any],
                              contact: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """INSERT a new caller and, if that inserted them, their first contact (its ``caller_id`` theirs): the ids, each
    None where a row with its unique key existed already (the caller's: no contact was inserted either).

    PostgreSQL does both in one statement (a data-modifying WITH), a round trip fewer for a new caller's first
    call; SQLite, in-process and without data-modifying WITH, in two. Both ON CONFLICT DO NOTHING, as ``insert_id``
    with ``once``.
    """
    if dialect(session) != "postgresql":
        caller_id = insert_id(session, Caller, caller, once=True)
        if caller_id is None:
            return None, None
        return caller_id, insert_id(session, Contact, {**contact, "caller_id": caller_id}, once=True)
    row = _insert_pair(session, _CALLER_AND_CONTACT, *_pair_values(_CALLER_AND_CONTACT, caller, contact)).one()
    return row.caller_id, row.contact_id


def insert_caller_and_contact_rows(session: Session, caller: Mapping[str, Any],
                                   contact: Mapping[str, Any]) -> tuple[Caller | None, Contact | None]:
    """``insert_caller_and_contact``, returning the rows as loaded objects (as ``insert_row``)."""
    if dialect(session) != "postgresql":
        new_caller = insert_row(session, Caller, caller, once=True)
        if new_caller is None:
            return None, None
        return new_caller, insert_row(session, Contact, {**contact, "caller_id": new_caller.id}, once=True)
    caller_values, contact_values = _pair_values(_CALLER_AND_CONTACT, caller, contact)
    row = _insert_pair(session, _CALLER_AND_CONTACT, caller_values, contact_values).one()
    if row.caller_id is None:
        return None, None
    new_caller = _inserted(session, Caller, caller_values, row.caller_id)
    return new_caller, None if row.contact_id is None else _inserted(
        session, Contact, {**contact_values, "caller_id": row.caller_id}, row.contact_id)


def insert_message_and_report(session: Session, message: Mapping[str, Any],
                              report: Mapping[str, Any]) -> tuple[Message, Report]:
    """INSERT an inbound message and the report it brings (its ``message_id`` the message's), both returned as
    loaded objects (as ``insert_row``): one statement on PostgreSQL (a data-modifying WITH, a round trip fewer for
    every text filed), two on SQLite."""
    if dialect(session) != "postgresql":
        new_message = insert_row(session, Message, message)
        return new_message, insert_row(session, Report, {**report, "message_id": new_message.id})
    message_values, report_values = _pair_values(_MESSAGE_AND_REPORT, message, report)
    row = _insert_pair(session, _MESSAGE_AND_REPORT, message_values, report_values).one()
    return (_inserted(session, Message, message_values, row.message_id),
            _inserted(session, Report, {**report_values, "message_id": row.message_id}, row.report_id))


class _Pair(NamedTuple):
    """Two rows written by one statement: the first's id goes in the second's ``link`` column, and each value is
    bound as ``<first>_``/``<second>_`` + its column (``prefixes``), as ``_prefixed`` names them."""

    first: Table
    second: Table
    link: str
    prefixes: tuple[str, str]
    once: bool  # ON CONFLICT DO NOTHING on both, and the second only if the first was inserted


_CALLER_AND_CONTACT = _Pair(CALLERS, CONTACTS, "caller_id", ("caller", "contact"), once=True)
_MESSAGE_AND_REPORT = _Pair(MESSAGES, REPORTS, "message_id", ("message", "report"), once=False)


def _pair_values(pair: _Pair, first: Mapping[str, Any], second: Mapping[str, Any]) -> tuple[dict[str, Any],
                                                                                              dict[str, Any]]:
    """The values of the two rows with their columns' defaults: SQLAlchemy applies them to a statement's own
    INSERT, not to one inside a WITH. The second's ``link`` is the first's new id, filled in by the statement."""
    first_values, second_values = _with_defaults(pair.first, _given(first)), _with_defaults(pair.second, _given(second))
    second_values.pop(pair.link, None)
    return first_values, second_values


def _insert_pair(session: Session, pair: _Pair, first_values: dict[str, Any], second_values: dict[str, Any]) -> Any:
    """Both rows (``_pair_values``) in one statement; a row of the two new ids, labelled ``<prefix>_id``."""
    statement = _insert_pair_statement(pair, tuple(first_values), tuple(second_values))
    return execute(session, statement, _prefixed(first_values, second_values, pair.prefixes))


def _prefixed(first: Mapping[str, Any], second: Mapping[str, Any],
              prefixes: tuple[str, str] = ("caller", "contact")) -> dict[str, Any]:
    """The parameters of a statement that writes two rows: each value bound as ``<prefix>_`` + its column, as the
    pair statements name them."""
    one, other = prefixes
    return {**{f"{one}_{k}": v for k, v in first.items()}, **{f"{other}_{k}": v for k, v in second.items()}}


def _with_defaults(table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with the Python-side default of every other column that has one (scalars and callables)."""
    filled = dict(values)
    for name, scalar, make in _defaults(table):
        if name not in filled:
            filled[name] = make(None) if make is not None else scalar  # a callable default is wrapped to take a context
    return filled


@cache
def _defaults(table: Table) -> tuple[tuple[str, Any, Any], ...]:
    """The table's columns with a Python-side default: name, scalar value, callable (one of the two is None)."""
    found = []
    for column in table.c:
        default = column.default
        if column.primary_key or default is None:
            continue
        if getattr(default, "is_scalar", False):
            found.append((column.name, default.arg, None))  # type: ignore[attr-defined]
        elif getattr(default, "is_callable", False):
            found.append((column.name, None, default.arg))  # type: ignore[attr-defined]
    return tuple(found)


@cache
def _insert_pair_statement(pair: _Pair, first_names: tuple[str, ...], second_names: tuple[str, ...]) -> Any:
    """WITH new_<first> AS (INSERT ... RETURNING id), new_<second> AS (INSERT ... SELECT new_<first>.id, ...
    RETURNING id) SELECT both ids (with ``once``, NULL for a row not inserted): the second is inserted only when
    the first was."""
    first, second = pair.first, pair.second
    one, other = pair.prefixes
    insert_first = postgresql_insert(first).values(
        {name: bindparam(f"{one}_{name}", type_=first.c[name].type) for name in first_names})
    if pair.once:
        insert_first = insert_first.on_conflict_do_nothing()
    new_first = insert_first.returning(first.c.id).cte(f"new_{one}")
    rows = select(new_first.c.id,
                  *(bindparam(f"{other}_{name}", type_=second.c[name].type) for name in second_names))
    insert_second = postgresql_insert(second).from_select([pair.link, *second_names], rows, include_defaults=False)
    if pair.once:
        insert_second = insert_second.on_conflict_do_nothing()
    new_second = insert_second.returning(second.c.id).cte(f"new_{other}")
    return select(select(new_first.c.id).scalar_subquery().label(f"{one}_id"),
                  select(new_second.c.id).scalar_subquery().label(f"{other}_id"))


def update_row(session: Session, model: type[M], key: int, values: Mapping[str, Any]) -> M:
    """UPDATE one row by id and return it as a loaded object, in one statement (UPDATE ... RETURNING); an object of
    the row this session holds already is refreshed with what was written. ``last_activity_at`` and ``last_seen_at``
    only move forward: the later of the stored value and the one given is kept."""
    statement = _update_statement(model, tuple(sorted(values)), whole=True)
    row = execute(session, statement, {"row_id": key, **values}).first()
    if row is None:
        raise IntegrityError("nothing to update", None, LookupError(f"{model.__name__} {key}"))
    return _loaded(session, model, row)


def update_caller_and_contact(session: Session, caller_id: int, caller: Mapping[str, Any], contact_id: int,
                              contact: Mapping[str, Any]) -> tuple[Caller, Contact]:
    """``update_row`` of a caller and of one of their contacts, both returned as loaded objects.

    PostgreSQL does both in one statement (a data-modifying WITH: a returning caller's text is a round trip
    shorter); SQLite, in-process, in two. Raises IntegrityError when either row is gone: with the caller gone the
    contact is not written; with the contact gone the caller may have been, as with two ``update_row`` calls, and
    rolling back is the caller's transaction's to do.
    """
    if dialect(session) != "postgresql":
        return update_row(session, Caller, caller_id, caller), update_row(session, Contact, contact_id, contact)
    statement = _update_pair_statement(tuple(sorted(caller)), tuple(sorted(contact)))
    params = {"caller_row_id": caller_id, "contact_row_id": contact_id, **_prefixed(caller, contact)}
    row = execute(session, statement, params).first()
    if row is None:
        raise IntegrityError("nothing to update", None, LookupError(f"Caller {caller_id}, Contact {contact_id}"))
    width = len(CONTACTS.c)
    return _loaded(session, Caller, tuple(row[width:])), _loaded(session, Contact, tuple(row[:width]))


def update_id(session: Session, model: type[Contact] | type[Caller], key: int, values: Mapping[str, Any]) -> int:
    """``update_row`` for a caller that needs no object: RETURNING id; an object of the row the session holds
    reloads what was written."""
    found = execute(session, _update_statement(model, tuple(sorted(values)), whole=False),
                    {"row_id": key, **values}).scalar()
    if found is None:
        raise IntegrityError("nothing to update", None, LookupError(f"{model.__name__} {key}"))
    expire_loaded(session, model, key, list(values))
    return key


def _given(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def _loaded(session: Session, model: type[M], row: Row[Any] | tuple[Any, ...]) -> M:
    """The object of a row a Core statement returned (its columns in the table's order), in the session as if a
    query had loaded it: a Core RETURNING and this cost a third of what the ORM's own INSERT ... RETURNING costs
    (bench/bench_sms.py's filing)."""
    names = _attribute_names(model)
    loaded = session.identity_map.get(session.identity_key(model, row[_id_position(model)]))
    if loaded is not None:
        for name, value in zip(names, row, strict=True):
            set_committed_value(loaded, name, value)
        return cast(M, loaded)
    # As a query's loading does: the values go straight into the new object's dict, since the constructor would
    # record each of them as a change (instrumented setattr) only for make_transient_to_detached to commit them.
    obj: M = manager_of_class(model).new_instance()
    instance_dict(obj).update(zip(names, row, strict=True))
    make_transient_to_detached(obj)  # keyed by its id, its values what was loaded, with no change pending
    session.add(obj)
    return obj


def _inserted(session: Session, model: type[M], values: Mapping[str, Any], row_id: int) -> M:
    """The object of a row just inserted with ``values`` (its defaults applied) under ``row_id``, as ``_loaded``
    makes it from a returned row: for a model ``_built_from_values``, the database would return just that, and
    returning it costs more than the insert (every column described and converted back on each statement)."""
    if not _built_from_values(model):
        raise TypeError(f"{model.__name__} has columns the database fills in: insert it RETURNING the whole row")
    row = [values.get(name) for name in _column_names(model)]
    row[_id_position(model)] = row_id
    for position in _json_positions(model):  # JSON as JSON reads: lists for tuples, never the very object given
        if row[position] is not None:
            row[position] = json.loads(json.dumps(row[position]))
    return _loaded(session, model, tuple(row))


@cache
def _column_names(model: type[M]) -> tuple[str, ...]:
    return tuple(column.name for column in cast(Table, model.__table__).c)


@cache
def _json_positions(model: type[M]) -> tuple[int, ...]:
    return tuple(index for index, column in enumerate(cast(Table, model.__table__).c)
                 if isinstance(column.type, JSON))


@cache
def _built_from_values(model: type[M]) -> bool:
    """Whether an inserted row of ``model`` is exactly the values given, its Python-side defaults, and its new id:
    no column the database fills in (a server default)."""
    return all(column.server_default is None for column in cast(Table, model.__table__).c)


# Columns that only ever move forward: an update sets the later of the stored value and the one given, so that
# events filed out of order never move a contact's or caller's activity back.
_LATEST = frozenset({"last_activity_at", "last_seen_at"})


@cache
def _id_position(model: type[M]) -> int:
    return list(cast(Table, model.__table__).c.keys()).index("id")


@cache
def _attribute_names(model: type[M]) -> tuple[str, ...]:
    """The mapped attribute of each of the table's columns, in the table's order (a RETURNING's order)."""
    mapper = inspect(model)
    return tuple(mapper.get_property_by_column(column).key for column in cast(Table, model.__table__).c)


@cache
def _insert_statement(model: type[M], once_on: str | None, whole: bool) -> Any:
    """INSERT ... RETURNING the whole row (``whole``) or its id; ON CONFLICT DO NOTHING on ``once_on``'s dialect."""
    table = cast(Table, model.__table__)
    returned = tuple(table.c) if whole else (table.c.id,)
    if once_on is None:
        return insert(table).returning(*returned)
    dialect_insert = postgresql_insert if once_on == "postgresql" else sqlite_insert
    return dialect_insert(table).on_conflict_do_nothing().returning(*returned)


@cache
def _update_statement(model: type[M], names: tuple[str, ...], whole: bool) -> Any:
    """UPDATE of ``names`` by id, RETURNING the whole row (``whole``) or its id; the ``_LATEST`` columns keep the
    later value."""
    table = cast(Table, model.__table__)
    returned = tuple(table.c) if whole else (table.c.id,)
    return update(table).where(table.c.id == bindparam("row_id")).values(_set(table, names)).returning(*returned)


@cache
def _update_pair_statement(caller_names: tuple[str, ...], contact_names: tuple[str, ...]) -> Any:
    """WITH refreshed_caller AS (UPDATE callers ... RETURNING *), refreshed_contact AS (UPDATE contacts ... WHERE
    EXISTS (SELECT FROM refreshed_caller) RETURNING *) SELECT both rows: the contact is updated only when the caller
    was, and after them (the locks in the order of the two statements it replaces)."""
    caller = (update(CALLERS).where(CALLERS.c.id == bindparam("caller_row_id"))
              .values(_set(CALLERS, caller_names, "caller_")).returning(*CALLERS.c).cte("refreshed_caller"))
    contact = (update(CONTACTS).where(CONTACTS.c.id == bindparam("contact_row_id"), select(caller.c.id).exists())
               .values(_set(CONTACTS, contact_names, "contact_")).returning(*CONTACTS.c).cte("refreshed_contact"))
    return select(*contact.c, *caller.c).select_from(contact.join(caller, true()))


def _set(table: Table, names: tuple[str, ...], prefix: str = "") -> dict[str, Any]:
    """An UPDATE's SET of ``names``, each bound as ``prefix`` + its name; the ``_LATEST`` columns keep the later
    value."""
    values: dict[str, Any] = {}
    for name in names:
        given = bindparam(prefix + name, type_=table.c[name].type)
        values[name] = case((table.c[name] < given, given), else_=table.c[name]) if name in _LATEST else given
    return values


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
