"""The one loop that fires SLA warnings and breaches: scans ``sla_clock.fire_at`` and claims due rows."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from firstline.db import declare_write, session_scope
from firstline.sla.service import fire_due_clocks

log = logging.getLogger(__name__)
BATCH = 200
INTERVAL_SECONDS = 1.0


def run_once(session_factory: sessionmaker[Session], *, now: datetime | None = None) -> int:
    """Fire one batch of due clocks in one transaction; returns how many fired."""
    with session_scope(session_factory) as session:
        declare_write(session)  # SQLite: the due clocks are read, then claimed; hold the write lock first
        return fire_due_clocks(session, now=now, limit=BATCH)


async def _loop(session_factory: sessionmaker[Session]) -> None:
    while True:
        fired = 0
        try:
            fired = await asyncio.to_thread(run_once, session_factory)
        except Exception:  # the loop must outlive one bad batch; the rows stay due and are retried
            log.exception("SLA timer batch failed")
        await asyncio.sleep(0 if fired >= BATCH else INTERVAL_SECONDS)


@asynccontextmanager
async def sla_timers(app: FastAPI) -> AsyncIterator[None]:
    """Background service: the SLA timer loop, for as long as the app runs."""
    if not app.state.settings.run_timers:
        yield
        return
    task = asyncio.create_task(_loop(app.state.session_factory), name="sla-timers")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
