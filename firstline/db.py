"""Engine, session factory, base model and the glue to Alembic migrations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import (
    Connection,
    Engine,
    FromClause,
    Insert,
    MetaData,
    Select,
    Table,
    Update,
    bindparam,
    create_engine,
    event,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Session, make_transient_to_detached, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from firstline.kit.checkpoints import BACKSTOP_PAGES
from firstline.kit.statements import run

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _prepare_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # The server checkpoints from a thread of its own (kit/checkpoints.py); a writer does it in its commit
    # only past this backstop.
    cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    cursor.close()


WRITE_INTENT = "firstline_write_intent"


def _begin_sqlite(connection: Any) -> None:
    # A transaction that will write takes SQLite's write lock up front (waiting up to busy_timeout):
    # a deferred transaction that reads and then writes fails at once if another writer committed between.
    immediate = connection.get_execution_options().get(WRITE_INTENT)
    # On the driver itself: every transaction begins here, and nothing needs SQLAlchemy's execution around it.
    connection.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def declare_write(session: Session) -> None:
    """Mark the session's coming transaction as a writer (BEGIN IMMEDIATE on SQLite; no-op elsewhere)."""
    if not session.in_transaction():
        session.connection(execution_options={WRITE_INTENT: True})


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None stops the sqlite3 module from managing transactions itself; SQLAlchemy's
        # "begin" hook emits BEGIN instead, which makes SAVEPOINTs (and so idempotent inserts) reliable.
        # A pool as large as the threads that use it at once (the chat runtime's 16 readers, its writer,
        # request handlers): an overflow connection is closed after use and a new one pays the PRAGMAs again.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "isolation_level": None},
            pool_size=24,
            max_overflow=16,
        )
        event.listen(engine, "connect", _prepare_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on error. The boundary owns the transaction."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def insert_many(connection: Connection, table: FromClause, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` into ``table`` with one multi-row INSERT; the new ids, in the order of ``rows``.

    PostgreSQL sorts what RETURNING gives back by the rows' order itself (SQLAlchemy's insertmanyvalues).
    SQLite has no such sentinel and would insert row by row to keep the order; it does not need to: the
    rows of one INSERT are inserted in order, each with a rowid above every rowid in the table, so their
    ids sorted are in the rows' order.
    """
    if not rows:
        return []
    if len(rows) == 1:
        return run(connection, _returning_ids(table, ordered=False), rows[0]).scalars()
    if connection.dialect.name == "sqlite":
        return sorted(connection.execute(_returning_ids(table, ordered=False), rows).scalars())
    return list(connection.execute(_returning_ids(table, ordered=True), rows).scalars())


@cache
def _returning_ids(table: FromClause, *, ordered: bool) -> Insert:
    return insert(cast(Table, table)).returning(table.c.id, sort_by_parameter_order=ordered)


# --- changes written directly ---------------------------------------------------------------------
# The hot paths (routing, SLA clocks) change rows several times a chat. A flush of the unit of work costs
# several times what one UPDATE does, and an object left marked changed costs every later flush a pass:
# so they change a working copy, and ``save_changes`` writes what differs and brings the held object along.

T = TypeVar("T")


def working_copy(obj: T) -> T:
    """A copy of a loaded object's columns, to make changes on for ``save_changes``: a plain object with the
    same attributes (building an instance of the mapped class costs ~20 times more, and it is thrown away)."""
    copy = _WorkingCopy()
    copy.__dict__.update({key: getattr(obj, key) for key in _column_keys(type(obj))})
    return cast(T, copy)


class _WorkingCopy:
    """Columns of a row as plain attributes."""


def save_changes(session: Session, changed: Iterable[tuple[Any, Any]]) -> None:
    """For each (held object, working copy), write the columns that differ, as a flush would: one UPDATE
    per table and set of columns (executemany). The held object shows the new values and stays unchanged
    in the session's eyes; one not inserted yet takes them for its flush."""
    batches: dict[tuple[type, tuple[str, ...]], list[dict[str, Any]]] = {}
    for held, work in changed:
        values = {
            key: value
            for key in _column_keys(type(held))
            if (value := getattr(work, key)) != getattr(held, key)
        }
        if not values:
            continue
        if not inspect(held).persistent:
            for key, value in values.items():
                setattr(held, key, value)
            continue
        batches.setdefault((type(held), tuple(values)), []).append({"row_key": _key_of(held), **values})
        _show(held, values)
    for (model, _columns), rows in batches.items():
        run(session.connection(), _update_by_key(model), rows)


def write_columns(session: Session, held: Any, values: dict[str, Any]) -> None:
    """Write ``values`` to the row of ``held`` with one UPDATE and bring it along (no flush). Other
    changes pending on the object are left to the next flush."""
    run(session.connection(), _update_by_key(type(held)), {"row_key": _key_of(held), **values})
    _show(held, values)


def load(session: Session, model: type[T], key: Any) -> T | None:
    """``session.get(model, key)`` at half the cost, for the rows every chat reads (its conversation, its
    metrics): an object the session holds is returned as it is; otherwise the row is read with one plain
    statement and attached as if the ORM had loaded it. An expired held object is left to ``session.get``.
    For models without eagerly loaded relationships (their lazy ones load on first use as usual)."""
    held = session.identity_map.get(identity_key(model, key))
    if held is not None:
        return cast(T, held) if not inspect(held).expired else session.get(model, key)
    session.flush()  # as the ORM's autoflush would
    row = run(session.connection(), _select_where(model, _key_name(model)), {"row_key": key}).first()
    return None if row is None else _attach(session, model, row)


def load_by(session: Session, model: type[T], column: str, value: Any) -> list[T]:
    """The objects of ``model`` whose ``column`` equals ``value``, read as ``load`` reads one (objects the
    session holds are returned as they are held, as a query would). Ordered by primary key."""
    session.flush()
    found = []
    for row in run(session.connection(), _select_where(model, column), {"row_key": value}).all():
        held = session.identity_map.get(identity_key(model, row[_key_position(model)]))
        if held is None:
            found.append(_attach(session, model, row))
        elif inspect(held).expired:
            session.refresh(held)
            found.append(held)
        else:
            found.append(held)
    return found


def _attach(session: Session, model: type[T], row: tuple[Any, ...]) -> T:
    loaded = inspect(model).class_manager.new_instance()
    # Values go where the ORM's own loader puts them, the instance's dict; the call below marks them loaded.
    loaded.__dict__.update(zip(_column_keys(model), row, strict=True))
    make_transient_to_detached(loaded)
    session.add(loaded)
    return cast(T, loaded)


@cache
def _key_name(model: type) -> str:
    return str(inspect(model).primary_key[0].key)


@cache
def _key_position(model: type) -> int:
    return _column_keys(model).index(_key_name(model))


@cache
def _select_where(model: type, column: str) -> Select[Any]:
    """Every mapped column of ``model`` (in ``_column_keys`` order) where ``column`` = :row_key."""
    mapper = inspect(model)
    columns = [mapper.column_attrs[key].columns[0] for key in _column_keys(model)]
    condition = mapper.column_attrs[column].columns[0] == bindparam("row_key")
    return select(*columns).where(condition).order_by(mapper.primary_key[0])


def _show(held: Any, values: dict[str, Any]) -> None:
    for key, value in values.items():
        set_committed_value(held, key, value)


def _key_of(held: Any) -> Any:
    return getattr(held, inspect(type(held)).primary_key[0].key)


@cache
def _column_keys(model: type) -> tuple[str, ...]:
    return tuple(attribute.key for attribute in inspect(model).column_attrs)


@cache
def _update_by_key(model: type) -> Update:
    """UPDATE of one row by primary key, without a SET clause of its own: the parameters name the columns."""
    mapper = inspect(model)
    table = cast(Table, mapper.local_table)
    return update(table).where(table.c[mapper.primary_key[0].key] == bindparam("row_key"))
