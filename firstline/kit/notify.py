"""Realtime notifications that leave only after the transaction that caused them commits.

Inside a SAVEPOINT they wait for the real commit too, and a SAVEPOINT rolled back drops only its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

Listener = Callable[[dict[str, Any]], None]
_listeners: list[Listener] = []
_PENDING_KEY = "firstline_pending_notifications"
_SAVEPOINTS_KEY = "firstline_notification_savepoints"  # pending count when each open SAVEPOINT began


def subscribe(listener: Listener) -> Callable[[], None]:
    """Receive every committed notification in this process; returns an unsubscribe function."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def send_on_commit(session: Session, payload: dict[str, Any]) -> None:
    """Queue ``payload`` to be published if, and only if, the session's transaction commits."""
    session.info.setdefault(_PENDING_KEY, []).append(payload)


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released: its notifications wait for the real commit
    session.info.pop(_SAVEPOINTS_KEY, None)
    pending = session.info.pop(_PENDING_KEY, [])
    for payload in pending:
        for listener in list(_listeners):
            try:
                listener(payload)
            except Exception:  # a broken listener must not break the request that committed
                log.exception("notification listener failed", extra={"payload_type": payload.get("type")})


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    marks = session.info.get(_SAVEPOINTS_KEY)
    if session.in_nested_transaction() and marks:
        # Only the SAVEPOINT rolled back: drop what was queued inside it, keep what came before it.
        del session.info.get(_PENDING_KEY, [])[marks[-1] :]
        return
    session.info.pop(_PENDING_KEY, None)
    session.info.pop(_SAVEPOINTS_KEY, None)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        marks = session.info.setdefault(_SAVEPOINTS_KEY, [])
        marks.append(len(session.info.get(_PENDING_KEY, [])))


@event.listens_for(Session, "after_transaction_end")
def _unmark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    marks = session.info.get(_SAVEPOINTS_KEY)
    if transaction.nested and marks:
        marks.pop()
