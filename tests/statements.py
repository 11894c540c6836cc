"""Counting the statements a piece of code runs, wherever they are executed from."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session


@contextmanager
def statements_run(session: Session) -> Iterator[list[str]]:
    """The SQL the session's connection runs inside the block. On SQLite it is read at the driver (its
    trace callback), so statements run there directly (``firstline.kit.statements.run``) count too."""
    connection = session.connection()
    executed: list[str] = []
    if connection.dialect.name == "sqlite":
        driver: Any = connection.connection.dbapi_connection
        driver.set_trace_callback(executed.append)
        try:
            yield executed
        finally:
            driver.set_trace_callback(None)
        return
    listener = lambda *args: executed.append(args[2])  # noqa: E731
    event.listen(connection, "before_cursor_execute", listener)
    try:
        yield executed
    finally:
        event.remove(connection, "before_cursor_execute", listener)
