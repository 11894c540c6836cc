"""The cases timer loop: complaint clocks, follow-ups come due, resolved cases whose grace period ended.

Timers are columns (``complaint.fire_at``, ``follow_up.due_at``, ``case_file.close_at``); each batch claims
due rows with a conditional UPDATE, so several processes can run the loop and none fires a row twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from firstline.cases.complaints.models import Complaint
from firstline.cases.complaints.service import fire_due_clocks
from firstline.cases.service import close_expired_cases, fire_due_follow_ups
from firstline.db import session_scope
from firstline.kit.time import utcnow

log = logging.getLogger(__name__)
BATCH = 200
INTERVAL_SECONDS = 5.0


def run_once(session: Session, *, now: datetime | None = None) -> int:
    """One batch of each timer in the caller's transaction; returns how many rows fired."""
    now = now or utcnow()
    if session.get_bind().dialect.name == "sqlite":
        # Take the write lock before reading: a WAL reader that writes later would fail on a stale snapshot.
        session.execute(update(Complaint).where(Complaint.id == -1).values(fire_at=None))
    fired = fire_due_clocks(session, now=now, limit=BATCH)
    fired += fire_due_follow_ups(session, now=now, limit=BATCH)
    fired += close_expired_cases(session, now=now, limit=BATCH)
    return fired


def _run_batch(session_factory: sessionmaker[Session]) -> int:
    with session_scope(session_factory) as session:
        return run_once(session)


async def _loop(session_factory: sessionmaker[Session]) -> None:
    while True:
        fired = 0
        try:
            fired = await asyncio.to_thread(_run_batch, session_factory)
        except Exception:  # the loop outlives one bad batch; the rows stay due and are retried
            log.exception("cases timer batch failed")
        await asyncio.sleep(0 if fired >= BATCH else INTERVAL_SECONDS)


@asynccontextmanager
async def case_timers(app: FastAPI) -> AsyncIterator[None]:
    """Background service: the cases timer loop, for as long as the app runs."""
    if not app.state.settings.run_timers:
        yield
        return
    task = asyncio.create_task(_loop(app.state.session_factory), name="case-timers")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
