"""An agent's open console keeps them present: their websocket heartbeats for them while it is open.

Routing marks an agent whose heartbeats stop offline (their chats go back to the queue) and brings one who
lost the connection back online when it returns; an agent who chose away or offline stays so.
"""

from __future__ import annotations

import asyncio
import logging

from firstline.chat.runtime import ChatRuntime
from firstline.routing.presence import heartbeat

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 20.0  # well inside routing's heartbeat timeout (60 s by default)


async def keep_present(runtime: ChatRuntime, agent_id: int, *, every: float = HEARTBEAT_SECONDS) -> None:
    """Heartbeat the agent now and then every ``every`` seconds, until cancelled (the socket closed)."""
    while True:
        try:
            await runtime.write(lambda session: heartbeat(session, agent_id=agent_id, active=False))
        except Exception:  # a missed beat is retried at the next one; the socket stays up
            log.exception("agent heartbeat failed", extra={"agent_id": agent_id})
        await asyncio.sleep(every)
