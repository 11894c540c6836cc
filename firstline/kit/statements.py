"""Hot-path statements run on SQLite's driver directly, inside the session's transaction.

Around each statement SQLAlchemy's Core spends ~50 µs (parameters, an execution context, a result object)
where SQLite spends 2–10 µs on the single-row, indexed statements that every chat runs about thirty-five
times (open, message, queue, assignment, resolution). ``run`` compiles a Core statement once per set of
parameter names, converts parameters and returned values with SQLAlchemy's own type processors, and
executes it on the DB-API cursor of the session's connection: same SQL, same transaction, same types.

Everything else goes through ``Connection.execute`` and comes back in the same ``Rows``: other
databases, and statements that need SQLAlchemy at execution time (Python-side column defaults,
expanding ``IN`` lists, several rows RETURNING from one executemany). Statements run here do not pass
through SQLAlchemy's cursor events; ``tests/statements.statements_run`` counts at the driver instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import MultipleResultsFound, NoResultFound, StatementError
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.dml import Insert, Update

Parameters = Mapping[str, Any]
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class Rows:
    """What a statement returned: rows as plain tuples, and how many rows it changed."""

    rows: list[tuple[Any, ...]]
    rowcount: int

    def all(self) -> list[tuple[Any, ...]]:
        return self.rows

    def first(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    def scalar_one(self) -> Any:
        if not self.rows:
            raise NoResultFound("No row was found when one was required")
        if len(self.rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self.rows[0][0]

    def scalars(self) -> list[Any]:
        return [row[0] for row in self.rows]


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    names: tuple[str, ...]
    binders: tuple[Processor, ...]
    fixed: tuple[Any, ...]  # values bound in the statement itself, used when the parameters lack the name
    readers: tuple[Processor, ...]  # one per returned column
    converted: tuple[int, ...]  # positions of the parameters a type converts (dates, JSON, booleans)

    def bind(self, parameters: Parameters) -> tuple[Any, ...]:
        values = [parameters.get(name, fixed) for name, fixed in zip(self.names, self.fixed, strict=True)]
        if _MISSING in values:
            missing = [name for name, value in zip(self.names, values, strict=True) if value is _MISSING]
            message = f"A value is required for bind parameter {missing[0]!r}"
            raise StatementError(message, self.sql, dict(parameters), None)  # what Core raises
        for position in self.converted:
            if (value := values[position]) is not None:
                values[position] = self.binders[position](value)  # type: ignore[misc]
        return tuple(values)

    def read(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        readers = self.readers
        if not any(readers):
            return rows
        return [
            tuple(
                value if reader is None else reader(value) for reader, value in zip(readers, row, strict=True)
            )
            for row in rows
        ]


_UNPLANNED = object()
_MISSING = object()  # stands for a parameter the statement requires and does not bind itself
# Keyed by the statement object: hot paths build theirs once. A caller that builds one per call would
# otherwise grow this without end, so past PLANS_KEPT it starts again (each plan is cheap to make).
_PLANS: dict[tuple[Executable, tuple[str, ...]], _Plan | None] = {}
PLANS_KEPT = 2_000


def run(
    connection: Connection, statement: Executable, parameters: Parameters | Sequence[Parameters] | None = None
) -> Rows:
    """Execute ``statement`` with ``parameters`` (a mapping, or a list of them for an executemany)."""
    many = isinstance(parameters, Sequence)
    first: Parameters = (parameters[0] if parameters else {}) if many else (parameters or {})  # type: ignore[index,assignment]
    plan = _plan(connection.dialect, statement, first) if connection.dialect.name == "sqlite" else None
    if plan is None or (many and plan.readers):
        return _through_core(connection, statement, parameters)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if many:
            cursor.executemany(plan.sql, [plan.bind(each) for each in parameters])  # type: ignore[union-attr]
            return Rows([], cursor.rowcount)
        cursor.execute(plan.sql, plan.bind(first))
        rows = cursor.fetchall() if plan.readers else []
        return Rows(plan.read(rows), cursor.rowcount)
    finally:
        cursor.close()


def _through_core(
    connection: Connection, statement: Executable, parameters: Parameters | Sequence[Parameters] | None
) -> Rows:
    result = connection.execute(statement, parameters)  # type: ignore[arg-type]
    rows = [tuple(row) for row in result.all()] if result.returns_rows else []
    return Rows(rows, result.rowcount)


def _plan(dialect: Dialect, statement: Executable, parameters: Parameters) -> _Plan | None:
    # An INSERT's or UPDATE's columns follow the parameters given, as in Connection.execute.
    keys = tuple(sorted(parameters)) if isinstance(statement, (Insert, Update)) else ()
    plan = _PLANS.get((statement, keys), _UNPLANNED)
    if plan is _UNPLANNED:
        if len(_PLANS) >= PLANS_KEPT:
            _PLANS.clear()
        plan = _PLANS[(statement, keys)] = _compile(dialect, statement, keys)
    return plan  # type: ignore[return-value]


def _compile(dialect: Dialect, statement: Executable, keys: tuple[str, ...]) -> _Plan | None:
    compiled: Any = statement.compile(dialect=dialect, column_keys=list(keys) if keys else None)  # type: ignore[attr-defined]
    if (
        compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.positiontup is None
    ):
        return None  # needs SQLAlchemy while executing: Python-side defaults, expanding IN lists
    names = tuple(compiled.positiontup)
    binds = [compiled.binds[name] for name in names]
    if any(bind.callable is not None for bind in binds):
        return None
    returned = list(getattr(statement, "exported_columns", ()))
    binders = tuple(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in binds)
    return _Plan(
        sql=compiled.string,
        names=names,
        binders=binders,
        fixed=tuple(_MISSING if bind.required else bind.value for bind in binds),
        readers=tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returned
        ),
        converted=tuple(position for position, binder in enumerate(binders) if binder is not None),
    )
