"""Realtime notifications that leave only after the transaction that caused them commits."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

Listener = Callable[[dict[str, Any]], None]
_listeners: list[Listener] = []
_PENDING_KEY = "firstline_pending_notifications"


def subscribe(listener: Listener) -> Callable[[], None]:
    """Receive every committed notification in this process; returns an unsubscribe function."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def send_on_commit(session: Session, payload: dict[str, Any]) -> None:
    """Queue ``payload`` to be published if, and only if, the session's transaction commits."""
    session.info.setdefault(_PENDING_KEY, []).append(payload)


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, [])
    for payload in pending:
        for listener in list(_listeners):
            try:
                listener(payload)
            except Exception:  # a broken listener must not break the request that committed
                log.exception("notification listener failed", extra={"payload_type": payload.get("type")})


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
