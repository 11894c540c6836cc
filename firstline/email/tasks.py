"""The email channel's background services: IMAP pollers, the SMTP listener and the outbox sender.

Each is registered in ``web.app.background_services`` and starts only when its setting is on
(FIRSTLINE_EMAIL_IMAP_ENABLED, FIRSTLINE_EMAIL_SMTP_LISTENER_ENABLED, FIRSTLINE_EMAIL_OUTBOUND_ENABLED),
so tests and the demo never start one by accident.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from firstline.config import Settings
from firstline.db import session_scope
from firstline.email.imap import poll_mailbox, pollable_mailbox_ids, sync_configured_mailboxes
from firstline.email.outbound import run_outbox_once
from firstline.email.smtp_listener import start_listener

log = logging.getLogger(__name__)


def email_background_services() -> list[Callable[[Any], AbstractAsyncContextManager[None]]]:
    return [imap_poller, smtp_listener, outbox_sender]


@asynccontextmanager
async def imap_poller(app: Any) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if not settings.email_imap_enabled:
        yield
        return
    factory = app.state.session_factory
    with session_scope(factory) as session:
        sync_configured_mailboxes(
            session, configured=settings.email_mailboxes, secret_key=settings.effective_secret_key()
        )
    async with _looping(
        "imap poller", lambda: _poll_all(factory, settings), settings.email_imap_poll_seconds
    ):
        yield


@asynccontextmanager
async def smtp_listener(app: Any) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if not settings.email_smtp_listener_enabled:
        yield
        return
    controller = await asyncio.to_thread(
        start_listener,
        app.state.session_factory,
        settings,
        host=settings.email_smtp_listener_host,
        port=settings.email_smtp_listener_port,
    )
    try:
        yield
    finally:
        await asyncio.to_thread(controller.stop)


@asynccontextmanager
async def outbox_sender(app: Any) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if not settings.email_outbound_enabled:
        yield
        return
    factory = app.state.session_factory
    worker = f"sender-{uuid.uuid4().hex[:12]}"

    async def send_once() -> None:
        await run_outbox_once(factory, settings, worker=worker)

    async with _looping("outbox sender", send_once, settings.email_outbox_poll_seconds):
        yield


async def _poll_all(factory: sessionmaker[Session], settings: Settings) -> None:
    def listed() -> list[int]:  # in a worker thread, like all database work of this loop
        with session_scope(factory) as session:
            return list(pollable_mailbox_ids(session))

    mailbox_ids = await asyncio.to_thread(listed)
    for mailbox_id in mailbox_ids:
        await asyncio.to_thread(poll_mailbox, factory, mailbox_id=mailbox_id, settings=settings)


@asynccontextmanager
async def _looping(
    name: str, work: Callable[[], Awaitable[None]], every_seconds: float
) -> AsyncIterator[None]:
    """Run ``work`` now and then every ``every_seconds`` until the app stops; a failure is logged, not fatal."""

    async def loop() -> None:
        while True:
            try:
                await work()
            except Exception:
                log.exception("%s round failed", name)
            await asyncio.sleep(every_seconds)

    task = asyncio.create_task(loop(), name=name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
