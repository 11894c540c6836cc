"""The chat background service: the bus (Redis subscription or in-process) fed by committed notifications."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from firstline.attachments.store import FileStore
from firstline.chat.runtime import ChatRuntime
from firstline.kit import notify


@asynccontextmanager
async def chat_service(app: FastAPI) -> AsyncIterator[None]:
    """Start the chat runtime for this process; committed notifications reach the bus from here on."""
    settings = app.state.settings
    runtime = ChatRuntime(
        session_factory=app.state.session_factory,
        secret=settings.effective_secret_key(),
        redis_url=settings.redis_url,
        is_sqlite=app.state.engine.dialect.name == "sqlite",
        attachments=FileStore(settings.attachments_dir, max_bytes=settings.attachment_max_bytes),
        limits=getattr(app.state, "chat_limits", None),
    )
    await runtime.bus.start()
    unsubscribe = notify.subscribe(runtime.bus.publish)
    app.state.chat = runtime
    try:
        yield
    finally:
        unsubscribe()
        if runtime.writer is not None:
            runtime.writer.close()
        await runtime.bus.stop()
