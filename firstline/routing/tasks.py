"""Routing's timers, once a second: lost heartbeats and idle agents, expired offers, overflow, positions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from firstline.db import declare_write, session_scope
from firstline.routing import config as routing_config
from firstline.routing.floor import prune_floor_changes
from firstline.routing.positions import refresh_positions
from firstline.routing.presence import sweep
from firstline.routing.service import dispatch, expire_offers

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 1.0


def run_once(session_factory: sessionmaker[Session], *, now: datetime | None = None) -> None:
    """One tick; each step in its own transaction, so one failing step does not hold up the others.

    Dispatching again each tick lets waiting chats reach the next overflow stage as time passes; the
    last step tells waiting customers whose place changed in ways no dispatch saw (a chat picked up by
    hand or closed while waiting).
    """
    for step in (sweep, expire_offers, dispatch, tell_positions, prune_changes):
        with session_scope(session_factory) as session:
            # Each step reads, then writes: on SQLite it takes the write lock first (waiting for it), as a
            # read snapshot that another writer moved past cannot write at all ("database is locked").
            declare_write(session)
            step(session, now=now)


def tell_positions(session: Session, *, now: datetime | None = None) -> None:
    """Send ``queue.updated`` to every waiting customer whose place in line changed."""
    refresh_positions(session, email_weight=routing_config.current().rules.email_weight)


def prune_changes(session: Session, *, now: datetime | None = None) -> None:
    """Keep the routing floor's change log short; a reader left behind reads the whole floor again."""
    prune_floor_changes(session)


async def _loop(session_factory: sessionmaker[Session]) -> None:
    while True:
        try:
            await asyncio.to_thread(run_once, session_factory)
        except Exception:  # keep ticking; the next tick retries what failed
            log.exception("routing tick failed")
        await asyncio.sleep(INTERVAL_SECONDS)


@asynccontextmanager
async def routing_timers(app: FastAPI) -> AsyncIterator[None]:
    """Background service: the routing tick, for as long as the app runs."""
    if not app.state.settings.run_timers:
        yield
        return
    task = asyncio.create_task(_loop(app.state.session_factory), name="routing-timers")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
