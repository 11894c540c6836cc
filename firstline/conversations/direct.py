"""Rows written directly (a Core INSERT) and attached to the session as if loaded: the message hot path.

A flush-inserted object is let go by the session when its transaction rolls back; one attached after a
direct INSERT is not, so the session would keep an object whose row is gone, and the next row given the
same id (SQLite reuses it) could not be attached. Each one is remembered with the transaction it was
written in, and let go when that transaction, or one around it, rolls back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy.orm import Session, SessionTransaction

_WRITTEN = "firstline.direct_inserts"


def track_direct_insert(session: Session, obj: Any) -> None:
    """Remember ``obj``, just attached after a direct INSERT, until its transaction ends."""
    written_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_WRITTEN, []).append((obj, written_in))


@orm_event.listens_for(Session, "after_soft_rollback")
def _let_go_of_undone(session: Session, rolled_back: SessionTransaction) -> None:
    written = session.info.get(_WRITTEN)
    if not written:
        return
    kept = []
    for obj, written_in in written:
        if _within(written_in, rolled_back):
            if obj in session:
                session.expunge(obj)
        else:
            kept.append((obj, written_in))
    session.info[_WRITTEN] = kept


@orm_event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False
